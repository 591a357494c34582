//! `kroniek eval syntax`: UPOS accuracy, UAS and LAS against a CoNLL-U gold file.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use kroniek_core::syntax::SyntaxModel;
use kroniek_core::{text, Lang};
use kroniek_eval::conllu::{self, Sentence, SystemWord};

use super::syntax_common::{model, predict_all, read_conllu, sample_text};

/// Score kroniek's tagger and parser on a CoNLL-U gold file (plain or .gz): UPOS
/// accuracy, UAS and LAS with punctuation included and relation subtypes ignored, as the
/// CoNLL 2018 shared task scores. By default on the gold words; with --tokenize also on
/// kroniek's own tokenisation and sentence splitting of the `# text` lines, aligned by
/// characters (F1 scores).
///
/// Example:
///   kroniek eval syntax --format conllu ../shared/corpora/ud_nl_alpino/nl_alpino-ud-test.conllu
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Gold CoNLL-U file
    pub file: PathBuf,
    /// Input format (only conllu)
    #[arg(long, default_value = "conllu")]
    pub format: String,
    /// Language of the model (default: from the file name or the text)
    #[arg(long)]
    pub lang: Option<String>,
    /// Use this model file instead of the embedded model
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// Parse with this neural parser (`kroniek train syntax --neural`) instead of the
    /// model's transition parser (needs --model; a `neural.bin` next to the --model file
    /// is used without it, as the embedded Dutch model uses its own)
    #[arg(long, value_name = "FILE")]
    pub neural: Option<PathBuf>,
    /// Parse with the fast pipeline parser (`models/<lang>/neural-fast.bin`, the default of
    /// `annotate --syntax`: a small network on the tagger's first pass) instead of the
    /// accurate one; with --model, --neural names the fast parser's file
    #[arg(long)]
    pub fast: bool,
    /// Also score on kroniek's own tokenisation and sentence splitting
    #[arg(long)]
    pub tokenize: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(args.format == "conllu", "only --format conllu is supported");
    let gold = read_conllu(&args.file)?;
    let model = model(
        args.lang.as_deref(),
        args.model.as_deref(),
        args.neural.as_deref(),
        args.fast,
        &args.file,
        || sample_text(&gold),
    )?;
    let started = Instant::now();
    let pred: Vec<Sentence> = predict_all(model, &gold);
    let secs = started.elapsed().as_secs_f64();
    let c = conllu::score_gold_tokens(&gold, &pred).map_err(anyhow::Error::msg)?;
    println!("file: {}", args.file.display());
    println!("model: {} ({})", model.lang(), model.info());
    println!(
        "gold tokenisation: UPOS {:.2}%  UAS {:.2}%  LAS {:.2}%  over {} words ({:.0} words/s)",
        100.0 * c.upos(),
        100.0 * c.uas(),
        100.0 * c.las(),
        c.gold,
        c.gold as f64 / secs.max(1e-9)
    );
    if args.tokenize {
        let lang = Lang::parse(model.lang()).unwrap_or(Lang::EN);
        let system = own_analysis(model, lang, &gold);
        let c = conllu::score_aligned(&gold, &system);
        println!(
            "own tokenisation (F1): tokens {:.2}%  sentences {:.2}%  words {:.2}%  UPOS {:.2}%  UAS {:.2}%  LAS {:.2}%",
            100.0 * conllu::f1(c.tokens.2, c.tokens.0, c.tokens.1),
            100.0 * conllu::f1(c.sentences.2, c.sentences.0, c.sentences.1),
            100.0 * c.words(),
            100.0 * c.upos(),
            100.0 * c.uas(),
            100.0 * c.las()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The raw text of a sentence: its `# text`, else its tokens joined as `SpaceAfter` says.
fn sentence_text(s: &Sentence) -> String {
    if let Some(t) = s.comment("text") {
        return t.to_string();
    }
    s.tokens()
        .iter()
        .map(|(f, _)| *f)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Tokenises, splits and parses the text of the gold file as kroniek would, one document
/// per `# newdoc` (sentences joined by spaces, paragraphs by blank lines).
fn own_analysis(model: &SyntaxModel, lang: Lang, gold: &[Sentence]) -> Vec<Vec<SystemWord>> {
    let mut docs: Vec<String> = Vec::new();
    for s in gold {
        if docs.is_empty() || s.starts("newdoc") {
            docs.push(String::new());
        }
        let doc = docs.last_mut().expect("a document");
        if !doc.is_empty() {
            doc.push_str(if s.starts("newpar") { "\n\n" } else { " " });
        }
        doc.push_str(&sentence_text(s));
    }
    let mut out = Vec::new();
    let mut offset = 0usize;
    for doc in &docs {
        // Non-whitespace character offset of every byte.
        let mut nonws = vec![0usize; doc.len() + 1];
        let mut k = offset;
        for (i, ch) in doc.char_indices() {
            for slot in &mut nonws[i..i + ch.len_utf8()] {
                *slot = k;
            }
            if !ch.is_whitespace() {
                k += 1;
            }
        }
        nonws[doc.len()] = k;
        offset = k;
        let tokens = text::tokenize(doc, lang);
        for sent in text::sentences(doc, &tokens) {
            let toks = &tokens[sent.tokens.clone()];
            let forms: Vec<&str> = toks.iter().map(|t| &doc[t.span.range()]).collect();
            let parsed = model.analyse(&forms);
            out.push(
                toks.iter()
                    .zip(parsed)
                    .map(|(t, p)| SystemWord {
                        start: nonws[t.span.start as usize],
                        end: nonws[t.span.end as usize],
                        upos: p.upos.to_string(),
                        head: p.head,
                        deprel: p.deprel.to_string(),
                    })
                    .collect(),
            );
        }
    }
    out
}
