//! Training: an averaged structured perceptron over IOB2 label sequences, decoded with
//! constrained first-order Viterbi. Pure computation: sentences in, a [`Tagger`] out.

use std::collections::HashMap;

use super::clusters::Clusters;
use super::features::{type_ids, DocStats, Prepared, StackInfo};
use super::gazetteer::Gazetteer;
use super::model::{allowed_transitions, viterbi, Stage, Tagger};
use super::score::{score_sequences, Scores};

/// One labelled sentence: words and their IOB2 labels.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabeledSentence {
    /// The words.
    pub words: Vec<String>,
    /// One IOB2 label per word (`O`, `B-PER`, `I-PER`, …).
    pub tags: Vec<String>,
    /// Entity types the sentence's corpus does not annotate (BTC has no `MISC`): an `O`
    /// may hide them, so predicting them there is not counted as a mistake.
    pub missing: Vec<String>,
}

/// A document: its sentences (document-level features look across them).
pub type LabeledDoc = Vec<LabeledSentence>;

/// Training settings.
#[derive(Debug, Clone)]
pub struct TrainConfig {
    /// Language code written into the model.
    pub lang: String,
    /// Passes over the training data; the best epoch on the development data is kept.
    pub epochs: usize,
    /// Seed of the sentence shuffling (training is deterministic given the seed).
    pub seed: u64,
    /// Features seen fewer times in training are dropped.
    pub min_count: u32,
    /// Name lists, compiled into the model.
    pub gazetteer: Option<Gazetteer>,
    /// Word clusters, compiled into the model.
    pub clusters: Option<Clusters>,
    /// Free text stored in the model (the training command, data).
    pub description: String,
    /// Loss-augmented decoding in training: this much is added to every wrong label's
    /// score, so updates also happen on correct but narrow decisions.
    pub margin: f32,
    /// Probability of hiding the gazetteer features of a training sentence in an epoch
    /// (the lists cover most training names, so without this the model trusts them blindly).
    pub gaz_dropout: f32,
    /// With 2 or more: train a document-level second stage on first-stage labels made by
    /// this many jackknife folds (0: one stage).
    pub stack_folds: usize,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            lang: String::new(),
            epochs: 10,
            seed: 1,
            min_count: 1,
            gazetteer: None,
            clusters: None,
            description: String::new(),
            margin: 0.0,
            gaz_dropout: 0.0,
            stack_folds: 0,
        }
    }
}

/// What happened in one epoch.
#[derive(Debug, Clone)]
pub struct EpochReport {
    /// 1 for the first stage, 2 for the document-level second stage.
    pub stage: usize,
    /// 1-based epoch number.
    pub epoch: usize,
    /// Training sentences whose prediction was wrong in this pass.
    pub mistakes: usize,
    /// Scores of the averaged model on the development data.
    pub dev: Scores,
    /// Whether this is the best epoch so far.
    pub best: bool,
}

/// The result of training.
#[derive(Debug, Clone)]
pub struct Trained {
    /// The model of the best epoch.
    pub tagger: Tagger,
    /// Which epoch that was (1-based).
    pub best_epoch: usize,
    /// Its development scores.
    pub dev: Scores,
    /// Number of features before pruning.
    pub features_seen: usize,
}

struct Encoded {
    /// Feature indexes per token, flattened.
    feats: Vec<u32>,
    /// Token `t` of the corpus has features `feats[offsets[t]..offsets[t + 1]]`, of
    /// which those from `gaz[t]` on are gazetteer features.
    offsets: Vec<usize>,
    gaz: Vec<usize>,
    /// Sentences: token range and gold label indexes.
    sentences: Vec<(usize, usize)>,
    gold: Vec<usize>,
    /// Per sentence: bit mask of the type ids its corpus does not annotate.
    missing: Vec<u8>,
}

fn tagset(docs: &[LabeledDoc]) -> Vec<String> {
    let mut types: Vec<String> = Vec::new();
    for s in docs.iter().flatten() {
        for t in &s.tags {
            if let Some(ty) = t.strip_prefix("B-").or_else(|| t.strip_prefix("I-")) {
                if !types.iter().any(|x| x == ty) {
                    types.push(ty.to_string());
                }
            }
        }
    }
    types.sort();
    let mut tags = vec!["O".to_string()];
    for t in types {
        tags.push(format!("B-{t}"));
        tags.push(format!("I-{t}"));
    }
    tags
}

/// First-stage labels per document, sentence and token.
type DocLabels = Vec<Vec<Vec<usize>>>;

/// First-stage labels of a list of documents (borrowed).
type DocLabelsRef<'a> = &'a [Vec<Vec<usize>>];

