//! `kroniek ner`: tag token-per-line (CoNLL-style) input with the named-entity model.

use std::io::{self, BufWriter, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use kroniek_core::ner::{self, Tagger};
use kroniek_core::Lang;
use kroniek_eval::conll::{is_comment, is_docstart, split_columns};

/// Tag named entities in CoNLL-style input
///
/// Reads one token per line (blank line between sentences), with the token in column N
/// (columns split on tabs, else on whitespace). Writes every line back with the predicted
/// IOB2 label appended as a last tab-separated column. Comment lines ("# ..." or a lone #) and
/// -DOCSTART- lines are passed through unchanged; -DOCSTART- also separates documents.
/// A name right after a type cue of the language ("de rederij …", "north of …"; see
/// resources/<lang>/name_cues.txt) takes the cue's type, as in `annotate`.
///
/// Examples:
///   kroniek ner --conll --lang nl ned.testb > pred.conll && kroniek eval ner --format conll pred.conll
///   kroniek ner --conll --lang nl --token-column 2 article.ne
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Token-per-line input (the only mode for now)
    #[arg(long)]
    pub conll: bool,
    /// Language of the model and of the type cues
    #[arg(long, default_value = "nl")]
    pub lang: String,
    /// 1-based column of the token
    #[arg(long, default_value_t = 1)]
    pub token_column: usize,
    /// Use this model file instead of the embedded one
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Input file, or - for standard input
    pub input: Option<PathBuf>,
}

enum Line {
    Token,
    Other,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if !args.conll {
        bail!("only --conll input is supported; see kroniek ner --help");
    }
    let lang = Lang::parse(&args.lang)
        .with_context(|| format!("{:?} is not a language code", args.lang))?;
    let cues = ner::NameCues::for_language(lang);
    let joiners = ner::acronyms::joiners(lang);
    let owned;
    let tagger: &Tagger = match &args.model {
        Some(path) => {
            let bytes =
                std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
            owned = Tagger::from_bytes(&bytes)
                .with_context(|| format!("cannot load {}", path.display()))?;
            &owned
        }
        None => {
            if let Some(e) = ner::load_error(lang) {
                bail!("the embedded {lang} model does not load: {e}");
            }
            ner::tagger(lang).with_context(|| format!("no NER model for language {lang}"))?
        }
    };
    let mut bytes = Vec::new();
    match args.input.as_ref().filter(|p| p.as_os_str() != "-") {
        Some(p) => {
            bytes = std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?
        }
        None => {
            io::stdin().lock().read_to_end(&mut bytes)?;
        }
    }
    let text = String::from_utf8_lossy(&bytes);
    let col = args.token_column.max(1) - 1;
    let mut out = BufWriter::new(io::stdout().lock());
    // Buffer one document (lines, sentences), tag it, write it.
    let mut lines: Vec<(&str, Line)> = Vec::new();
    let mut sentences: Vec<Vec<&str>> = vec![Vec::new()];
    let flush = |lines: &mut Vec<(&str, Line)>,
                 sentences: &mut Vec<Vec<&str>>,
                 out: &mut dyn Write|
     -> io::Result<()> {
        sentences.retain(|s| !s.is_empty());
        let mut tags = tagger.tag_document(sentences);
        ner::acronyms::expand(sentences, &mut tags, joiners);
        let cued: Vec<Vec<Option<String>>> = sentences
            .iter()
            .zip(&tags)
            .map(|(w, t)| ner::cues::retype_tags(cues, w, t))
            .collect();
        let mut it = tags.iter().flatten().zip(cued.iter().flatten());
        for (l, kind) in lines.drain(..) {
            match kind {
                Line::Token => {
                    let tag = match it.next() {
                        Some((_, Some(c))) => c.as_str(),
                        Some((&t, None)) => t,
                        None => "O",
                    };
                    writeln!(out, "{l}\t{tag}")?
                }
                Line::Other => writeln!(out, "{l}")?,
            }
        }
        sentences.clear();
        sentences.push(Vec::new());
        Ok(())
    };
    for raw in text.lines() {
        let line = raw.trim_end_matches(['\r', '\n']);
        if is_comment(line) {
            lines.push((line, Line::Other));
            continue;
        }
        if is_docstart(line) {
            flush(&mut lines, &mut sentences, &mut out)?;
            writeln!(out, "{line}")?;
            continue;
        }
        let cols = split_columns(line);
        if cols.is_empty() {
            if !sentences.last().is_some_and(Vec::is_empty) {
                sentences.push(Vec::new());
            }
            lines.push((line, Line::Other));
            continue;
        }
        let token = cols.get(col).copied().unwrap_or(cols[0]);
        sentences.last_mut().expect("a sentence").push(token);
        lines.push((line, Line::Token));
    }
    flush(&mut lines, &mut sentences, &mut out)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
