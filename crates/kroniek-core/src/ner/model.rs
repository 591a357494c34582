//! The tagger and its binary model format.
//!
//! The format is a magic number followed by tagged sections (`[4-byte tag][u32 length]
//! [payload]`, little-endian), so a reader can skip sections it does not know:
//!
//! | tag | payload |
//! |---|---|
//! | `META` | language code, free-text description (how it was trained) |
//! | `TAGS` | the label set (`O`, `B-PER`, …) |
//! | `TRAN` | `f32` transition scores, `(tags + 1) × tags` (last row: sentence start) |
//! | `FEAT` | `f32` scale, then per feature: `u32` key, `u16` mask of non-zero tags, `i16` weights for those tags |
//! | `TRA2`, `FEA2` | the same for the optional document-level second stage |
//! | `GAZT` | gazetteer: type names, then sorted `u32` phrase keys with `u8` type masks |
//! | `CLUS` | word clusters: `u32` word key, `u32` path |

use std::fmt;

use super::clusters::Clusters;
use std::hash::BuildHasherDefault;

use super::features::{
    type_ids, DocStats, Prepared, StackInfo, WordInfo, ROLES, ROLE_NEXT, ROLE_NEXT2, ROLE_PREV,
    ROLE_PREV2, ROLE_SELF,
};
use super::gazetteer::Gazetteer;
use super::hash::{prefetch, KeyTable};

const MAGIC: &[u8; 8] = b"KRNKNER1";

/// Why model bytes could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelError(String);

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid NER model: {}", self.0)
    }
}

impl std::error::Error for ModelError {}

fn err<T>(msg: impl Into<String>) -> Result<T, ModelError> {
    Err(ModelError(msg.into()))
}

/// The weights of one decoding stage.
#[derive(Debug, Clone)]
pub(crate) struct Stage {
    /// `(tags + 1) × tags`; row `tags` is the start state.
    pub(crate) trans: Vec<f32>,
    pub(crate) scale: f32,
    pub(crate) keys: Vec<u32>,
    pub(crate) weights: Vec<i16>,
    lookup: Lookup,
}

/// Up to this many labels, a feature's weights sit next to its key in one 32-byte slot.
const INLINE: usize = 14;

/// One slot of the inline table: a key (0: empty) and its weights, one cache-line half.
#[derive(Debug, Clone, Copy, Default)]
#[repr(C, align(32))]
struct Slot {
    key: u32,
    w: [i16; INLINE],
}

/// Key → weights. Tables are far larger than the caches, so a lookup is a cache (and TLB)
/// miss: with the weights inline, one miss per feature instead of two.
#[derive(Debug, Clone)]
enum Lookup {
    /// Open addressing with linear probing, weights inline (labels ≤ [`INLINE`]).
    Inline { slots: Vec<Slot>, mask: usize },
    /// Key → row index into `weights`.
    Rows(KeyTable),
}

#[inline]
fn slot_of(k: u32, mask: usize) -> usize {
    (k.wrapping_mul(0x9E37_79B1) as usize) & mask
}

impl Stage {
    pub(crate) fn new(trans: Vec<f32>, scale: f32, keys: Vec<u32>, weights: Vec<i16>) -> Stage {
        let n = if keys.is_empty() {
            0
        } else {
            weights.len() / keys.len()
        };
        let lookup = if n <= INLINE && n * keys.len() == weights.len() {
            let cap = (keys.len() * 2).next_power_of_two().max(16);
            let mask = cap - 1;
            let mut slots = Vec::with_capacity(cap);
            slots.resize(cap, Slot::default());
            for (i, &k) in keys.iter().enumerate() {
                let mut h = slot_of(k, mask);
                while slots[h].key != 0 && slots[h].key != k {
                    h = (h + 1) & mask;
                }
                slots[h].key = k;
                slots[h].w[..n].copy_from_slice(&weights[i * n..i * n + n]);
            }
            Lookup::Inline { slots, mask }
        } else {
            Lookup::Rows(KeyTable::build(
                keys.iter().enumerate().map(|(i, &k)| (k, i as u32)),
            ))
        };
        Stage {
            trans,
            scale,
            keys,
            weights,
            lookup,
        }
    }

    /// Asks the processor to start loading the slots of `feats` (a hint; no effect on
    /// results). Tables are larger than the caches: prefetching all features of a token
    /// before any is probed overlaps their cache misses.
    #[inline]
    fn prefetch(&self, feats: &[u32]) {
        match &self.lookup {
            Lookup::Inline { slots, mask } => {
                for &k in feats {
                    prefetch(&slots[slot_of(k, *mask)]);
                }
            }
            Lookup::Rows(table) => {
                for &k in feats {
                    table.prefetch(k);
                }
            }
        }
    }

    /// Adds the weights of the features `feats` to `acc` (`n` labels). Integer sums: the
    /// order, and how the features are split over calls, do not change the result.
    #[inline]
    fn accumulate(&self, feats: &[u32], n: usize, acc: &mut [i32]) {
        match &self.lookup {
            Lookup::Inline { slots, mask } if n <= INLINE => {
                let mut sum = [0i32; INLINE];
                for &k in feats {
                    let mut h = slot_of(k, *mask);
                    loop {
                        let s = &slots[h];
                        if s.key == k {
                            for (a, &x) in sum.iter_mut().zip(&s.w) {
                                *a += i32::from(x);
                            }
                            break;
                        }
                        if s.key == 0 {
                            break;
                        }
                        h = (h + 1) & mask;
                    }
                }
                for (a, &x) in acc.iter_mut().zip(&sum[..n]) {
                    *a += x;
                }
            }
            Lookup::Inline { .. } => {}
            Lookup::Rows(table) => {
                for &k in feats {
                    if let Some(row) = table.get(k) {
                        let w = &self.weights[row as usize * n..row as usize * n + n];
                        for (a, &x) in acc.iter_mut().zip(w) {
                            *a += i32::from(x);
                        }
                    }
                }
            }
        }
    }

