//! The averaged perceptron: a sparse trainer, and the compact frozen weights used at run time.
//!
//! Features are 32-bit hashed keys. Each key has a short row of `(class, weight)` pairs:
//! a perceptron only ever updates the gold and the predicted class of a feature, so rows
//! are sparse, which keeps both the model file and scoring small. Frozen weights are the
//! averaged weights quantised to `i16` with one scale per model.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::bytes::{Reader, Writer};
use super::ModelError;

/// A hasher for keys that are already hashes.
#[derive(Default)]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u32(&mut self, v: u32) {
        self.0 = u64::from(v).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
    /// 64-bit keys (the lemmatizer's) are already mixed: used as they are.
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

type IdMap<V> = HashMap<u32, V, BuildHasherDefault<IdHasher>>;

#[derive(Clone, Copy)]
struct Entry {
    class: u16,
    w: f32,
    total: f64,
    stamp: u32,
}

/// Trains an averaged perceptron over hashed features.
pub(crate) struct Trainer {
    nclasses: usize,
    rows: IdMap<Vec<Entry>>,
    now: u32,
}

impl Trainer {
    pub(crate) fn new(nclasses: usize) -> Trainer {
        Trainer {
            nclasses,
            rows: IdMap::default(),
            now: 1,
        }
    }

    /// Counts one training instance (for averaging).
    pub(crate) fn tick(&mut self) {
        self.now += 1;
    }

    /// Adds the current weights of `feats` into `scores`.
    pub(crate) fn score(&self, feats: &[u32], scores: &mut [f32]) {
        scores.iter_mut().for_each(|s| *s = 0.0);
        for f in feats {
            if let Some(row) = self.rows.get(f) {
                for e in row {
                    scores[e.class as usize] += e.w;
                }
            }
        }
    }

    /// Moves the weights of `feats` towards `gold` and away from `guess`.
    pub(crate) fn update(&mut self, feats: &[u32], gold: usize, guess: usize) {
        if gold == guess {
            return;
        }
        let now = self.now;
        for &f in feats {
            let row = self.rows.entry(f).or_default();
            for (class, d) in [(gold, 1.0f32), (guess, -1.0)] {
                match row.iter_mut().find(|e| e.class as usize == class) {
                    Some(e) => {
                        e.total += f64::from(now - e.stamp) * f64::from(e.w);
                        e.stamp = now;
                        e.w += d;
                    }
                    None => row.push(Entry {
                        class: class as u16,
                        w: d,
                        total: 0.0,
                        stamp: now,
                    }),
                }
            }
        }
    }

    /// The averaged weights, quantised, keeping at most `budget` of the largest weights;
    /// the trainer can go on training.
    pub(crate) fn averaged(&self, budget: usize) -> Weights {
        let now = f64::from(self.now);
        let mut rows: Vec<(u32, Vec<(u8, f32)>)> = self
            .rows
            .iter()
            .map(|(&k, row)| {
                let avg = row
                    .iter()
                    .map(|e| {
                        (
                            e.class as u8,
                            ((e.total + f64::from(self.now - e.stamp) * f64::from(e.w)) / now)
                                as f32,
                        )
                    })
                    .collect();
                (k, avg)
            })
            .collect();
        rows.sort_unstable_by_key(|r| r.0);
        let max = rows
            .iter()
            .flat_map(|r| r.1.iter().map(|e| e.1.abs()))
            .fold(0.0f32, f32::max);
        let scale = if max > 0.0 { max / 32767.0 } else { 1.0 };
        // The smallest quantised magnitude kept: as small as the budget allows.
        let mut hist = vec![0usize; 32768];
        for r in &rows {
            for e in &r.1 {
                hist[((e.1.abs() / scale).round() as usize).min(32767)] += 1;
            }
        }
        let mut keep_from = 1usize;
        let mut kept: usize = hist[1..].iter().sum();
        while kept > budget && keep_from < 32767 {
            kept -= hist[keep_from];
            keep_from += 1;
        }
        let keep_from = keep_from as f32;
        let mut keys = Vec::with_capacity(rows.len());
        let mut offsets = vec![0u32];
        let mut classes = Vec::new();
        let mut weights = Vec::new();
        for (k, row) in rows {
            let before = classes.len();
            for (c, w) in row {
                let q = (w / scale).round();
                if q.abs() >= keep_from {
                    classes.push(c);
                    weights.push(q as i16);
                }
            }
            if classes.len() > before {
                keys.push(k);
                offsets.push(classes.len() as u32);
            }
        }
        Weights::build(self.nclasses, scale, keys, offsets, classes, weights)
    }
}

