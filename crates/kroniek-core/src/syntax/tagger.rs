//! The UPOS tagger: greedy left-to-right, averaged perceptron over word, affix, shape,
//! tag-dictionary and previous-tag features. From feature set 5 a second pass re-tags
//! the sentence with the first pass's tags of the whole sentence (the right context too)
//! as extra features; it is trained on jackknifed first-pass tags. Feature set 7 adds to
//! the second pass the nearest verbs of the token's clause (AUX against VERB).

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use super::bytes::{Reader, Writer};
use super::fine::Fine;
use super::hash::{f1, f2, f3, mix};
use super::lex::{cluster, Lex, CL_OUTSIDE, NONE, UNKNOWN};
use super::perceptron::{Acc, IdHasher, Trainer, Weights};
use super::{ModelError, Rng, Upos};

/// Ambiguity classes: lower-cased form hash (folded to 32 bits) → bit set of tags seen.
/// The keys are hashes already, so they are not hashed again.
pub(crate) type TagDict = HashMap<u32, u32, BuildHasherDefault<IdHasher>>;

pub(crate) struct Tagger {
    /// Feature set (see `features`).
    pub(crate) version: u32,
    pub(crate) weights: Weights,
    /// The second pass (feature set 5): the features of the first plus the first pass's tags.
    pub(crate) second: Option<Weights>,
    pub(crate) dict: TagDict,
    /// Feature set 6: the subclasses of VERB, AUX and PRON for the parser.
    pub(crate) fine: Option<Fine>,
}

/// The first pass's tags of a sentence, features of the second pass; empty in the first.
type Right<'a> = &'a [u8];

const START: usize = 17;

/// Closed word classes: never the tag of a word the tagger did not see in training.
const CLOSED: [Upos; 7] = [
    Upos::ADP,
    Upos::AUX,
    Upos::CCONJ,
    Upos::DET,
    Upos::PART,
    Upos::PRON,
    Upos::SCONJ,
];

fn dict_key(lower: u64) -> u32 {
    (lower >> 32) as u32
}

fn amb(dict: &TagDict, lex: &Lex) -> u64 {
    dict.get(&dict_key(lex.lower))
        .map_or(NONE, |&m| mix(u64::from(m) ^ 0xa3b1))
}

fn uses_verb_context(version: u32) -> bool {
    version >= 7
}

/// Feature set 7, second pass: the nearest verbs (first-pass VERB tags) before and after
/// token `i` in its clause (up to punctuation or a subordinating conjunction), each as its
/// first two and last letters (`ge…d`: a participle; `…n`: an infinitive), `NONE` if none:
/// whether a finite `is`, `heeft`, `werd` has a participle or infinitive to govern decides
/// AUX or VERB.
fn clause_verbs(i: usize, lex: &[Lex], right: Right<'_>) -> (u64, u64) {
    let stop = |t: u8| t == Upos::PUNCT as u8 || t == Upos::SCONJ as u8;
    let value = |j: usize| mix(lex[j].pre[1] ^ lex[j].suf[0].rotate_left(21) ^ 0x7e4b);
    let mut after = NONE;
    for (j, &t) in right.iter().enumerate().skip(i + 1) {
        if stop(t) {
            break;
        }
        if t == Upos::VERB as u8 {
            after = value(j);
            break;
        }
    }
    let mut before = NONE ^ 2;
    for j in (0..i).rev() {
        if stop(right[j]) {
            break;
        }
        if right[j] == Upos::VERB as u8 {
            before = value(j);
            break;
        }
    }
    (before, after)
}

/// The index of the last token that is not punctuation.
fn last_word(lex: &[Lex]) -> Option<usize> {
    lex.iter().rposition(|l| l.flags & 4 == 0)
}

/// The features of token `i` given the two previous tags: its [`static_features`] and
/// [`dynamic_features`]. Training takes them together; decoding scores the static ones
/// of a whole sentence in one pass. (Training weights are whole numbers, so the order of
/// the keys changes nothing.)
#[allow(clippy::too_many_arguments)]
fn features(
    version: u32,
    last: Option<usize>,
    i: usize,
    lex: &[Lex],
    ambs: &[u64],
    right: Right<'_>,
    p1: usize,
    p2: usize,
    out: &mut Vec<u32>,
) {
    dynamic_features(version, i, lex, ambs, right, p1, p2, out);
    static_features(version, last, i, lex, ambs, right, out);
}

/// The features of token `i` that do not depend on the previous tags: their summed class
/// scores are computed for the whole sentence at once ([`Weights::add_each`]), so that the
/// greedy left-to-right decoding only probes the [`dynamic_features`].
fn static_features(
    version: u32,
    last: Option<usize>,
    i: usize,
    lex: &[Lex],
    ambs: &[u64],
    right: Right<'_>,
    out: &mut Vec<u32>,
) {
    word_features(version, i == 0, &lex[i], ambs[i], out);
    context_features(version, last, i, lex, ambs, right, out);
}

