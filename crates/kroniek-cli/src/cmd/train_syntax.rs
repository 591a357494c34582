//! `kroniek train syntax`: train the tagger, lemmatizer and parser of a language.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use kroniek_core::syntax::neural::{self, NeuralConfig, NeuralOptions, NeuralSentence};
use kroniek_core::syntax::{self, Clusters, SyntaxModel, TrainOptions};

use super::syntax_common::read_conllu;

/// Train a UPOS tagger, lemmatizer and labelled dependency parser from CoNLL-U treebanks
/// (plain or .gz) and write `<out-dir>/syntax.bin` (and with --neural `neural.bin`, a
/// neural parser that parses instead of the transition parser). Deterministic for a given
/// seed.
///
/// Example (the committed Dutch models, syntax.bin + neural.bin; docs/syntax.md explains
/// every option):
///   kroniek train syntax --lang nl --out-dir models/nl --parser-iterations 0 \
///     --two-pass-tagger --pseudo-projective --fine-tags --clause-verbs \
///     --train ../shared/corpora/ud_nl_alpino/nl_alpino-alud-train-{cdb,eans,g_suite,h_suite,leuven_yellow_pages}.conllu.gz \
///             ../shared/corpora/ud_nl_lassysmall/nl_lassysmall-ud-{dev,test}.conllu \
///             ../shared/corpora/ud_nl_alpino/nl_alpino-ud-dev.conllu \
///     --neural --neural-epochs 12 --neural-dilations 1 --neural-lstm 64 --neural-hidden 64 \
///     --neural-arc-dim 128 --neural-label-dim 32
/// The committed English neural parser (copy DIR/neural.bin to models/en/; the committed
/// English syntax.bin is an older set-1 model, which DIR/syntax.bin does not reproduce):
///   kroniek train syntax --lang en --out-dir DIR --parser-iterations 0 --feature-set 1 \
///     --train ../shared/corpora/ud_en_ewt/en_ewt-ud-train.conllu.gz \
///     --dev ../shared/corpora/ud_en_ewt/en_ewt-ud-dev.conllu.gz \
///     --neural --neural-epochs 12 --neural-dilations 1 --neural-lstm 64 --neural-hidden 64 \
///     --neural-arc-dim 128 --neural-label-dim 32
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Language code written into the model (nl, en, …)
    #[arg(long)]
    pub lang: String,
    /// Training files (CoNLL-U, plain or gzip)
    #[arg(long, num_args = 1.., required = true)]
    pub train: Vec<PathBuf>,
    /// Development file, only for progress reports
    #[arg(long)]
    pub dev: Option<PathBuf>,
    /// Where to write syntax.bin
    #[arg(long, value_name = "DIR")]
    pub out_dir: PathBuf,
    /// Tagger iterations
    #[arg(long, default_value_t = 10)]
    pub tagger_iterations: usize,
    /// Parser iterations
    #[arg(long, default_value_t = 15)]
    pub parser_iterations: usize,
    /// Folds for jackknifed parser training tags (0: gold tags)
    #[arg(long, default_value_t = 4)]
    pub jackknife: usize,
    /// Random seed
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Most parser weights kept (bounds the model size: about 3 bytes each)
    #[arg(long, default_value_t = 3_000_000)]
    pub max_parser_weights: usize,
    /// Unlabeled text to induce word clusters from (stored in the model, used as tagger and
    /// parser features): CoNLL-U files (`.conllu`, `.conllu.gz`: the forms) or token-per-line
    /// files (first column; blank line = sentence end; `-DOCSTART-` lines skipped)
    #[arg(long, num_args = 1.., value_name = "FILE")]
    pub cluster_text: Vec<PathBuf>,
    /// Words seen fewer times in the cluster text get no cluster
    #[arg(long, default_value_t = 3)]
    pub cluster_min_count: usize,
    /// Most words with a cluster (the most frequent)
    #[arg(long, default_value_t = 60_000)]
    pub cluster_words: usize,
    /// A second tagger pass that sees the first pass's tags of the whole sentence (the right
    /// context too), trained on jackknifed first-pass tags (feature set 5; not with
    /// --cluster-text)
    #[arg(long)]
    pub two_pass_tagger: bool,
    /// Pseudo-projective parsing: lift non-projective training arcs, decorating labels
    /// with the original head's label, and move such tokens back down after parsing
    #[arg(long)]
    pub pseudo_projective: bool,
    /// Fine tags for the parser from the training files' FEATS: subclasses of VERB/AUX
    /// (VerbForm) and PRON (PronType with Case or Poss) (feature set 6, with the second
    /// tagger pass; not with --cluster-text)
    #[arg(long)]
    pub fine_tags: bool,
    /// Train the tagger only and report its accuracy on --dev; writes no model (for
    /// experiments; with --two-pass-tagger and --jackknife 1, the first pass only)
    #[arg(long)]
    pub tagger_only: bool,
    /// With --fine-tags: the second tagger pass also sees the nearest verbs (first-pass
    /// tags) before and after a token in its clause, for AUX against VERB (feature set 7)
    #[arg(long)]
    pub clause_verbs: bool,
    /// An older feature set, 1, 2 or 3, instead of the one the options select (not with
    /// --cluster-text, --two-pass-tagger or --fine-tags); the English model is set 1
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=3))]
    pub feature_set: Option<u32>,
    /// Also train a neural (biaffine) parser on the jackknifed tags and write it to
    /// `<out-dir>/neural.bin` (parse with `--model <out-dir>/syntax.bin --neural
    /// <out-dir>/neural.bin`); `--parser-iterations 0` skips the transition parser
    #[arg(long)]
    pub neural: bool,
    /// With --neural: keep the jackknifed training tags in this file; if it exists, the
    /// tags are read from it and `<out-dir>/syntax.bin` is reused (no tagger training)
    #[arg(long, value_name = "FILE")]
    pub neural_tags: Option<PathBuf>,
    /// Neural parser: epochs
    #[arg(long, default_value_t = 10)]
    pub neural_epochs: usize,
    /// Neural parser: word embedding size
    #[arg(long, default_value_t = 100)]
    pub neural_word_dim: usize,
    /// Neural parser: tag embedding size
    #[arg(long, default_value_t = 32)]
    pub neural_tag_dim: usize,
    /// Neural parser: affix embedding size
    #[arg(long, default_value_t = 50)]
    pub neural_affix_dim: usize,
    /// Neural parser: hash buckets of the affixes
    #[arg(long, default_value_t = 30_000)]
    pub neural_affix_buckets: usize,
    /// Neural parser: trained on (and parsing from) the tagger's first pass only, plain
    /// UPOS without the second pass or fine tags: the fast pipeline parser
    /// (`models/<lang>/neural-fast.bin`)
    #[arg(long)]
    pub neural_first_pass: bool,
    /// Neural parser: encoder width
    #[arg(long, default_value_t = 256)]
    pub neural_hidden: usize,
    /// Neural parser: dilations of the encoder's convolution layers (window 3), comma separated;
    /// `none`: no convolution (the BiLSTM reads the token vectors)
    #[arg(long, default_value = "1,2,4,8,1")]
    pub neural_dilations: String,
    /// Neural parser: arc MLP width
    #[arg(long, default_value_t = 256)]
    pub neural_arc_dim: usize,
    /// Neural parser: label MLP width
    #[arg(long, default_value_t = 64)]
    pub neural_label_dim: usize,
    /// Neural parser: BiLSTM width per direction over the convolutions (0: none)
    #[arg(long, default_value_t = 0)]
    pub neural_lstm: usize,
    /// Neural parser: tokens per minibatch
    #[arg(long, default_value_t = 1000)]
    pub neural_batch: usize,
    /// Neural parser: Adam learning rate
    #[arg(long, default_value_t = 2e-3)]
    pub neural_lr: f32,
    /// Neural parser: dropout
    #[arg(long, default_value_t = 0.25)]
    pub neural_dropout: f32,
    /// Neural parser: use only the first N training sentences (0: all; for quick tries)
    #[arg(long, default_value_t = 0)]
    pub neural_sentences: usize,
}