/// Frozen, quantised perceptron weights: an open-addressing table from feature key to a
/// row of `(class, weight)` pairs. Immutable and `Send + Sync`.
///
/// A slot (16 bytes, four to a cache line) holds the key and, for the ~90 % of rows with
/// at most [`INLINE`] entries, the row itself, so scoring such a feature touches one cache
/// line. Longer rows live in `rows` (their length, then `class | weight << 16` words) and
/// the slot holds where they start, marked by the weight `i16::MIN` (never a quantised
/// weight). Rows long enough that adding all classes is cheaper than one entry at a time
/// (the frequent features, which are in the cache anyway) are also kept dense, and summed
/// with vector instructions.
#[derive(Debug, Clone)]
pub(crate) struct Weights {
    nclasses: usize,
    scale: f32,
    mask: usize,
    nfeatures: usize,
    slots: Vec<Slot>,
    rows: Vec<u32>,
    /// Long rows again, dense: `stride` weights each (classes without a weight: 0).
    dense: Vec<i16>,
    stride: usize,
    /// Identifies these weights for per-thread caches of sums (a new one per build;
    /// clones have the same weights, so they share it).
    id: u64,
}

/// [`Weights::add_each`] prefetches this many segments ahead.
const AHEAD: usize = 3;

/// Row entries stored inside a slot.
const INLINE: usize = 4;
/// Marks a slot whose row is in `Weights::rows`.
const OVERFLOW: i16 = i16::MIN;

#[derive(Debug, Clone, Copy, Default)]
#[repr(C, align(16))]
struct Slot {
    /// The feature key; 0: empty.
    key: u32,
    /// Classes of the inline entries (unused entries: class 0 with weight 0), or the
    /// start of the row in `rows` (little-endian) when `w[0]` is [`OVERFLOW`]; then `w[1]`
    /// is 1 if the row is dense too: row number `w[2] | w[3] << 16` of `dense`.
    cls: [u8; INLINE],
    w: [i16; INLINE],
}

/// Marks a dense row's start in the list of rows to sum.
const DENSE: u32 = 1 << 31;

/// Class scores being summed: indexed by a `u8` class, so no bounds checks.
pub(crate) type Acc = [i32; 256];

impl Weights {
    fn build(
        nclasses: usize,
        scale: f32,
        keys: Vec<u32>,
        offsets: Vec<u32>,
        classes: Vec<u8>,
        weights: Vec<i16>,
    ) -> Weights {
        let cap = (keys.len() * 2).next_power_of_two().max(16);
        let mask = cap - 1;
        let mut slots = vec![Slot::default(); cap];
        let mut rows = Vec::new();
        let stride = nclasses.div_ceil(8) * 8;
        let mut dense = Vec::new();
        for (i, &k) in keys.iter().enumerate() {
            let (a, b) = (offsets[i] as usize, offsets[i + 1] as usize);
            let mut slot = Slot {
                key: k,
                ..Slot::default()
            };
            // Inline only rows whose entries can be told from padding and from the marker.
            if b - a <= INLINE && weights[a..b].iter().all(|&w| w != 0 && w != OVERFLOW) {
                slot.cls[..b - a].copy_from_slice(&classes[a..b]);
                slot.w[..b - a].copy_from_slice(&weights[a..b]);
            } else {
                slot.cls = (rows.len() as u32).to_le_bytes();
                slot.w[0] = OVERFLOW;
                let mut seen = [false; 256];
                let distinct = classes[a..b]
                    .iter()
                    .all(|&c| !std::mem::replace(&mut seen[usize::from(c)], true));
                if (b - a) * 8 >= stride && distinct {
                    let at = dense.len() / stride;
                    slot.w[1] = 1;
                    slot.w[2] = (at & 0xffff) as u16 as i16;
                    slot.w[3] = (at >> 16) as u16 as i16;
                    dense.resize(dense.len() + stride, 0i16);
                    let row = &mut dense[at * stride..];
                    for (&c, &w) in classes[a..b].iter().zip(&weights[a..b]) {
                        row[usize::from(c)] += w;
                    }
                }
                rows.push((b - a) as u32);
                rows.extend(
                    classes[a..b]
                        .iter()
                        .zip(&weights[a..b])
                        .map(|(&c, &w)| u32::from(c) | u32::from(w as u16) << 16),
                );
            }
            let mut h = slot_of(k) & mask;
            while slots[h].key != 0 {
                h = (h + 1) & mask;
            }
            slots[h] = slot;
        }
        Weights {
            nclasses,
            scale,
            mask,
            nfeatures: keys.len(),
            slots,
            rows,
            dense,
            stride,
            id: {
                static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
                NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            },
        }
    }