struct Extractor<'a> {
    gaz: Option<&'a Gazetteer>,
    clusters: Option<&'a Clusters>,
    /// First-stage labels of the documents (for a second stage) and the label → type map.
    stack: Option<(DocLabelsRef<'a>, &'a [u8])>,
}

impl Extractor<'_> {
    fn each_token(&self, docs: &[LabeledDoc], mut f: impl FnMut(&[u32], usize, &str)) {
        let mut buf = Vec::with_capacity(64);
        for (d, doc) in docs.iter().enumerate() {
            let stats = DocStats::new(doc.iter().map(|s| s.words.as_slice()));
            let stack = self.stack.map(|(labels, type_of)| {
                let words: Vec<&[String]> = doc.iter().map(|s| s.words.as_slice()).collect();
                let words: Vec<Vec<&str>> = words
                    .iter()
                    .map(|w| w.iter().map(String::as_str).collect())
                    .collect();
                (
                    StackInfo::new(&words, &labels[d], type_of),
                    &labels[d],
                    type_of,
                )
            });
            for (si, s) in doc.iter().enumerate() {
                let words: Vec<&str> = s.words.iter().map(String::as_str).collect();
                let p = Prepared::new(&words, Some(&stats), self.gaz, self.clusters);
                for i in 0..words.len() {
                    buf.clear();
                    p.features(i, &mut buf);
                    if let Some((info, labels, type_of)) = &stack {
                        p.stack_features(i, info, &labels[si], type_of, &mut buf);
                    }
                    let g = buf.len();
                    p.gaz_features(i, &mut buf);
                    f(&buf, g, s.tags.get(i).map_or("O", String::as_str));
                }
            }
        }
    }

    fn encode(&self, docs: &[LabeledDoc], index: &HashMap<u32, u32>, tags: &[String]) -> Encoded {
        let mut e = Encoded {
            feats: Vec::new(),
            offsets: vec![0],
            gaz: Vec::new(),
            sentences: Vec::new(),
            gold: Vec::new(),
            missing: Vec::new(),
        };
        let type_of = type_ids(tags);
        let mut t = 0;
        for s in docs.iter().flatten() {
            let mask = tags.iter().zip(&type_of).fold(0u8, |m, (tag, &id)| {
                let missing = tag
                    .split_once('-')
                    .is_some_and(|(_, ty)| s.missing.iter().any(|x| x == ty));
                m | (u8::from(missing) << id)
            });
            e.missing.push(mask);
            e.sentences.push((t, t + s.words.len()));
            t += s.words.len();
        }
        self.each_token(docs, |keys, g, tag| {
            e.feats
                .extend(keys[..g].iter().filter_map(|k| index.get(k)));
            e.gaz.push(e.feats.len());
            e.feats
                .extend(keys[g..].iter().filter_map(|k| index.get(k)));
            e.offsets.push(e.feats.len());
            e.gold.push(tags.iter().position(|x| x == tag).unwrap_or(0));
        });
        e
    }
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

impl Encoded {
    fn token_feats(&self, t: usize, gaz: bool) -> &[u32] {
        &self.feats[self.offsets[t]..if gaz {
            self.offsets[t + 1]
        } else {
            self.gaz[t]
        }]
    }
}

fn emissions(
    e: &Encoded,
    (a, b): (usize, usize),
    w: &[f32],
    n: usize,
    gaz: bool,
    out: &mut Vec<f32>,
) {
    out.clear();
    out.resize((b - a) * n, 0.0);
    for t in a..b {
        let row = &mut out[(t - a) * n..(t - a + 1) * n];
        for &f in e.token_feats(t, gaz) {
            let wf = &w[f as usize * n..f as usize * n + n];
            for (r, x) in row.iter_mut().zip(wf) {
                *r += x;
            }
        }
    }
}

fn evaluate(e: &Encoded, w: &[f32], trans: &[f32], allowed: &[bool], tags: &[String]) -> Scores {
    let n = tags.len();
    let type_of = type_ids(tags);
    let mut emit = Vec::new();
    let mut gold_seqs = Vec::new();
    let mut pred_seqs = Vec::new();
    for (si, &(a, b)) in e.sentences.iter().enumerate() {
        emissions(e, (a, b), w, n, true, &mut emit);
        let mut pred = viterbi(&emit, n, trans, allowed);
        // Types the corpus does not annotate are not scored.
        pred.iter_mut()
            .filter(|p| e.missing[si] & (1 << type_of[**p]) != 0)
            .for_each(|p| *p = 0);
        gold_seqs.push(
            e.gold[a..b]
                .iter()
                .map(|&g| tags[g].as_str())
                .collect::<Vec<_>>(),
        );
        pred_seqs.push(pred.iter().map(|&p| tags[p].as_str()).collect::<Vec<_>>());
    }
    score_sequences(
        gold_seqs
            .iter()
            .map(Vec::as_slice)
            .zip(pred_seqs.iter().map(Vec::as_slice)),
    )
}