/// The [`static_features`] of token `i` that depend on the token alone (and whether it
/// is the first): their sums are cached per word ([`WordSums`]).
fn word_features(version: u32, first: bool, w: &Lex, amb: u64, out: &mut Vec<u32>) {
    let first = u64::from(first);
    out.push(f1(0, 0));
    out.push(f1(1, w.lower));
    out.push(f1(2, w.form));
    for k in 0..4 {
        out.push(f1(3 + k as u32, w.suf[k]));
    }
    for k in 0..3 {
        out.push(f1(7 + k as u32, w.pre[k]));
    }
    out.push(f1(10, w.shape));
    out.push(f1(24, amb));
    out.push(f2(30, first, w.shape));
    out.push(f2(36, first, w.lower));
    out.push(f1(37, w.suf[4]));
    out.push(f2(38, w.flags, first));
    if version == 4 {
        let c = w.cl;
        out.push(f1(45, cluster(c, 4)));
        out.push(f1(46, cluster(c, 6)));
        out.push(f1(47, cluster(c, 10)));
        out.push(f1(48, cluster(c, 32)));
        out.push(f2(50, w.suf[2], cluster(c, 6)));
    }
}

/// The [`static_features`] of token `i` that are not [`word_features`]: those of the words
/// before and after it as such ([`left_features`], [`right_features`]), then the rest
/// ([`pair_features`], which has the stand-ins for no word before or after).
fn context_features(
    version: u32,
    last: Option<usize>,
    i: usize,
    lex: &[Lex],
    ambs: &[u64],
    right: Right<'_>,
    out: &mut Vec<u32>,
) {
    if let Some(j) = i.checked_sub(1) {
        let l = &lex[j];
        left_features(l.lower, l.suf[2], l.shape, ambs[j], out);
    }
    if let Some(l) = lex.get(i + 1) {
        right_features(l.lower, l.suf[2], l.suf[1], l.shape, ambs[i + 1], out);
    }
    if let Some(j) = i.checked_sub(2) {
        far_left_features(lex[j].lower, out);
    }
    if let Some(l) = lex.get(i + 2) {
        far_right_features(l.lower, out);
    }
    pair_features(version, last, i, lex, ambs, right, out);
}

/// The [`context_features`] of token `i` that depend on the word two before it alone
/// (its lower case): summed per word like [`left_features`].
fn far_left_features(lower: u64, out: &mut Vec<u32>) {
    out.push(f1(13, lower));
}

/// The [`context_features`] of token `i` that depend on the word two after it alone.
fn far_right_features(lower: u64, out: &mut Vec<u32>) {
    out.push(f1(14, lower));
}

/// The [`context_features`] of token `i` that depend on the word before it alone (given
/// as its lower case, suffix of three, shape and ambiguity class): as a role of that word,
/// their sums are cached per word ([`WordSums`]).
fn left_features(lower: u64, suf3: u64, shape: u64, amb: u64, out: &mut Vec<u32>) {
    out.push(f1(11, lower));
    out.push(f1(21, suf3));
    out.push(f1(23, shape));
    out.push(f1(26, amb));
}

/// The [`context_features`] of token `i` that depend on the word after it alone (its lower
/// case, suffixes of three and two, shape and ambiguity class).
fn right_features(lower: u64, suf3: u64, suf2: u64, shape: u64, amb: u64, out: &mut Vec<u32>) {
    out.push(f1(12, lower));
    out.push(f1(20, suf3));
    out.push(f1(22, shape));
    out.push(f1(25, amb));
    out.push(f1(33, suf2));
}

/// The [`context_features`] of token `i` less [`left_features`], [`right_features`],
/// [`far_left_features`] and [`far_right_features`] where that word is in the sentence
/// (those are summed per word and role; outside the sentence they are here): the same
/// keys, the integer sums regrouped.
fn pair_features(
    version: u32,
    last: Option<usize>,
    i: usize,
    lex: &[Lex],
    ambs: &[u64],
    right: Right<'_>,
    out: &mut Vec<u32>,
) {
    let n = lex.len();
    if i == 0 {
        left_features(NONE ^ u64::MAX, NONE, NONE, NONE, out);
    }
    if i + 1 == n {
        right_features(NONE ^ 1, NONE, NONE, NONE, NONE, out);
    }
    // The stand-ins of `low` in `shared_context_features` for no word there.
    if i < 2 {
        far_left_features(NONE ^ (-2isize) as u64, out);
    }
    if i + 2 >= n {
        far_right_features(NONE ^ 2, out);
    }
    shared_context_features(version, last, i, lex, ambs, right, out);
}