    /// Emission scores (`emit`, one row of `n` labels) from summed weights.
    #[inline]
    fn emit(&self, acc: &[i32], emit: &mut [f32]) {
        for (e, a) in emit.iter_mut().zip(acc) {
            *e = *a as f32 * self.scale;
        }
    }

    /// Adds the scores of the features `feats` to `emit` (one row of `n` labels).
    #[inline]
    fn score(&self, feats: &[u32], n: usize, acc: &mut [i32], emit: &mut [f32]) {
        acc.iter_mut().for_each(|a| *a = 0);
        self.prefetch(feats);
        self.accumulate(feats, n, acc);
        self.emit(acc, emit);
    }
}

/// The summed weights of distinct word forms in each of the [`ROLES`] (see
/// [`Prepared::role_features`]), per stage: most of a token's features depend on one word
/// alone, and words repeat, so each is looked up once instead of once per token and stage
/// (the lookups are cache misses). Kept per thread across documents (frequent words are
/// summed once), for one tagger at a time, and emptied between documents once it holds
/// [`WordSums::CAPACITY`] words. The sums are exact integers: results never depend on it.
#[derive(Default)]
struct WordSums {
    /// The [`Tagger::id`] the sums are for.
    owner: u64,
    index: std::collections::HashMap<Box<str>, u32, BuildHasherDefault<StrHasher>>,
    /// Per word: what its features need of it.
    info: Vec<std::rc::Rc<WordInfo>>,
    /// Per word: `stages × ROLES × n` sums.
    sums: Vec<i32>,
    stride: usize,
    keys: Vec<u32>,
}

