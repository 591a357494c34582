//! `kroniek train ner`: averaged-perceptron NER from CoNLL-style files.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context};
use kroniek_core::ner::{self, Clusters, Gazetteer, LabeledDoc, TrainConfig};
use kroniek_core::{text, Lang};
use kroniek_eval::conll::{read_ner, wnut_type, Column, ReadOptions};

/// Train a named-entity tagger and write its model file
///
/// Data files are CoNLL-style (token first, IOB1/IOB2 label last, blank line between
/// sentences, -DOCSTART- between documents). Append @options to a path for odd files:
///   @period      split sentences after . ! ? (files without blank lines)
///   @doc=N       group N sentences into a document (files without -DOCSTART-)
///   @missing=T   the file does not annotate type T (e.g. MISC in BTC): its O may hide T
///   @docs=A..B   only documents A (0-based, inclusive) to B (exclusive); either may be empty
///   @wnut        map WNUT-17 types to PER/ORG/LOC/MISC
///   @conllu      CoNLL-U (unlabeled text for --clusters); files ending in .gz are decompressed
///   @tok=N @tag=N  1-based token / label columns
///
/// Example (the full commands for the shipped models are in docs/ner.md):
///   kroniek train ner --lang nl --train ned.train --dev ned.testa \
///     --gazetteer PER=per.txt LOC=geo.txt ORG=org.txt MISC=misc.txt \
///     --clusters ned.train unlabeled.conllu.gz@conllu --stack-folds 4 --out models/nl/ner.bin
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Language of the model (nl, en, …)
    #[arg(long)]
    pub lang: String,
    /// Training files
    #[arg(long, required = true, num_args = 1..)]
    pub train: Vec<String>,
    /// Development files: the epoch with the best F1 on them is kept
    #[arg(long, required = true, num_args = 1..)]
    pub dev: Vec<String>,
    /// Where to write the model
    #[arg(long)]
    pub out: PathBuf,
    /// Passes over the training data
    #[arg(long, default_value_t = 15)]
    pub epochs: usize,
    /// Shuffling seed
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Drop features seen fewer times than this in training
    #[arg(long, default_value_t = 1)]
    pub min_count: u32,
    /// Name list, one name per line: TYPE=FILE (repeatable); compiled into the model
    #[arg(long, value_name = "TYPE=FILE", num_args = 1..)]
    pub gazetteer: Vec<String>,
    /// Unlabeled (or labeled) token files to induce word clusters from; compiled into the model
    #[arg(long, num_args = 1..)]
    pub clusters: Vec<String>,
    /// Loss-augmented training: margin added to wrong labels' scores
    #[arg(long, default_value_t = 20.0)]
    pub margin: f32,
    /// Probability of hiding a training sentence's gazetteer features in an epoch
    #[arg(long, default_value_t = 0.5)]
    pub gaz_dropout: f32,
    /// Train a document-level second stage on labels from this many jackknife folds (0: none)
    #[arg(long, default_value_t = 0)]
    pub stack_folds: usize,
    /// Words seen fewer times get no cluster
    #[arg(long, default_value_t = 3)]
    pub cluster_min_count: usize,
}

/// Reads `PATH[@opt,...]`.
pub fn read_spec(spec: &str) -> anyhow::Result<Vec<LabeledDoc>> {
    let (path, opts) = match spec.rsplit_once('@') {
        Some((p, o)) if !Path::new(spec).exists() => (p, o),
        _ => (spec, ""),
    };
    let mut ro = ReadOptions::default();
    let mut range: Option<(usize, usize)> = None;
    for o in opts.split(',').filter(|o| !o.is_empty()) {
        match o.split_once('=') {
            None if o == "period" => ro.split_on_period = true,
            None if o == "wnut" => ro.map_type = wnut_type,
            None if o == "conllu" => ro.conllu = true,
            Some(("missing", types)) => {
                ro.missing_types = types.split('+').map(str::to_string).collect()
            }
            Some(("docs", r)) => {
                let (a, b) = r.split_once("..").context("@docs=A..B")?;
                range = Some((a.parse().unwrap_or(0), b.parse().unwrap_or(usize::MAX)));
            }
            Some(("doc", n)) => {
                ro.sentences_per_doc = Some(n.parse().context("@doc=N needs a number")?)
            }
            Some(("tok", n)) => {
                ro.token = Column::Index(
                    n.parse::<usize>()
                        .context("@tok=N needs a number")?
                        .saturating_sub(1),
                )
            }
            Some(("tag", n)) => {
                ro.tag = Column::Index(
                    n.parse::<usize>()
                        .context("@tag=N needs a number")?
                        .saturating_sub(1),
                )
            }
            _ => bail!("unknown file option {o:?} in {spec:?}"),
        }
    }
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {path}"))?;
    let text = if path.ends_with(".gz") {
        let mut s = String::new();
        flate2::read::MultiGzDecoder::new(&bytes[..])
            .read_to_string(&mut s)
            .with_context(|| format!("cannot decompress {path}"))?;
        s
    } else {
        String::from_utf8(bytes).with_context(|| format!("{path} is not UTF-8"))?
    };
    let docs = read_ner(&text, &ro);
    Ok(match range {
        Some((a, b)) => docs.into_iter().skip(a).take(b.saturating_sub(a)).collect(),
        None => docs,
    })
}