/// The [`context_features`] of token `i` that depend on no single word but the token's
/// own: word pairs, the sentence's last word, second-pass tags.
fn shared_context_features(
    version: u32,
    last: Option<usize>,
    i: usize,
    lex: &[Lex],
    ambs: &[u64],
    right: Right<'_>,
    out: &mut Vec<u32>,
) {
    let n = lex.len();
    let at = |j: isize| -> Option<&Lex> { (j >= 0 && (j as usize) < n).then(|| &lex[j as usize]) };
    let amb_at = |j: isize| -> u64 {
        if j >= 0 && (j as usize) < n {
            ambs[j as usize]
        } else {
            NONE
        }
    };
    let i = i as isize;
    let w = &lex[i as usize];
    let low = |j: isize| at(j).map_or(NONE ^ (j - i) as u64, |l| l.lower);
    out.push(f2(18, low(i - 1), w.lower));
    out.push(f2(19, w.lower, low(i + 1)));
    out.push(f2(28, amb_at(i), amb_at(i + 1)));
    out.push(f2(31, low(i + 1), low(i + 2)));
    out.push(f2(35, w.suf[3], at(i + 1).map_or(NONE, |l| l.suf[2])));
    out.push(f2(40, w.suf[2], at(i + 1).map_or(NONE, |l| l.lower)));
    out.push(f2(41, w.suf[2], at(i - 1).map_or(NONE, |l| l.lower)));
    if version >= 3 {
        let (suf, pre) = match last {
            Some(j) if j as isize > i => (lex[j].suf[1], lex[j].pre[1]),
            _ => (NONE, NONE),
        };
        out.push(f2(42, w.lower, suf));
        out.push(f2(43, w.lower, pre));
        out.push(f3(44, amb_at(i), suf, pre));
    }
    if !right.is_empty() {
        let t = |j: isize| -> u64 {
            if j >= 0 && (j as usize) < n {
                u64::from(right[j as usize])
            } else {
                (START as u64).wrapping_add((j - i) as u64)
            }
        };
        let (r0, r1, r2) = (t(i), t(i + 1), t(i + 2));
        out.push(f1(56, r1));
        out.push(f1(57, r2));
        out.push(f2(58, r1, r2));
        out.push(f2(59, r1, w.lower));
        out.push(f2(60, r1, w.suf[2]));
        out.push(f2(61, amb_at(i), r1));
        out.push(f1(62, r0));
        out.push(f2(63, r0, r1));
        out.push(f2(64, r0, w.lower));
        out.push(f3(65, t(i - 1), r0, r1));
        out.push(f2(66, r1, low(i + 1)));
        if uses_verb_context(version) {
            let (vl, vr) = clause_verbs(i as usize, lex, right);
            out.push(f2(72, w.lower, vr));
            out.push(f2(73, w.lower, vl));
            out.push(f3(74, amb_at(i), vl, vr));
        }
    }
    if version == 4 {
        let cl = |j: isize| at(j).map_or(CL_OUTSIDE, |l| l.cl);
        let c = w.cl;
        out.push(f1(51, cluster(cl(i - 1), 6)));
        out.push(f1(52, cluster(cl(i - 1), 32)));
        out.push(f1(53, cluster(cl(i + 1), 6)));
        out.push(f1(54, cluster(cl(i + 1), 32)));
        out.push(f2(55, cluster(c, 6), cluster(cl(i + 1), 6)));
    }
}

/// The features of token `i` that depend on the two previous tags.
#[allow(clippy::too_many_arguments)]
fn dynamic_features(
    version: u32,
    i: usize,
    lex: &[Lex],
    ambs: &[u64],
    right: Right<'_>,
    p1: usize,
    p2: usize,
    out: &mut Vec<u32>,
) {
    out.clear();
    let n = lex.len();
    let w = &lex[i];
    let next_amb = if i + 1 < n { ambs[i + 1] } else { NONE };
    let next_low = if i + 1 < n {
        lex[i + 1].lower
    } else {
        NONE ^ 1
    };
    let (p1, p2) = (p1 as u64, p2 as u64);
    out.extend_from_slice(&[
        f1(15, p1),
        f2(16, p2, p1),
        f2(17, p1, w.lower),
        f2(27, p1, ambs[i]),
        f2(29, p1, w.suf[2]),
        f2(32, p1, next_low),
        f3(34, p1, ambs[i], next_amb),
        f2(39, w.flags, p1),
    ]);
    if version == 4 {
        out.push(f2(49, p1, cluster(w.cl, 32)));
    }
    if !right.is_empty() {
        let r1 = right.get(i + 1).map_or(START as u64 + 1, |&t| u64::from(t));
        out.push(f2(67, p1, r1));
        out.push(f3(68, p2, p1, u64::from(right[i])));
    }
}

/// Open classes that an unseen capitalised word never gets (feature set 7): in the Dutch
/// training data (4 jackknife folds) 13 of 4,962 capitalised words unseen in the other
/// folds are ADV, 5 INTJ, 1 NUM (Alpino dev: none of 650), and the set-7 model tagged the
/// unknown sentence-initial `Trump` of "Trump ontmoette Poetin in Helsinki." as ADV.
const NOT_CAPITALISED: [Upos; 3] = [Upos::ADV, Upos::INTJ, Upos::NUM];