thread_local! {
    /// Per thread, the sums of the last few taggers used (documents often alternate
    /// languages).
    static WORD_SUMS: std::cell::RefCell<Vec<WordSums>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// At most this many taggers' [`WordSums`] are kept per thread.
const WORD_SUMS_TAGGERS: usize = 4;

/// FNV-1a over the bytes: the keys are short words.
#[derive(Default, Clone, Copy)]
struct StrHasher(u64);

impl std::hash::Hasher for StrHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = self.0 ^ 0xcbf2_9ce4_8422_2325;
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

impl WordSums {
    /// At most this many words are kept (about 5 MB with two stages of nine labels).
    const CAPACITY: usize = 16_384;

    /// Makes the cache fit a tagger (`owner`, its stage count and labels) before a
    /// document: emptied if it held another tagger's sums or is full.
    fn prepare(&mut self, owner: u64, stages: usize, n: usize) {
        let stride = stages * ROLES * n;
        if self.owner != owner || self.stride != stride || self.index.len() >= Self::CAPACITY {
            self.owner = owner;
            self.stride = stride;
            self.index.clear();
            self.info.clear();
            self.sums.clear();
        }
    }

    /// The entry of each word of a sentence, made now for words not seen before (their
    /// sums are added by [`WordSums::fill`]).
    fn intern(&mut self, words: &[&str], clusters: Option<&Clusters>) -> Vec<u32> {
        let mut ids = Vec::with_capacity(words.len());
        for &w in words {
            let id = match self.index.get(w) {
                Some(&id) => id,
                None => {
                    let id = self.info.len() as u32;
                    self.index.insert(w.into(), id);
                    self.info.push(std::rc::Rc::new(WordInfo::new(w, clusters)));
                    id
                }
            };
            ids.push(id);
        }
        ids
    }

    /// The [`WordInfo`] of each entry.
    fn info(&self, ids: &[u32]) -> Vec<std::rc::Rc<WordInfo>> {
        ids.iter()
            .map(|&id| self.info[id as usize].clone())
            .collect()
    }

    /// Sums the roles of the words of `prep` (entries `ids`) that have no sums yet.
    /// Entries are made in the order in which the sentences are then filled, so the
    /// first word without sums always has the next id.
    fn fill(&mut self, prep: &Prepared<'_>, ids: &[u32], stages: [Option<&Stage>; 2], n: usize) {
        for (i, &id) in ids.iter().enumerate() {
            let base = id as usize * self.stride;
            if base < self.sums.len() {
                continue;
            }
            debug_assert_eq!(base, self.sums.len());
            let mut keys = std::mem::take(&mut self.keys);
            keys.clear();
            let mut ends = [0usize; ROLES];
            for (role, end) in ends.iter_mut().enumerate() {
                prep.role_features(i, role, &mut keys);
                *end = keys.len();
            }
            self.sums.resize(base + self.stride, 0);
            for (si, stage) in stages.iter().enumerate() {
                let Some(stage) = stage else { continue };
                stage.prefetch(&keys);
                let mut start = 0;
                for (role, &end) in ends.iter().enumerate() {
                    let at = base + (si * ROLES + role) * n;
                    stage.accumulate(&keys[start..end], n, &mut self.sums[at..at + n]);
                    start = end;
                }
            }
            self.keys = keys;
        }
    }

    /// Adds to `acc` the role sums of stage `si` for token `i` of a sentence whose
    /// tokens have the entries `ids`.
    #[inline]
    fn add(&self, ids: &[u32], i: usize, si: usize, n: usize, acc: &mut [i32]) {
        // The four CoNLL types make 9 labels: at a width known when compiling, the rows are
        // added without bounds checks in vector registers (the same integer sums).
        if let Ok(acc) = <&mut [i32; 9]>::try_from(&mut *acc) {
            return self.add_fixed(ids, i, si, acc);
        }
        let add = |j: usize, role: usize| {
            let at = ids[j] as usize * self.stride + (si * ROLES + role) * n;
            for (a, &x) in acc.iter_mut().zip(&self.sums[at..at + n]) {
                *a += x;
            }
        };
        for_roles(i, ids.len(), add);
    }

    /// [`WordSums::add`] for `N` labels.
    #[inline]
    fn add_fixed<const N: usize>(&self, ids: &[u32], i: usize, si: usize, acc: &mut [i32; N]) {
        let add = |j: usize, role: usize| {
            let at = ids[j] as usize * self.stride + (si * ROLES + role) * N;
            let row: &[i32; N] = self.sums[at..at + N].try_into().expect("N labels");
            for (a, &x) in acc.iter_mut().zip(row) {
                *a += x;
            }
        };
        for_roles(i, ids.len(), add);
    }
}

/// Calls `add(j, role)` for token `i` itself and its neighbours within two tokens in a
/// sentence of `len` tokens, in the order the word sums are added.
#[inline(always)]
fn for_roles(i: usize, len: usize, mut add: impl FnMut(usize, usize)) {
    add(i, ROLE_SELF);
    if i >= 1 {
        add(i - 1, ROLE_PREV);
    }
    if i + 1 < len {
        add(i + 1, ROLE_NEXT);
    }
    if i >= 2 {
        add(i - 2, ROLE_PREV2);
    }
    if i + 2 < len {
        add(i + 2, ROLE_NEXT2);
    }
}

/// A trained sequence labeller: immutable, `Send + Sync`, cheap to share.
///
/// One or two stages: the second sees the first stage's labels for the whole document
/// (how the same word was labelled elsewhere), for consistent labels across a document.
#[derive(Debug, Clone)]
pub struct Tagger {
    pub(crate) lang: String,
    pub(crate) description: String,
    pub(crate) tags: Vec<String>,
    pub(crate) allowed: Vec<bool>,
    pub(crate) type_of: Vec<u8>,
    pub(crate) first: Stage,
    pub(crate) second: Option<Stage>,
    pub(crate) gaz: Option<Gazetteer>,
    pub(crate) clusters: Option<Clusters>,
    /// Identifies these weights for the per-thread [`WordSums`] cache: a new one
    /// ([`fresh_id`]) whenever a tagger is built or its stages change.
    pub(crate) id: u64,
}

/// A new [`Tagger::id`].
pub(crate) fn fresh_id() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// Which transitions IOB2 allows: `I-X` only after `B-X` or `I-X`.
pub(crate) fn allowed_transitions(tags: &[String]) -> Vec<bool> {
    let n = tags.len();
    let mut allowed = vec![true; (n + 1) * n];
    for (c, cur) in tags.iter().enumerate() {
        if let Some(ty) = cur.strip_prefix("I-") {
            for p in 0..=n {
                let ok = p < n && (tags[p] == format!("B-{ty}") || tags[p] == format!("I-{ty}"));
                allowed[p * n + c] = ok;
            }
        }
    }
    allowed
}

/// Targets of [`viterbi`] decoded at once, in two vectors of four; the targets left over
/// (the ninth label of four entity types) go one by one ([`best_source`]): cheaper than a
/// third block mostly of padding.
const LANES: usize = 8;

/// [`best_sources`] for one target, its transitions by source in `to`: the same strict `>`
/// over the sources in order.
#[inline]
fn best_source(last: &[f32], to: &[f32]) -> (f32, u32) {
    let (mut best, mut arg) = (f32::NEG_INFINITY, 0u32);
    for (p, (&lp, &t)) in last.iter().zip(to).enumerate() {
        let s = lp + t;
        if s > best {
            best = s;
            arg = p as u32;
        }
    }
    (best, arg)
}

/// For the targets `block..block + LANES`: the best score over the sources (`last`, in
/// order, through the transitions `from`, rows of `width`) and the first source that
/// gives it. Not inlined: on its own the compiler vectorises it.
#[inline(never)]
fn best_sources(
    last: &[f32],
    from: &[f32],
    width: usize,
    block: usize,
) -> ([f32; LANES], [u32; LANES]) {
    let mut best = [f32::NEG_INFINITY; LANES];
    let mut arg = [0u32; LANES];
    for (p, &lp) in last.iter().enumerate() {
        let row = &from[p * width + block..][..LANES];
        for k in 0..LANES {
            // `if s > best { best = s; arg = p }` as a bit mask, which vectorises.
            let s = lp + row[k];
            let take = 0u32.wrapping_sub(u32::from(s > best[k]));
            best[k] = f32::from_bits(s.to_bits() & take | best[k].to_bits() & !take);
            arg[k] = p as u32 & take | arg[k] & !take;
        }
    }
    (best, arg)
}

/// First-order Viterbi over emission scores (`len × tags`) with transitions and constraints.
pub(crate) fn viterbi(emit: &[f32], n: usize, trans: &[f32], allowed: &[bool]) -> Vec<usize> {
    Trellis::new(n, trans, allowed).decode(emit)
}

/// The transitions of one stage laid out for [`viterbi`], with its scratch buffers: built
/// once per document and reused for each sentence (the layout costs about as much as
/// decoding a short sentence).
pub(crate) struct Trellis {
    n: usize,
    /// Row width: `n` rounded up to whole blocks of `LANES`.
    width: usize,
    /// Scores from the start state (`-inf` where not allowed).
    start: Vec<f32>,
    /// Transitions by source, rows of `width`, a forbidden one (and the padding) `-inf`.
    from: Vec<f32>,
    /// The same by target, `n` sources each, for the targets after the last whole block.
    to: Vec<f32>,
    score: Vec<f32>,
    back: Vec<u16>,
}

impl Trellis {
    pub(crate) fn new(n: usize, trans: &[f32], allowed: &[bool]) -> Trellis {
        // Transitions by source, a forbidden one as -inf: `score + -inf` is never `> best`
        // (which starts at -inf), exactly as skipping it, and the loop has no branch to
        // mispredict. (Scores are finite or -inf; the model has no infinite weights.)
        // Targets go in blocks of `LANES`, rows padded with -inf, and the sources in order
        // for each target as before (a strict `>`, so the first best source wins): the same
        // result, but the compiler can keep a block of targets in vector registers.
        let width = n.div_ceil(LANES) * LANES;
        let mut from = vec![f32::NEG_INFINITY; n * width];
        for p in 0..n {
            for c in 0..n {
                if allowed[p * n + c] {
                    from[p * width + c] = trans[p * n + c];
                }
            }
        }
        let start = (0..n)
            .map(|c| {
                if allowed[n * n + c] {
                    trans[n * n + c]
                } else {
                    f32::NEG_INFINITY
                }
            })
            .collect();
        let whole = n / LANES * LANES;
        let to = (whole..n)
            .flat_map(|c| (0..n).map(move |p| (p, c)))
            .map(|(p, c)| from[p * width + c])
            .collect();
        Trellis {
            n,
            width,
            start,
            from,
            to,
            score: Vec::new(),
            back: Vec::new(),
        }
    }

    /// The best label sequence for emission scores `emit` (`len × n`).
    pub(crate) fn decode(&mut self, emit: &[f32]) -> Vec<usize> {
        let n = self.n;
        let len = emit.len() / n;
        if len == 0 {
            return Vec::new();
        }
        let (score, back) = (&mut self.score, &mut self.back);
        score.clear();
        score.resize(len * n, f32::NEG_INFINITY);
        back.clear();
        back.resize(len * n, 0);
        for c in 0..n {
            // As `emit + trans` where the start allows `c`, else -inf.
            if self.start[c] != f32::NEG_INFINITY {
                score[c] = emit[c] + self.start[c];
            }
        }
        for i in 1..len {
            let (done, rest) = score.split_at_mut(i * n);
            let last = &done[(i - 1) * n..];
            let cur = &mut rest[..n];
            let em = &emit[i * n..i * n + n];
            let bk = &mut back[i * n..i * n + n];
            let whole = n / LANES * LANES;
            for block in (0..whole).step_by(LANES) {
                let (best, arg) = best_sources(last, &self.from, self.width, block);
                for k in 0..LANES {
                    cur[block + k] = best[k] + em[block + k];
                    bk[block + k] = arg[k] as u16;
                }
            }
            for (c, to) in (whole..n).zip(self.to.chunks_exact(n)) {
                let (best, arg) = best_source(last, to);
                cur[c] = best + em[c];
                bk[c] = arg as u16;
            }
        }
        let mut best = 0;
        for c in 1..n {
            if score[(len - 1) * n + c] > score[(len - 1) * n + best] {
                best = c;
            }
        }
        let mut out = vec![0; len];
        out[len - 1] = best;
        for i in (1..len).rev() {
            out[i - 1] = back[i * n + out[i]] as usize;
        }
        out
    }
}

impl Tagger {
    pub(crate) fn from_parts(
        lang: String,
        description: String,
        tags: Vec<String>,
        first: Stage,
        second: Option<Stage>,
        gaz: Option<Gazetteer>,
        clusters: Option<Clusters>,
    ) -> Tagger {
        let allowed = allowed_transitions(&tags);
        let type_of = type_ids(&tags);
        Tagger {
            lang,
            description,
            tags,
            allowed,
            type_of,
            first,
            second,
            gaz,
            clusters,
            id: fresh_id(),
        }
    }

    /// The label set, `O` first.
    pub fn tags(&self) -> &[String] {
        &self.tags
    }

    /// The language code the model was trained for.
    pub fn lang(&self) -> &str {
        &self.lang
    }

    /// How the model was trained (free text written at training time).
    pub fn description(&self) -> &str {
        &self.description
    }

    /// Number of weighted features (both stages).
    pub fn feature_count(&self) -> usize {
        self.first.keys.len() + self.second.as_ref().map_or(0, |s| s.keys.len())
    }

    /// Whether the model has a document-level second stage.
    pub fn is_two_stage(&self) -> bool {
        self.second.is_some()
    }

    /// First-stage features of every token of a sentence: (keys, per-token offsets).
    fn sentence_features(&self, prep: &Prepared<'_>) -> (Vec<u32>, Vec<usize>) {
        let mut feats = Vec::with_capacity(prep.len() * 60);
        let mut offsets = Vec::with_capacity(prep.len() + 1);
        offsets.push(0);
        for i in 0..prep.len() {
            prep.features(i, &mut feats);
            prep.gaz_features(i, &mut feats);
            offsets.push(feats.len());
        }
        (feats, offsets)
    }

    fn decode_first(&self, feats: &[u32], offsets: &[usize]) -> Vec<usize> {
        let n = self.tags.len();
        let len = offsets.len() - 1;
        let mut emit = vec![0f32; len * n];
        let mut acc = vec![0i32; n];
        for i in 0..len {
            self.first.score(
                &feats[offsets[i]..offsets[i + 1]],
                n,
                &mut acc,
                &mut emit[i * n..i * n + n],
            );
        }
        viterbi(&emit, n, &self.first.trans, &self.allowed)
    }

    /// Tags one sentence with the first stage only; `doc` carries document-level
    /// capitalisation evidence. Returns label indexes into [`Tagger::tags`].
    pub fn tag_indices(&self, words: &[&str], doc: Option<&DocStats>) -> Vec<usize> {
        let prep = Prepared::new(words, doc, self.gaz.as_ref(), self.clusters.as_ref());
        let (feats, offsets) = self.sentence_features(&prep);
        self.decode_first(&feats, &offsets)
    }

    /// Tags the sentences of one document; label indexes into [`Tagger::tags`].
    ///
    /// The same scores as [`Prepared::features`] and [`Prepared::gaz_features`] (and the
    /// stacked features) looked up key by key, but the features that depend on one word
    /// alone are summed once per distinct word of the document ([`WordSums`]).
    pub fn tag_document_indices<S: AsRef<str>>(&self, sentences: &[Vec<S>]) -> Vec<Vec<usize>> {
        let words: Vec<Vec<&str>> = sentences
            .iter()
            .map(|s| s.iter().map(AsRef::as_ref).collect())
            .collect();
        let n = self.tags.len();
        let stages = [Some(&self.first), self.second.as_ref()];
        WORD_SUMS.with(|all| {
            let mut all = all.borrow_mut();
            let at = match all.iter().position(|s| s.owner == self.id) {
                Some(at) => at,
                None if all.len() < WORD_SUMS_TAGGERS => {
                    all.push(WordSums::default());
                    all.len() - 1
                }
                None => 0,
            };
            let sums = &mut all[at];
            sums.prepare(self.id, if self.second.is_some() { 2 } else { 1 }, n);
            let ids: Vec<Vec<u32>> = words
                .iter()
                .map(|w| sums.intern(w, self.clusters.as_ref()))
                .collect();
            let mut doc = DocStats::default();
            for (w, ids) in words.iter().zip(&ids) {
                for (t, &id) in w.iter().zip(ids).skip(1) {
                    doc.add(t, || sums.info[id as usize].form);
                }
            }
            self.tag_with_sums(&words, ids, &doc, stages, sums)
        })
    }

    /// [`Tagger::tag_document_indices`] with the word sums of this thread.
    fn tag_with_sums(
        &self,
        words: &[Vec<&str>],
        ids: Vec<Vec<u32>>,
        doc: &DocStats,
        stages: [Option<&Stage>; 2],
        sums: &mut WordSums,
    ) -> Vec<Vec<usize>> {
        let n = self.tags.len();
        let mut cache = Vec::with_capacity(words.len());
        let mut labels = Vec::with_capacity(words.len());
        let mut acc = vec![0i32; n];
        let mut emit = Vec::new();
        let mut trellis = Trellis::new(n, &self.first.trans, &self.allowed);
        for (w, ids) in words.iter().zip(ids) {
            let prep = Prepared::with_info(w, sums.info(&ids), Some(doc), self.gaz.as_ref());
            sums.fill(&prep, &ids, stages, n);
            let len = prep.len();
            let mut feats = Vec::with_capacity(len * 16);
            let mut offsets = Vec::with_capacity(len + 1);
            offsets.push(0);
            for i in 0..len {
                prep.context_features(i, &mut feats);
                prep.gaz_features(i, &mut feats);
                offsets.push(feats.len());
            }
            emit.clear();
            emit.resize(len * n, 0f32);
            self.first.prefetch(&feats[..offsets[1.min(len)]]);
            for i in 0..len {
                if i + 1 < len {
                    self.first.prefetch(&feats[offsets[i + 1]..offsets[i + 2]]);
                }
                acc.iter_mut().for_each(|a| *a = 0);
                sums.add(&ids, i, 0, n, &mut acc);
                self.first
                    .accumulate(&feats[offsets[i]..offsets[i + 1]], n, &mut acc);
                self.first.emit(&acc, &mut emit[i * n..i * n + n]);
            }
            labels.push(trellis.decode(&emit));
            if self.second.is_some() {
                cache.push((prep, ids, feats, offsets));
            }
        }
        let Some(second) = &self.second else {
            return labels;
        };
        let mut stack = StackInfo::default();
        for ((prep, ..), first) in cache.iter().zip(&labels) {
            for (i, &l) in first.iter().enumerate() {
                stack.add(prep.form(i), l, &self.type_of);
            }
        }
        let mut out = Vec::with_capacity(words.len());
        let mut extra = Vec::new();
        let mut trellis = Trellis::new(n, &second.trans, &self.allowed);
        for ((prep, ids, feats, offsets), first) in cache.into_iter().zip(&labels) {
            let len = prep.len();
            emit.clear();
            emit.resize(len * n, 0f32);
            second.prefetch(&feats[..offsets[1.min(len)]]);
            for i in 0..len {
                if i + 1 < len {
                    second.prefetch(&feats[offsets[i + 1]..offsets[i + 2]]);
                }
                extra.clear();
                prep.stack_features(i, &stack, first, &self.type_of, &mut extra);
                second.prefetch(&extra);
                acc.iter_mut().for_each(|a| *a = 0);
                sums.add(&ids, i, 1, n, &mut acc);
                second.accumulate(&feats[offsets[i]..offsets[i + 1]], n, &mut acc);
                second.accumulate(&extra, n, &mut acc);
                second.emit(&acc, &mut emit[i * n..i * n + n]);
            }
            out.push(trellis.decode(&emit));
        }
        out
    }

    /// The tagging of [`Tagger::tag_document_indices`] key by key, as before
    /// [`WordSums`]: tests compare the two.
    #[cfg(test)]
    pub(crate) fn tag_document_reference<S: AsRef<str>>(
        &self,
        sentences: &[Vec<S>],
    ) -> Vec<Vec<usize>> {
        let doc = DocStats::new(sentences.iter().map(Vec::as_slice));
        let words: Vec<Vec<&str>> = sentences
            .iter()
            .map(|s| s.iter().map(AsRef::as_ref).collect())
            .collect();
        let mut cache = Vec::with_capacity(sentences.len());
        let mut labels = Vec::with_capacity(sentences.len());
        for w in &words {
            let prep = Prepared::new(w, Some(&doc), self.gaz.as_ref(), self.clusters.as_ref());
            let (feats, offsets) = self.sentence_features(&prep);
            labels.push(self.decode_first(&feats, &offsets));
            if self.second.is_some() {
                cache.push((prep, feats, offsets));
            }
        }
        let Some(second) = &self.second else {
            return labels;
        };
        let stack = StackInfo::new(&words, &labels, &self.type_of);
        let n = self.tags.len();
        let mut out = Vec::with_capacity(sentences.len());
        let mut acc = vec![0i32; n];
        let mut emit = Vec::new();
        for ((prep, mut feats, offsets), first) in cache.into_iter().zip(&labels) {
            let len = prep.len();
            emit.clear();
            emit.resize(len * n, 0f32);
            let base = feats.len();
            for i in 0..len {
                feats.truncate(base);
                let start = feats.len();
                feats.extend_from_within(offsets[i]..offsets[i + 1]);
                prep.stack_features(i, &stack, first, &self.type_of, &mut feats);
                second.score(&feats[start..], n, &mut acc, &mut emit[i * n..i * n + n]);
            }
            out.push(viterbi(&emit, n, &second.trans, &self.allowed));
        }
        out
    }

    /// Tags the sentences of one document with IOB2 labels.
    pub fn tag_document<S: AsRef<str>>(&self, sentences: &[Vec<S>]) -> Vec<Vec<&str>> {
        self.tag_document_indices(sentences)
            .into_iter()
            .map(|s| s.into_iter().map(|t| self.tags[t].as_str()).collect())
            .collect()
    }

    /// Serialises the model.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        section(&mut out, b"META", |p| {
            put_str(p, &self.lang);
            put_str(p, &self.description);
        });
        section(&mut out, b"TAGS", |p| {
            put_u32(p, self.tags.len() as u32);
            self.tags.iter().for_each(|t| put_str(p, t));
        });
        let n = self.tags.len();
        write_stage(&mut out, b"TRAN", b"FEAT", &self.first, n);
        if let Some(second) = &self.second {
            write_stage(&mut out, b"TRA2", b"FEA2", second, n);
        }
        if let Some(g) = &self.gaz {
            section(&mut out, b"GAZT", |p| {
                put_u32(p, g.types.len() as u32);
                g.types.iter().for_each(|t| put_str(p, t));
                put_u32(p, g.entries.len() as u32);
                g.entries.iter().for_each(|&(k, _)| put_u32(p, k));
                g.entries.iter().for_each(|&(_, m)| p.push(m));
            });
        }
        if let Some(c) = &self.clusters {
            section(&mut out, b"CLUS", |p| {
                put_u32(p, c.entries.len() as u32);
                c.entries.iter().for_each(|&(k, v)| {
                    put_u32(p, k);
                    put_u32(p, v);
                });
            });
        }
        out
    }

    /// Loads a model from its bytes: the only fallible operation of the tagger.
    pub fn from_bytes(bytes: &[u8]) -> Result<Tagger, ModelError> {
        if bytes.len() < 8 || &bytes[..8] != MAGIC {
            return err("not a kroniek NER model (bad magic number)");
        }
        let mut r = Reader { b: bytes, pos: 8 };
        let (mut lang, mut description, mut tags) = (String::new(), String::new(), Vec::new());
        let (mut gaz, mut clusters) = (None, None);
        let (mut trans, mut trans2) = (Vec::new(), Vec::new());
        let (mut first, mut second) = (None, None);
        while r.pos < bytes.len() {
            let tag: [u8; 4] = r
                .take(4)?
                .try_into()
                .map_err(|_| ModelError("short section tag".into()))?;
            let len = r.u32()? as usize;
            let mut s = Reader {
                b: r.take(len)?,
                pos: 0,
            };
            match &tag {
                b"META" => {
                    lang = s.str()?;
                    description = s.str()?;
                }
                b"TAGS" => {
                    let n = s.u32()? as usize;
                    if n == 0 || n > 16 {
                        return err(format!("{n} tags (1 to 16 supported)"));
                    }
                    tags = (0..n).map(|_| s.str()).collect::<Result<_, _>>()?;
                }
                b"TRAN" | b"TRA2" => {
                    let t = (0..len / 4)
                        .map(|_| s.f32())
                        .collect::<Result<Vec<_>, _>>()?;
                    if &tag == b"TRAN" {
                        trans = t;
                    } else {
                        trans2 = t;
                    }
                }
                b"FEAT" | b"FEA2" => {
                    let n = tags.len();
                    if n == 0 {
                        return err("FEAT before TAGS");
                    }
                    let scale = s.f32()?;
                    let count = s.u32()? as usize;
                    let mut keys = Vec::with_capacity(count.min(len / 6));
                    let mut weights = Vec::with_capacity(count.min(len / 6) * n);
                    for _ in 0..count {
                        keys.push(s.u32()?);
                        let mask = u16::from_le_bytes(s.take(2)?.try_into().unwrap_or_default());
                        for t in 0..n {
                            weights.push(if mask & (1 << t) != 0 {
                                i16::from_le_bytes(s.take(2)?.try_into().unwrap_or_default())
                            } else {
                                0
                            });
                        }
                    }
                    if &tag == b"FEAT" {
                        first = Some((scale, keys, weights));
                    } else {
                        second = Some((scale, keys, weights));
                    }
                }
                b"GAZT" => {
                    let nt = s.u32()? as usize;
                    if nt > 8 {
                        return err("more than 8 gazetteer types");
                    }
                    let types = (0..nt).map(|_| s.str()).collect::<Result<_, _>>()?;
                    let n = s.u32()? as usize;
                    let ks: Vec<u32> = (0..n).map(|_| s.u32()).collect::<Result<_, _>>()?;
                    let ms = s.take(n)?;
                    gaz = Some(Gazetteer::from_parts(
                        types,
                        ks.into_iter().zip(ms.iter().copied()).collect(),
                    ));
                }
                b"CLUS" => {
                    let n = s.u32()? as usize;
                    let mut e = Vec::with_capacity(n.min(len / 8));
                    for _ in 0..n {
                        e.push((s.u32()?, s.u32()?));
                    }
                    clusters = Some(Clusters::from_parts(e));
                }
                _ => {}
            }
        }
        let n = tags.len();
        let Some((scale, keys, weights)) = first else {
            return err("missing FEAT section");
        };
        if n == 0 || trans.len() != (n + 1) * n {
            return err("missing TAGS or TRAN section");
        }
        if tags
            .iter()
            .any(|t| t.starts_with("I-") && !tags.contains(&format!("B-{}", &t[2..])))
        {
            return err("an I- tag without its B- tag");
        }
        let second = match second {
            Some((scale, keys, weights)) if trans2.len() == (n + 1) * n => {
                Some(Stage::new(trans2, scale, keys, weights))
            }
            Some(_) => return err("FEA2 without a valid TRA2"),
            None => None,
        };
        Ok(Tagger::from_parts(
            lang,
            description,
            tags,
            Stage::new(trans, scale, keys, weights),
            second,
            gaz,
            clusters,
        ))
    }
}