fn read_all(specs: &[String]) -> anyhow::Result<Vec<LabeledDoc>> {
    let mut out = Vec::new();
    for s in specs {
        let docs = read_spec(s)?;
        let sents: usize = docs.iter().map(Vec::len).sum();
        let toks: usize = docs.iter().flatten().map(|s| s.words.len()).sum();
        eprintln!(
            "read {s}: {} documents, {sents} sentences, {toks} tokens",
            docs.len()
        );
        out.extend(docs);
    }
    Ok(out)
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let lang = Lang::parse(&args.lang)
        .with_context(|| format!("{:?} is not a language code", args.lang))?;
    let train = read_all(&args.train)?;
    let dev = read_all(&args.dev)?;
    let gazetteer = if args.gazetteer.is_empty() {
        None
    } else {
        let mut lists: Vec<(String, String)> = Vec::new();
        for g in &args.gazetteer {
            let (ty, path) = g
                .split_once('=')
                .with_context(|| format!("--gazetteer {g:?}: use TYPE=FILE"))?;
            lists.push((
                ty.to_string(),
                std::fs::read_to_string(path).with_context(|| format!("cannot read {path}"))?,
            ));
        }
        let mut names: Vec<(String, Vec<String>)> = Vec::new();
        for (ty, text) in &lists {
            for line in text.lines() {
                let name = ner::gazetteer::decode_entities(line.trim());
                let name = name.trim_matches(|c: char| c == '"' || c == '\'');
                if name.is_empty() {
                    continue;
                }
                let toks: Vec<String> = text::tokenize(name, lang)
                    .iter()
                    .map(|t| name[t.span.range()].to_string())
                    .collect();
                names.push((ty.clone(), toks));
            }
        }
        let g = Gazetteer::compile(
            names
                .iter()
                .map(|(t, toks)| (t.as_str(), toks.iter().map(String::as_str).collect())),
        );
        eprintln!("gazetteer: {} names", g.len());
        Some(g)
    };
    let clusters = if args.clusters.is_empty() {
        None
    } else {
        let t0 = Instant::now();
        let sents: Vec<Vec<String>> = read_all(&args.clusters)?
            .into_iter()
            .flatten()
            .map(|s| s.words)
            .collect();
        let c = Clusters::induce(&sents, args.cluster_min_count, 60_000);
        eprintln!(
            "clusters: {} words in {:.1}s",
            c.len(),
            t0.elapsed().as_secs_f64()
        );
        Some(c)
    };
    let description = format!(
        "kroniek train ner {}",
        std::env::args().skip(3).collect::<Vec<_>>().join(" ")
    );
    let cfg = TrainConfig {
        lang: lang.to_string(),
        epochs: args.epochs,
        seed: args.seed,
        min_count: args.min_count,
        gazetteer,
        clusters,
        description,
        margin: args.margin,
        gaz_dropout: args.gaz_dropout,
        stack_folds: args.stack_folds,
    };
    let t0 = Instant::now();
    let trained = ner::train(&train, &dev, &cfg, &mut |r| {
        eprintln!(
            "stage {} epoch {:>2}  {:>6} sentences wrong  dev P {:.2} R {:.2} F1 {:.2}{}  ({:.0}s)",
            r.stage,
            r.epoch,
            r.mistakes,
            r.dev.precision,
            r.dev.recall,
            r.dev.f1,
            if r.best { "  *" } else { "" },
            t0.elapsed().as_secs_f64()
        );
    });
    let bytes = trained.tagger.to_bytes();
    if let Some(dir) = args.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&args.out, &bytes)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    println!(
        "best epoch {} (dev F1 {:.2}); {} of {} features kept; wrote {} ({:.1} MB)",
        trained.best_epoch,
        trained.dev.f1,
        trained.tagger.feature_count(),
        trained.features_seen,
        args.out.display(),
        bytes.len() as f64 / 1e6
    );
    Ok(ExitCode::SUCCESS)
}