/// A word not seen in training is not of a closed class (nor punctuation unless it has no
/// letter or digit): an unknown sentence-initial name ("Trump ontmoette …") was tagged ADP.
/// From feature set 7 an unseen word with a capital first letter is not ADV, INTJ or NUM
/// either ([`NOT_CAPITALISED`]; older models tag exactly as before).
fn mask_unseen(version: u32, amb: u64, lex: &Lex, scores: &mut [i32]) {
    if amb == NONE {
        for c in CLOSED {
            scores[c as usize] = i32::MIN;
        }
        if lex.flags & 4 == 0 {
            scores[Upos::PUNCT as usize] = i32::MIN;
        }
        if version >= 7 && lex.flags & 8 != 0 {
            for c in NOT_CAPITALISED {
                scores[c as usize] = i32::MIN;
            }
        }
    }
}

impl Tagger {
    /// Tags a sentence; returns tag indexes into [`Upos::ALL`].
    pub(crate) fn tag(&self, lex: &[Lex]) -> Vec<u8> {
        let ambs: Vec<u64> = lex.iter().map(|l| amb(&self.dict, l)).collect();
        let first = tag_pass(&self.weights, self.version, lex, &ambs, &[]);
        match &self.second {
            Some(w) => tag_pass(w, self.version, lex, &ambs, &first),
            None => first,
        }
    }

    /// The first pass only (the whole tagger of a one-pass model): about half the cost of
    /// [`Tagger::tag`] with a second pass, for callers that need speed more than the last
    /// tenth of a point of accuracy.
    pub(crate) fn tag_first_pass(&self, lex: &[Lex]) -> Vec<u8> {
        let ambs: Vec<u64> = lex.iter().map(|l| amb(&self.dict, l)).collect();
        tag_pass(&self.weights, self.version, lex, &ambs, &[])
    }

    /// The parser's tag codes from UPOS indexes: with fine tags (feature set 6) the
    /// subclass bits of VERB, AUX and PRON are set; else unchanged.
    pub(crate) fn refine(&self, lex: &[Lex], tags: &mut [u8]) {
        if let Some(f) = &self.fine {
            f.refine(lex, tags);
        }
    }

    /// [`Tagger::tag`] scoring every feature of every token one by one (the reference the
    /// split into static and dynamic features must equal).
    #[cfg(test)]
    pub(crate) fn tag_plain(&self, lex: &[Lex]) -> Vec<u8> {
        let ambs: Vec<u64> = lex.iter().map(|l| amb(&self.dict, l)).collect();
        let first = tag_pass_plain(&self.weights, self.version, lex, &ambs, &[]);
        match &self.second {
            Some(w) => tag_pass_plain(w, self.version, lex, &ambs, &first),
            None => first,
        }
    }

    /// [`Tagger::tag_first_pass`] scoring every feature of every token one by one.
    #[cfg(test)]
    pub(crate) fn tag_first_pass_plain(&self, lex: &[Lex]) -> Vec<u8> {
        let ambs: Vec<u64> = lex.iter().map(|l| amb(&self.dict, l)).collect();
        tag_pass_plain(&self.weights, self.version, lex, &ambs, &[])
    }

    pub(crate) fn write(&self, w: &mut Writer) {
        let mut dict: Vec<_> = self.dict.iter().collect();
        dict.sort();
        w.u32(dict.len() as u32);
        for (k, m) in dict {
            w.u32(*k);
            w.u32(*m);
        }
        self.weights.write(w);
        if self.version >= 5 {
            w.u8(u8::from(self.second.is_some()));
            if let Some(second) = &self.second {
                second.write(w);
            }
        }
        if self.version >= 6 {
            w.u8(u8::from(self.fine.is_some()));
            if let Some(fine) = &self.fine {
                fine.write(w);
            }
        }
    }

    pub(crate) fn read(r: &mut Reader<'_>, version: u32) -> Result<Tagger, ModelError> {
        let n = r.u32()? as usize;
        let mut dict = TagDict::with_capacity_and_hasher(n.min(1 << 24), Default::default());
        for _ in 0..n {
            let k = r.u32()?;
            dict.insert(k, r.u32()?);
        }
        let weights = Weights::read(r)?;
        if weights.nclasses() != Upos::ALL.len() {
            return Err(ModelError::Corrupt("tagger classes"));
        }
        let second = if version >= 5 && r.u8()? == 1 {
            let w = Weights::read(r)?;
            if w.nclasses() != Upos::ALL.len() {
                return Err(ModelError::Corrupt("tagger classes"));
            }
            Some(w)
        } else {
            None
        };
        let fine = if version >= 6 && r.u8()? == 1 {
            Some(Fine::read(r)?)
        } else {
            None
        };
        Ok(Tagger {
            version,
            weights,
            second,
            dict,
            fine,
        })
    }
}