/// Trains a tagger on `train`, keeping the epoch that scores best on `dev`.
/// `progress` is called after every epoch. Deterministic for a given configuration.
pub fn train(
    train: &[LabeledDoc],
    dev: &[LabeledDoc],
    cfg: &TrainConfig,
    progress: &mut dyn FnMut(&EpochReport),
) -> Trained {
    let tags = tagset(train);
    let first = train_stage(train, dev, cfg, None, &tags, &mut |r| progress(r));
    let tagger = |first: Stage| {
        Tagger::from_parts(
            cfg.lang.clone(),
            cfg.description.clone(),
            tags.clone(),
            first,
            None,
            cfg.gazetteer.clone(),
            cfg.clusters.clone(),
        )
    };
    let k = cfg.stack_folds;
    if k < 2 {
        return Trained {
            tagger: tagger(first.stage),
            best_epoch: first.best_epoch,
            dev: first.dev,
            features_seen: first.features_seen,
        };
    }
    // Second stage: first-stage labels for the training documents come from models
    // that did not see them (k-fold jackknife), so they are as wrong as at run time.
    let mut labels: DocLabels = vec![Vec::new(); train.len()];
    for f in 0..k {
        let part: Vec<LabeledDoc> = train
            .iter()
            .enumerate()
            .filter(|(i, _)| i % k != f)
            .map(|(_, d)| d.clone())
            .collect();
        let st = train_stage(&part, dev, cfg, None, &tags, &mut |_| {});
        let t = tagger(st.stage);
        for (i, d) in train.iter().enumerate().filter(|(i, _)| i % k == f) {
            labels[i] =
                t.tag_document_indices(&d.iter().map(|s| s.words.clone()).collect::<Vec<_>>());
        }
    }
    let full = tagger(first.stage);
    let dev_labels: DocLabels = dev
        .iter()
        .map(|d| full.tag_document_indices(&d.iter().map(|s| s.words.clone()).collect::<Vec<_>>()))
        .collect();
    let second = train_stage(
        train,
        dev,
        cfg,
        Some((&labels, &dev_labels)),
        &tags,
        &mut |r| {
            progress(&EpochReport {
                stage: 2,
                ..r.clone()
            })
        },
    );
    let mut t = full;
    t.second = Some(second.stage);
    t.id = super::model::fresh_id();
    Trained {
        tagger: t,
        best_epoch: second.best_epoch,
        dev: second.dev,
        features_seen: first.features_seen + second.features_seen,
    }
}

struct StageResult {
    stage: Stage,
    best_epoch: usize,
    dev: Scores,
    features_seen: usize,
}