    /// See [`Weights::id`](Weights).
    pub(crate) fn id(&self) -> u64 {
        self.id
    }

    /// Number of classes.
    pub(crate) fn nclasses(&self) -> usize {
        self.nclasses
    }

    /// Number of features with a non-zero weight.
    pub(crate) fn nfeatures(&self) -> usize {
        self.nfeatures
    }

    /// The row of a slot, in file order: `(class, weight)` pairs.
    fn row(&self, s: &Slot) -> Vec<(u8, i16)> {
        if s.w[0] == OVERFLOW {
            let start = u32::from_le_bytes(s.cls) as usize;
            let len = self.rows[start] as usize;
            self.rows[start + 1..start + 1 + len]
                .iter()
                .map(|&e| ((e & 0xff) as u8, (e >> 16) as u16 as i16))
                .collect()
        } else {
            s.cls
                .iter()
                .zip(&s.w)
                .filter(|e| *e.1 != 0)
                .map(|(&c, &w)| (c, w))
                .collect()
        }
    }

    /// Sets `scores` to the sum of the weights of `feats` (in units of the model's scale).
    #[cfg(test)]
    pub(crate) fn score(&self, feats: &[u32], scores: &mut [i32]) {
        let mut acc = [0i32; 256];
        self.add(feats, &mut acc);
        scores.copy_from_slice(&acc[..scores.len()]);
    }

    /// Adds the weights of `feats` to `acc` (integer sums: the order does not matter).
    ///
    /// Memory-bound: the table is far larger than the caches. So all slots are prefetched
    /// first, then probed (inline rows summed at once), then the few long rows prefetched
    /// and summed, letting the cache misses of the ~100 features of a parser state overlap.
    pub(crate) fn add(&self, feats: &[u32], acc: &mut Acc) {
        // 32 misses in flight are more than a core keeps; a longer chunk only made zeroing
        // `starts` a `memset` call on every call (most calls have 6 to 30 features).
        const CHUNK: usize = 32;
        let mut starts = [0u32; CHUNK];
        for chunk in feats.chunks(CHUNK) {
            for &f in chunk {
                prefetch(&self.slots[slot_of(f) & self.mask]);
            }
            let mut found = 0;
            for &f in chunk {
                let mut h = slot_of(f) & self.mask;
                loop {
                    let s = &self.slots[h];
                    if s.key == f {
                        if s.w[0] == OVERFLOW {
                            let start = if s.w[1] == 1 {
                                let at = (s.w[2] as u16 as usize | (s.w[3] as u16 as usize) << 16)
                                    * self.stride;
                                for line in (at..at + self.stride).step_by(32) {
                                    prefetch(&self.dense[line]);
                                }
                                // The row's last line, where it ends in a line of its own.
                                prefetch(&self.dense[at + self.stride - 1]);
                                at as u32 | DENSE
                            } else {
                                let start = u32::from_le_bytes(s.cls);
                                prefetch(&self.rows[start as usize]);
                                start
                            };
                            starts[found] = start;
                            found += 1;
                        } else {
                            for j in 0..INLINE {
                                acc[usize::from(s.cls[j])] += i32::from(s.w[j]);
                            }
                        }
                        break;
                    }
                    if s.key == 0 {
                        break;
                    }
                    h = (h + 1) & self.mask;
                }
            }
            for &start in &starts[..found] {
                if start & DENSE != 0 {
                    let at = (start & !DENSE) as usize;
                    let row = &self.dense[at..at + self.stride];
                    for (a, &x) in acc.iter_mut().zip(row) {
                        *a += i32::from(x);
                    }
                    continue;
                }
                let start = start as usize;
                let len = self.rows[start] as usize;
                for &e in &self.rows[start + 1..start + 1 + len] {
                    acc[(e & 0xff) as usize] += i32::from((e >> 16) as u16 as i16);
                }
            }
        }
    }