/// One greedy left-to-right pass (`right`: the first pass's tags in the second pass).
fn tag_pass(
    weights: &Weights,
    version: u32,
    lex: &[Lex],
    ambs: &[u64],
    right: Right<'_>,
) -> Vec<u8> {
    let n = lex.len();
    let nc = weights.nclasses();
    let last = last_word(lex);
    // The context features of all tokens, scored in one pass; the sums of the word
    // features and of the features of a word as the word before or after come from the
    // per-thread cache (integer sums: the split changes nothing).
    let mut feats = Vec::with_capacity(32 * n);
    let mut ends = Vec::with_capacity(n);
    for i in 0..n {
        pair_features(version, last, i, lex, ambs, right, &mut feats);
        ends.push(feats.len());
    }
    let mut sums = vec![0i32; n * nc];
    weights.add_each(&feats, &ends, &mut sums);
    WORD_SUMS.with(|cell| {
        let mut caches = cell.borrow_mut();
        let at = match caches.iter().position(|c| c.owner == weights.id()) {
            Some(at) => at,
            None => {
                if caches.len() >= WORD_SUMS_WEIGHTS {
                    caches.remove(0);
                }
                caches.push(WordSums::new(weights.id(), nc));
                caches.len() - 1
            }
        };
        let cache = &mut caches[at];
        let add = |sums: &mut [i32], k: usize, row: &[i32]| {
            for (s, &w) in sums[k * nc..k * nc + nc].iter_mut().zip(row) {
                *s += w;
            }
        };
        for i in 0..n {
            let rows = cache.rows(weights, version, i == 0, &lex[i], ambs[i], &mut feats);
            add(&mut sums, i, &rows[..nc]);
            if i + 1 < n {
                add(&mut sums, i + 1, &rows[nc..2 * nc]);
            }
            if i > 0 {
                add(&mut sums, i - 1, &rows[2 * nc..3 * nc]);
            }
            if i + 2 < n {
                add(&mut sums, i + 2, &rows[3 * nc..4 * nc]);
            }
            if i > 1 {
                add(&mut sums, i - 2, &rows[4 * nc..]);
            }
        }
        let mut acc: Acc = [0; 256];
        // The decoding below probes the features of the previous tags token by token, each
        // probe waiting for its cache misses. So the tags are guessed first (each token's
        // best by its static sums alone, mostly the tag decoded), and the slots of the
        // dynamic features under the guessed previous tags are prefetched for the whole
        // sentence at once. Only a hint: where a guess is wrong the features of the
        // actual tags are made and summed, so the tags never depend on the guesses.
        let mut guessed = Vec::with_capacity(n);
        let mut spec = Vec::with_capacity(10 * n);
        let mut spec_ends = Vec::with_capacity(n + 1);
        spec_ends.push(0);
        let (mut g1, mut g2) = (START, START);
        for i in 0..n {
            dynamic_features(version, i, lex, ambs, right, g1, g2, &mut feats);
            weights.prefetch(&feats[2..]);
            spec.extend_from_slice(&feats);
            spec_ends.push(spec.len());
            guessed.push((g1, g2));
            acc[..nc].copy_from_slice(&sums[i * nc..i * nc + nc]);
            mask_unseen(version, ambs[i], &lex[i], &mut acc[..nc]);
            (g1, g2) = (argmax_i32(&acc[..nc]), g1);
        }
        let mut tags = Vec::with_capacity(n);
        let (mut p1, mut p2) = (START, START);
        for i in 0..n {
            acc[..nc].copy_from_slice(&sums[i * nc..i * nc + nc]);
            let feats = if guessed[i] == (p1, p2) {
                &spec[spec_ends[i]..spec_ends[i + 1]]
            } else {
                dynamic_features(version, i, lex, ambs, right, p1, p2, &mut feats);
                &feats[..]
            };
            // The first two features depend on the previous tags alone: their summed row
            // comes from the cache (integer sums: the split changes nothing).
            debug_assert_eq!(feats[..2], TagRows::features(p1, p2));
            add(&mut acc[..nc], 0, cache.tags.row(weights, p1, p2));
            weights.add(&feats[2..], &mut acc);
            mask_unseen(version, ambs[i], &lex[i], &mut acc[..nc]);
            let best = argmax_i32(&acc[..nc]);
            tags.push(best as u8);
            p2 = p1;
            p1 = best;
        }
        tags
    })
}

/// Per set of weights, the summed row of the two features of [`dynamic_features`] that
/// depend on the previous two tags alone (`f1(15, p1)`, `f2(16, p2, p1)`), by tag pair,
/// summed the first time the pair is met.
struct TagRows {
    nc: usize,
    /// Tags are below `max(nc, START + 1)`.
    tags: usize,
    rows: Vec<i32>,
    done: Vec<bool>,
}

impl TagRows {
    fn new(nc: usize) -> TagRows {
        let tags = nc.max(START + 1);
        TagRows {
            nc,
            tags,
            rows: vec![0; tags * tags * nc],
            done: vec![false; tags * tags],
        }
    }

