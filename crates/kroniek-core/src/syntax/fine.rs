//! Fine tags (feature set 6): a few morphological subclasses of VERB, AUX (VerbForm: finite,
//! infinitive, participle) and PRON (PronType, with Case or Poss for personal pronouns),
//! predicted after UPOS by a small averaged perceptron, for the parser only. The parser
//! sees a tag code `upos | sub << 5` (`sub` 0: no subclass), so that it can tell the finite
//! verb of a Dutch clause from the infinitives and participles at its end, and `hij` from
//! `hem`; UPOS output is `code & 31`. Models before set 6 never have a subclass, so their
//! codes are their UPOS indexes.

use super::bytes::{Reader, Writer};
use super::hash::{f1, f2, f3};
use super::lex::{Lex, NONE};
use super::perceptron::{Acc, Trainer, Weights};
use super::{ModelError, Rng, Upos};

/// Subclasses per UPOS at most (sub 1..=7; 0 is "none of them").
pub(crate) const MAX_SUBS: usize = 7;
/// The tags that get subclasses. (Their codes never equal the parser's markers for the
/// root and for no token, 100 and 101.)
const REFINED: [Upos; 3] = [Upos::VERB, Upos::AUX, Upos::PRON];

/// The UPOS index of a tag code.
#[inline]
pub(crate) fn upos_of(code: u8) -> u8 {
    code & 31
}

/// The subclass name of a token from its UPOS and CoNLL-U FEATS (`None`: no subclass).
pub(crate) fn key(upos: Upos, feats: &str) -> Option<String> {
    if !REFINED.contains(&upos) {
        return None;
    }
    let get = |name: &str| {
        feats
            .split('|')
            .find_map(|f| f.strip_prefix(name)?.strip_prefix('='))
    };
    match upos {
        Upos::PRON => {
            let t = get("PronType")?;
            Some(if get("Poss") == Some("Yes") {
                format!("{t}-Poss")
            } else if get("Reflex") == Some("Yes") {
                format!("{t}-Refl")
            } else if let Some(c) = get("Case") {
                format!("{t}-{c}")
            } else {
                t.to_string()
            })
        }
        _ => get("VerbForm").map(str::to_string),
    }
}

/// The subclass predictor.
pub(crate) struct Fine {
    /// Per UPOS index, the names of its subclasses 1, 2, …
    pub(crate) subs: Vec<Vec<String>>,
    pub(crate) weights: Weights,
}

/// The features of token `i` (whose tag is refined) given the tag codes of the sentence.
fn features(lex: &[Lex], tags: &[u8], i: usize, out: &mut Vec<u32>) {
    out.clear();
    let n = lex.len();
    let w = &lex[i];
    let u = u64::from(upos_of(tags[i]));
    let at = |j: usize, d: u64| -> (u64, u64) {
        if j < n {
            (lex[j].lower, u64::from(upos_of(tags[j])))
        } else {
            (NONE ^ d, 40 + d)
        }
    };
    let (l1, t1) = at(i.wrapping_sub(1), 1);
    let (l2, _) = at(i.wrapping_sub(2), 2);
    let (r1, rt1) = at(i + 1, 3);
    let (r2, _) = at(i + 2, 4);
    // The nearest verb or auxiliary before the token, and how many there are.
    let is_verb = |t: u8| {
        let t = upos_of(t);
        t == Upos::VERB as u8 || t == Upos::AUX as u8
    };
    let before = tags[..i].iter().filter(|&&t| is_verb(t)).count().min(3) as u64;
    let pv = tags[..i]
        .iter()
        .rposition(|&t| is_verb(t))
        .map_or(NONE, |j| lex[j].lower);
    let after = tags[i + 1..].iter().filter(|&&t| is_verb(t)).count().min(2) as u64;
    out.extend_from_slice(&[
        f1(0, u),
        f2(1, u, w.lower),
        f2(2, u, w.form),
        f2(3, u, w.suf[0]),
        f2(4, u, w.suf[1]),
        f2(5, u, w.suf[2]),
        f2(6, u, w.suf[3]),
        f2(7, u, w.suf[4]),
        f2(8, u, w.pre[1]),
        f2(9, u, w.pre[2]),
        f2(10, u, l1),
        f2(11, u, r1),
        f2(12, u, l2),
        f2(13, u, r2),
        f3(14, u, t1, rt1),
        f2(15, u, t1),
        f2(16, u, rt1),
        f2(17, u, pv),
        f3(18, u, w.suf[1], pv),
        f3(19, u, before, after),
        f3(20, u, w.lower, l1),
        f3(21, u, w.lower, r1),
        f2(22, u, w.shape),
        f3(23, u, w.suf[2], t1),
        f3(24, u, w.lower, pv),
        f3(25, u, w.lower, before),
        f3(26, u, w.pre[1], w.suf[1]),
        f3(27, u, w.suf[2], before),
    ]);
}

