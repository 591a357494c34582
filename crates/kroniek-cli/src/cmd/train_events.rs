//! `kroniek train events`: the event-trigger perceptron from MEANTIME-style gold.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use kroniek_core::events::perceptron::{B, I, O};
use kroniek_core::events::{self, Words};
use kroniek_core::{text, Lang};
use kroniek_eval::events::{read_clin26, read_factuality_conll, read_timeml, GoldDoc};

/// Train the event-trigger model.
///
/// Inputs are files or folders (searched recursively): TimeML `.tml` (TempEval-3 EVENT
/// tags), CLIN26 `.factuality` and `.xml.conll` (MEANTIME Dutch) files. The model is
/// written as text; commit it under models/<lang>/events.model to ship it.
///
/// Examples (from the repository root, corpora in ../shared/corpora):
///   kroniek train events --lang en --out models/en/events.model \
///       ../shared/corpora/tempeval3_tbaq/TimeBank ../shared/corpora/tempeval3_tbaq/AQUAINT
///   kroniek train events --lang nl --out models/nl/events.model \
///       ../shared/corpora/meantime_nl/clin26_conll/apple/factuality \
///       ../shared/corpora/meantime_nl/clin26_conll/airbus/factuality
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Language of the training data (nl, en)
    #[arg(long)]
    pub lang: String,
    /// Where to write the model
    #[arg(long)]
    pub out: PathBuf,
    /// Training epochs
    #[arg(long, default_value_t = 8)]
    pub epochs: usize,
    /// Training files or folders
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let lang =
        Lang::parse(&args.lang).with_context(|| format!("{:?} is not a language", args.lang))?;
    let mut files = Vec::new();
    for p in &args.inputs {
        collect(p, &mut files)?;
    }
    if files.is_empty() {
        bail!("no .tml, .factuality or .conll files under the inputs");
    }
    let examples = load_examples(lang, &files)?;
    let tokens: usize = examples.iter().map(|e| e.1.len()).sum();
    let events_n = examples
        .iter()
        .flat_map(|e| &e.1)
        .filter(|&&l| l == B)
        .count();
    eprintln!(
        "training on {} files, {} sentences, {tokens} tokens, {events_n} events, {} epochs",
        files.len(),
        examples.len(),
        args.epochs
    );
    let model = events::train(&examples, args.epochs);
    let text = model.to_text();
    if let Some(dir) = args.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&args.out, &text)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    eprintln!("wrote {} ({} bytes)", args.out.display(), text.len());
    Ok(ExitCode::SUCCESS)
}

/// Files under `p` (recursively, sorted) with a known extension.
pub fn collect(p: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    if p.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
            .with_context(|| format!("cannot read {}", p.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for e in entries {
            collect(&e, out)?;
        }
    } else {
        let name = p.to_string_lossy();
        if name.ends_with(".tml") || name.ends_with(".factuality") || name.ends_with(".conll") {
            out.push(p.to_path_buf());
        }
    }
    Ok(())
}

/// Reads a gold column file by its extension.
pub fn read_gold(path: &Path) -> anyhow::Result<GoldDoc> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(if name.ends_with(".conll") {
        read_factuality_conll(&name, &text)
    } else {
        read_clin26(&name, &text)
    })
}

/// Training sentences with O/B/I labels from gold files.
pub fn load_examples(lang: Lang, files: &[PathBuf]) -> anyhow::Result<Vec<(Words, Vec<u8>)>> {
    let mut out = Vec::new();
    for f in files {
        if f.extension().is_some_and(|e| e == "tml") {
            let xml = std::fs::read_to_string(f)
                .with_context(|| format!("cannot read {}", f.display()))?;
            let (txt, evs) = read_timeml(&f.to_string_lossy(), &xml).map_err(anyhow::Error::msg)?;
            let toks = text::tokenize(&txt, lang);
            let sents = text::sentences(&txt, &toks);
            for s in &sents {
                let ts = &toks[s.tokens.clone()];
                let words: Vec<&str> = ts.iter().map(|t| &txt[t.span.range()]).collect();
                let mut labels = vec![O; ts.len()];
                let mut prev_event = None;
                for (k, t) in ts.iter().enumerate() {
                    let r = t.span.range();
                    let hit = evs.iter().position(|e| e.start < r.end && r.start < e.end);
                    if let Some(e) = hit {
                        labels[k] = if prev_event == Some(e) { I } else { B };
                    }
                    prev_event = hit;
                }
                out.push((Words::new(lang, &words), labels));
            }
        } else {
            out.extend(gold_examples(lang, &read_gold(f)?));
        }
    }
    Ok(out)
}

/// Training sentences from one gold document (its annotated window only).
pub fn gold_examples(lang: Lang, doc: &GoldDoc) -> Vec<(Words, Vec<u8>)> {
    let offsets = doc.offsets();
    let mut out = Vec::new();
    for (si, s) in doc.sentences.iter().enumerate().take(doc.window) {
        let base = offsets[si];
        let mut labels = vec![O; s.len()];
        for e in &doc.events {
            if e.tokens.start >= base && e.tokens.start < base + s.len() {
                for t in e.tokens.clone() {
                    if t < base + s.len() {
                        labels[t - base] = if t == e.tokens.start { B } else { I };
                    }
                }
            }
        }
        let words: Vec<&str> = s.iter().map(String::as_str).collect();
        out.push((Words::new(lang, &words), labels));
    }
    out
}