    /// The two features, as [`dynamic_features`] makes them.
    fn features(p1: usize, p2: usize) -> [u32; 2] {
        let (p1, p2) = (p1 as u64, p2 as u64);
        [f1(15, p1), f2(16, p2, p1)]
    }

    /// Their summed row after tags `p2`, `p1`.
    fn row(&mut self, weights: &Weights, p1: usize, p2: usize) -> &[i32] {
        let nc = self.nc;
        let k = p2 * self.tags + p1;
        if !self.done[k] {
            let mut acc: Acc = [0; 256];
            weights.add(&Self::features(p1, p2), &mut acc);
            self.rows[k * nc..k * nc + nc].copy_from_slice(&acc[..nc]);
            self.done[k] = true;
        }
        &self.rows[k * nc..k * nc + nc]
    }
}

/// Per thread, for the words seen and one set of weights, five rows of summed class
/// scores: of the word's [`word_features`], of its [`left_features`] (as the word before a
/// token), of its [`right_features`] (as the word after one), and of its
/// [`far_left_features`] and [`far_right_features`] (two before or after). Words repeat,
/// so their ~30 lookups (cache misses) are done once. Entries are checked against the whole [`Lex`]
/// (not only a hash), so a hit is exact.
struct WordSums {
    owner: u64,
    nc: usize,
    index: HashMap<u64, u32, BuildHasherDefault<IdHasher>>,
    /// Per entry: the word, whether it was sentence-initial, its ambiguity class.
    words: Vec<(Lex, bool, u64)>,
    sums: Vec<i32>,
    /// The rows of the features of the previous tags alone.
    tags: TagRows,
}

/// The rows kept per word in [`WordSums`].
const ROWS: usize = 5;