/// Reads jackknifed tag codes: one line per sentence, codes separated by spaces.
fn read_tags(path: &Path) -> anyhow::Result<Vec<Vec<u8>>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    text.lines()
        .map(|l| {
            l.split_whitespace()
                .map(|t| t.parse::<u8>().context("bad tag code"))
                .collect()
        })
        .collect()
}

fn write_tags(path: &Path, tags: &[Vec<u8>]) -> anyhow::Result<()> {
    let mut out = String::new();
    for s in tags {
        let line: Vec<String> = s.iter().map(u8::to_string).collect();
        out.push_str(&line.join(" "));
        out.push('\n');
    }
    std::fs::write(path, out).with_context(|| format!("cannot write {}", path.display()))
}

fn neural_sentence(s: &[syntax::GoldToken], tags: Vec<u8>) -> NeuralSentence {
    NeuralSentence {
        forms: s.iter().map(|t| t.form.clone()).collect(),
        tags,
        heads: s.iter().map(|t| t.head).collect(),
        labels: s.iter().map(|t| t.deprel.clone()).collect(),
    }
}

/// The sentences (token lists) of an unlabeled text file.
fn read_tokens(path: &Path) -> anyhow::Result<Vec<Vec<String>>> {
    let name = path.to_string_lossy();
    if name.ends_with(".conllu") || name.ends_with(".conllu.gz") {
        return Ok(read_conllu(path)?
            .iter()
            .map(|s| s.gold().into_iter().map(|t| t.form).collect())
            .collect());
    }
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let text = if name.ends_with(".gz") {
        let mut s = String::new();
        flate2::read::MultiGzDecoder::new(&bytes[..])
            .read_to_string(&mut s)
            .with_context(|| format!("cannot decompress {}", path.display()))?;
        s
    } else {
        String::from_utf8(bytes).with_context(|| format!("{} is not UTF-8", path.display()))?
    };
    let mut out = Vec::new();
    let mut sent = Vec::new();
    for line in text.lines() {
        match line.split_whitespace().next() {
            None => {
                if !sent.is_empty() {
                    out.push(std::mem::take(&mut sent));
                }
            }
            Some("-DOCSTART-") => {}
            Some(tok) => sent.push(tok.to_string()),
        }
    }
    if !sent.is_empty() {
        out.push(sent);
    }
    Ok(out)
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let mut train = Vec::new();
    let mut feats: Vec<Vec<String>> = Vec::new();
    let mut names = Vec::new();
    for path in &args.train {
        let sents = read_conllu(path)?;
        train.extend(sents.iter().map(|s| s.gold()));
        feats.extend(
            sents
                .iter()
                .map(|s| s.words().map(|w| w.cols[5].clone()).collect()),
        );
        names.push(
            path.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
        );
    }
    let dev = match &args.dev {
        Some(p) => read_conllu(p)?.iter().map(|s| s.gold()).collect(),
        None => Vec::new(),
    };
    let clusters = if args.cluster_text.is_empty() {
        None
    } else {
        let mut sents = Vec::new();
        for path in &args.cluster_text {
            let s = read_tokens(path)?;
            eprintln!(
                "cluster text {}: {} sentences, {} tokens",
                path.display(),
                s.len(),
                s.iter().map(Vec::len).sum::<usize>()
            );
            sents.extend(s);
            names.push(format!(
                "clusters:{}",
                path.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            ));
        }
        let c = Clusters::induce(&sents, args.cluster_min_count, args.cluster_words);
        eprintln!(
            "[{:>6.1}s] clusters: {} words (min count {})",
            started.elapsed().as_secs_f64(),
            c.len(),
            args.cluster_min_count
        );
        Some(c)
    };
    anyhow::ensure!(
        args.feature_set.is_none()
            || (clusters.is_none() && !args.two_pass_tagger && !args.fine_tags),
        "--feature-set is not for --cluster-text, --two-pass-tagger or --fine-tags"
    );
    let opts = TrainOptions {
        lang: args.lang.clone(),
        tagger_iterations: args.tagger_iterations,
        parser_iterations: args.parser_iterations,
        jackknife: args.jackknife,
        seed: args.seed,
        max_parser_weights: args.max_parser_weights,
        description: format!("trained on {}", names.join(" ")),
        clusters,
        two_pass_tagger: args.two_pass_tagger,
        pseudo_projective: args.pseudo_projective,
        fine_tags: args.fine_tags,
        tagger_only: args.tagger_only,
        clause_verbs: args.clause_verbs,
        feature_set: args.feature_set,
        first_pass_tags: args.neural && args.neural_first_pass,
    };
    let out = args.out_dir.join(syntax::MODEL_FILE);
    let cached = match &args.neural_tags {
        Some(p) if args.neural && p.exists() => {
            let bytes =
                std::fs::read(&out).with_context(|| format!("cannot read {}", out.display()))?;
            Some((bytes, read_tags(p)?))
        }
        _ => None,
    };
    let reused = cached.is_some();
    let (bytes, jackknifed) = match cached {
        Some(c) => c,
        None => syntax::train_with_feats_tagged(&train, &feats, &dev, &opts, &mut |line| {
            eprintln!("[{:>6.1}s] {line}", started.elapsed().as_secs_f64())
        }),
    };
    if args.neural {
        anyhow::ensure!(
            jackknifed.len() == train.len(),
            "tag file does not match the training data"
        );
        if let (Some(p), false) = (&args.neural_tags, reused) {
            write_tags(p, &jackknifed)?;
        }
        let model_bytes: &'static [u8] = Box::leak(bytes.clone().into_boxed_slice());
        let base =
            SyntaxModel::from_bytes(model_bytes).context("the trained model does not load")?;
        let mut sents: Vec<NeuralSentence> = train
            .iter()
            .zip(jackknifed)
            .map(|(s, t)| neural_sentence(s, t))
            .collect();
        if args.neural_sentences > 0 {
            sents.truncate(args.neural_sentences);
        }
        let dev_sents: Vec<NeuralSentence> = dev
            .iter()
            .map(|s| {
                let forms: Vec<&str> = s.iter().map(|t| t.form.as_str()).collect();
                let tags = if args.neural_first_pass {
                    base.tag_first_pass_codes(&forms)
                } else {
                    base.tag_codes(&forms)
                };
                neural_sentence(s, tags)
            })
            .collect();
        let nopts = NeuralOptions {
            config: NeuralConfig {
                word_dim: args.neural_word_dim,
                tag_dim: args.neural_tag_dim,
                affix_dim: args.neural_affix_dim,
                affix_buckets: args.neural_affix_buckets,
                hidden: args.neural_hidden,
                dilations: match args.neural_dilations.trim() {
                    // No convolution: the BiLSTM reads the token vectors.
                    "" | "none" => Vec::new(),
                    list => list
                        .split(',')
                        .map(|d| d.trim().parse::<usize>().context("bad --neural-dilations"))
                        .collect::<anyhow::Result<Vec<_>>>()?,
                },
                arc_dim: args.neural_arc_dim,
                label_dim: args.neural_label_dim,
                lstm: args.neural_lstm,
                ..NeuralConfig::default()
            },
            epochs: args.neural_epochs,
            batch_tokens: args.neural_batch,
            learning_rate: args.neural_lr,
            dropout: args.neural_dropout,
            seed: args.seed,
            description: format!("trained on {}", names.join(" ")),
            ..NeuralOptions::default()
        };
        let nbytes = neural::train(&sents, &dev_sents, &nopts, &mut |line| {
            eprintln!("[{:>6.1}s] {line}", started.elapsed().as_secs_f64())
        });
        std::fs::create_dir_all(&args.out_dir)
            .with_context(|| format!("cannot create {}", args.out_dir.display()))?;
        let nout = args.out_dir.join(syntax::NEURAL_FILE);
        std::fs::write(&nout, &nbytes)
            .with_context(|| format!("cannot write {}", nout.display()))?;
        eprintln!(
            "wrote {} ({:.1} MB) in {:.0}s",
            nout.display(),
            nbytes.len() as f64 / 1e6,
            started.elapsed().as_secs_f64()
        );
        if reused {
            return Ok(ExitCode::SUCCESS);
        }
    }
    if args.tagger_only {
        eprintln!(
            "tagger only: no model written ({:.0}s)",
            started.elapsed().as_secs_f64()
        );
        return Ok(ExitCode::SUCCESS);
    }
    std::fs::create_dir_all(&args.out_dir)
        .with_context(|| format!("cannot create {}", args.out_dir.display()))?;
    std::fs::write(&out, &bytes).with_context(|| format!("cannot write {}", out.display()))?;
    eprintln!(
        "wrote {} ({:.1} MB) in {:.0}s",
        out.display(),
        bytes.len() as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}
