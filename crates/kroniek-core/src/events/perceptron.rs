//! An averaged perceptron over hashed string features, with greedy left-to-right decoding
//! of `O`/`B`/`I` event-trigger labels.
//!
//! The model is a text file (`models/<lang>/events.model`, written by
//! `kroniek train events`): a header line, then one line per feature,
//! `<hash as 16 hex digits>\t<weight O>\t<weight B>\t<weight I>`. Features are hashed with
//! 64-bit FNV-1a, so the file holds no text of the training corpus.

use std::collections::HashMap as StdHashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Feature keys are already FNV hashes: the map hashes them with one multiplication
/// instead of SipHash.
#[derive(Default, Clone, Copy)]
pub struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn write_u64(&mut self, k: u64) {
        self.0 = k.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

type HashMap<K, V> = StdHashMap<K, V, BuildHasherDefault<KeyHasher>>;

/// Number of labels: `O`, `B`, `I`.
pub const LABELS: usize = 3;
/// Outside an event.
pub const O: u8 = 0;
/// First token of an event mention.
pub const B: u8 = 1;
/// Continuation of an event mention.
pub const I: u8 = 2;
/// Unknown label (silver data): the token is not learned from.
pub const UNKNOWN: u8 = 255;

const HEADER: &str = "# kroniek events perceptron v1: hash\tO\tB\tI";

/// 64-bit FNV-1a of a feature string.
pub fn hash(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Trained weights.
#[derive(Debug, Clone, Default)]
pub struct Model {
    weights: HashMap<u64, [f32; LABELS]>,
    /// The same weights in a flat table for lookups ([`Model::scores`]).
    table: Table,
}

/// One slot of [`Table`]: a key and its weights in half a cache line.
#[derive(Debug, Clone, Copy, Default)]
#[repr(C, align(32))]
struct Slot {
    key: u64,
    w: [f32; LABELS],
}

/// Open addressing with linear probing; key 0 marks an empty slot, so a feature whose
/// hash is 0 is kept apart. Built once per model: a lookup is one cache miss, and the
/// slots of all features of a token are prefetched before any is probed.
#[derive(Debug, Clone, Default)]
struct Table {
    slots: Vec<Slot>,
    mask: usize,
    zero: Option<[f32; LABELS]>,
}

#[inline]
fn slot_of(k: u64, mask: usize) -> usize {
    (k.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 32) as usize & mask
}

impl Table {
    fn build(weights: &HashMap<u64, [f32; LABELS]>) -> Table {
        let cap = (weights.len() * 2).next_power_of_two().max(16);
        let mask = cap - 1;
        let mut slots = Vec::with_capacity(cap);
        slots.resize(cap, Slot::default());
        let mut zero = None;
        for (&k, &w) in weights {
            if k == 0 {
                zero = Some(w);
                continue;
            }
            let mut h = slot_of(k, mask);
            while slots[h].key != 0 {
                h = (h + 1) & mask;
            }
            slots[h] = Slot { key: k, w };
        }
        Table { slots, mask, zero }
    }

    #[inline]
    fn get(&self, k: u64) -> Option<&[f32; LABELS]> {
        if k == 0 {
            return self.zero.as_ref();
        }
        if self.slots.is_empty() {
            return None;
        }
        let mut h = slot_of(k, self.mask);
        loop {
            let s = &self.slots[h];
            if s.key == k {
                return Some(&s.w);
            }
            if s.key == 0 {
                return None;
            }
            h = (h + 1) & self.mask;
        }
    }

    #[inline(always)]
    fn prefetch(&self, k: u64) {
        #[cfg(target_arch = "x86_64")]
        if let Some(s) = self.slots.get(slot_of(k, self.mask)) {
            // SAFETY: prefetching is only a hint; the address is valid.
            unsafe {
                std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
                    (s as *const Slot).cast::<i8>(),
                );
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = k;
    }
}

impl Model {
    fn new(weights: HashMap<u64, [f32; LABELS]>) -> Model {
        let table = Table::build(&weights);
        Model { weights, table }
    }

    /// Whether the model has no weights (no model file for the language).
    pub fn is_empty(&self) -> bool {
        self.weights.is_empty()
    }

    /// Label scores for a set of features.
    pub fn scores(&self, feats: &[u64]) -> [f32; LABELS] {
        let mut s = [0.0; LABELS];
        for &f in feats {
            self.table.prefetch(f);
        }
        // In feature order, as ever: float sums depend on the order.
        for &f in feats {
            if let Some(w) = self.table.get(f) {
                for (a, b) in s.iter_mut().zip(w) {
                    *a += b;
                }
            }
        }
        s
    }

    /// The best label; `I` only after `B` or `I`.
    pub fn predict(&self, feats: &[u64], prev: u8) -> u8 {
        best(&self.scores(feats), prev)
    }

    /// The weights of one feature, if it has any.
    #[inline]
    pub(crate) fn weights(&self, feature: u64) -> Option<&[f32; LABELS]> {
        self.table.get(feature)
    }

    /// Asks the CPU to fetch the slot of `feature` (a hint: nothing changes).
    #[inline(always)]
    pub(crate) fn prefetch(&self, feature: u64) {
        self.table.prefetch(feature);
    }

    /// Adds `amount` to the weight of `feature` for `label` (used to shift the decision
    /// threshold through the bias feature).
    pub fn shift(&mut self, feature: u64, label: u8, amount: f32) {
        self.weights.entry(feature).or_insert([0.0; LABELS])[label as usize] += amount;
        self.table = Table::build(&self.weights);
    }

    /// Parses a model file; lines that do not parse are skipped.
    pub fn from_text(text: &str) -> Model {
        let mut weights = HashMap::default();
        for line in text.lines() {
            if line.starts_with('#') {
                continue;
            }
            let mut f = line.split('\t');
            let Some(Ok(h)) = f.next().map(|h| u64::from_str_radix(h, 16)) else {
                continue;
            };
            let mut w = [0.0; LABELS];
            for slot in &mut w {
                *slot = f.next().and_then(|x| x.parse().ok()).unwrap_or(0.0);
            }
            weights.insert(h, w);
        }
        Model::new(weights)
    }

    /// Writes the model as text, sorted by hash (deterministic), dropping near-zero weights.
    pub fn to_text(&self) -> String {
        let mut keys: Vec<_> = self
            .weights
            .iter()
            .filter(|(_, w)| w.iter().any(|x| x.abs() >= 0.005))
            .map(|(k, _)| *k)
            .collect();
        keys.sort_unstable();
        let mut out = String::with_capacity(keys.len() * 32);
        out.push_str(HEADER);
        out.push('\n');
        for k in keys {
            let w = self.weights[&k];
            out.push_str(&format!(
                "{k:016x}\t{:.2}\t{:.2}\t{:.2}\n",
                w[0], w[1], w[2]
            ));
        }
        out
    }
}

/// The best label by `scores`; `I` only after `B` or `I`.
pub fn best(scores: &[f32; LABELS], prev: u8) -> u8 {
    let mut best = O;
    for l in [B, I] {
        if l == I && prev == O {
            continue;
        }
        if scores[l as usize] > scores[best as usize] {
            best = l;
        }
    }
    best
}

/// Trains an averaged perceptron. `examples` are sentences: per token its features (which
/// may depend on the previous label through `feats`) and gold label; tokens labelled
/// [`UNKNOWN`] are skipped (and seen as `O` by the next token).
///
/// `feats(sentence, i, prev_label)` returns the features of token `i`. Examples are visited
/// in a fixed pseudo-random order per epoch, so training is deterministic.
pub fn train<S>(
    examples: &[(S, Vec<u8>)],
    epochs: usize,
    feats: impl Fn(&S, usize, u8) -> Vec<u64>,
) -> Model {
    let mut w: HashMap<u64, [f32; LABELS]> = HashMap::default();
    let mut total: HashMap<u64, [f64; LABELS]> = HashMap::default();
    let mut stamp: HashMap<u64, [u64; LABELS]> = HashMap::default();
    let mut t: u64 = 0;
    let mut order: Vec<usize> = (0..examples.len()).collect();
    let mut rng: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..epochs {
        // Fisher–Yates with a fixed LCG.
        for i in (1..order.len()).rev() {
            rng = rng
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            order.swap(i, (rng >> 33) as usize % (i + 1));
        }
        for &e in &order {
            let (sent, gold) = &examples[e];
            let mut prev = O;
            for (i, &g) in gold.iter().enumerate() {
                if g == UNKNOWN {
                    prev = O;
                    continue;
                }
                t += 1;
                let f = feats(sent, i, prev);
                let s = {
                    let mut s = [0.0f32; LABELS];
                    for x in &f {
                        if let Some(ws) = w.get(x) {
                            for (a, b) in s.iter_mut().zip(ws) {
                                *a += b;
                            }
                        }
                    }
                    s
                };
                let mut guess = O;
                for l in [B, I] {
                    if l == I && prev == O {
                        continue;
                    }
                    if s[l as usize] > s[guess as usize] {
                        guess = l;
                    }
                }
                if guess != g {
                    for x in &f {
                        let ws = w.entry(*x).or_insert([0.0; LABELS]);
                        let tot = total.entry(*x).or_insert([0.0; LABELS]);
                        let st = stamp.entry(*x).or_insert([0; LABELS]);
                        for (l, delta) in [(g as usize, 1.0f32), (guess as usize, -1.0f32)] {
                            tot[l] += (t - st[l]) as f64 * f64::from(ws[l]);
                            st[l] = t;
                            ws[l] += delta;
                        }
                    }
                }
                // Teacher forcing: the next token sees the gold previous label.
                prev = g;
            }
        }
    }
    // Average.
    let mut avg = HashMap::with_capacity_and_hasher(w.len(), Default::default());
    for (k, ws) in &w {
        let tot = total.get(k).copied().unwrap_or([0.0; LABELS]);
        let st = stamp.get(k).copied().unwrap_or([0; LABELS]);
        let mut a = [0.0f32; LABELS];
        for l in 0..LABELS {
            let sum = tot[l] + (t - st[l]) as f64 * f64::from(ws[l]);
            a[l] = (sum / t.max(1) as f64) as f32;
        }
        avg.insert(*k, a);
    }
    Model::new(avg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_a_separable_toy_problem_and_round_trips() {
        // Token "x" is an event, anything else is not.
        let data: Vec<(Vec<&str>, Vec<u8>)> = vec![
            (vec!["a", "x", "b"], vec![O, B, O]),
            (vec!["x", "c"], vec![B, O]),
            (vec!["d", "e", "x"], vec![O, O, B]),
        ];
        let feats =
            |s: &Vec<&str>, i: usize, _prev: u8| vec![hash("bias"), hash(&format!("w={}", s[i]))];
        let m = train(&data, 5, feats);
        assert_eq!(m.predict(&feats(&vec!["x"], 0, O), O), B);
        assert_eq!(m.predict(&feats(&vec!["a"], 0, O), O), O);
        let back = Model::from_text(&m.to_text());
        assert_eq!(back.predict(&feats(&vec!["x"], 0, O), O), B);
        assert_eq!(m.to_text(), back.to_text());
    }
}