thread_local! {
    static WORD_SUMS: std::cell::RefCell<Vec<WordSums>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// At most this many weights' [`WordSums`] are kept per thread (two passes, two languages).
const WORD_SUMS_WEIGHTS: usize = 4;

impl WordSums {
    /// At most this many words are kept (then emptied): about 7 MB (17 classes).
    const CAPACITY: usize = 16_384;

    fn new(owner: u64, nc: usize) -> WordSums {
        WordSums {
            owner,
            nc,
            index: HashMap::default(),
            words: Vec::new(),
            sums: Vec::new(),
            tags: TagRows::new(nc),
        }
    }

    /// The five rows of `w` (`buf`: scratch).
    fn rows(
        &mut self,
        weights: &Weights,
        version: u32,
        first: bool,
        w: &Lex,
        amb: u64,
        buf: &mut Vec<u32>,
    ) -> &[i32] {
        let nc = self.nc;
        let key = mix(w.form ^ w.lower.rotate_left(17) ^ u64::from(first));
        if let Some(&id) = self.index.get(&key) {
            let (l, f, a) = &self.words[id as usize];
            if *f == first && *a == amb && same(l, w) {
                let at = id as usize * ROWS * nc;
                return &self.sums[at..at + ROWS * nc];
            }
        }
        // Not cached (or another word with the same key, kept out): summed now.
        let mut acc = [[0i32; 256]; ROWS];
        buf.clear();
        word_features(version, first, w, amb, buf);
        weights.add(buf, &mut acc[0]);
        buf.clear();
        left_features(w.lower, w.suf[2], w.shape, amb, buf);
        weights.add(buf, &mut acc[1]);
        buf.clear();
        right_features(w.lower, w.suf[2], w.suf[1], w.shape, amb, buf);
        weights.add(buf, &mut acc[2]);
        buf.clear();
        far_left_features(w.lower, buf);
        weights.add(buf, &mut acc[3]);
        buf.clear();
        far_right_features(w.lower, buf);
        weights.add(buf, &mut acc[4]);
        if self.index.len() >= Self::CAPACITY {
            self.index.clear();
            self.words.clear();
            self.sums.clear();
        }
        let id = self.words.len();
        self.words.push((*w, first, amb));
        for a in &acc {
            self.sums.extend_from_slice(&a[..nc]);
        }
        if let std::collections::hash_map::Entry::Vacant(e) = self.index.entry(key) {
            e.insert(id as u32);
        }
        // On a key collision the other word keeps the entry; this one stays unindexed, as
        // scratch at the end.
        &self.sums[id * ROWS * nc..(id + 1) * ROWS * nc]
    }
}

fn same(a: &Lex, b: &Lex) -> bool {
    a.lower == b.lower
        && a.form == b.form
        && a.shape == b.shape
        && a.suf == b.suf
        && a.flags == b.flags
        && a.pre == b.pre
        && a.cl == b.cl
}

#[cfg(test)]
fn tag_pass_plain(
    weights: &Weights,
    version: u32,
    lex: &[Lex],
    ambs: &[u64],
    right: Right<'_>,
) -> Vec<u8> {
    let mut feats = Vec::with_capacity(64);
    let mut scores = vec![0i32; weights.nclasses()];
    let mut tags = Vec::with_capacity(lex.len());
    let last = last_word(lex);
    let (mut p1, mut p2) = (START, START);
    for i in 0..lex.len() {
        features(version, last, i, lex, ambs, right, p1, p2, &mut feats);
        weights.score(&feats, &mut scores);
        mask_unseen(version, ambs[i], &lex[i], &mut scores);
        let best = argmax_i32(&scores);
        tags.push(best as u8);
        p2 = p1;
        p1 = best;
    }
    tags
}

pub(crate) fn argmax_i32(scores: &[i32]) -> usize {
    let mut best = 0;
    for (c, &s) in scores.iter().enumerate() {
        if s > scores[best] {
            best = c;
        }
    }
    best
}

fn argmax_f32(scores: &[f32]) -> usize {
    let mut best = 0;
    for (c, &s) in scores.iter().enumerate() {
        if s > scores[best] {
            best = c;
        }
    }
    best
}

/// Builds the ambiguity-class dictionary from training sentences.
pub(crate) fn build_dict(sents: &[(Vec<Lex>, Vec<u8>)]) -> TagDict {
    let mut dict = TagDict::default();
    for (lex, tags) in sents {
        for (l, &t) in lex.iter().zip(tags) {
            *dict.entry(dict_key(l.lower)).or_default() |= 1 << t;
        }
    }
    dict
}

/// Trains a tagger; `log` gets one line per iteration. With `right` (feature set 5: the
/// jackknifed first-pass tags of every training sentence) a second pass is trained too.
#[allow(clippy::too_many_arguments)]
pub(crate) fn train(
    sents: &[(Vec<Lex>, Vec<u8>)],
    version: u32,
    iterations: usize,
    seed: u64,
    right: Option<&[Vec<u8>]>,
    dev: &[(Vec<Lex>, Vec<u8>)],
    log: &mut dyn FnMut(String),
) -> Tagger {
    let dict = build_dict(sents);
    let first = train_pass(sents, &dict, None, version, iterations, seed, log);
    let mut tagger = Tagger {
        version,
        weights: first,
        second: None,
        dict,
        fine: None,
    };
    if !dev.is_empty() {
        log(format!(
            "tagger first pass: dev {:.2}%",
            100.0 * tagger.accuracy(dev)
        ));
    }
    if let Some(right) = right {
        tagger.train_second(sents, right, iterations, seed, log);
        if !dev.is_empty() {
            log(format!(
                "tagger second pass: dev {:.2}%",
                100.0 * tagger.accuracy(dev)
            ));
        }
    }
    tagger
}

/// Trains one pass: the first (`right` `None`) or the second, with the given first-pass tags.
fn train_pass(
    sents: &[(Vec<Lex>, Vec<u8>)],
    dict: &TagDict,
    right: Option<&[Vec<u8>]>,
    version: u32,
    iterations: usize,
    seed: u64,
    log: &mut dyn FnMut(String),
) -> Weights {
    let mut trainer = Trainer::new(Upos::ALL.len());
    let mut rng = Rng::new(seed);
    let mut order: Vec<usize> = (0..sents.len()).collect();
    let mut feats = Vec::with_capacity(64);
    let mut scores = vec![0f32; Upos::ALL.len()];
    let mut freq: HashMap<u64, u32> = HashMap::new();
    for (lex, _) in sents {
        for l in lex {
            *freq.entry(l.lower).or_default() += 1;
        }
    }
    let mut lex_buf: Vec<Lex> = Vec::new();
    let mut ambs: Vec<u64> = Vec::new();
    let pass = if right.is_some() { "second" } else { "first" };
    for it in 0..iterations {
        rng.shuffle(&mut order);
        let (mut correct, mut total) = (0usize, 0usize);
        for &s in &order {
            let (orig, gold) = &sents[s];
            let r: Right<'_> = right.map_or(&[], |r| &r[s]);
            // Word dropout: a word seen once sometimes looks unknown, so that affix and
            // shape features learn to tag the unknown words of new text.
            lex_buf.clear();
            lex_buf.extend(orig.iter().map(|l| {
                let mut l = *l;
                if freq.get(&l.lower).copied().unwrap_or(0) <= 1 && rng.next_f64() < 0.5 {
                    l.lower = UNKNOWN;
                    l.form = UNKNOWN ^ 1;
                }
                l
            }));
            let lex = &lex_buf;
            ambs.clear();
            ambs.extend(lex.iter().map(|l| amb(dict, l)));
            let ambs = &ambs;
            let last = last_word(lex);
            let (mut p1, mut p2) = (START, START);
            for (i, &g) in gold.iter().enumerate() {
                features(version, last, i, lex, ambs, r, p1, p2, &mut feats);
                trainer.score(&feats, &mut scores);
                let guess = argmax_f32(&scores);
                let g = g as usize;
                trainer.update(&feats, g, guess);
                trainer.tick();
                correct += usize::from(guess == g);
                total += 1;
                p2 = p1;
                p1 = guess;
            }
        }
        log(format!(
            "tagger {pass} pass iteration {}: train {:.2}%",
            it + 1,
            100.0 * correct as f64 / total.max(1) as f64
        ));
    }
    trainer.averaged(usize::MAX)
}

impl Tagger {
    /// Trains the second pass on `sents` with their (jackknifed) first-pass tags `right`.
    pub(crate) fn train_second(
        &mut self,
        sents: &[(Vec<Lex>, Vec<u8>)],
        right: &[Vec<u8>],
        iterations: usize,
        seed: u64,
        log: &mut dyn FnMut(String),
    ) {
        let w = train_pass(
            sents,
            &self.dict,
            Some(right),
            self.version,
            iterations,
            seed ^ 0x005e_c04d,
            log,
        );
        self.second = Some(w);
    }

    pub(crate) fn accuracy(&self, sents: &[(Vec<Lex>, Vec<u8>)]) -> f64 {
        let (mut c, mut t) = (0usize, 0usize);
        for (lex, gold) in sents {
            let tags = self.tag(lex);
            c += tags.iter().zip(gold).filter(|(a, b)| a == b).count();
            t += gold.len();
        }
        c as f64 / t.max(1) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The embedded taggers tag as with feature-by-feature scoring.
    #[test]
    fn split_scoring_tags_as_plain_scoring() {
        let text = "De minister zei dinsdag dat het kabinet de regeling , die in 2019 werd \
                    ingevoerd , niet zal verlengen . The company said on Monday that it had \
                    sold its stake to a group of investors for $ 3 million .";
        let forms: Vec<&str> = text.split_whitespace().collect();
        for lang in [crate::Lang::NL, crate::Lang::EN] {
            let Some(model) = super::super::SyntaxModel::for_language(lang) else {
                continue;
            };
            for start in 0..forms.len() {
                for len in [1, 2, 7, 40] {
                    let f = &forms[start..(start + len).min(forms.len())];
                    let lex: Vec<Lex> = f.iter().map(|w| Lex::with_clusters(w, None)).collect();
                    assert_eq!(model.tagger.tag(&lex), model.tagger.tag_plain(&lex));
                }
            }
        }
    }

    /// Unseen words: never a closed class; from feature set 7 a capitalised one is not
    /// ADV, INTJ or NUM either, a lowercase one may be; seen words are not restricted.
    #[test]
    fn unseen_words_are_masked_by_version() {
        let n = Upos::ALL.len();
        let masked = |version: u32, form: &str, amb: u64| -> Vec<bool> {
            let mut scores = vec![0i32; n];
            mask_unseen(version, amb, &Lex::with_clusters(form, None), &mut scores);
            scores.iter().map(|&s| s == i32::MIN).collect()
        };
        for version in [3, 6, 7] {
            let m = masked(version, "Trump", NONE);
            for c in CLOSED {
                assert!(m[c as usize]);
            }
            assert!(!m[Upos::PROPN as usize] && !m[Upos::NOUN as usize]);
            for c in NOT_CAPITALISED {
                assert_eq!(m[c as usize], version >= 7, "{c:?} in set {version}");
            }
            let lower = masked(version, "langzaamaan", NONE);
            assert!(NOT_CAPITALISED.iter().all(|&c| !lower[c as usize]));
            assert!(masked(version, "Allereerst", 1).iter().all(|&m| !m));
        }
    }
}

#[cfg(test)]
mod split_tests {
    use super::*;

    #[test]
    fn pair_and_role_features_are_the_context_features() {
        let forms = ["Rusland", "viel", "gisteren", "Oekraïne", "aan", "."];
        for n in 1..=forms.len() {
            let lex = super::super::lex::lexes(&forms[..n], None);
            let ambs: Vec<u64> = (0..n)
                .map(|k| if k % 2 == 0 { NONE } else { 77 + k as u64 })
                .collect();
            let tags: Vec<u8> = (0..n as u8).collect();
            let last = last_word(&lex);
            for version in [4, 7] {
                for right in [&[][..], &tags[..]] {
                    for i in 0..n {
                        let mut a = Vec::new();
                        context_features(version, last, i, &lex, &ambs, right, &mut a);
                        let mut b = Vec::new();
                        pair_features(version, last, i, &lex, &ambs, right, &mut b);
                        if i > 0 {
                            let w = &lex[i - 1];
                            left_features(w.lower, w.suf[2], w.shape, ambs[i - 1], &mut b);
                        }
                        if i + 1 < n {
                            let w = &lex[i + 1];
                            let amb = ambs[i + 1];
                            right_features(w.lower, w.suf[2], w.suf[1], w.shape, amb, &mut b);
                        }
                        if i > 1 {
                            far_left_features(lex[i - 2].lower, &mut b);
                        }
                        if i + 2 < n {
                            far_right_features(lex[i + 2].lower, &mut b);
                        }
                        a.sort_unstable();
                        b.sort_unstable();
                        assert_eq!(a, b, "token {i} of {n}, feature set {version}");
                    }
                }
            }
        }
    }
}