fn train_stage(
    train: &[LabeledDoc],
    dev: &[LabeledDoc],
    cfg: &TrainConfig,
    stack: Option<(DocLabelsRef<'_>, DocLabelsRef<'_>)>,
    tags: &[String],
    progress: &mut dyn FnMut(&EpochReport),
) -> StageResult {
    let n = tags.len();
    let type_of = type_ids(tags);
    let ex = Extractor {
        gaz: cfg.gazetteer.as_ref(),
        clusters: cfg.clusters.as_ref(),
        stack: stack.map(|s| (s.0, type_of.as_slice())),
    };
    let ex_dev = Extractor {
        gaz: cfg.gazetteer.as_ref(),
        clusters: cfg.clusters.as_ref(),
        stack: stack.map(|s| (s.1, type_of.as_slice())),
    };
    // Count features, then index those frequent enough in order of first appearance.
    let mut counts: HashMap<u32, u32> = HashMap::new();
    let mut order: Vec<u32> = Vec::new();
    ex.each_token(train, |keys, _, _| {
        for &k in keys {
            let c = counts.entry(k).or_insert(0);
            if *c == 0 {
                order.push(k);
            }
            *c += 1;
        }
    });
    let features_seen = order.len();
    let kept: Vec<u32> = order
        .into_iter()
        .filter(|k| counts[k] >= cfg.min_count.max(1))
        .collect();
    drop(counts);
    let index: HashMap<u32, u32> = kept
        .iter()
        .enumerate()
        .map(|(i, &k)| (k, i as u32))
        .collect();
    let tr = ex.encode(train, &index, tags);
    let dv = ex_dev.encode(dev, &index, tags);
    let nf = kept.len();
    let allowed = allowed_transitions(tags);
    let (mut w, mut acc) = (vec![0f32; nf * n], vec![0f32; nf * n]);
    let (mut tw, mut tacc) = (vec![0f32; (n + 1) * n], vec![0f32; (n + 1) * n]);
    let mut c: f32 = 1.0;
    let mut rng = Rng(cfg.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut order: Vec<usize> = (0..tr.sentences.len()).collect();
    let mut best: Option<(Scores, usize, Vec<f32>, Vec<f32>)> = None;
    let mut emit = Vec::new();
    for epoch in 1..=cfg.epochs.max(1) {
        for i in (1..order.len()).rev() {
            let j = (rng.next() % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
        let mut mistakes = 0;
        for &si in &order {
            let (a, b) = tr.sentences[si];
            let missing = tr.missing[si];
            let use_gaz = cfg.gaz_dropout <= 0.0
                || (rng.next() % 10_000) as f32 >= cfg.gaz_dropout * 10_000.0;
            emissions(&tr, (a, b), &w, n, use_gaz, &mut emit);
            let gold = &tr.gold[a..b];
            if cfg.margin > 0.0 {
                for (t, &g) in gold.iter().enumerate() {
                    for (c, e) in emit[t * n..t * n + n].iter_mut().enumerate() {
                        if c != g && missing & (1 << type_of[c]) == 0 {
                            *e += cfg.margin;
                        }
                    }
                }
            }
            let pred = viterbi(&emit, n, &tw, &allowed);
            // Where the corpus does not annotate a type, a prediction of it over `O` is
            // taken as right (the gold `O` may hide it).
            let latent: Vec<usize>;
            let gold = if missing != 0 {
                latent = gold
                    .iter()
                    .zip(&pred)
                    .map(|(&g, &p)| {
                        if g == 0 && missing & (1 << type_of[p]) != 0 {
                            p
                        } else {
                            g
                        }
                    })
                    .collect();
                latent.as_slice()
            } else {
                gold
            };
            if pred.as_slice() != gold {
                mistakes += 1;
                for t in a..b {
                    let (g, p) = (gold[t - a], pred[t - a]);
                    let (gp, pp) = if t == a {
                        (n, n)
                    } else {
                        (gold[t - a - 1], pred[t - a - 1])
                    };
                    if g != p {
                        for &f in tr.token_feats(t, use_gaz) {
                            let f = f as usize * n;
                            w[f + g] += 1.0;
                            acc[f + g] += c;
                            w[f + p] -= 1.0;
                            acc[f + p] -= c;
                        }
                    }
                    if (g, gp) != (p, pp) {
                        tw[gp * n + g] += 1.0;
                        tacc[gp * n + g] += c;
                        tw[pp * n + p] -= 1.0;
                        tacc[pp * n + p] -= c;
                    }
                }
            }
            c += 1.0;
        }
        let avg: Vec<f32> = w.iter().zip(&acc).map(|(x, a)| x - a / c).collect();
        let tavg: Vec<f32> = tw.iter().zip(&tacc).map(|(x, a)| x - a / c).collect();
        let dev = evaluate(&dv, &avg, &tavg, &allowed, tags);
        let is_best = best.as_ref().is_none_or(|b| dev.f1 > b.0.f1);
        progress(&EpochReport {
            stage: 1,
            epoch,
            mistakes,
            dev: dev.clone(),
            best: is_best,
        });
        if is_best {
            best = Some((dev, epoch, avg, tavg));
        }
    }
    let (dev, best_epoch, avg, tavg) = best.expect("at least one epoch");
    // Quantise to i16 with one scale; drop features whose weights all round to zero.
    let max = avg.iter().fold(0f32, |m, x| m.max(x.abs())).max(1e-6);
    let scale = max / 32767.0;
    let mut keys = Vec::new();
    let mut weights = Vec::new();
    let mut pairs: Vec<(u32, usize)> = kept.iter().enumerate().map(|(i, &k)| (k, i)).collect();
    pairs.sort_unstable();
    for (k, i) in pairs {
        let row: Vec<i16> = avg[i * n..i * n + n]
            .iter()
            .map(|x| (x / scale).round() as i16)
            .collect();
        if row.iter().any(|&x| x != 0) {
            keys.push(k);
            weights.extend(row);
        }
    }
    StageResult {
        stage: Stage::new(tavg, scale, keys, weights),
        best_epoch,
        dev,
        features_seen,
    }
}