fn write_stage(out: &mut Vec<u8>, tran: &[u8; 4], feat: &[u8; 4], st: &Stage, n: usize) {
    section(out, tran, |p| {
        st.trans
            .iter()
            .for_each(|x| p.extend_from_slice(&x.to_le_bytes()))
    });
    section(out, feat, |p| {
        p.extend_from_slice(&st.scale.to_le_bytes());
        put_u32(p, st.keys.len() as u32);
        for (i, &k) in st.keys.iter().enumerate() {
            put_u32(p, k);
            let row = &st.weights[i * n..i * n + n];
            let mask = row
                .iter()
                .enumerate()
                .fold(0u16, |m, (t, &w)| m | (u16::from(w != 0) << t));
            p.extend_from_slice(&mask.to_le_bytes());
            row.iter()
                .filter(|&&w| w != 0)
                .for_each(|w| p.extend_from_slice(&w.to_le_bytes()));
        }
    });
}

fn section(out: &mut Vec<u8>, tag: &[u8; 4], f: impl FnOnce(&mut Vec<u8>)) {
    let mut p = Vec::new();
    f(&mut p);
    out.extend_from_slice(tag);
    put_u32(out, p.len() as u32);
    out.extend_from_slice(&p);
}

fn put_u32(p: &mut Vec<u8>, x: u32) {
    p.extend_from_slice(&x.to_le_bytes());
}

