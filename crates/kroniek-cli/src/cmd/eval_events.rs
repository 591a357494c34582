//! `kroniek eval events`: event mentions and factuality on MEANTIME.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use kroniek_core::events::{self, perceptron::Model, EventMention};
use kroniek_core::Lang;
use kroniek_eval::events::{read_cat_xml, EventSpan, GoldDoc, Scores};

use super::train_events::{collect, default_recall_bias, read_gold, recipe};

/// Score event mentions and factuality against MEANTIME.
///
/// Sets: nl-clin26 (clin26_conll/<topic>/factuality), nl-factuality (factuality_conll,
/// whole documents, scored up to the last sentence with a gold event) and en-cat
/// (English CAT XML, sentences 0–5). Topics: apple and airbus (the development split).
///
/// The shipped models are trained on both development topics (plus UD silver data for
/// Dutch and TempEval-3 TBAQ for English), so their figures here are not test figures.
/// --cv reports the honest figure: for each topic, a model trained with the standard
/// recipe (`kroniek train events`) without that topic, tested on it.
///
/// Examples:
///   kroniek eval events --cv
///   kroniek eval events --set en-cat --corpora ../shared/corpora
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Folder holding meantime_nl/ and meantime_en/
    #[arg(long, default_value = "../shared/corpora", env = "KRONIEK_CORPORA")]
    pub corpora: PathBuf,
    /// nl-clin26, nl-factuality, en-cat or all
    #[arg(long, default_value = "all")]
    pub set: String,
    /// Dutch: train on one topic, test on the other (instead of the shipped model)
    #[arg(long)]
    pub cv: bool,
    /// Training epochs for --cv
    #[arg(long, default_value_t = 8)]
    pub epochs: usize,
    /// Recall bias for --cv (see `kroniek train events --help`)
    #[arg(long, allow_hyphen_values = true)]
    pub recall_bias: Option<f32>,
    /// Write predictions as `kroniek events --conll` would, one file per gold file, here
    #[arg(long, value_name = "DIR")]
    pub write: Option<PathBuf>,
}

const TOPICS: [&str; 2] = ["apple", "airbus"];

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let sets: Vec<&str> = match args.set.as_str() {
        "all" => vec!["nl-clin26", "nl-factuality", "en-cat"],
        s @ ("nl-clin26" | "nl-factuality" | "en-cat") => vec![s],
        other => bail!("unknown set {other:?}; use nl-clin26, nl-factuality, en-cat or all"),
    };
    if !args.corpora.join("meantime_nl").is_dir() && !args.corpora.join("meantime_en").is_dir() {
        bail!(
            "{} holds neither meantime_nl/ nor meantime_en/; use --corpora",
            args.corpora.display()
        );
    }
    for set in sets {
        let mut total = Scores::default();
        for topic in TOPICS {
            let docs = load(&args.corpora, set, topic)?;
            if docs.is_empty() {
                eprintln!("{set}/{topic}: no files");
                continue;
            }
            let lang = if set.starts_with("nl") {
                Lang::NL
            } else {
                Lang::EN
            };
            let cv_model = if args.cv {
                let ex = recipe(lang, &args.corpora, Some(topic))?;
                Some(events::train(
                    &ex,
                    args.epochs,
                    args.recall_bias
                        .unwrap_or_else(|| default_recall_bias(lang)),
                ))
            } else {
                None
            };
            let mut scores = Scores::default();
            for doc in &docs {
                let pred = predict(lang, doc, cv_model.as_ref());
                scores.add(doc, &to_spans(&pred));
                total.add(doc, &to_spans(&pred));
                if let Some(dir) = &args.write {
                    write_conll(dir, set, topic, doc, &pred)?;
                }
            }
            let how = if cv_model.is_some() {
                format!("standard recipe without topic {topic} (cross-topic)")
            } else {
                "shipped model (its training data include this topic: not a test figure)"
                    .to_string()
            };
            println!("{set} {topic} [{how}]: {scores}");
        }
        println!("{set} total: {total}");
    }
    Ok(ExitCode::SUCCESS)
}

fn load(corpora: &Path, set: &str, topic: &str) -> anyhow::Result<Vec<GoldDoc>> {
    let dir = match set {
        "nl-clin26" => corpora
            .join("meantime_nl/clin26_conll")
            .join(topic)
            .join("factuality"),
        "nl-factuality" => corpora.join("meantime_nl/factuality_conll").join(topic),
        _ => corpora
            .join("meantime_en/intra_cross-doc_annotation")
            .join(format!("corpus_{topic}")),
    };
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut docs = Vec::new();
    if set == "en-cat" {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "xml"))
            .collect();
        files.sort();
        for f in files {
            let xml = std::fs::read_to_string(&f)
                .with_context(|| format!("cannot read {}", f.display()))?;
            let name = f
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            docs.push(read_cat_xml(&name, &xml).map_err(anyhow::Error::msg)?);
        }
    } else {
        let mut files = Vec::new();
        collect(&dir, &mut files)?;
        for f in files {
            docs.push(read_gold(&f)?);
        }
    }
    Ok(docs)
}

fn predict(lang: Lang, doc: &GoldDoc, model: Option<&Model>) -> Vec<EventMention> {
    events::find_in_tokens_with(lang, &doc.sentences, model)
}

fn to_spans(pred: &[EventMention]) -> Vec<EventSpan> {
    pred.iter()
        .map(|m| EventSpan {
            tokens: m.tokens.clone(),
            certainty: m.factuality.certainty.as_str().to_string(),
            polarity: m.factuality.polarity.as_str().to_string(),
            time: m.factuality.time.as_str().to_string(),
        })
        .collect()
}

fn write_conll(
    dir: &Path,
    set: &str,
    topic: &str,
    doc: &GoldDoc,
    pred: &[EventMention],
) -> anyhow::Result<()> {
    use std::fmt::Write as _;
    let dir = dir.join(set).join(topic);
    std::fs::create_dir_all(&dir)?;
    let n: usize = doc.sentences.iter().map(Vec::len).sum();
    let cols = super::events::columns(pred, n);
    let mut out = String::new();
    let mut k = 0;
    for (si, s) in doc.sentences.iter().enumerate() {
        if si > 0 {
            out.push('\n');
        }
        for tok in s {
            let c = &cols[k];
            k += 1;
            let _ = writeln!(out, "{k}\t{tok}\t{}\t{}\t{}\t{}", c[0], c[1], c[2], c[3]);
        }
    }
    std::fs::write(dir.join(&doc.name), out)?;
    Ok(())
}