fn best(scores: &[i32], k: usize) -> usize {
    let mut b = 0;
    for c in 1..=k {
        if scores[c] > scores[b] {
            b = c;
        }
    }
    b
}

impl Fine {
    /// Sets the subclass bits of the refined tags among `tags` (UPOS indexes in, codes out).
    pub(crate) fn refine(&self, lex: &[Lex], tags: &mut [u8]) {
        let mut feats = Vec::with_capacity(32);
        let mut acc: Acc = [0; 256];
        for i in 0..tags.len() {
            let u = upos_of(tags[i]) as usize;
            let k = self.subs.get(u).map_or(0, Vec::len);
            if k == 0 {
                continue;
            }
            features(lex, tags, i, &mut feats);
            acc[..=k].fill(0);
            self.weights.add(&feats, &mut acc);
            tags[i] = u as u8 | (best(&acc, k) as u8) << 5;
        }
    }

    pub(crate) fn write(&self, w: &mut Writer) {
        for s in &self.subs {
            w.strs(s);
        }
        self.weights.write(w);
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Fine, ModelError> {
        let mut subs = Vec::with_capacity(Upos::ALL.len());
        for _ in Upos::ALL {
            let s: Vec<String> = r.strs()?.into_iter().map(str::to_string).collect();
            if s.len() > MAX_SUBS {
                return Err(ModelError::Corrupt("fine tags"));
            }
            subs.push(s);
        }
        let weights = Weights::read(r)?;
        if weights.nclasses() != MAX_SUBS + 1 {
            return Err(ModelError::Corrupt("fine tag classes"));
        }
        Ok(Fine { subs, weights })
    }
}

/// The subclasses of the refined tags: per UPOS the (at most 7) most frequent keys seen at
/// least `min` times in `keys` (UPOS index, key) pairs; ties by name.
pub(crate) fn inventory<'a>(
    keys: impl Iterator<Item = (u8, &'a str)>,
    min: usize,
) -> Vec<Vec<String>> {
    let mut count: std::collections::BTreeMap<(u8, &str), usize> = Default::default();
    for k in keys {
        *count.entry(k).or_default() += 1;
    }
    let mut subs = vec![Vec::new(); Upos::ALL.len()];
    for (u, s) in subs.iter_mut().enumerate() {
        let mut c: Vec<(usize, &str)> = count
            .iter()
            .filter(|(k, &c)| k.0 as usize == u && c >= min)
            .map(|(k, &c)| (c, k.1))
            .collect();
        c.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
        c.truncate(MAX_SUBS);
        *s = c.into_iter().map(|(_, k)| k.to_string()).collect();
    }
    subs
}

/// The gold tag code of a token: its UPOS index and the subclass of its key, if any.
pub(crate) fn code(subs: &[Vec<String>], upos: u8, key: Option<&str>) -> u8 {
    let sub = key
        .and_then(|k| subs[upos as usize].iter().position(|s| s == k))
        .map_or(0, |p| p + 1);
    upos | (sub as u8) << 5
}

/// Trains the subclass predictor on sentences with gold tag codes.
pub(crate) fn train(
    sents: &[(&[Lex], &[u8])],
    subs: Vec<Vec<String>>,
    iterations: usize,
    seed: u64,
) -> Fine {
    let mut trainer = Trainer::new(MAX_SUBS + 1);
    let mut rng = Rng::new(seed ^ 0x0f1e_7a95);
    let mut order: Vec<usize> = (0..sents.len()).collect();
    let mut feats = Vec::with_capacity(32);
    let mut scores = vec![0f32; MAX_SUBS + 1];
    let mut tags = Vec::new();
    for _ in 0..iterations {
        rng.shuffle(&mut order);
        for &s in &order {
            let (lex, gold) = sents[s];
            tags.clear();
            tags.extend(gold.iter().map(|&t| upos_of(t)));
            for i in 0..lex.len() {
                let k = subs[tags[i] as usize].len();
                if k == 0 {
                    continue;
                }
                features(lex, &tags, i, &mut feats);
                trainer.score(&feats, &mut scores);
                let mut guess = 0;
                for c in 1..=k {
                    if scores[c] > scores[guess] {
                        guess = c;
                    }
                }
                trainer.update(&feats, (gold[i] >> 5) as usize, guess);
                trainer.tick();
            }
        }
    }
    Fine {
        subs,
        weights: trainer.averaged(usize::MAX),
    }
}
