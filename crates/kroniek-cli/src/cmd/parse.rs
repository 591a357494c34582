//! `kroniek parse --conllu`: CoNLL-U in, the same CoNLL-U out with predicted syntax.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use super::syntax_common::{model, predict, read_conllu};

/// Tag and parse CoNLL-U: ids, forms, MISC, comments and multiword-token lines are kept;
/// UPOS, LEMMA, HEAD and DEPREL are predicted; XPOS, FEATS and DEPS become `_`. The output
/// can be scored by any CoNLL-U scorer against the input. This format is stable.
///
/// Example:
///   kroniek parse --conllu --lang nl nl_alpino-ud-test.conllu > pred.conllu
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Read and write CoNLL-U (required; the only format for now)
    #[arg(long, required = true)]
    pub conllu: bool,
    /// Language of the model (default: from the file name or the text)
    #[arg(long)]
    pub lang: Option<String>,
    /// Use this model file instead of the embedded model
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// CoNLL-U file (plain or .gz), or - for standard input
    pub file: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let sentences = read_conllu(&args.file)?;
    let model = model(
        args.lang.as_deref(),
        args.model.as_deref(),
        &args.file,
        &sentences,
    )?;
    let mut out = io::BufWriter::new(io::stdout().lock());
    for s in &sentences {
        write!(out, "{}", predict(model, s))?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