    /// Asks the processor to start loading the slots of `feats` (a hint: sums are
    /// unchanged), for callers that know their features before they can sum them.
    pub(crate) fn prefetch(&self, feats: &[u32]) {
        for &f in feats {
            prefetch(&self.slots[slot_of(f) & self.mask]);
        }
    }

    /// For each segment `k` of `feats` (ending at `ends[k]`), adds its weights to
    /// `out[k * nclasses..][..nclasses]`. The slots of the segment [`AHEAD`] further on
    /// are prefetched while this one is probed, so the cache misses of neighbouring
    /// segments overlap too.
    pub(crate) fn add_each(&self, feats: &[u32], ends: &[usize], out: &mut [i32]) {
        let nc = self.nclasses;
        let mut acc: Acc = [0; 256];
        let mut start = 0;
        let segment = |k: usize| match k {
            0 => &feats[..ends.first().map_or(0, |&e| e)],
            _ => ends.get(k).map_or(&[][..], |&e| &feats[ends[k - 1]..e]),
        };
        for k in 1..AHEAD.min(ends.len()) {
            self.prefetch(segment(k));
        }
        for (k, &end) in ends.iter().enumerate() {
            self.prefetch(segment(k + AHEAD));
            acc[..nc].fill(0);
            self.add(&feats[start..end], &mut acc);
            out[k * nc..k * nc + nc].copy_from_slice(&acc[..nc]);
            start = end;
        }
    }

    pub(crate) fn write(&self, w: &mut Writer) {
        let mut features: Vec<(u32, Vec<(u8, i16)>)> = self
            .slots
            .iter()
            .filter(|s| s.key != 0)
            .map(|s| (s.key, self.row(s)))
            .collect();
        features.sort_unstable_by_key(|f| f.0);
        w.u32(self.nclasses as u32);
        w.f32(self.scale);
        w.u32(features.len() as u32);
        let mut total = 0u32;
        for (k, row) in &features {
            w.u32(*k);
            w.u8(row.len() as u8);
            total += row.len() as u32;
        }
        w.u32(total);
        for (_, row) in &features {
            for &(c, _) in row {
                w.u8(c);
            }
        }
        for (_, row) in &features {
            for &(_, x) in row {
                w.i16(x);
            }
        }
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Weights, ModelError> {
        let nclasses = r.u32()? as usize;
        if nclasses > 256 {
            return Err(ModelError::Corrupt("too many classes"));
        }
        let scale = r.f32()?;
        let n = r.u32()? as usize;
        let raw = r.take(n.checked_mul(5).ok_or(ModelError::Truncated)?)?;
        let mut keys = Vec::with_capacity(n);
        let mut offsets = Vec::with_capacity(n + 1);
        offsets.push(0u32);
        let mut total = 0u32;
        for chunk in raw.chunks_exact(5) {
            keys.push(u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]));
            total += u32::from(chunk[4]);
            offsets.push(total);
        }
        if keys.contains(&0) {
            return Err(ModelError::Corrupt("zero feature key"));
        }
        let m = r.u32()? as usize;
        if m != total as usize {
            return Err(ModelError::Corrupt("weight count"));
        }
        let classes = r.take(m)?.to_vec();
        if classes.iter().any(|&c| c as usize >= nclasses) {
            return Err(ModelError::Corrupt("class out of range"));
        }
        let weights = r
            .take(m * 2)?
            .chunks_exact(2)
            .map(|c| i16::from_le_bytes([c[0], c[1]]))
            .collect();
        Ok(Weights::build(
            nclasses, scale, keys, offsets, classes, weights,
        ))
    }
}