fn put_str(p: &mut Vec<u8>, s: &str) {
    put_u32(p, s.len() as u32);
    p.extend_from_slice(s.as_bytes());
}

struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ModelError> {
        if self.b.len() - self.pos < n {
            return err("truncated");
        }
        let s = &self.b[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    fn u32(&mut self) -> Result<u32, ModelError> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().unwrap_or_default(),
        ))
    }
    fn f32(&mut self) -> Result<f32, ModelError> {
        Ok(f32::from_le_bytes(
            self.take(4)?.try_into().unwrap_or_default(),
        ))
    }
    fn str(&mut self) -> Result<String, ModelError> {
        let n = self.u32()? as usize;
        String::from_utf8(self.take(n)?.to_vec())
            .map_err(|_| ModelError("a string is not UTF-8".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viterbi_respects_iob2() {
        let tags: Vec<String> = ["O", "B-PER", "I-PER"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let allowed = allowed_transitions(&tags);
        // Emissions prefer I-PER at the start, which is not allowed.
        let emit = [0.0, 0.5, 1.0, 0.0, 0.0, 1.0];
        let trans = vec![0.0; 12];
        let path = viterbi(&emit, 3, &trans, &allowed);
        assert_eq!(path, [1, 2]);
    }

    /// Viterbi as written before the target blocks: every target, every source in order.
    fn viterbi_plain(emit: &[f32], n: usize, trans: &[f32], allowed: &[bool]) -> Vec<usize> {
        let len = emit.len() / n;
        let mut score = vec![f32::NEG_INFINITY; len * n];
        let mut back = vec![0usize; len * n];
        for c in 0..n {
            if allowed[n * n + c] {
                score[c] = emit[c] + trans[n * n + c];
            }
        }
        for i in 1..len {
            for c in 0..n {
                let (mut best, mut arg) = (f32::NEG_INFINITY, 0);
                for p in 0..n {
                    if allowed[p * n + c] && score[(i - 1) * n + p] + trans[p * n + c] > best {
                        best = score[(i - 1) * n + p] + trans[p * n + c];
                        arg = p;
                    }
                }
                score[i * n + c] = best + emit[i * n + c];
                back[i * n + c] = arg;
            }
        }
        let mut out = vec![0; len];
        for c in 1..n {
            if score[(len - 1) * n + c] > score[(len - 1) * n + out[len - 1]] {
                out[len - 1] = c;
            }
        }
        for i in (1..len).rev() {
            out[i - 1] = back[i * n + out[i]];
        }
        out
    }

    #[test]
    fn viterbi_blocks_decode_as_plain_loop() {
        // 3, 9 and 17 labels (no block, one block and one target alone, two blocks and
        // one alone), coarse values so that ties are common.
        for types in [1, 4, 8] {
            viterbi_blocks_decode_as_plain_loop_with(types);
        }
    }

    fn viterbi_blocks_decode_as_plain_loop_with(types: usize) {
        let tags: Vec<String> = std::iter::once("O".to_string())
            .chain((0..types).flat_map(|t| [format!("B-{t}"), format!("I-{t}")]))
            .collect();
        let n = tags.len();
        let allowed = allowed_transitions(&tags);
        let mut x = 12345u64 + types as u64;
        let mut next = || {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((x >> 60) as f32 - 8.0) * 0.25
        };
        for len in [1, 2, 7, 30] {
            let trans: Vec<f32> = (0..(n + 1) * n).map(|_| next()).collect();
            let emit: Vec<f32> = (0..len * n).map(|_| next()).collect();
            assert_eq!(
                viterbi(&emit, n, &trans, &allowed),
                viterbi_plain(&emit, n, &trans, &allowed)
            );
        }
        // One trellis reused over sentences of different lengths (its buffers kept).
        let trans: Vec<f32> = (0..(n + 1) * n).map(|_| next()).collect();
        let mut trellis = Trellis::new(n, &trans, &allowed);
        for len in [30, 1, 7, 0, 2, 12] {
            let emit: Vec<f32> = (0..len * n).map(|_| next()).collect();
            let plain = if len == 0 {
                Vec::new()
            } else {
                viterbi_plain(&emit, n, &trans, &allowed)
            };
            assert_eq!(trellis.decode(&emit), plain);
        }
    }

    #[test]
    fn word_sums_tag_as_key_by_key() {
        let corpus = include_str!("../../../kroniek-cli/demo/corpus.jsonl");
        let mut checked = 0;
        for (lang, code) in [(crate::Lang::NL, "\"nl\""), (crate::Lang::EN, "\"en\"")] {
            let Some(tagger) = crate::ner::tagger(lang) else {
                continue;
            };
            for line in corpus.lines().filter(|l| l.contains(code)) {
                let text = line.replace("\\n", " ").replace(['"', ','], " , ");
                let toks = crate::text::tokenize(&text, lang);
                let sents = crate::text::sentences(&text, &toks);
                let words: Vec<Vec<&str>> = sents
                    .iter()
                    .map(|s| {
                        toks[s.tokens.clone()]
                            .iter()
                            .map(|t| &text[t.span.range()])
                            .collect()
                    })
                    .collect();
                assert_eq!(
                    tagger.tag_document_indices(&words),
                    tagger.tag_document_reference(&words)
                );
                checked += 1;
            }
        }
        assert!(checked > 0);
    }

    #[test]
    fn bad_bytes_are_an_error() {
        assert!(Tagger::from_bytes(b"").is_err());
        assert!(Tagger::from_bytes(b"KRNKNER1TAGS\xff\xff\xff\xff").is_err());
        assert!(Tagger::from_bytes(b"KRNKNER1").is_err());
    }
}