/// Asks the processor to start loading `x` into the cache.
#[inline(always)]
fn prefetch<T>(x: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: prefetching is only a hint; any address is allowed, and this one is valid.
    #[allow(unused_unsafe)]
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
            (x as *const T).cast::<i8>(),
        );
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = x;
}

#[inline]
fn slot_of(k: u32) -> usize {
    (k.wrapping_mul(0x9e37_79b1) ^ (k >> 16)) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_a_separable_problem_and_round_trips() {
        let mut t = Trainer::new(3);
        let data: &[(&[u32], usize)] = &[(&[1, 2], 0), (&[1, 3], 1), (&[1, 4], 2), (&[5, 2], 0)];
        let mut scores = [0.0f32; 3];
        for _ in 0..5 {
            for (f, gold) in data {
                t.tick();
                t.score(f, &mut scores);
                let guess = (0..3)
                    .max_by(|&a, &b| scores[a].total_cmp(&scores[b]).then(b.cmp(&a)))
                    .unwrap();
                t.update(f, *gold, guess);
            }
        }
        let w = t.averaged(usize::MAX);
        let mut buf = Writer::default();
        w.write(&mut buf);
        let w2 = Weights::read(&mut Reader::new(&buf.buf)).unwrap();
        let mut s = [0i32; 3];
        for (f, gold) in data {
            w2.score(f, &mut s);
            assert_eq!((0..3).max_by_key(|&c| s[c]).unwrap(), *gold);
        }
    }

    /// Rows of every length (inline, long, with zero or `i16::MIN` weights) score as the
    /// plain sums of their weights, and survive a write and read unchanged.
    #[test]
    fn inline_and_long_rows_score_exactly() {
        let mut rng = crate::syntax::Rng::new(7);
        let nclasses = 60;
        let (mut keys, mut offsets, mut classes, mut weights) =
            (vec![], vec![0u32], vec![], vec![]);
        let mut rows: Vec<Vec<(u8, i16)>> = vec![];
        for i in 0..3000u32 {
            keys.push(i.wrapping_mul(2_654_435_761) | 1);
            let len = (rng.next_u64() % 9) as usize + usize::from(i % 50 == 0) * 40;
            let mut row = vec![];
            for j in 0..len {
                let w = match rng.next_u64() % 20 {
                    0 => 0,
                    1 => i16::MIN,
                    2 => i16::MAX,
                    r => (rng.next_u64() % 2000) as i16 - 1000 + r as i16,
                };
                // Mostly distinct classes; some rows repeat one (never dense then).
                let c = if i % 97 == 0 {
                    i as usize
                } else {
                    j * 7 + i as usize
                };
                row.push(((c % nclasses) as u8, w));
            }
            for &(c, w) in &row {
                classes.push(c);
                weights.push(w);
            }
            offsets.push(classes.len() as u32);
            rows.push(row);
        }
        let w = Weights::build(nclasses, 1.0, keys.clone(), offsets, classes, weights);
        let mut buf = Writer::default();
        w.write(&mut buf);
        let w2 = Weights::read(&mut Reader::new(&buf.buf)).unwrap();
        let mut buf2 = Writer::default();
        w2.write(&mut buf2);
        assert_eq!(buf.buf, buf2.buf);
        for t in 0..200usize {
            // Some features repeat, some are unknown.
            let feats: Vec<u32> = (0..150)
                .map(|j| match rng.next_u64() % 10 {
                    0 => 0xdead_0000 + j,
                    _ => keys[(rng.next_u64() % 3000) as usize],
                })
                .collect();
            let mut want = vec![0i32; nclasses];
            for f in &feats {
                if let Some(i) = keys.iter().position(|k| k == f) {
                    for &(c, x) in &rows[i] {
                        want[c as usize] += i32::from(x);
                    }
                }
            }
            let mut got = vec![0i32; nclasses];
            [&w, &w2][t % 2].score(&feats, &mut got);
            assert_eq!(got, want);
        }
    }
}
