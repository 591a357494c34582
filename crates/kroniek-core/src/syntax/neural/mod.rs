//! A graph-based neural dependency parser (Dozat & Manning 2017, "deep biaffine", scaled
//! down for a CPU): token vectors from word, affix, shape and tag embeddings; an encoder of
//! dilated 1-D convolutions with residual connections; biaffine arc scores (plus a learnt
//! bias per signed distance) and biaffine label scores; heads by Chu-Liu-Edmonds (one root
//! dependent), labels by argmax given the head. Pure computation: no I/O, no threads.
//!
//! All parameters live in one flat `f32` vector (blocks at fixed offsets), so Adam, the
//! gradient check and the model file treat them alike. Backpropagation is written by hand;
//! `tests.rs` checks every block against finite differences.

mod mst;
mod q16;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

use super::bytes::{Reader, Writer};
use super::{ModelError, Rng};

const MAGIC: &[u8] = b"KRNKNEU1";
/// The same with a BiLSTM width after the dilations.
const MAGIC_LSTM: &[u8] = b"KRNKNEU2";
/// Tag codes are bytes; one more index for the root token.
const NTAGS: usize = 257;
const ROOT_TAG: usize = 256;
/// Shape classes (`shape`), the last one for the root token.
const NSHAPES: usize = 8;
const ROOT_SHAPE: usize = 7;
/// Word ids 0 and 1: unknown, root.
const UNK: u32 = 0;
const ROOT_WORD: u32 = 1;
/// Distance buckets (`distance_bucket`).
const NDIST: usize = 27;
const LEAK: f32 = 0.1;
/// Affixes per word: prefixes and suffixes of 1 to 3 characters.
const NAFFIX: usize = 6;

/// Float buffers reused across batches on a thread: parsing takes its matrices from here
/// and gives them back, so a batch allocates (and the kernel zeroes pages) only while the
/// buffers still grow. The values are the same as with fresh vectors (every buffer is
/// cleared and filled as a fresh one would be).
mod pool {
    use std::cell::RefCell;

    /// At most this many buffers are kept per thread.
    const KEEP: usize = 48;

    thread_local! {
        static FREE: RefCell<Vec<Vec<f32>>> = const { RefCell::new(Vec::new()) };
        static FREE64: RefCell<Vec<f64>> = const { RefCell::new(Vec::new()) };
    }

    /// An empty vector with room for `n` floats.
    pub(super) fn with_capacity(n: usize) -> Vec<f32> {
        let mut v = FREE.with(|f| f.borrow_mut().pop()).unwrap_or_default();
        v.clear();
        v.reserve(n);
        v
    }

    /// `n` zeros.
    pub(super) fn zeros(n: usize) -> Vec<f32> {
        let mut v = with_capacity(n);
        v.resize(n, 0.0);
        v
    }

    /// `n` floats to be overwritten: whatever a reused buffer held (zeros where it grew),
    /// so no zeroing for values that are all written before they are read.
    pub(super) fn scratch(n: usize) -> Vec<f32> {
        // The shortest buffer that holds `n` already (else the longest): no zeros to write.
        let mut v = FREE
            .with(|f| {
                let mut f = f.borrow_mut();
                let best = (0..f.len()).min_by_key(|&i| {
                    let l = f[i].len();
                    if l >= n {
                        (0, l)
                    } else {
                        (1, usize::MAX - l)
                    }
                });
                best.map(|i| f.swap_remove(i))
            })
            .unwrap_or_default();
        v.truncate(n);
        v.resize(n, 0.0);
        v
    }

    /// Gives a buffer back for reuse.
    pub(super) fn give(v: Vec<f32>) {
        if v.capacity() == 0 {
            return;
        }
        FREE.with(|f| {
            let mut f = f.borrow_mut();
            if f.len() < KEEP {
                f.push(v);
            }
        });
    }

    /// The thread's `f64` buffer (taken out: give it back with [`give64`]), `n` times `x`.
    pub(super) fn filled64(n: usize, x: f64) -> Vec<f64> {
        let mut v = FREE64.with(|f| std::mem::take(&mut *f.borrow_mut()));
        v.clear();
        v.resize(n, x);
        v
    }

    pub(super) fn give64(v: Vec<f64>) {
        FREE64.with(|f| *f.borrow_mut() = v);
    }
}

/// Per thread, the network input of each distinct word form ([`NeuralParser::form_input`]:
/// the vocabulary look-up of its lower-cased key, its affix hashes and its shape), for the
/// last few parsers used: words repeat, and a look-up of the form is cheaper than building
/// the key, looking it up and hashing six affixes. A pure function of the parser and the
/// form, so results never depend on it.
mod forms {
    use std::cell::RefCell;
    use std::sync::atomic::{AtomicU64, Ordering};

    use crate::fasthash::FastMap;

    /// What a form gives the network.
    #[derive(Clone, Copy)]
    pub(super) struct Entry {
        pub(super) word: u32,
        pub(super) affix: [u32; super::NAFFIX],
        pub(super) shape: u8,
    }

    /// The entries of one parser.
    pub(super) struct Cache {
        owner: u64,
        index: FastMap<Box<str>, Entry>,
    }

    /// At most this many forms per parser (about 1 MB), then the cache is emptied.
    const CAPACITY: usize = 16_384;

    thread_local! {
        static CACHES: RefCell<Vec<Cache>> = const { RefCell::new(Vec::new()) };
    }

    /// A new parser's [`super::NeuralParser::id`].
    pub(super) fn next_id() -> u64 {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        NEXT.fetch_add(1, Ordering::Relaxed)
    }

    impl Cache {
        /// The entry of `form`, made by `make` if the form is new.
        #[inline]
        pub(super) fn entry(&mut self, form: &str, make: impl FnOnce() -> Entry) -> Entry {
            if let Some(e) = self.index.get(form) {
                return *e;
            }
            let e = make();
            self.index.insert(form.into(), e);
            e
        }
    }

    /// Runs `f` with this thread's cache for parser `owner`, with room for `n` new forms.
    pub(super) fn with<R>(owner: u64, n: usize, f: impl FnOnce(&mut Cache) -> R) -> R {
        CACHES.with(|cell| {
            let mut caches = cell.borrow_mut();
            let at = match caches.iter().position(|c| c.owner == owner) {
                Some(at) => at,
                None => {
                    // One parser per language in practice.
                    if caches.len() >= 4 {
                        caches.remove(0);
                    }
                    caches.push(Cache {
                        owner,
                        index: FastMap::default(),
                    });
                    caches.len() - 1
                }
            };
            let cache = &mut caches[at];
            if cache.index.len() + n > CAPACITY {
                cache.index.clear();
            }
            f(cache)
        })
    }
}

/// Sizes of the network.
#[derive(Debug, Clone, PartialEq)]
pub struct NeuralConfig {
    /// Word embedding size.
    pub word_dim: usize,
    /// Tag-code embedding size.
    pub tag_dim: usize,
    /// Affix embedding size (prefixes and suffixes of 1-3 characters, summed).
    pub affix_dim: usize,
    /// Shape (capitalisation, digits, punctuation) embedding size.
    pub shape_dim: usize,
    /// Hash buckets of the affixes.
    pub affix_buckets: usize,
    /// Width of the encoder's layers.
    pub hidden: usize,
    /// One convolution layer (window 3) per entry, with this dilation.
    pub dilations: Vec<usize>,
    /// Width of the arc MLPs (dependent and head).
    pub arc_dim: usize,
    /// Width of the label MLPs.
    pub label_dim: usize,
    /// Width per direction of a BiLSTM over the convolutions' output (0: none).
    pub lstm: usize,
}

impl Default for NeuralConfig {
    fn default() -> NeuralConfig {
        NeuralConfig {
            word_dim: 100,
            tag_dim: 32,
            affix_dim: 50,
            shape_dim: 8,
            affix_buckets: 30_000,
            hidden: 256,
            dilations: vec![1, 2, 4, 8, 1],
            arc_dim: 256,
            label_dim: 64,
            lstm: 0,
        }
    }
}

/// Training options.
#[derive(Debug, Clone)]
pub struct NeuralOptions {
    /// Network sizes.
    pub config: NeuralConfig,
    /// Passes over the training data.
    pub epochs: usize,
    /// Tokens per minibatch (whole sentences).
    pub batch_tokens: usize,
    /// Adam step size.
    pub learning_rate: f32,
    /// Dropout on the token vectors and on each encoder layer's output.
    pub dropout: f32,
    /// Word dropout: a word seen `c` times is shown as unknown with `alpha / (alpha + c)`.
    pub word_dropout: f32,
    /// Seed of initialisation, shuffling and dropout.
    pub seed: u64,
    /// Free text stored in the model.
    pub description: String,
}

impl Default for NeuralOptions {
    fn default() -> NeuralOptions {
        NeuralOptions {
            config: NeuralConfig::default(),
            epochs: 10,
            batch_tokens: 1000,
            learning_rate: 2e-3,
            dropout: 0.25,
            word_dropout: 0.25,
            seed: 1,
            description: String::new(),
        }
    }
}

/// A training or evaluation sentence: forms, tag codes (as the parser will see them),
/// gold heads (1-based, 0 = root) and labels.
#[derive(Debug, Clone)]
pub struct NeuralSentence {
    /// Word forms.
    pub forms: Vec<String>,
    /// Tag codes (UPOS index, fine subclass bits).
    pub tags: Vec<u8>,
    /// Gold heads, 1-based, 0 for the root.
    pub heads: Vec<u32>,
    /// Gold labels.
    pub labels: Vec<String>,
}

/// Parameter block offsets.
#[derive(Debug, Clone)]
struct Layout {
    ew: Range<usize>,
    et: Range<usize>,
    ea: Range<usize>,
    ec: Range<usize>,
    /// Per layer: three kernels (offsets -d, 0, +d) and a bias.
    conv: Vec<([Range<usize>; 3], Range<usize>, usize)>,
    wad: Range<usize>,
    bad: Range<usize>,
    wah: Range<usize>,
    bah: Range<usize>,
    uarc: Range<usize>,
    varc: Range<usize>,
    dist: Range<usize>,
    wld: Range<usize>,
    bld: Range<usize>,
    wlh: Range<usize>,
    blh: Range<usize>,
    ulab: Range<usize>,
    vd: Range<usize>,
    vh: Range<usize>,
    blab: Range<usize>,
    /// Per LSTM direction: input weights, recurrent weights, bias (gates i, f, g, o).
    lstm: Vec<(Range<usize>, Range<usize>, Range<usize>)>,
    total: usize,
}

impl Layout {
    fn new(c: &NeuralConfig, nwords: usize, nlabels: usize) -> Layout {
        let mut at = 0;
        let mut take = |n: usize| {
            let r = at..at + n;
            at += n;
            r
        };
        let ew = take(nwords * c.word_dim);
        let et = take(NTAGS * c.tag_dim);
        let ea = take(c.affix_buckets * c.affix_dim);
        let ec = take(NSHAPES * c.shape_dim);
        let mut conv = Vec::new();
        let mut din = c.input_dim();
        for &d in &c.dilations {
            let k = [
                take(din * c.hidden),
                take(din * c.hidden),
                take(din * c.hidden),
            ];
            conv.push((k, take(c.hidden), d.max(1)));
            din = c.hidden;
        }
        let (h, a, b, l) = (c.enc_dim(), c.arc_dim, c.label_dim, nlabels);
        Layout {
            ew,
            et,
            ea,
            ec,
            conv,
            wad: take(h * a),
            bad: take(a),
            wah: take(h * a),
            bah: take(a),
            uarc: take(a * a),
            varc: take(a),
            dist: take(NDIST),
            wld: take(h * b),
            bld: take(b),
            wlh: take(h * b),
            blh: take(b),
            ulab: take(b * l * b),
            vd: take(b * l),
            vh: take(b * l),
            blab: take(l),
            lstm: if c.lstm > 0 {
                let (k, din) = (c.lstm, c.conv_dim());
                (0..2)
                    .map(|_| (take(din * 4 * k), take(k * 4 * k), take(4 * k)))
                    .collect()
            } else {
                Vec::new()
            },
            total: at,
        }
    }
}

impl NeuralConfig {
    fn input_dim(&self) -> usize {
        self.word_dim + self.tag_dim + self.affix_dim + self.shape_dim
    }
    fn conv_dim(&self) -> usize {
        if self.dilations.is_empty() {
            self.input_dim()
        } else {
            self.hidden
        }
    }
    fn enc_dim(&self) -> usize {
        if self.lstm > 0 {
            2 * self.lstm
        } else if self.dilations.is_empty() {
            self.input_dim()
        } else {
            self.hidden
        }
    }
}

/// A trained neural parser. Immutable, `Send + Sync`.
pub struct NeuralParser {
    cfg: NeuralConfig,
    info: &'static str,
    labels: Vec<&'static str>,
    root_label: usize,
    vocab: crate::fasthash::FastMap<&'static str, u32>,
    layout: Layout,
    params: Vec<f32>,
    /// Tables computed from `params` for parsing, on first use; only where the parameters
    /// are fixed (a loaded model: `Some`; `None` while training).
    derived: Option<OnceLock<Derived>>,
    /// Parse with 16-bit integer products and precomputed first-layer tables
    /// ([`QTables`]): the fast pipeline parser; other floats than the plain products.
    integer: bool,
    /// Which parser a thread's [`forms::Cache`] holds the inputs of (unique per value made;
    /// the inputs depend on `vocab` and `cfg.affix_buckets`, which never change after).
    id: u64,
}

/// What [`NeuralParser::derived`] keeps.
struct Derived {
    /// [`NeuralParser::ulab_by_position`].
    ulab_t: Vec<f32>,
    /// Per vocabulary entry and kernel of the first convolution layer (`[word][kernel]
    /// [hidden]`), the word embedding's part of the layer's product: the fused
    /// multiply-add chain over the embedding's positions, which the input vector starts
    /// with, from zero (`gemm` continues it with the rest of the vector, the same chain to
    /// the bit). Empty where `gemm` does not use `fma` for that layer.
    conv0: Vec<f32>,
    /// Where the parser parses with integer products: [`QTables`].
    q: Option<QTables>,
}

/// What the fast pipeline parser parses with ([`NeuralParser::use_integer_products`]):
/// the first convolution layer's product (linear in the embeddings) as sums of table rows
/// for the word, tag and shape (per entry and kernel, the embedding's part of the product)
/// and an integer product for the summed affix embeddings (a table per affix bucket would
/// be 4.5 times the embeddings' size: six rows from memory per token cost more than the
/// product), the other big products in 16-bit integers too ([`q16`]).
struct QTables {
    /// `[entry][kernel][hidden]` per input part: words, tags, shapes.
    cw: Vec<f32>,
    ct: Vec<f32>,
    cs: Vec<f32>,
    /// The three kernels' rows for the affix embedding, side by side (affix dim × 3 hidden).
    ca: q16::QMat,
    /// Per LSTM direction: input and recurrent weights.
    lx: Vec<q16::QMat>,
    lh: Vec<q16::QMat>,
    /// The four MLPs side by side (arc dependent, arc head, label dependent, label head),
    /// and their biases.
    mlp: q16::QMat,
    mlp_bias: Vec<f32>,
    uarc: q16::QMat,
    /// [`Derived::ulab_t`] (label dim × label dim · labels) with the dependent's linear
    /// label weights after it (label dim × labels), columns padded to a multiple of 8.
    ulab: q16::QMat,
    /// The head's linear label weights (label dim × labels, padded as `ulab`).
    vh: q16::QMat,
}

impl std::fmt::Debug for NeuralParser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NeuralParser")
            .field("info", &self.info)
            .field("labels", &self.labels.len())
            .field("params", &self.params.len())
            .finish()
    }
}

/// The word as the vocabulary keys it: lower case, digits as 0.
fn word_key(form: &str) -> String {
    let mut key = String::new();
    word_key_into(form, &mut key);
    key
}

/// [`word_key`] written into `key` (cleared first): no allocation once `key` has grown.
fn word_key_into(form: &str, key: &mut String) {
    key.clear();
    if form.is_ascii() {
        key.extend(form.bytes().map(|b| {
            if b.is_ascii_digit() {
                '0'
            } else {
                char::from(b.to_ascii_lowercase())
            }
        }));
        return;
    }
    key.extend(form.chars().flat_map(char::to_lowercase).map(|c| {
        if c.is_ascii_digit() {
            '0'
        } else {
            c
        }
    }));
}

fn shape(form: &str) -> usize {
    let mut chars = form.chars();
    let Some(first) = chars.next() else {
        return 6;
    };
    if form.chars().any(|c| c.is_ascii_digit()) {
        return 3;
    }
    if !form.chars().any(char::is_alphanumeric) {
        return 4;
    }
    let upper = form.chars().filter(|c| c.is_uppercase()).count();
    let letters = form.chars().filter(|c| c.is_alphabetic()).count();
    if upper == 0 {
        if form.contains('-') {
            5
        } else {
            0
        }
    } else if upper == letters && letters > 1 {
        2
    } else if first.is_uppercase() {
        1
    } else {
        5
    }
}

/// The affix buckets of a word key: the hashes of "{k}<{prefix}" and "{k}>{suffix}" for
/// the first and last k = 1..=3 characters, hashed from slices of the key (no strings
/// built; the same bytes as [`affixes_reference`]).
fn affixes(key: &str, buckets: usize) -> [u32; NAFFIX] {
    let mut out = [0u32; NAFFIX];
    // Byte offsets after the first 1..=3 characters and before the last 1..=3.
    let mut ends = [key.len(); 3];
    for (i, (b, c)) in key.char_indices().take(3).enumerate() {
        ends[i] = b + c.len_utf8();
    }
    let mut starts = [0usize; 3];
    for (i, (b, _)) in key.char_indices().rev().take(3).enumerate() {
        starts[i] = b;
    }
    let b = buckets.max(1) as u64;
    for k in 1..=3 {
        let digit = b'0' + k as u8;
        let pre = fnv(&[digit, b'<'], &key.as_bytes()[..ends[k - 1]]);
        out[k - 1] = (super::hash::mix(pre) % b) as u32;
        let suf = fnv(&[digit, b'>'], &key.as_bytes()[starts[k - 1]..]);
        out[k + 2] = (super::hash::mix(suf) % b) as u32;
    }
    out
}

/// `hash_str` of the concatenation of `a` and `b` (FNV-1a then mixed).
fn fnv(a: &[u8], b: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &x in a.iter().chain(b) {
        h ^= u64::from(x);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    super::hash::mix(h)
}

/// The affix buckets as first written (strings built per affix): the reference
/// [`affixes`] is tested against.
#[cfg(test)]
fn affixes_reference(key: &str, buckets: usize) -> [u32; NAFFIX] {
    let chars: Vec<char> = key.chars().collect();
    let mut out = [0u32; NAFFIX];
    let n = chars.len();
    let mut buf = String::with_capacity(4 * 3 + 2);
    for k in 1..=3 {
        let take = k.min(n);
        let digit = char::from(b'0' + k as u8);
        buf.clear();
        buf.push(digit);
        buf.push('<');
        buf.extend(&chars[..take]);
        out[k - 1] = bucket_of(&buf, buckets);
        buf.clear();
        buf.push(digit);
        buf.push('>');
        buf.extend(&chars[n - take..]);
        out[k + 2] = bucket_of(&buf, buckets);
    }
    out
}

#[cfg(test)]
fn bucket_of(s: &str, buckets: usize) -> u32 {
    (super::hash::mix(super::hash::hash_str(s)) % buckets.max(1) as u64) as u32
}

/// The clamped log probabilities of heads that the tree search reads (`lp[d * m + h]`,
/// dependent `d` in `1..m`, `lp` filled with minus infinity) from the arc scores (`s`, rows
/// of the dependents `1..m`, `m` heads each).
fn log_probs(s: &[f32], m: usize, lp: &mut [f64]) {
    for d in 1..m {
        let row = &s[(d - 1) * m..d * m];
        let mx = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let z: f32 = row.iter().map(|v| (v - mx).exp()).sum();
        let lz = mx + z.ln();
        for h in 0..m {
            if h != d {
                lp[d * m + h] = ((row[h] - lz) as f64).max(-50.0);
            }
        }
    }
}

/// Signed distance bucket of a head at `h` for a dependent at `d` (positions with the root
/// at 0): 0 for the root, 1..=13 heads to the left (near to far), 14..=26 to the right.
fn distance_bucket(d: usize, h: usize) -> usize {
    if h == 0 {
        return 0;
    }
    let a = d.abs_diff(h);
    let m = if a <= 8 {
        a
    } else {
        (8 + a.ilog2() as usize - 2).min(13)
    };
    if h < d {
        m
    } else {
        13 + m
    }
}

/// A training sentence: input, gold heads, gold label indexes, word dropout rates.
type Example = (Input, Vec<u32>, Vec<u16>, Vec<f32>);

/// One sentence as network input (root token first).
struct Input {
    words: Vec<u32>,
    affix: Vec<[u32; NAFFIX]>,
    shapes: Vec<u8>,
    tags: Vec<u16>,
}

impl Input {
    fn len(&self) -> usize {
        self.words.len()
    }
}

fn lrelu(x: f32) -> f32 {
    if x > 0.0 {
        x
    } else {
        LEAK * x
    }
}

/// `c = a·b + beta·c` for row-major matrices; `at`/`bt`: `a` (m×k) / `b` (k×n) stored
/// transposed.
#[allow(clippy::too_many_arguments)]
fn gemm(
    m: usize,
    k: usize,
    n: usize,
    a: &[f32],
    at: bool,
    b: &[f32],
    bt: bool,
    beta: f32,
    c: &mut [f32],
) {
    if m == 0 || n == 0 {
        return;
    }
    assert!(a.len() >= m * k && b.len() >= k * n && c.len() >= m * n);
    if m == 1 {
        // A row vector times a matrix (one sentence's recurrent step, one dependent): plain
        // loops, without the packing that pays off only for bigger products.
        let c = &mut c[..n];
        if beta == 0.0 {
            c.fill(0.0);
        } else if beta != 1.0 {
            for v in c.iter_mut() {
                *v *= beta;
            }
        }
        if bt {
            for (j, v) in c.iter_mut().enumerate() {
                *v += a[..k]
                    .iter()
                    .zip(&b[j * k..(j + 1) * k])
                    .map(|(x, y)| x * y)
                    .sum::<f32>();
            }
        } else {
            #[cfg(target_arch = "x86_64")]
            if is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU has AVX2.
                unsafe { row_times_matrix_avx2(&a[..k], b, n, c) };
                return;
            }
            row_times_matrix(&a[..k], b, n, c);
        }
        return;
    }
    #[cfg(target_arch = "x86_64")]
    if k <= fma::KC && fma::available() {
        let (rsa, csa) = if at { (1, m) } else { (k, 1) };
        if bt {
            // `b` stored n×k: a row-major copy (small next to the product).
            fma::SCRATCH.with(|t| {
                let mut t = t.borrow_mut();
                t.clear();
                t.resize(k * n, 0.0);
                for (j, col) in b[..k * n].chunks_exact(k.max(1)).enumerate() {
                    for (p, &v) in col.iter().enumerate() {
                        t[p * n + j] = v;
                    }
                }
                // SAFETY: `fma::available` checked the CPU; the asserts above and the
                // copy's size bound every index.
                unsafe { fma::gemm(m, k, n, a.as_ptr(), rsa, csa, t.as_ptr(), beta, c) };
            });
        } else {
            // SAFETY: as above.
            unsafe { fma::gemm(m, k, n, a.as_ptr(), rsa, csa, b.as_ptr(), beta, c) };
        }
        return;
    }
    let (rsa, csa) = if at { (1, m as isize) } else { (k as isize, 1) };
    let (rsb, csb) = if bt { (1, k as isize) } else { (n as isize, 1) };
    // SAFETY: the asserts above bound every index the strides reach.
    unsafe {
        matrixmultiply::sgemm(
            m,
            k,
            n,
            1.0,
            a.as_ptr(),
            rsa,
            csa,
            b.as_ptr(),
            rsb,
            csb,
            beta,
            c.as_mut_ptr(),
            n as isize,
            1,
        );
    }
}

/// `c += a·b` for a row vector `a` and a row-major matrix `b` with `n` columns (zero
/// entries of `a` skipped).
#[inline(always)]
fn row_times_matrix(a: &[f32], b: &[f32], n: usize, c: &mut [f32]) {
    for (p, &x) in a.iter().enumerate() {
        if x != 0.0 {
            for (v, y) in c.iter_mut().zip(&b[p * n..(p + 1) * n]) {
                *v += x * y;
            }
        }
    }
}

/// [`row_times_matrix`] compiled for AVX2 (the same operations: no fused multiply-add).
///
/// # Safety
/// The CPU has AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn row_times_matrix_avx2(a: &[f32], b: &[f32], n: usize, c: &mut [f32]) {
    row_times_matrix(a, b, n, c);
}

/// Products of at least two rows without packing, with exactly the arithmetic of
/// `matrixmultiply`'s FMA kernel (which it picks on CPUs with FMA and AVX2): per element of
/// `c` one fused multiply-add chain over `p = 0..k` from zero, then `c = chain + beta·c`.
/// Same results to the bit, faster for the small products here (no packing of the
/// weights for each LSTM step). Only for `k <= KC` (`matrixmultiply` splits longer sums).
#[cfg(target_arch = "x86_64")]
mod fma {
    use std::arch::x86_64::*;
    use std::cell::RefCell;

    /// `matrixmultiply`'s `S_KC`: sums up to this length are one chain there.
    pub(super) const KC: usize = 256;

    thread_local! {
        /// A transposed right-hand side (`gemm` with `bt`).
        pub(super) static SCRATCH: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
        /// Label products of a few rows (`label_scores_q`).
        pub(super) static SCRATCH_Q: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
    }

    pub(super) fn available() -> bool {
        is_x86_feature_detected!("fma") && is_x86_feature_detected!("avx2")
    }

    /// `c (m×n, row-major) = a·b + beta·c`; `a[i, p]` at `a[i * rsa + p * csa]`, `b`
    /// row-major k×n.
    ///
    /// # Safety
    /// The CPU has FMA and AVX2; `a`, `b` and `c` hold every element addressed.
    #[allow(clippy::too_many_arguments)]
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn gemm(
        m: usize,
        k: usize,
        n: usize,
        a: *const f32,
        rsa: usize,
        csa: usize,
        b: *const f32,
        beta: f32,
        c: &mut [f32],
    ) {
        gemm_init(
            m,
            k,
            n,
            a,
            rsa,
            csa,
            b,
            std::ptr::null(),
            beta,
            c.as_mut_ptr(),
        );
    }

    /// [`gemm`] whose chains start from `init` (m×n, row-major) instead of zero: the
    /// chain of a longer sum `p = 0..k0 + k` continued from its first `k0` terms (null:
    /// from zero).
    ///
    /// # Safety
    /// As [`gemm`]; `init`, unless null, holds m×n values.
    #[allow(clippy::too_many_arguments)]
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn gemm_init(
        m: usize,
        k: usize,
        n: usize,
        a: *const f32,
        rsa: usize,
        csa: usize,
        b: *const f32,
        init: *const f32,
        beta: f32,
        c: *mut f32,
    ) {
        let at = |i: usize| {
            if init.is_null() {
                init
            } else {
                init.add(i * n)
            }
        };
        let mut i = 0;
        while i + 6 <= m {
            rows::<6, 2>(k, n, a.add(i * rsa), rsa, csa, b, at(i), beta, c.add(i * n));
            i += 6;
        }
        let (a, c, init) = (a.add(i * rsa), c.add(i * n), at(i));
        match m - i {
            1 => rows::<1, 8>(k, n, a, rsa, csa, b, init, beta, c),
            2 => rows::<2, 4>(k, n, a, rsa, csa, b, init, beta, c),
            3 => rows::<3, 4>(k, n, a, rsa, csa, b, init, beta, c),
            4 => rows::<4, 3>(k, n, a, rsa, csa, b, init, beta, c),
            5 => rows::<5, 2>(k, n, a, rsa, csa, b, init, beta, c),
            _ => {}
        }
    }

    /// The accumulator a chain of row `r`, columns `j..j + 8`, starts from.
    #[inline(always)]
    unsafe fn start(init: *const f32, r: usize, n: usize, j: usize) -> __m256 {
        if init.is_null() {
            _mm256_setzero_ps()
        } else {
            _mm256_loadu_ps(init.add(r * n + j))
        }
    }

    /// `out[j]` = the chain of fused multiply-adds `a[p]·b[p, j]` over `p = 0..a.len()`
    /// from zero (`b` row-major with `n = out.len()` columns): what [`gemm`] sums before
    /// adding `beta·c`.
    ///
    /// # Safety
    /// The CPU has FMA and AVX2 (the results do not depend on it: `mul_add` is fused).
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn chains(a: &[f32], b: &[f32], n: usize, out: &mut [f32]) {
        out.fill(0.0);
        for (p, &x) in a.iter().enumerate() {
            for (o, &y) in out.iter_mut().zip(&b[p * n..(p + 1) * n]) {
                *o = x.mul_add(y, *o);
            }
        }
    }

    /// [`super::tanh`] of 8 values, the same operations in the same order (`FUSED`: each
    /// multiply-add fused instead, for the fast parser: other floats, fewer instructions).
    #[inline(always)]
    unsafe fn tanh8<const FUSED: bool>(x: __m256) -> __m256 {
        use super::{TANH_CLAMP, TANH_P, TANH_Q};
        let x = _mm256_max_ps(_mm256_set1_ps(-TANH_CLAMP), x);
        let x = _mm256_min_ps(_mm256_set1_ps(TANH_CLAMP), x);
        let x2 = _mm256_mul_ps(x, x);
        // `a - c` is `a + (-c)` to the bit, fused or not.
        let step = |p: __m256, &c: &f32| {
            if FUSED {
                _mm256_fmadd_ps(p, x2, _mm256_set1_ps(c))
            } else {
                _mm256_add_ps(_mm256_mul_ps(p, x2), _mm256_set1_ps(c))
            }
        };
        let p = TANH_P[1..].iter().fold(_mm256_set1_ps(TANH_P[0]), step);
        let q = TANH_Q[1..].iter().fold(_mm256_set1_ps(TANH_Q[0]), step);
        _mm256_div_ps(_mm256_mul_ps(x, p), q)
    }

    /// [`super::sigmoid`] of 8 values.
    #[inline(always)]
    unsafe fn sigmoid8<const FUSED: bool>(x: __m256) -> __m256 {
        let h = _mm256_set1_ps(0.5);
        let t = tanh8::<FUSED>(_mm256_mul_ps(h, x));
        if FUSED {
            _mm256_fmadd_ps(h, t, h)
        } else {
            _mm256_add_ps(h, _mm256_mul_ps(h, t))
        }
    }

    /// The LSTM cell of `lstm_forward` for one row: gates `g` (4k pre-activations, turned
    /// into i, f, g, o), the previous cell (none: zero), the new cell and output.
    ///
    /// # Safety
    /// The CPU has AVX2; `k % 8 == 0`, `g` holds 4k values, the others k.
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn lstm_cell<const FUSED: bool, const KEEP_GATES: bool>(
        g: &mut [f32],
        k: usize,
        prev: Option<&[f32]>,
        cell: &mut [f32],
        out: &mut [f32],
    ) {
        assert!(k.is_multiple_of(8) && g.len() >= 4 * k && cell.len() >= k && out.len() >= k);
        assert!(prev.is_none_or(|p| p.len() >= k));
        let gp = g.as_mut_ptr();
        for j in (0..k).step_by(8) {
            let i = sigmoid8::<FUSED>(_mm256_loadu_ps(gp.add(j)));
            let f = sigmoid8::<FUSED>(_mm256_loadu_ps(gp.add(k + j)));
            let gg = tanh8::<FUSED>(_mm256_loadu_ps(gp.add(2 * k + j)));
            let o = sigmoid8::<FUSED>(_mm256_loadu_ps(gp.add(3 * k + j)));
            if KEEP_GATES {
                _mm256_storeu_ps(gp.add(j), i);
                _mm256_storeu_ps(gp.add(k + j), f);
                _mm256_storeu_ps(gp.add(2 * k + j), gg);
                _mm256_storeu_ps(gp.add(3 * k + j), o);
            }
            let cp = match prev {
                Some(p) => _mm256_loadu_ps(p.as_ptr().add(j)),
                None => _mm256_setzero_ps(),
            };
            let cv = if FUSED {
                _mm256_fmadd_ps(f, cp, _mm256_mul_ps(i, gg))
            } else {
                _mm256_add_ps(_mm256_mul_ps(f, cp), _mm256_mul_ps(i, gg))
            };
            _mm256_storeu_ps(cell.as_mut_ptr().add(j), cv);
            _mm256_storeu_ps(
                out.as_mut_ptr().add(j),
                _mm256_mul_ps(o, tanh8::<FUSED>(cv)),
            );
        }
    }

    #[inline(always)]
    unsafe fn store(ptr: *mut f32, acc: __m256, beta: f32) {
        let cv = if beta == 0.0 {
            _mm256_setzero_ps()
        } else {
            _mm256_mul_ps(_mm256_loadu_ps(ptr), _mm256_set1_ps(beta))
        };
        _mm256_storeu_ps(ptr, _mm256_add_ps(acc, cv));
    }

    /// Columns `j..j + 8V` of `R` rows: `R × V` accumulators, so that a few rows still
    /// keep enough fused multiply-adds in flight (one chain per element either way).
    #[allow(clippy::too_many_arguments, clippy::needless_range_loop)]
    #[inline(always)]
    unsafe fn block<const R: usize, const V: usize>(
        k: usize,
        n: usize,
        a: *const f32,
        rsa: usize,
        csa: usize,
        b: *const f32,
        init: *const f32,
        beta: f32,
        c: *mut f32,
        j: usize,
    ) {
        let mut acc = [[_mm256_setzero_ps(); V]; R];
        for r in 0..R {
            for v in 0..V {
                acc[r][v] = start(init, r, n, j + 8 * v);
            }
        }
        for p in 0..k {
            let bp = b.add(p * n + j);
            let mut bv = [_mm256_setzero_ps(); V];
            for v in 0..V {
                bv[v] = _mm256_loadu_ps(bp.add(8 * v));
            }
            for r in 0..R {
                let av = _mm256_set1_ps(*a.add(r * rsa + p * csa));
                for v in 0..V {
                    acc[r][v] = _mm256_fmadd_ps(av, bv[v], acc[r][v]);
                }
            }
        }
        for r in 0..R {
            for v in 0..V {
                store(c.add(r * n + j + 8 * v), acc[r][v], beta);
            }
        }
    }

    /// `R` rows of [`gemm_init`], `8V` columns at a time.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn rows<const R: usize, const V: usize>(
        k: usize,
        n: usize,
        a: *const f32,
        rsa: usize,
        csa: usize,
        b: *const f32,
        init: *const f32,
        beta: f32,
        c: *mut f32,
    ) {
        let mut j = 0;
        while j + 8 * V <= n {
            block::<R, V>(k, n, a, rsa, csa, b, init, beta, c, j);
            j += 8 * V;
        }
        while j + 8 <= n {
            block::<R, 1>(k, n, a, rsa, csa, b, init, beta, c, j);
            j += 8;
        }
        while j < n {
            for r in 0..R {
                let mut acc = if init.is_null() {
                    0f32
                } else {
                    *init.add(r * n + j)
                };
                for p in 0..k {
                    acc = (*a.add(r * rsa + p * csa)).mul_add(*b.add(p * n + j), acc);
                }
                let cp = c.add(r * n + j);
                let cv = if beta == 0.0 { 0.0 } else { *cp * beta };
                *cp = acc + cv;
            }
            j += 1;
        }
    }
}

/// The fast parser's LSTM cell ([`fma::lstm_cell`] with fused multiply-adds, gates not
/// kept) on 16 values at a time: the same operations on each value, so the same floats.
#[cfg(target_arch = "x86_64")]
mod avx512 {
    use std::arch::x86_64::*;

    pub(super) fn available() -> bool {
        is_x86_feature_detected!("avx512f")
    }

    /// `fma::tanh8::<true>` on 16 values.
    #[inline(always)]
    unsafe fn tanh16(x: __m512) -> __m512 {
        use super::{TANH_CLAMP, TANH_P, TANH_Q};
        let x = _mm512_max_ps(_mm512_set1_ps(-TANH_CLAMP), x);
        let x = _mm512_min_ps(_mm512_set1_ps(TANH_CLAMP), x);
        let x2 = _mm512_mul_ps(x, x);
        let step = |p: __m512, &c: &f32| _mm512_fmadd_ps(p, x2, _mm512_set1_ps(c));
        let p = TANH_P[1..].iter().fold(_mm512_set1_ps(TANH_P[0]), step);
        let q = TANH_Q[1..].iter().fold(_mm512_set1_ps(TANH_Q[0]), step);
        _mm512_div_ps(_mm512_mul_ps(x, p), q)
    }

    /// `fma::sigmoid8::<true>` on 16 values.
    #[inline(always)]
    unsafe fn sigmoid16(x: __m512) -> __m512 {
        let h = _mm512_set1_ps(0.5);
        _mm512_fmadd_ps(h, tanh16(_mm512_mul_ps(h, x)), h)
    }

    /// `fma::lstm_cell::<true, false>`.
    ///
    /// # Safety
    /// The CPU has AVX-512F; `k % 16 == 0`, `g` holds 4k values, the others k.
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn lstm_cell(
        g: &[f32],
        k: usize,
        prev: Option<&[f32]>,
        cell: &mut [f32],
        out: &mut [f32],
    ) {
        assert!(k.is_multiple_of(16) && g.len() >= 4 * k && cell.len() >= k && out.len() >= k);
        assert!(prev.is_none_or(|p| p.len() >= k));
        let gp = g.as_ptr();
        for j in (0..k).step_by(16) {
            let i = sigmoid16(_mm512_loadu_ps(gp.add(j)));
            let f = sigmoid16(_mm512_loadu_ps(gp.add(k + j)));
            let gg = tanh16(_mm512_loadu_ps(gp.add(2 * k + j)));
            let o = sigmoid16(_mm512_loadu_ps(gp.add(3 * k + j)));
            let cp = match prev {
                Some(p) => _mm512_loadu_ps(p.as_ptr().add(j)),
                None => _mm512_setzero_ps(),
            };
            let cv = _mm512_fmadd_ps(f, cp, _mm512_mul_ps(i, gg));
            _mm512_storeu_ps(cell.as_mut_ptr().add(j), cv);
            _mm512_storeu_ps(out.as_mut_ptr().add(j), _mm512_mul_ps(o, tanh16(cv)));
        }
    }
}

fn sigmoid(x: f32) -> f32 {
    0.5 + 0.5 * tanh(0.5 * x)
}

/// `tanh` as a rational function (Eigen's coefficients; within a few ulp of `f32::tanh`,
/// several times faster than libm's, which took a third of parsing time).
fn tanh(x: f32) -> f32 {
    let x = x.clamp(-TANH_CLAMP, TANH_CLAMP);
    let x2 = x * x;
    let p = TANH_P[1..].iter().fold(TANH_P[0], |p, &c| p * x2 + c);
    let q = TANH_Q[1..].iter().fold(TANH_Q[0], |q, &c| q * x2 + c);
    x * p / q
}

/// Where [`tanh`] is clamped (±1 in `f32` beyond), and the coefficients of its numerator
/// and denominator in `x²`, highest power first; the vector versions use the same.
#[allow(clippy::excessive_precision)]
const TANH_CLAMP: f32 = 7.905_311;
#[allow(clippy::excessive_precision)]
const TANH_P: [f32; 7] = [
    -2.760_768_5e-16,
    2.000_187_9e-13,
    -8.604_671_5e-11,
    5.122_297e-8,
    1.485_722_4e-5,
    6.372_619_3e-4,
    4.893_524_6e-3,
];
#[allow(clippy::excessive_precision)]
const TANH_Q: [f32; 4] = [
    1.198_258_4e-6,
    1.185_347_1e-4,
    2.268_434_6e-3,
    4.893_525_2e-3,
];

/// What the fast parser's label scores are summed from: the bias, per dependent `i` the
/// products `q[i * nq..]` (`ld·U` by position, then `ld·vd`) and `qh[i * npad..]` (`lh·vh`).
struct LabelParts<'a> {
    blab: &'a [f32],
    q: &'a [f32],
    nq: usize,
    qh: &'a [f32],
    npad: usize,
}

/// The label scores (rows of `blab.len()` in `out`) of the dependents whose heads' label
/// vectors `lhs` gives: `bias + qd + qh`, then `+ q[p]·lh[p]` for each position `p` in order.
#[inline(always)]
fn label_sums<'a>(parts: &LabelParts<'_>, lhs: impl Iterator<Item = &'a [f32]>, out: &mut [f32]) {
    let nl = parts.blab.len();
    for ((i, lhr), acc) in lhs.enumerate().zip(out.chunks_exact_mut(nl)) {
        let qi = &parts.q[i * parts.nq..(i + 1) * parts.nq];
        let b = lhr.len();
        let qh = &parts.qh[i * parts.npad..];
        for (((a, &x), &y), &z) in acc.iter_mut().zip(parts.blab).zip(&qi[nl * b..]).zip(qh) {
            *a = x + y + z;
        }
        for (p, &y) in lhr.iter().enumerate() {
            for (a, &x) in acc.iter_mut().zip(&qi[p * nl..(p + 1) * nl]) {
                *a += x * y;
            }
        }
    }
}

/// [`label_sums`] compiled for AVX2: wider vectors for the same separate products and sums
/// (no fused multiply-adds), so the same floats.
///
/// # Safety
/// The CPU has AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn label_sums_avx2<'a>(
    parts: &LabelParts<'_>,
    lhs: impl Iterator<Item = &'a [f32]>,
    out: &mut [f32],
) {
    label_sums(parts, lhs, out);
}

/// Asks the CPU to bring `x` into the cache (a hint: no effect on any value).
#[inline]
fn prefetch(x: &[f32]) {
    #[cfg(target_arch = "x86_64")]
    for line in x.chunks(16) {
        // SAFETY: SSE is part of x86_64; a prefetch reads nothing and never faults.
        unsafe {
            std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
                line.as_ptr().cast::<i8>(),
            )
        };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = x;
}

/// The row of time step `t` of sentence rows `a..e`, read forwards or backwards.
fn lstm_row(a: usize, e: usize, t: usize, backward: bool) -> usize {
    if backward {
        e - 1 - t
    } else {
        a + t
    }
}

/// The sentences of a batch (given by their `starts`, one past the last at the end) that
/// have a word at position `t`: those an LSTM step works on.
fn active_at(starts: &[usize], t: usize) -> Vec<usize> {
    (0..starts.len().saturating_sub(1))
        .filter(|&s| starts[s + 1] - starts[s] > t)
        .collect()
}

/// Row `r` of the cell state to write and row `prev` (the step before) to read, `k`
/// values each, borrowed together.
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
fn cell_rows(
    cell: &mut [f32],
    k: usize,
    r: usize,
    prev: Option<usize>,
) -> (Option<&[f32]>, &mut [f32]) {
    match prev {
        None => (None, &mut cell[r * k..(r + 1) * k]),
        Some(p) if p < r => {
            let (lo, hi) = cell.split_at_mut(r * k);
            (Some(&lo[p * k..(p + 1) * k]), &mut hi[..k])
        }
        Some(p) => {
            let (lo, hi) = cell.split_at_mut(p * k);
            (Some(&hi[..k]), &mut lo[r * k..(r + 1) * k])
        }
    }
}

/// One LSTM direction over every sentence of a batch (rows `starts[s]..starts[s + 1]`),
/// the sentences stepped together: per step one matrix product for all of them (`alone`:
/// one per sentence, the floats of a batch of one sentence). Returns gates (i, f, g, o
/// after their nonlinearity), cells and outputs, each per row.
#[allow(clippy::too_many_arguments)]
fn lstm_forward(
    x: &[f32],
    starts: &[usize],
    backward: bool,
    k: usize,
    din: usize,
    wx: &[f32],
    wh: &[f32],
    b: &[f32],
    alone: bool,
    q: Option<(&q16::QRows, &q16::QMat, &q16::QMat)>,
) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    let rows = *starts.last().unwrap_or(&0);
    let k4 = 4 * k;
    let mut gates = pool::with_capacity(rows * k4);
    for _ in 0..rows {
        gates.extend_from_slice(b);
    }
    let mut qh = q16::QRows::default();
    match q {
        Some((qx, qwx, _)) => q16::gemm(qx, qwx, &mut gates),
        None => gemm(rows, din, k4, x, false, wx, false, 1.0, &mut gates),
    }
    let mut cell = pool::zeros(rows * k);
    let mut out = pool::zeros(rows * k);
    let maxlen = starts.windows(2).map(|w| w[1] - w[0]).max().unwrap_or(0);
    let mut hprev = pool::with_capacity(0);
    let mut rec = pool::with_capacity(0);
    let mut active = Vec::with_capacity(starts.len());
    for t in 0..maxlen {
        active.clear();
        active
            .extend((0..starts.len().saturating_sub(1)).filter(|&s| starts[s + 1] - starts[s] > t));
        if t > 0 {
            hprev.clear();
            for &s in &active {
                let p = lstm_row(starts[s], starts[s + 1], t - 1, backward);
                hprev.extend_from_slice(&out[p * k..(p + 1) * k]);
            }
            rec.clear();
            rec.resize(active.len() * k4, 0.0);
            if let Some((_, _, qwh)) = q {
                qh.fill(&hprev, active.len(), k, k);
                q16::gemm(&qh, qwh, &mut rec);
            } else if alone {
                for (hp, rc) in hprev.chunks_exact(k).zip(rec.chunks_exact_mut(k4)) {
                    gemm(1, k, k4, hp, false, wh, false, 0.0, rc);
                }
            } else {
                gemm(active.len(), k, k4, &hprev, false, wh, false, 0.0, &mut rec);
            }
        }
        for (ai, &s) in active.iter().enumerate() {
            let r = lstm_row(starts[s], starts[s + 1], t, backward);
            let g = &mut gates[r * k4..(r + 1) * k4];
            if t > 0 {
                for (gv, rv) in g.iter_mut().zip(&rec[ai * k4..(ai + 1) * k4]) {
                    *gv += rv;
                }
            }
            let prev_c = if t > 0 {
                let p = lstm_row(starts[s], starts[s + 1], t - 1, backward);
                Some(p)
            } else {
                None
            };
            #[cfg(target_arch = "x86_64")]
            if k.is_multiple_of(8) && fma::available() {
                let (cp, cur) = cell_rows(&mut cell, k, r, prev_c);
                // SAFETY: the CPU has AVX2; every slice holds k (gates: 4k) values.
                unsafe {
                    let o = &mut out[r * k..(r + 1) * k];
                    if q.is_some() {
                        fma::lstm_cell::<true, true>(g, k, cp, cur, o);
                    } else {
                        fma::lstm_cell::<false, true>(g, k, cp, cur, o);
                    }
                }
                continue;
            }
            for j in 0..k {
                let i = sigmoid(g[j]);
                let f = sigmoid(g[k + j]);
                let gg = tanh(g[2 * k + j]);
                let o = sigmoid(g[3 * k + j]);
                g[j] = i;
                g[k + j] = f;
                g[2 * k + j] = gg;
                g[3 * k + j] = o;
                let cp = prev_c.map_or(0.0, |p| cell[p * k + j]);
                let cv = f * cp + i * gg;
                cell[r * k + j] = cv;
                out[r * k + j] = o * tanh(cv);
            }
        }
    }
    pool::give(hprev);
    pool::give(rec);
    (gates, cell, out)
}

/// [`lstm_forward`] with integer products (the fast parser): the outputs are written
/// into columns `col..col + k` of `h` (rows of `2k`: both directions side by side), the
/// recurrent products are quantized from there and added into the gates in place (the
/// same floats as gathering the rows and adding a zeroed product buffer). Only the outputs
/// are kept.
fn lstm_forward_q(
    starts: &[usize],
    backward: bool,
    k: usize,
    b: &[f32],
    (qx, qwx, qwh): (&q16::QRows, &q16::QMat, &q16::QMat),
    h: &mut [f32],
    col: usize,
) {
    let rows = *starts.last().unwrap_or(&0);
    let (k2, k4) = (2 * k, 4 * k);
    // The bias is added as the products are stored (the same floats as adding to it).
    let mut gates = pool::scratch(rows * k4);
    q16::gemm_bias(qx, qwx, b, &mut gates);
    // Every row's cell is written at its step before the next step reads it.
    let mut cell = pool::scratch(rows * k);
    let maxlen = starts.windows(2).map(|w| w[1] - w[0]).max().unwrap_or(0);
    let mut qh = q16::QRows::take();
    let nsent = starts.len().saturating_sub(1);
    // Per active sentence: its row at this step and at the previous one.
    let mut cur = Vec::with_capacity(nsent);
    let mut prev = Vec::with_capacity(nsent);
    let mut hoff = Vec::with_capacity(nsent);
    let mut goff = Vec::with_capacity(nsent);
    for t in 0..maxlen {
        cur.clear();
        prev.clear();
        for s in (0..nsent).filter(|&s| starts[s + 1] - starts[s] > t) {
            cur.push(lstm_row(starts[s], starts[s + 1], t, backward));
            if t > 0 {
                prev.push(lstm_row(starts[s], starts[s + 1], t - 1, backward));
            }
        }
        if t > 0 {
            hoff.clear();
            hoff.extend(prev.iter().map(|&p| p * k2 + col));
            goff.clear();
            goff.extend(cur.iter().map(|&r| r * k4));
            qh.fill_at(h, &hoff, k);
            q16::gemm_add_at(&qh, qwh, &mut gates, &goff);
        }
        for (ai, &r) in cur.iter().enumerate() {
            let g = &mut gates[r * k4..(r + 1) * k4];
            let prev_c = prev.get(ai).copied();
            let o = &mut h[r * k2 + col..r * k2 + col + k];
            #[cfg(target_arch = "x86_64")]
            if k.is_multiple_of(16) && fma::available() && avx512::available() {
                let (cp, cur) = cell_rows(&mut cell, k, r, prev_c);
                // SAFETY: the CPU has AVX-512F; every slice holds k (gates: 4k) values.
                unsafe { avx512::lstm_cell(g, k, cp, cur, o) };
                continue;
            }
            #[cfg(target_arch = "x86_64")]
            if k.is_multiple_of(8) && fma::available() {
                let (cp, cur) = cell_rows(&mut cell, k, r, prev_c);
                // SAFETY: the CPU has AVX2; every slice holds k (gates: 4k) values.
                // The gates' activations are not kept: parsing has no backward pass.
                unsafe { fma::lstm_cell::<true, false>(g, k, cp, cur, o) };
                continue;
            }
            for j in 0..k {
                let i = sigmoid(g[j]);
                let f = sigmoid(g[k + j]);
                let gg = tanh(g[2 * k + j]);
                let og = sigmoid(g[3 * k + j]);
                let cp = prev_c.map_or(0.0, |p| cell[p * k + j]);
                let cv = f * cp + i * gg;
                cell[r * k + j] = cv;
                o[j] = og * tanh(cv);
            }
        }
    }
    qh.give();
    pool::give(gates);
    pool::give(cell);
}

/// Backward of [`lstm_forward`]: adds to the weight gradients `(wx, wh, b)` and to `dx`.
#[allow(clippy::too_many_arguments)]
fn lstm_backward(
    x: &[f32],
    starts: &[usize],
    backward: bool,
    k: usize,
    din: usize,
    wx: &[f32],
    wh: &[f32],
    fwd: &(Vec<f32>, Vec<f32>, Vec<f32>),
    dout: &[f32],
    grads: (&mut [f32], &mut [f32], &mut [f32]),
    dx: &mut [f32],
) {
    let (gates, cell, out) = fwd;
    let (gx, gh, gb) = grads;
    let rows = *starts.last().unwrap_or(&0);
    let k4 = 4 * k;
    let mut dpre = vec![0f32; rows * k4];
    let mut dh_rec = vec![0f32; rows * k];
    let mut dc_rec = vec![0f32; rows * k];
    let maxlen = starts.windows(2).map(|w| w[1] - w[0]).max().unwrap_or(0);
    let mut hprev = Vec::new();
    let mut dg = Vec::new();
    let mut dhp = Vec::new();
    for t in (0..maxlen).rev() {
        let active = active_at(starts, t);
        dg.clear();
        hprev.clear();
        for &s in &active {
            let r = lstm_row(starts[s], starts[s + 1], t, backward);
            let p = (t > 0).then(|| lstm_row(starts[s], starts[s + 1], t - 1, backward));
            let g = &gates[r * k4..(r + 1) * k4];
            for j in 0..k {
                let (i, f, gg, o) = (g[j], g[k + j], g[2 * k + j], g[3 * k + j]);
                let c = cell[r * k + j];
                let tc = tanh(c);
                let dh = dout[r * k + j] + dh_rec[r * k + j];
                let dc = dc_rec[r * k + j] + dh * o * (1.0 - tc * tc);
                let cp = p.map_or(0.0, |p| cell[p * k + j]);
                let d = &mut dpre[r * k4..(r + 1) * k4];
                d[j] = dc * gg * i * (1.0 - i);
                d[k + j] = dc * cp * f * (1.0 - f);
                d[2 * k + j] = dc * i * (1.0 - gg * gg);
                d[3 * k + j] = dh * tc * o * (1.0 - o);
                if let Some(p) = p {
                    dc_rec[p * k + j] = dc * f;
                }
            }
            if let Some(p) = p {
                dg.extend_from_slice(&dpre[r * k4..(r + 1) * k4]);
                hprev.extend_from_slice(&out[p * k..(p + 1) * k]);
            }
        }
        if t > 0 && !active.is_empty() {
            let n = active.len();
            gemm(k, n, k4, &hprev, true, &dg, false, 1.0, gh);
            dhp.clear();
            dhp.resize(n * k, 0.0);
            gemm(n, k4, k, &dg, false, wh, true, 0.0, &mut dhp);
            for (ai, &s) in active.iter().enumerate() {
                let p = lstm_row(starts[s], starts[s + 1], t - 1, backward);
                dh_rec[p * k..(p + 1) * k].copy_from_slice(&dhp[ai * k..(ai + 1) * k]);
            }
        }
    }
    for r in 0..rows {
        for (b, d) in gb.iter_mut().zip(&dpre[r * k4..(r + 1) * k4]) {
            *b += d;
        }
    }
    gemm(din, rows, k4, x, true, &dpre, false, 1.0, gx);
    gemm(rows, k4, din, &dpre, false, wx, true, 1.0, dx);
}

/// What the forward pass keeps for the backward pass.
struct Cache {
    /// Row offset of each sentence (root row first) and the total.
    starts: Vec<usize>,
    rows: usize,
    x0: Vec<f32>,
    mask0: Vec<f32>,
    /// Per layer: input, activation (before dropout), dropout mask.
    layers: Vec<(Vec<f32>, Vec<f32>, Vec<f32>)>,
    /// Output of the convolutions (the LSTM's input), and per direction the LSTM's gates
    /// (after their nonlinearity), cells and outputs.
    conv_out: Vec<f32>,
    lstm: Vec<(Vec<f32>, Vec<f32>, Vec<f32>)>,
    h: Vec<f32>,
    dd: Vec<f32>,
    hh: Vec<f32>,
    /// The fast parser's four MLP outputs side by side per row (arc dependent, arc head,
    /// label dependent, label head), instead of `dd`, `hh`, `ld` and `lh`.
    mlp: Vec<f32>,
    p: Vec<f32>,
    hb: Vec<f32>,
    ld: Vec<f32>,
    lh: Vec<f32>,
}

impl Cache {
    /// Gives the buffers back to the thread's [`pool`].
    fn recycle(self) {
        for v in [
            self.x0,
            self.mask0,
            self.conv_out,
            self.h,
            self.dd,
            self.hh,
            self.mlp,
            self.p,
            self.hb,
            self.ld,
            self.lh,
        ] {
            pool::give(v);
        }
        for (a, b, c) in self.layers.into_iter().chain(self.lstm) {
            pool::give(a);
            pool::give(b);
            pool::give(c);
        }
    }
}

fn dropout_mask(len: usize, p: f32, rng: Option<&mut Rng>) -> Vec<f32> {
    match rng {
        Some(rng) if p > 0.0 => {
            let keep = 1.0 / (1.0 - p);
            (0..len)
                .map(|_| if rng.next_f64() < p as f64 { 0.0 } else { keep })
                .collect()
        }
        _ => Vec::new(),
    }
}

fn apply_mask(x: &mut [f32], mask: &[f32]) {
    if !mask.is_empty() {
        for (v, m) in x.iter_mut().zip(mask) {
            *v *= m;
        }
    }
}

/// A dense layer with leaky ReLU: `lrelu(x·w + b)`, `x` rows × `din`.
fn dense(x: &[f32], rows: usize, din: usize, w: &[f32], b: &[f32]) -> Vec<f32> {
    let dout = b.len();
    let mut y = pool::with_capacity(rows * dout);
    for _ in 0..rows {
        y.extend_from_slice(b);
    }
    gemm(rows, din, dout, x, false, w, false, 1.0, &mut y);
    for v in &mut y {
        *v = lrelu(*v);
    }
    y
}

/// Backward of [`dense`]: `dy` is turned into the pre-activation gradient in place; adds to
/// the weight, bias and input gradients.
#[allow(clippy::too_many_arguments)]
fn dense_back(
    x: &[f32],
    y: &[f32],
    dy: &mut [f32],
    rows: usize,
    din: usize,
    w: &[f32],
    gw: &mut [f32],
    gb: &mut [f32],
    dx: &mut [f32],
) {
    let dout = gb.len();
    for (g, &v) in dy.iter_mut().zip(y) {
        if v <= 0.0 {
            *g *= LEAK;
        }
    }
    for r in 0..rows {
        for (b, g) in gb.iter_mut().zip(&dy[r * dout..(r + 1) * dout]) {
            *b += g;
        }
    }
    gemm(din, rows, dout, x, true, dy, false, 1.0, gw);
    gemm(rows, dout, din, dy, false, w, true, 1.0, dx);
}

impl NeuralParser {
    /// The [`Derived`] tables of a loaded model (built on first use).
    fn derived(&self) -> Option<&Derived> {
        let d = self.derived.as_ref()?;
        Some(d.get_or_init(|| Derived {
            ulab_t: self.ulab_by_position(),
            conv0: if self.integer {
                Vec::new()
            } else {
                self.conv0_table()
            },
            q: self.q_tables(),
        }))
    }

    /// This parser parsing with integer products ([`QTables`]; where the network has one
    /// convolution layer and a BiLSTM, else unchanged): faster, other floats.
    pub(crate) fn use_integer_products(&mut self) {
        self.integer = true;
    }

    /// [`QTables`], where [`NeuralParser::use_integer_products`] asked for them.
    fn q_tables(&self) -> Option<QTables> {
        let c = &self.cfg;
        let l = &self.layout;
        if !self.integer || c.lstm == 0 || l.conv.len() != 1 {
            return None;
        }
        let w = &self.params;
        let hd = c.hidden;
        let din = c.input_dim();
        let e = c.enc_dim();
        if din > q16::KMAX || e > q16::KMAX || hd > q16::KMAX || c.lstm > q16::KMAX {
            return None;
        }
        let (k, _, _) = &l.conv[0];
        // Rows `count` of an embedding of `dim` that starts at column `off` of the input.
        let table = |emb: &[f32], dim: usize, off: usize| {
            let count = emb.len().checked_div(dim).unwrap_or(0);
            let mut t = vec![0f32; count * 3 * hd];
            for (ei, row) in t.chunks_exact_mut(3 * hd).enumerate() {
                let ev = &emb[ei * dim..(ei + 1) * dim];
                for (ki, out) in row.chunks_exact_mut(hd).enumerate() {
                    let kw = &w[k[ki].clone()];
                    for (p, &x) in ev.iter().enumerate() {
                        for (o, &y) in out.iter_mut().zip(&kw[(off + p) * hd..(off + p + 1) * hd]) {
                            *o += x * y;
                        }
                    }
                }
            }
            t
        };
        let cw = table(&w[l.ew.clone()], c.word_dim, 0);
        let ct = table(&w[l.et.clone()], c.tag_dim, c.word_dim);
        let (ad, aoff) = (c.affix_dim, c.word_dim + c.tag_dim);
        let kpart = |ki: usize| w[k[ki].clone()][aoff * hd..(aoff + ad) * hd].to_vec();
        let (k0, k1, k2) = (kpart(0), kpart(1), kpart(2));
        let ca = q16::QMat::concat(&[(&k0, hd), (&k1, hd), (&k2, hd)], ad);
        let cs = table(
            &w[l.ec.clone()],
            c.shape_dim,
            c.word_dim + c.tag_dim + c.affix_dim,
        );
        let k4 = 4 * c.lstm;
        let lx = l
            .lstm
            .iter()
            .map(|(wx, _, _)| q16::QMat::new(&w[wx.clone()], hd, k4))
            .collect();
        let lh = l
            .lstm
            .iter()
            .map(|(_, wh, _)| q16::QMat::new(&w[wh.clone()], c.lstm, k4))
            .collect();
        let (a, b) = (c.arc_dim, c.label_dim);
        let mlp = q16::QMat::concat(
            &[
                (&w[l.wad.clone()], a),
                (&w[l.wah.clone()], a),
                (&w[l.wld.clone()], b),
                (&w[l.wlh.clone()], b),
            ],
            e,
        );
        let mut mlp_bias = Vec::new();
        for r in [&l.bad, &l.bah, &l.bld, &l.blh] {
            mlp_bias.extend_from_slice(&w[r.clone()]);
        }
        let uarc = q16::QMat::new(&w[l.uarc.clone()], a, a);
        let nl = self.labels.len();
        let ut = self.ulab_by_position();
        let npad = nl.div_ceil(q16::LANES) * q16::LANES;
        let (vd, vh) = (&w[l.vd.clone()], &w[l.vh.clone()]);
        let mut ud = vec![0f32; b * (b * nl + npad)];
        let mut vhp = vec![0f32; b * npad];
        for p in 0..b {
            let row = &mut ud[p * (b * nl + npad)..(p + 1) * (b * nl + npad)];
            row[..b * nl].copy_from_slice(&ut[p * b * nl..(p + 1) * b * nl]);
            row[b * nl..b * nl + nl].copy_from_slice(&vd[p * nl..(p + 1) * nl]);
            vhp[p * npad..p * npad + nl].copy_from_slice(&vh[p * nl..(p + 1) * nl]);
        }
        let ulab = q16::QMat::new(&ud, b, b * nl + npad);
        let vh = q16::QMat::new(&vhp, b, npad);
        Some(QTables {
            cw,
            ct,
            ca,
            cs,
            lx,
            lh,
            mlp,
            mlp_bias,
            uarc,
            ulab,
            vh,
        })
    }

    /// [`NeuralParser::forward`] for parsing with [`QTables`].
    fn forward_q(&self, batch: &[&Input], q: &QTables) -> Cache {
        let c = &self.cfg;
        let w = &self.params;
        let l = &self.layout;
        let (starts, rows) = row_starts(batch);
        let hd = c.hidden;
        let h3 = 3 * hd;
        // The three kernels' products per row, from the tables (summed in one pass from the
        // word's row: the tables hold no -0, so the same floats as adding them to zeros).
        let mut y3 = pool::with_capacity(rows * h3);
        let ad = c.affix_dim;
        let mut xa = pool::zeros(rows * ad);
        let mut r = 0;
        let add = |dst: &mut [f32], src: &[f32]| {
            for (d, s) in dst.iter_mut().zip(src) {
                *d += s;
            }
        };
        // The word and affix rows are scattered over megabytes of tables: ask for those of
        // a token a few rows ahead while this one is summed.
        const AHEAD: usize = 4;
        let toks: Vec<(&Input, usize)> = batch
            .iter()
            .flat_map(|s| (0..s.len()).map(move |i| (*s, i)))
            .collect();
        for (ti_, &(s, i)) in toks.iter().enumerate() {
            if let Some(&(s2, i2)) = toks.get(ti_ + AHEAD) {
                let wi = s2.words[i2] as usize;
                prefetch(&q.cw[wi * h3..(wi + 1) * h3]);
                for &a in &s2.affix[i2] {
                    if a != u32::MAX {
                        prefetch(&w[l.ea.start + a as usize * ad..][..ad]);
                    }
                }
            }
            {
                let wi = s.words[i] as usize;
                let ti = s.tags[i] as usize;
                let si = s.shapes[i] as usize;
                let (cw, ct) = (&q.cw[wi * h3..(wi + 1) * h3], &q.ct[ti * h3..(ti + 1) * h3]);
                let cs = &q.cs[si * h3..(si + 1) * h3];
                y3.extend(cw.iter().zip(ct).zip(cs).map(|((x, y), z)| x + y + z));
                let av = &mut xa[r * ad..(r + 1) * ad];
                for &a in &s.affix[i] {
                    if a != u32::MAX {
                        let e = &w[l.ea.start + a as usize * ad..][..ad];
                        add(av, e);
                    }
                }
                r += 1;
            }
        }
        drop(toks);
        let mut qx = q16::QRows::take();
        qx.fill(&xa, rows, ad, ad);
        q16::gemm(&qx, &q.ca, &mut y3);
        pool::give(xa);
        let (_, bias, dil) = &l.conv[0];
        let bias = &w[bias.clone()];
        let mut x = pool::with_capacity(rows * hd);
        for si in 0..batch.len() {
            let (a, e) = (starts[si], starts[si + 1]);
            for i in a..e {
                // bias + middle kernel (+ left) (+ right), in that order, in one pass.
                let mid = bias.iter().zip(&y3[i * h3 + hd..i * h3 + 2 * hd]);
                let left = (i >= a + dil).then(|| &y3[(i - dil) * h3..(i - dil) * h3 + hd]);
                let right = (i + dil < e).then(|| &y3[(i + dil) * h3 + 2 * hd..(i + dil + 1) * h3]);
                match (left, right) {
                    (Some(lf), Some(rt)) => x.extend(
                        mid.zip(lf)
                            .zip(rt)
                            .map(|(((b, m), l), r)| lrelu(b + m + l + r)),
                    ),
                    (Some(lf), None) => x.extend(mid.zip(lf).map(|((b, m), l)| lrelu(b + m + l))),
                    (None, Some(rt)) => x.extend(mid.zip(rt).map(|((b, m), r)| lrelu(b + m + r))),
                    (None, None) => x.extend(mid.map(|(b, m)| lrelu(b + m))),
                }
            }
        }
        pool::give(y3);
        let k = c.lstm;
        qx.fill(&x, rows, hd, hd);
        pool::give(x);
        // Both directions write their outputs into `h` (every row of both halves).
        let mut h = pool::scratch(rows * 2 * k);
        for (dir, (_, _, b)) in l.lstm.iter().enumerate() {
            lstm_forward_q(
                &starts,
                dir == 1,
                k,
                &w[b.clone()],
                (&qx, &q.lx[dir], &q.lh[dir]),
                &mut h,
                dir * k,
            );
        }
        let e = c.enc_dim();
        let (a, b) = (c.arc_dim, c.label_dim);
        let nm = 2 * a + 2 * b;
        qx.fill(&h, rows, e, e);
        let mut y = pool::scratch(rows * nm);
        q16::gemm_bias(&qx, &q.mlp, &q.mlp_bias, &mut y);
        for v in &mut y {
            *v = lrelu(*v);
        }
        // The arc dependent's part is quantized where it is (parsing needs only `p`).
        let mut p = pool::scratch(rows * a);
        qx.fill(&y, rows, a, nm);
        q16::gemm_set(&qx, &q.uarc, &mut p);
        qx.give();
        // The other parts stay where they are, read from `mlp` by their columns.
        let varc = &w[l.varc.clone()];
        let mut hb = pool::with_capacity(rows);
        // Four rows' sums side by side (each summed in order from the value `sum` starts
        // from, as `sum` would): four independent chains of additions instead of one.
        let init: f32 = std::iter::empty::<f32>().sum();
        let mut quads = y.chunks_exact(4 * nm);
        for r4 in &mut quads {
            let mut acc = [init; 4];
            for (j, &v) in varc.iter().enumerate().take(a) {
                for (t, s) in acc.iter_mut().enumerate() {
                    *s += r4[t * nm + a + j] * v;
                }
            }
            hb.extend_from_slice(&acc);
        }
        hb.extend(quads.remainder().chunks_exact(nm).map(|r| {
            r[a..2 * a]
                .iter()
                .zip(varc)
                .map(|(x, y)| x * y)
                .sum::<f32>()
        }));
        hb.resize(rows, 0.0);
        Cache {
            starts,
            rows,
            x0: Vec::new(),
            mask0: Vec::new(),
            layers: Vec::new(),
            conv_out: Vec::new(),
            lstm: Vec::new(),
            h,
            dd: Vec::new(),
            hh: Vec::new(),
            mlp: y,
            p,
            hb,
            ld: Vec::new(),
            lh: Vec::new(),
        }
    }

    /// [`Derived::conv0`].
    fn conv0_table(&self) -> Vec<f32> {
        let c = &self.cfg;
        let (wd, hd, din) = (c.word_dim, c.hidden, c.input_dim());
        let Some((k, _, _)) = self.layout.conv.first() else {
            return Vec::new();
        };
        #[cfg(target_arch = "x86_64")]
        if wd > 0 && hd > 0 && din <= fma::KC && fma::available() {
            let w = &self.params;
            let nwords = self.layout.ew.len() / wd;
            let mut t = vec![0f32; nwords * 3 * hd];
            for (wi, row) in t.chunks_exact_mut(3 * hd).enumerate() {
                let e = &w[self.layout.ew.start + wi * wd..][..wd];
                for (ki, out) in row.chunks_exact_mut(hd).enumerate() {
                    // SAFETY: the CPU has FMA and AVX2 (checked).
                    unsafe { fma::chains(e, &w[k[ki].clone()], hd, out) };
                }
            }
            return t;
        }
        let _ = (k, wd, hd, din);
        Vec::new()
    }

    fn input(&self, forms: &[&str], tags: &[u8]) -> Input {
        let n = forms.len();
        let mut inp = Input {
            words: Vec::with_capacity(n + 1),
            affix: Vec::with_capacity(n + 1),
            shapes: Vec::with_capacity(n + 1),
            tags: Vec::with_capacity(n + 1),
        };
        inp.words.push(ROOT_WORD);
        inp.affix.push([u32::MAX; NAFFIX]);
        inp.shapes.push(ROOT_SHAPE as u8);
        inp.tags.push(ROOT_TAG as u16);
        forms::with(self.id, forms.len(), |cache| {
            let mut key = String::new();
            for (i, f) in forms.iter().enumerate() {
                let e = cache.entry(f, || self.form_input(f, &mut key));
                inp.words.push(e.word);
                inp.affix.push(e.affix);
                inp.shapes.push(e.shape);
                inp.tags.push(tags.get(i).copied().unwrap_or(0) as u16);
            }
        });
        inp
    }

    /// What [`NeuralParser::input`] takes from a form alone (`key`: a buffer).
    fn form_input(&self, form: &str, key: &mut String) -> forms::Entry {
        word_key_into(form, key);
        forms::Entry {
            word: self.vocab.get(key.as_str()).copied().unwrap_or(UNK),
            affix: affixes(key, self.cfg.affix_buckets),
            shape: shape(form) as u8,
        }
    }

    /// The encoder and the four MLPs over a batch of sentences.
    /// `keep`: keep what the backward pass needs (parsing needs only the MLPs' outputs);
    /// `alone`: the floats of encoding each sentence in a batch of its own.
    fn forward(
        &self,
        batch: &[&Input],
        p_drop: f32,
        mut rng: Option<&mut Rng>,
        keep: bool,
        alone: bool,
    ) -> Cache {
        let c = &self.cfg;
        let w = &self.params;
        let l = &self.layout;
        let (starts, rows) = row_starts(batch);
        // Without dropout, the first layer's products start from the word's table row (so
        // the word embeddings need not be copied where nothing else reads them).
        let conv0 = match self.derived() {
            Some(d) if p_drop == 0.0 && !d.conv0.is_empty() => Some(&d.conv0[..]),
            _ => None,
        };
        let copy_words = keep || conv0.is_none();
        let d0 = c.input_dim();
        let mut x0 = pool::zeros(rows * d0);
        let mut r = 0;
        for s in batch {
            for i in 0..s.len() {
                let row = &mut x0[r * d0..(r + 1) * d0];
                let (wv, rest) = row.split_at_mut(c.word_dim);
                let (tv, rest) = rest.split_at_mut(c.tag_dim);
                let (av, cv) = rest.split_at_mut(c.affix_dim);
                if copy_words {
                    let wi = s.words[i] as usize;
                    wv.copy_from_slice(&w[l.ew.start + wi * c.word_dim..][..c.word_dim]);
                }
                let ti = s.tags[i] as usize;
                tv.copy_from_slice(&w[l.et.start + ti * c.tag_dim..][..c.tag_dim]);
                for &a in &s.affix[i] {
                    if a != u32::MAX {
                        let e = &w[l.ea.start + a as usize * c.affix_dim..][..c.affix_dim];
                        for (x, y) in av.iter_mut().zip(e) {
                            *x += y;
                        }
                    }
                }
                let si = s.shapes[i] as usize;
                cv.copy_from_slice(&w[l.ec.start + si * c.shape_dim..][..c.shape_dim]);
                r += 1;
            }
        }
        let mask0 = dropout_mask(x0.len(), p_drop, rng.as_deref_mut());
        let mut x = if keep {
            x0.clone()
        } else {
            std::mem::take(&mut x0)
        };
        apply_mask(&mut x, &mask0);
        let mut layers = Vec::with_capacity(l.conv.len());
        let mut din = d0;
        let hd = c.hidden;
        let mut init = pool::with_capacity(0);
        let mut y = pool::with_capacity(0);
        for (li, (k, b, dil)) in l.conv.iter().enumerate() {
            let product = |ki: usize, beta: f32, out: &mut [f32], init: &mut Vec<f32>| {
                #[cfg(target_arch = "x86_64")]
                if let Some(t) = conv0.filter(|_| li == 0) {
                    let wd = c.word_dim;
                    init.clear();
                    for s in batch {
                        for &wi in &s.words {
                            init.extend_from_slice(&t[(wi as usize * 3 + ki) * hd..][..hd]);
                        }
                    }
                    let wk = &w[k[ki].clone()];
                    assert!(x.len() >= rows * din && wk.len() >= din * hd);
                    assert!(init.len() >= rows * hd && out.len() >= rows * hd);
                    // SAFETY: the table exists only where the CPU has FMA and AVX2 and
                    // `din <= KC`; the asserts bound every index (rows of `x` from column
                    // `wd`, rows of the kernel from row `wd`).
                    unsafe {
                        fma::gemm_init(
                            rows,
                            din - wd,
                            hd,
                            x.as_ptr().add(wd),
                            din,
                            1,
                            wk.as_ptr().add(wd * hd),
                            init.as_ptr(),
                            beta,
                            out.as_mut_ptr(),
                        );
                    }
                    return;
                }
                let _ = (&init, li);
                gemm(
                    rows,
                    din,
                    hd,
                    &x,
                    false,
                    &w[k[ki].clone()],
                    false,
                    beta,
                    out,
                );
            };
            let mut z = pool::with_capacity(rows * hd);
            for _ in 0..rows {
                z.extend_from_slice(&w[b.clone()]);
            }
            product(1, 1.0, &mut z, &mut init);
            y.clear();
            y.resize(rows * hd, 0.0);
            for (ki, off) in [(0usize, -(*dil as isize)), (2, *dil as isize)] {
                product(ki, 0.0, &mut y, &mut init);
                for si in 0..batch.len() {
                    let (a, e) = (starts[si] as isize, starts[si + 1] as isize);
                    for i in a..e {
                        let j = i + off;
                        if j >= a && j < e {
                            let (i, j) = (i as usize, j as usize);
                            for (zv, yv) in z[i * hd..(i + 1) * hd]
                                .iter_mut()
                                .zip(&y[j * hd..(j + 1) * hd])
                            {
                                *zv += yv;
                            }
                        }
                    }
                }
            }
            for v in &mut z {
                *v = lrelu(*v);
            }
            let mask = dropout_mask(z.len(), p_drop, rng.as_deref_mut());
            let mut out = if keep {
                z.clone()
            } else {
                std::mem::take(&mut z)
            };
            apply_mask(&mut out, &mask);
            if li > 0 {
                for (o, xi) in out.iter_mut().zip(&x) {
                    *o += xi;
                }
            }
            let input = std::mem::replace(&mut x, out);
            if keep {
                layers.push((input, z, mask));
            } else {
                pool::give(input);
                pool::give(z);
            }
            din = hd;
        }
        pool::give(init);
        pool::give(y);
        let (h, conv_out, lstm) = if c.lstm > 0 {
            let mut outs = Vec::new();
            for (dir, (wx, wh, b)) in l.lstm.iter().enumerate() {
                outs.push(lstm_forward(
                    &x,
                    &starts,
                    dir == 1,
                    c.lstm,
                    c.conv_dim(),
                    &w[wx.clone()],
                    &w[wh.clone()],
                    &w[b.clone()],
                    alone,
                    None,
                ));
            }
            let k = c.lstm;
            let mut h = pool::zeros(rows * 2 * k);
            for r in 0..rows {
                h[r * 2 * k..r * 2 * k + k].copy_from_slice(&outs[0].2[r * k..(r + 1) * k]);
                h[r * 2 * k + k..(r + 1) * 2 * k].copy_from_slice(&outs[1].2[r * k..(r + 1) * k]);
            }
            (h, x, outs)
        } else {
            (x, Vec::new(), Vec::new())
        };
        let e = c.enc_dim();
        let dd = dense(&h, rows, e, &w[l.wad.clone()], &w[l.bad.clone()]);
        let hh = dense(&h, rows, e, &w[l.wah.clone()], &w[l.bah.clone()]);
        let a = c.arc_dim;
        let mut p = pool::zeros(rows * a);
        gemm(
            rows,
            a,
            a,
            &dd,
            false,
            &w[l.uarc.clone()],
            false,
            0.0,
            &mut p,
        );
        let varc = &w[l.varc.clone()];
        let mut hb = pool::with_capacity(rows);
        if a == 0 {
            hb.resize(rows, 0.0);
        } else {
            hb.extend(
                hh.chunks_exact(a)
                    .map(|r| r.iter().zip(varc).map(|(x, y)| x * y).sum::<f32>()),
            );
        }
        let ld = dense(&h, rows, e, &w[l.wld.clone()], &w[l.bld.clone()]);
        let lh = dense(&h, rows, e, &w[l.wlh.clone()], &w[l.blh.clone()]);
        Cache {
            starts,
            rows,
            x0,
            mask0,
            layers,
            conv_out,
            lstm,
            h,
            dd,
            hh,
            mlp: Vec::new(),
            p,
            hb,
            ld,
            lh,
        }
    }

    /// Arc scores of sentence `si` of the cache: `n × m` (dependents 1..m, heads 0..m).
    fn arc_scores(&self, cache: &Cache, si: usize) -> Vec<f32> {
        let a = self.cfg.arc_dim;
        let (s0, s1) = (cache.starts[si], cache.starts[si + 1]);
        let m = s1 - s0;
        let n = m - 1;
        let dist = &self.params[self.layout.dist.clone()];
        if self.derived().is_some_and(|d| d.q.is_some()) {
            // Integer products (the fast parser), the bias terms added as the rows are
            // copied out (the same sums as below).
            let mp = m.div_ceil(q16::LANES) * q16::LANES;
            let mut qa = q16::QRows::take();
            qa.fill(&cache.p[(s0 + 1) * a..s1 * a], n, a, a);
            // The arc head vectors: columns a..2a of the MLP rows.
            let nm = 2 * a + 2 * self.cfg.label_dim;
            let mut qh = q16::QMat::take();
            qh.set_rows(&cache.mlp[s0 * nm + a..], m, a, nm, mp);
            let mut t = pool::scratch(n * mp);
            q16::gemm_set(&qa, &qh, &mut t);
            qa.give();
            qh.give();
            let mut s = pool::with_capacity(n * m);
            let hb = &cache.hb[s0..s1];
            // The distance weight of head `h > 0` for dependent `d` is `by_offset[m + h - d]`:
            // one window of it per row instead of a bucket per arc.
            let mut by_offset = pool::with_capacity(2 * m);
            by_offset.extend((0..2 * m).map(|j| {
                let (d, h) = if j >= m {
                    (1, 1 + j - m)
                } else {
                    (1 + m - j, 1)
                };
                dist[distance_bucket(d, h)]
            }));
            for (d, tr) in (1..m).zip(t.chunks_exact(mp)) {
                let at = s.len();
                s.extend(
                    tr[..m]
                        .iter()
                        .zip(hb)
                        .zip(&by_offset[m - d..2 * m - d])
                        .map(|((&v, &b), &w)| v + (b + w)),
                );
                // The root's weight is its own bucket (0).
                s[at] = tr[0] + (hb[0] + dist[distance_bucket(d, 0)]);
                s[at + d] = f32::NEG_INFINITY;
            }
            pool::give(by_offset);
            pool::give(t);
            return s;
        }
        let mut s = pool::zeros(n * m);
        {
            gemm(
                n,
                a,
                m,
                &cache.p[(s0 + 1) * a..s1 * a],
                false,
                &cache.hh[s0 * a..s1 * a],
                true,
                0.0,
                &mut s,
            );
        }
        for d in 1..m {
            let row = &mut s[(d - 1) * m..d * m];
            for (h, v) in row.iter_mut().enumerate() {
                *v += cache.hb[s0 + h] + dist[distance_bucket(d, h)];
            }
            row[d] = f32::NEG_INFINITY;
        }
        s
    }

    /// Label scores for dependents (rows of the cache) with heads (rows): `len × L`, with
    /// the products `q = ld·U` kept for the backward pass.
    fn label_scores(&self, cache: &Cache, deps: &[usize], heads: &[usize]) -> (Vec<f32>, Vec<f32>) {
        self.label_scores_q(cache, deps, heads, true)
    }

    /// [`NeuralParser::label_scores`]; without `keep_q` the products `q` are made a few
    /// rows at a time where that gives the same values (returned empty).
    fn label_scores_q(
        &self,
        cache: &Cache,
        deps: &[usize],
        heads: &[usize],
        keep_q: bool,
    ) -> (Vec<f32>, Vec<f32>) {
        self.label_scores_with(cache, deps, heads, keep_q, None)
    }

    /// `U` of the label biaffine with its columns in the order (position in the head's
    /// vector, label) instead of (label, position): for [`NeuralParser::label_scores_with`].
    fn ulab_by_position(&self) -> Vec<f32> {
        let (b, nl) = (self.cfg.label_dim, self.labels.len());
        let u = &self.params[self.layout.ulab.clone()];
        let mut t = vec![0f32; u.len()];
        for pp in 0..b {
            for lab in 0..nl {
                for p in 0..b {
                    t[pp * nl * b + p * nl + lab] = u[pp * nl * b + lab * b + p];
                }
            }
        }
        t
    }

    /// The linear part of `k` label scores: the bias, plus the dependents' and the heads'
    /// label vectors (`ldg`, `lhg`, `k` rows of the label dimension) times their weights.
    fn label_linear(&self, k: usize, ldg: &[f32], lhg: &[f32]) -> Vec<f32> {
        let (b, nl) = (self.cfg.label_dim, self.labels.len());
        let (w, l) = (&self.params, &self.layout);
        let mut out = pool::with_capacity(k * nl);
        for _ in 0..k {
            out.extend_from_slice(&w[l.blab.clone()]);
        }
        gemm(k, b, nl, ldg, false, &w[l.vd.clone()], false, 1.0, &mut out);
        gemm(k, b, nl, lhg, false, &w[l.vh.clone()], false, 1.0, &mut out);
        out
    }

    /// [`NeuralParser::label_scores_q`], given [`NeuralParser::ulab_by_position`] for the
    /// fast path (the same values: the same chains per product element and the same sums
    /// per label, only several labels summed side by side).
    fn label_scores_with(
        &self,
        cache: &Cache,
        deps: &[usize],
        heads: &[usize],
        keep_q: bool,
        ulab_t: Option<&[f32]>,
    ) -> (Vec<f32>, Vec<f32>) {
        let b = self.cfg.label_dim;
        let nl = self.labels.len();
        let w = &self.params;
        let l = &self.layout;
        let k = deps.len();
        if let Some(qt) = self
            .derived()
            .and_then(|d| d.q.as_ref())
            .filter(|_| !keep_q && ulab_t.is_some())
        {
            // Integer products `ld·[U (by position) | vd]` and `lh·vh` (rows quantized where
            // they are), then the sums.
            let npad = nl.div_ceil(q16::LANES) * q16::LANES;
            let nq = nl * b + npad;
            let mut offs = Vec::with_capacity(k);
            let mut qa = q16::QRows::take();
            // The label vectors: columns 2a..2a+b (dependent) and 2a+b.. (head) of the MLP rows.
            let nm = 2 * self.cfg.arc_dim + 2 * b;
            let (ldc, lhc) = (2 * self.cfg.arc_dim, 2 * self.cfg.arc_dim + b);
            offs.extend(deps.iter().map(|&d| d * nm + ldc));
            qa.fill_at(&cache.mlp, &offs, b);
            let mut q = pool::scratch(k * nq);
            q16::gemm_set(&qa, &qt.ulab, &mut q);
            offs.clear();
            offs.extend(heads.iter().map(|&h| h * nm + lhc));
            qa.fill_at(&cache.mlp, &offs, b);
            let mut qh = pool::scratch(k * npad);
            q16::gemm_set(&qa, &qt.vh, &mut qh);
            qa.give();
            let blab = &w[l.blab.clone()];
            let mut out = pool::scratch(k * nl);
            let lhs = heads
                .iter()
                .map(|&h| &cache.mlp[h * nm + lhc..h * nm + lhc + b]);
            let parts = LabelParts {
                blab,
                q: &q,
                nq,
                qh: &qh,
                npad,
            };
            #[cfg(target_arch = "x86_64")]
            if is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU has AVX2.
                unsafe { label_sums_avx2(&parts, lhs, &mut out) };
                pool::give(q);
                pool::give(qh);
                return (out, Vec::new());
            }
            label_sums(&parts, lhs, &mut out);
            pool::give(q);
            pool::give(qh);
            return (out, Vec::new());
        }
        let mut ldg = pool::with_capacity(k * b);
        let mut lhg = pool::with_capacity(k * b);
        for (&d, &h) in deps.iter().zip(heads) {
            ldg.extend_from_slice(&cache.ld[d * b..(d + 1) * b]);
            lhg.extend_from_slice(&cache.lh[h * b..(h + 1) * b]);
        }
        #[cfg(target_arch = "x86_64")]
        if !keep_q && k >= 2 && b <= fma::KC && fma::available() {
            let mut out = self.label_linear(k, &ldg, &lhg);
            let ulab = ulab_t.unwrap_or(&w[l.ulab.clone()]);
            assert!(ulab.len() >= b * nl * b && ldg.len() >= k * b);
            // The value `sum` starts from.
            let init: f32 = std::iter::empty::<f32>().sum();
            let mut acc = vec![init; nl];
            fma::SCRATCH_Q.with(|t| {
                let mut q = t.borrow_mut();
                q.clear();
                q.resize(6 * nl * b, 0.0);
                for i0 in (0..k).step_by(6) {
                    let r = (k - i0).min(6);
                    // SAFETY: the CPU has FMA and AVX2 (checked); the assert and the sizes
                    // bound every index. The same per-element chains as one product of
                    // all `k` rows (as `gemm` would make it, k >= 2).
                    unsafe {
                        fma::gemm(
                            r,
                            b,
                            nl * b,
                            ldg[i0 * b..].as_ptr(),
                            b,
                            1,
                            ulab.as_ptr(),
                            0.0,
                            &mut q[..r * nl * b],
                        );
                    }
                    for i in i0..i0 + r {
                        let lhr = &lhg[i * b..(i + 1) * b];
                        if ulab_t.is_some() {
                            let qi = &q[(i - i0) * nl * b..(i - i0 + 1) * nl * b];
                            acc.fill(init);
                            for (p, &y) in lhr.iter().enumerate() {
                                for (a, &x) in acc.iter_mut().zip(&qi[p * nl..(p + 1) * nl]) {
                                    *a += x * y;
                                }
                            }
                            for (o, a) in out[i * nl..(i + 1) * nl].iter_mut().zip(&acc) {
                                *o += a;
                            }
                            continue;
                        }
                        for lab in 0..nl {
                            let qr = &q[((i - i0) * nl + lab) * b..((i - i0) * nl + lab + 1) * b];
                            out[i * nl + lab] +=
                                qr.iter().zip(lhr).map(|(x, y)| x * y).sum::<f32>();
                        }
                    }
                }
            });
            pool::give(ldg);
            pool::give(lhg);
            return (out, Vec::new());
        }
        let mut q = vec![0f32; k * nl * b];
        gemm(
            k,
            b,
            nl * b,
            &ldg,
            false,
            &w[l.ulab.clone()],
            false,
            0.0,
            &mut q,
        );
        let mut out = self.label_linear(k, &ldg, &lhg);
        for i in 0..k {
            let lhr = &lhg[i * b..(i + 1) * b];
            for lab in 0..nl {
                let qr = &q[(i * nl + lab) * b..(i * nl + lab + 1) * b];
                out[i * nl + lab] += qr.iter().zip(lhr).map(|(x, y)| x * y).sum::<f32>();
            }
        }
        (out, q)
    }

    /// Parses one sentence: per token its head (0-based, `n` for the root) and label index.
    pub(crate) fn parse_indexed(&self, forms: &[&str], tags: &[u8]) -> Vec<(u32, u16)> {
        self.parse_batch_indexed(&[(forms, tags)])
            .pop()
            .unwrap_or_default()
    }

    /// [`NeuralParser::parse_indexed`] of several sentences, encoded together (bigger
    /// matrix products: faster per token).
    pub(crate) fn parse_batch_indexed(&self, sents: &[(&[&str], &[u8])]) -> Vec<Vec<(u32, u16)>> {
        self.parse_batch_with(sents, false)
    }

    /// [`NeuralParser::parse_indexed`] of each sentence (the same results to the bit),
    /// encoded together where that gives the same floats: only the LSTM's recurrent
    /// products are made per sentence.
    pub(crate) fn parse_each_indexed(&self, sents: &[(&[&str], &[u8])]) -> Vec<Vec<(u32, u16)>> {
        self.parse_batch_with(sents, true)
    }

    fn parse_batch_with(&self, sents: &[(&[&str], &[u8])], alone: bool) -> Vec<Vec<(u32, u16)>> {
        let inputs: Vec<Input> = sents
            .iter()
            .filter(|(f, _)| !f.is_empty())
            .map(|(f, t)| self.input(f, t))
            .collect();
        if inputs.is_empty() {
            return vec![Vec::new(); sents.len()];
        }
        let refs: Vec<&Input> = inputs.iter().collect();
        let cache = match self.derived().and_then(|d| d.q.as_ref()) {
            Some(q) => self.forward_q(&refs, q),
            None => self.forward(&refs, 0.0, None, false, alone),
        };
        let fresh;
        let ulab_t = match self.derived() {
            Some(d) => &d.ulab_t[..],
            None => {
                fresh = self.ulab_by_position();
                &fresh[..]
            }
        };
        let mut si = 0;
        let mut out = Vec::with_capacity(sents.len());
        for (forms, _) in sents {
            if forms.is_empty() {
                out.push(Vec::new());
                continue;
            }
            out.push(self.decode(&cache, si, ulab_t));
            si += 1;
        }
        cache.recycle();
        out
    }

    /// Heads (Chu-Liu-Edmonds) and labels of sentence `si` of an encoded batch.
    fn decode(&self, cache: &Cache, si: usize, ulab_t: &[f32]) -> Vec<(u32, u16)> {
        let s0 = cache.starts[si];
        let m = cache.starts[si + 1] - s0;
        let n = m - 1;
        let s = self.arc_scores(cache, si);
        // Most sentences: the best heads by the raw scores already form a tree, and they
        // are provably the best heads by the log probabilities (no rounding tie), so the
        // softmax and the search are skipped; the same heads as below.
        let heads = match mst::argmax_tree_scores(&s, m) {
            Some(heads) => heads,
            None => {
                let mut lp = pool::filled64(m * m, f64::NEG_INFINITY);
                log_probs(&s, m, &mut lp);
                let heads = if self.integer {
                    mst::tree_fast(&lp, m)
                } else {
                    mst::tree(&lp, m)
                };
                pool::give64(lp);
                heads
            }
        };
        pool::give(s);
        // Label scores only for dependents not attached to the root (whose label is the
        // root label), unless that leaves a single one: products of one row give other
        // floats than those of two and more rows.
        let scored = |d: &usize| heads[*d] != 0 || n == 2;
        let deps: Vec<usize> = (1..m).filter(scored).map(|d| s0 + d).collect();
        let hrows: Vec<usize> = (1..m).filter(scored).map(|d| s0 + heads[d]).collect();
        let (ls, _) = self.label_scores_with(cache, &deps, &hrows, false, Some(ulab_t));
        let nl = self.labels.len();
        // The scored dependents' rows of `ls` come in order.
        let mut next = 0;
        let out = (0..n)
            .map(|i| {
                let h = heads[i + 1];
                let r = next;
                if scored(&(i + 1)) {
                    next += 1;
                }
                let label = if h == 0 {
                    self.root_label
                } else {
                    let row = &ls[r * nl..(r + 1) * nl];
                    (0..nl)
                        .filter(|&x| x != self.root_label || nl == 1)
                        .max_by(|&x, &y| row[x].total_cmp(&row[y]))
                        .unwrap_or(0)
                };
                let head = if h == 0 { n as u32 } else { (h - 1) as u32 };
                (head, label as u16)
            })
            .collect();
        pool::give(ls);
        out
    }

    /// Parses one sentence given its tag codes: per token its 1-based head (0: root) and
    /// label. Never panics; empty in, empty out.
    pub fn parse<S: AsRef<str>>(&self, forms: &[S], tags: &[u8]) -> Vec<(u32, &'static str)> {
        let forms: Vec<&str> = forms.iter().map(AsRef::as_ref).collect();
        let n = forms.len() as u32;
        self.parse_indexed(&forms, tags)
            .into_iter()
            .map(|(h, l)| {
                (
                    if h >= n { 0 } else { h + 1 },
                    self.labels.get(l as usize).copied().unwrap_or("dep"),
                )
            })
            .collect()
    }

    /// The labels the parser predicts.
    pub fn labels(&self) -> &[&'static str] {
        &self.labels
    }

    /// The description written at training.
    pub fn info(&self) -> &str {
        self.info
    }

    /// Loss (summed over tokens: arc and label cross-entropy) of a batch, and, if `grad`
    /// is given, its gradient added to `grad`.
    fn loss(
        &self,
        batch: &[&Input],
        gold: &[(&[u32], &[u16])],
        p_drop: f32,
        rng: Option<&mut Rng>,
        grad: Option<&mut [f32]>,
    ) -> (f64, usize) {
        let cache = self.forward(batch, p_drop, rng, true, false);
        let c = &self.cfg;
        let a = c.arc_dim;
        let b = c.label_dim;
        let nl = self.labels.len();
        let rows = cache.rows;
        let mut total = 0f64;
        let mut count = 0usize;
        let mut dp = vec![0f32; rows * a];
        let mut dhh = vec![0f32; rows * a];
        let mut dhb = vec![0f32; rows];
        let mut gdist = vec![0f32; NDIST];
        let mut deps = Vec::new();
        let mut hrows = Vec::new();
        let mut glabels = Vec::new();
        for (si, (heads, labels)) in gold.iter().enumerate() {
            let s0 = cache.starts[si];
            let m = cache.starts[si + 1] - s0;
            let n = m - 1;
            if n == 0 {
                continue;
            }
            let mut s = self.arc_scores(&cache, si);
            for d in 1..m {
                let row = &mut s[(d - 1) * m..d * m];
                let g = (heads[d - 1] as usize).min(n);
                let mx = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                let mut z = 0f32;
                for v in row.iter_mut() {
                    *v = (*v - mx).exp();
                    z += *v;
                }
                let pg = row[g] / z;
                total -= (pg.max(1e-30) as f64).ln();
                for v in row.iter_mut() {
                    *v /= z;
                }
                row[g] -= 1.0;
                for (h, v) in row.iter().enumerate() {
                    gdist[distance_bucket(d, h)] += v;
                    dhb[s0 + h] += v;
                }
                deps.push(s0 + d);
                hrows.push(s0 + g);
                glabels.push(labels[d - 1] as usize);
                count += 1;
            }
            if grad.is_some() {
                gemm(
                    n,
                    m,
                    a,
                    &s,
                    false,
                    &cache.hh[s0 * a..(s0 + m) * a],
                    false,
                    0.0,
                    &mut dp[(s0 + 1) * a..(s0 + m) * a],
                );
                gemm(
                    m,
                    n,
                    a,
                    &s,
                    true,
                    &cache.p[(s0 + 1) * a..(s0 + m) * a],
                    false,
                    1.0,
                    &mut dhh[s0 * a..(s0 + m) * a],
                );
            }
        }
        let (mut ls, q) = self.label_scores(&cache, &deps, &hrows);
        for (i, &g) in glabels.iter().enumerate() {
            let row = &mut ls[i * nl..(i + 1) * nl];
            let mx = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let mut z = 0f32;
            for v in row.iter_mut() {
                *v = (*v - mx).exp();
                z += *v;
            }
            let g = g.min(nl - 1);
            total -= ((row[g] / z).max(1e-30) as f64).ln();
            for v in row.iter_mut() {
                *v /= z;
            }
            row[g] -= 1.0;
        }
        let Some(grad) = grad else {
            return (total, count);
        };
        let w = &self.params;
        let l = &self.layout;
        // Label scorer.
        let k = deps.len();
        let dls = ls;
        let mut ldg = Vec::with_capacity(k * b);
        let mut lhg = Vec::with_capacity(k * b);
        for (&d, &h) in deps.iter().zip(&hrows) {
            ldg.extend_from_slice(&cache.ld[d * b..(d + 1) * b]);
            lhg.extend_from_slice(&cache.lh[h * b..(h + 1) * b]);
        }
        for i in 0..k {
            for lab in 0..nl {
                grad[l.blab.start + lab] += dls[i * nl + lab];
            }
        }
        let mut dq = vec![0f32; k * nl * b];
        let mut dlhg = vec![0f32; k * b];
        for i in 0..k {
            let lhr = &lhg[i * b..(i + 1) * b];
            let dlh = &mut dlhg[i * b..(i + 1) * b];
            for lab in 0..nl {
                let g = dls[i * nl + lab];
                let o = (i * nl + lab) * b;
                for j in 0..b {
                    dq[o + j] = g * lhr[j];
                    dlh[j] += g * q[o + j];
                }
            }
        }
        gemm(
            b,
            k,
            nl * b,
            &ldg,
            true,
            &dq,
            false,
            1.0,
            &mut grad[l.ulab.clone()],
        );
        gemm(
            b,
            k,
            nl,
            &ldg,
            true,
            &dls,
            false,
            1.0,
            &mut grad[l.vd.clone()],
        );
        gemm(
            b,
            k,
            nl,
            &lhg,
            true,
            &dls,
            false,
            1.0,
            &mut grad[l.vh.clone()],
        );
        let mut dldg = vec![0f32; k * b];
        gemm(
            k,
            nl * b,
            b,
            &dq,
            false,
            &w[l.ulab.clone()],
            true,
            0.0,
            &mut dldg,
        );
        gemm(
            k,
            nl,
            b,
            &dls,
            false,
            &w[l.vd.clone()],
            true,
            1.0,
            &mut dldg,
        );
        gemm(
            k,
            nl,
            b,
            &dls,
            false,
            &w[l.vh.clone()],
            true,
            1.0,
            &mut dlhg,
        );
        let mut dld = vec![0f32; rows * b];
        let mut dlh = vec![0f32; rows * b];
        for (i, (&d, &h)) in deps.iter().zip(&hrows).enumerate() {
            for j in 0..b {
                dld[d * b + j] += dldg[i * b + j];
                dlh[h * b + j] += dlhg[i * b + j];
            }
        }
        // Arc scorer.
        for (g, v) in grad[l.dist.clone()].iter_mut().zip(&gdist) {
            *g += v;
        }
        {
            let varc = &w[l.varc.clone()];
            let gv = &mut grad[l.varc.clone()];
            for r in 0..rows {
                let g = dhb[r];
                if g == 0.0 {
                    continue;
                }
                for j in 0..a {
                    gv[j] += g * cache.hh[r * a + j];
                    dhh[r * a + j] += g * varc[j];
                }
            }
        }
        gemm(
            a,
            rows,
            a,
            &cache.dd,
            true,
            &dp,
            false,
            1.0,
            &mut grad[l.uarc.clone()],
        );
        let mut ddd = vec![0f32; rows * a];
        gemm(
            rows,
            a,
            a,
            &dp,
            false,
            &w[l.uarc.clone()],
            true,
            0.0,
            &mut ddd,
        );
        // MLPs into the encoder output.
        let e = c.enc_dim();
        let mut dh = vec![0f32; rows * e];
        let mut gw = vec![0f32; e * a.max(b)];
        let mut gb = vec![0f32; a.max(b)];
        for (x, y, dy, wr, br, dout) in [
            (&cache.h, &cache.dd, &mut ddd, &l.wad, &l.bad, a),
            (&cache.h, &cache.hh, &mut dhh, &l.wah, &l.bah, a),
            (&cache.h, &cache.ld, &mut dld, &l.wld, &l.bld, b),
            (&cache.h, &cache.lh, &mut dlh, &l.wlh, &l.blh, b),
        ] {
            gw[..e * dout].fill(0.0);
            gb[..dout].fill(0.0);
            dense_back(
                x,
                y,
                dy,
                rows,
                e,
                &w[wr.clone()],
                &mut gw[..e * dout],
                &mut gb[..dout],
                &mut dh,
            );
            for (g, v) in grad[wr.clone()].iter_mut().zip(&gw[..e * dout]) {
                *g += v;
            }
            for (g, v) in grad[br.clone()].iter_mut().zip(&gb[..dout]) {
                *g += v;
            }
        }
        // Encoder, last layer first.
        let hd = c.hidden;
        let mut dx = if c.lstm > 0 {
            let k = c.lstm;
            let din = c.conv_dim();
            let mut dx = vec![0f32; rows * din];
            for (dir, (wx, wh, b)) in l.lstm.iter().enumerate() {
                let mut dout = vec![0f32; rows * k];
                for r in 0..rows {
                    dout[r * k..(r + 1) * k]
                        .copy_from_slice(&dh[r * 2 * k + dir * k..r * 2 * k + (dir + 1) * k]);
                }
                let mut gx = vec![0f32; din * 4 * k];
                let mut gh = vec![0f32; k * 4 * k];
                let mut gb = vec![0f32; 4 * k];
                lstm_backward(
                    &cache.conv_out,
                    &cache.starts,
                    dir == 1,
                    k,
                    din,
                    &w[wx.clone()],
                    &w[wh.clone()],
                    &cache.lstm[dir],
                    &dout,
                    (&mut gx, &mut gh, &mut gb),
                    &mut dx,
                );
                for (r, v) in [(wx, &gx), (wh, &gh), (b, &gb)] {
                    for (g, x) in grad[r.clone()].iter_mut().zip(v.iter()) {
                        *g += x;
                    }
                }
            }
            dx
        } else {
            dh
        };
        for (li, (k, bias, dil)) in l.conv.iter().enumerate().rev() {
            let (xin, z, mask) = &cache.layers[li];
            let din = if li == 0 { c.input_dim() } else { hd };
            let mut dz = dx.clone();
            apply_mask(&mut dz, mask);
            for (g, &v) in dz.iter_mut().zip(z) {
                if v <= 0.0 {
                    *g *= LEAK;
                }
            }
            let mut dxin = if li > 0 { dx } else { vec![0f32; rows * din] };
            for r in 0..rows {
                for (g, v) in grad[bias.clone()].iter_mut().zip(&dz[r * hd..(r + 1) * hd]) {
                    *g += v;
                }
            }
            gemm(
                din,
                rows,
                hd,
                xin,
                true,
                &dz,
                false,
                1.0,
                &mut grad[k[1].clone()],
            );
            gemm(
                rows,
                hd,
                din,
                &dz,
                false,
                &w[k[1].clone()],
                true,
                1.0,
                &mut dxin,
            );
            let mut dy = vec![0f32; rows * hd];
            for (ki, off) in [(0usize, -(*dil as isize)), (2, *dil as isize)] {
                dy.fill(0.0);
                for si in 0..cache.starts.len() - 1 {
                    let (a0, e0) = (cache.starts[si] as isize, cache.starts[si + 1] as isize);
                    for i in a0..e0 {
                        let j = i + off;
                        if j >= a0 && j < e0 {
                            let (i, j) = (i as usize, j as usize);
                            for (yv, zv) in dy[j * hd..(j + 1) * hd]
                                .iter_mut()
                                .zip(&dz[i * hd..(i + 1) * hd])
                            {
                                *yv += zv;
                            }
                        }
                    }
                }
                gemm(
                    din,
                    rows,
                    hd,
                    xin,
                    true,
                    &dy,
                    false,
                    1.0,
                    &mut grad[k[ki].clone()],
                );
                gemm(
                    rows,
                    hd,
                    din,
                    &dy,
                    false,
                    &w[k[ki].clone()],
                    true,
                    1.0,
                    &mut dxin,
                );
            }
            dx = dxin;
        }
        // Embeddings.
        let mut dx0 = dx;
        apply_mask(&mut dx0, &cache.mask0);
        let d0 = c.input_dim();
        let mut r = 0;
        for s in batch {
            for i in 0..s.len() {
                let row = &dx0[r * d0..(r + 1) * d0];
                let (wv, rest) = row.split_at(c.word_dim);
                let (tv, rest) = rest.split_at(c.tag_dim);
                let (av, cv) = rest.split_at(c.affix_dim);
                let add = |g: &mut [f32], v: &[f32]| {
                    for (x, y) in g.iter_mut().zip(v) {
                        *x += y;
                    }
                };
                let wi = s.words[i] as usize;
                add(&mut grad[l.ew.start + wi * c.word_dim..][..c.word_dim], wv);
                let ti = s.tags[i] as usize;
                add(&mut grad[l.et.start + ti * c.tag_dim..][..c.tag_dim], tv);
                for &af in &s.affix[i] {
                    if af != u32::MAX {
                        add(
                            &mut grad[l.ea.start + af as usize * c.affix_dim..][..c.affix_dim],
                            av,
                        );
                    }
                }
                let si = s.shapes[i] as usize;
                add(
                    &mut grad[l.ec.start + si * c.shape_dim..][..c.shape_dim],
                    cv,
                );
                r += 1;
            }
        }
        let _ = &cache.x0;
        (total, count)
    }

    /// The model file's bytes.
    fn write(&self, vocab: &[String]) -> Vec<u8> {
        let mut w = Writer::default();
        w.buf
            .extend_from_slice(if self.cfg.lstm > 0 { MAGIC_LSTM } else { MAGIC });
        w.str(self.info);
        let c = &self.cfg;
        for v in [
            c.word_dim,
            c.tag_dim,
            c.affix_dim,
            c.shape_dim,
            c.affix_buckets,
            c.hidden,
            c.arc_dim,
            c.label_dim,
        ] {
            w.u32(v as u32);
        }
        w.u32(c.dilations.len() as u32);
        for &d in &c.dilations {
            w.u32(d as u32);
        }
        if c.lstm > 0 {
            w.u32(c.lstm as u32);
        }
        w.strs(&self.labels);
        w.strs(vocab);
        w.u32(self.params.len() as u32);
        for &p in &self.params {
            w.f32(p);
        }
        w.buf
    }

    /// Loads a model written by [`train`].
    pub fn from_bytes(bytes: &'static [u8]) -> Result<NeuralParser, ModelError> {
        let mut r = Reader::new(bytes);
        let magic = r.take(MAGIC.len())?;
        if magic != MAGIC && magic != MAGIC_LSTM {
            return Err(ModelError::Corrupt("not a neural parser model"));
        }
        let info = r.str()?;
        let mut v = [0usize; 8];
        for x in &mut v {
            *x = r.u32()? as usize;
        }
        let nd = r.u32()? as usize;
        if nd > 64 {
            return Err(ModelError::Corrupt("layers"));
        }
        let dilations = (0..nd)
            .map(|_| r.u32().map(|d| d as usize))
            .collect::<Result<Vec<_>, _>>()?;
        let lstm = if magic == MAGIC_LSTM {
            r.u32()? as usize
        } else {
            0
        };
        let cfg = NeuralConfig {
            lstm,
            word_dim: v[0],
            tag_dim: v[1],
            affix_dim: v[2],
            shape_dim: v[3],
            affix_buckets: v[4],
            hidden: v[5],
            arc_dim: v[6],
            label_dim: v[7],
            dilations,
        };
        let labels = r.strs()?;
        if labels.is_empty() {
            return Err(ModelError::Corrupt("no labels"));
        }
        let words = r.strs()?;
        let np = r.u32()? as usize;
        let layout = Layout::new(&cfg, words.len() + 2, labels.len());
        if np != layout.total {
            return Err(ModelError::Corrupt("parameter count"));
        }
        let raw = r.take(np * 4)?;
        let params = raw
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        let vocab = words
            .iter()
            .enumerate()
            .map(|(i, w)| (*w, i as u32 + 2))
            .collect();
        let root_label = labels.iter().position(|l| *l == "root").unwrap_or(0);
        Ok(NeuralParser {
            cfg,
            info,
            labels,
            root_label,
            vocab,
            layout,
            params,
            derived: Some(OnceLock::new()),
            integer: false,
            id: forms::next_id(),
        })
    }
}

/// A parser with fresh parameters for training (vocabulary and labels given).
fn init(
    cfg: &NeuralConfig,
    vocab: &[String],
    labels: &[String],
    rng: &mut Rng,
    info: &'static str,
) -> NeuralParser {
    let labels: Vec<&'static str> = labels
        .iter()
        .map(|l| &*Box::leak(l.clone().into_boxed_str()))
        .collect();
    let layout = Layout::new(cfg, vocab.len() + 2, labels.len());
    let mut params = vec![0f32; layout.total];
    let mut uniform = |r: &Range<usize>, scale: f32| {
        for p in &mut params[r.clone()] {
            *p = (rng.next_f64() as f32 * 2.0 - 1.0) * scale;
        }
    };
    let glorot = |fan_in: usize, fan_out: usize| (6.0 / (fan_in + fan_out) as f32).sqrt();
    uniform(&layout.ew, (3.0 / cfg.word_dim.max(1) as f32).sqrt());
    uniform(&layout.et, (3.0 / cfg.tag_dim.max(1) as f32).sqrt());
    uniform(&layout.ea, (1.0 / cfg.affix_dim.max(1) as f32).sqrt());
    uniform(&layout.ec, (3.0 / cfg.shape_dim.max(1) as f32).sqrt());
    let mut din = cfg.input_dim();
    for (k, _, _) in &layout.conv {
        for r in k {
            uniform(r, glorot(3 * din, cfg.hidden));
        }
        din = cfg.hidden;
    }
    for (wx, wh, b) in &layout.lstm {
        uniform(wx, glorot(cfg.conv_dim(), 4 * cfg.lstm));
        uniform(wh, glorot(cfg.lstm, 4 * cfg.lstm));
        let _ = b;
    }
    let e = cfg.enc_dim();
    uniform(&layout.wad, glorot(e, cfg.arc_dim));
    uniform(&layout.wah, glorot(e, cfg.arc_dim));
    uniform(&layout.wld, glorot(e, cfg.label_dim));
    uniform(&layout.wlh, glorot(e, cfg.label_dim));
    // LSTM forget gates start open (bias 1).
    for (_, _, b) in &layout.lstm {
        for p in &mut params[b.start + cfg.lstm..b.start + 2 * cfg.lstm] {
            *p = 1.0;
        }
    }
    let root_label = labels.iter().position(|l| *l == "root").unwrap_or(0);
    NeuralParser {
        cfg: cfg.clone(),
        info,
        vocab: vocab
            .iter()
            .enumerate()
            .map(|(i, w)| (&*Box::leak(w.clone().into_boxed_str()), i as u32 + 2))
            .collect(),
        labels,
        root_label,
        layout,
        params,
        derived: None,
        integer: false,
        id: forms::next_id(),
    }
}

/// Attachment scores (UAS, LAS in percent) of the parser on gold sentences.
pub fn evaluate(parser: &NeuralParser, sents: &[NeuralSentence]) -> (f64, f64) {
    let (mut total, mut ua, mut la) = (0usize, 0usize, 0usize);
    for s in sents {
        let out = parser.parse(&s.forms, &s.tags);
        for ((h, l), (gh, gl)) in out.iter().zip(s.heads.iter().zip(&s.labels)) {
            total += 1;
            if h == gh {
                ua += 1;
                let plain = |x: &str| x.split(':').next().unwrap_or("").to_string();
                if plain(l) == plain(gl) {
                    la += 1;
                }
            }
        }
    }
    let pct = |x: usize| 100.0 * x as f64 / total.max(1) as f64;
    (pct(ua), pct(la))
}

/// Trains a parser and returns the model file's bytes. Deterministic for given options
/// (single-threaded). `dev` only for progress reports through `log`.
pub fn train(
    train: &[NeuralSentence],
    dev: &[NeuralSentence],
    opts: &NeuralOptions,
    log: &mut dyn FnMut(String),
) -> Vec<u8> {
    let train: Vec<&NeuralSentence> = train
        .iter()
        .filter(|s| !s.forms.is_empty() && s.forms.len() == s.tags.len())
        .filter(|s| s.heads.len() == s.forms.len() && s.labels.len() == s.forms.len())
        .collect();
    let mut counts: HashMap<String, usize> = HashMap::new();
    for s in &train {
        for f in &s.forms {
            *counts.entry(word_key(f)).or_default() += 1;
        }
    }
    let mut vocab: Vec<String> = counts
        .iter()
        .filter(|(_, &c)| c >= 2)
        .map(|(w, _)| w.clone())
        .collect();
    vocab.sort();
    let mut labels: Vec<String> = train
        .iter()
        .flat_map(|s| s.labels.iter().cloned())
        .chain(std::iter::once("root".to_string()))
        .collect();
    labels.sort();
    labels.dedup();
    let info = format!(
        "{}; neural biaffine parser; {} sentences; {:?}; {} epochs; batch {} tokens; lr {}; dropout {}; word dropout {}; seed {}",
        opts.description,
        train.len(),
        opts.config,
        opts.epochs,
        opts.batch_tokens,
        opts.learning_rate,
        opts.dropout,
        opts.word_dropout,
        opts.seed
    );
    let info: &'static str = Box::leak(info.into_boxed_str());
    let mut rng = Rng::new(opts.seed);
    let mut model = init(&opts.config, &vocab, &labels, &mut rng, info);
    log(format!(
        "neural parser: {} sentences, {} words in vocabulary, {} labels, {} parameters",
        train.len(),
        vocab.len(),
        labels.len(),
        model.params.len()
    ));
    let label_index = |l: &str| labels.binary_search_by(|x| x.as_str().cmp(l)).unwrap_or(0) as u16;
    let data: Vec<Example> = train
        .iter()
        .map(|s| {
            let forms: Vec<&str> = s.forms.iter().map(String::as_str).collect();
            let inp = model.input(&forms, &s.tags);
            let drop: Vec<f32> = s
                .forms
                .iter()
                .map(|f| {
                    let c = counts.get(&word_key(f)).copied().unwrap_or(0) as f32;
                    opts.word_dropout / (opts.word_dropout + c)
                })
                .collect();
            let labels = s.labels.iter().map(|l| label_index(l)).collect();
            (inp, s.heads.clone(), labels, drop)
        })
        .collect();
    let np = model.params.len();
    let mut grad = vec![0f32; np];
    let mut m1 = vec![0f32; np];
    let mut m2 = vec![0f32; np];
    let (beta1, beta2, eps) = (0.9f32, 0.9f32, 1e-8f32);
    let mut step = 0i32;
    let mut order: Vec<usize> = (0..data.len()).collect();
    for epoch in 0..opts.epochs {
        rng.shuffle(&mut order);
        let (mut loss, mut tokens) = (0f64, 0usize);
        let mut at = 0;
        while at < order.len() {
            let mut end = at;
            let mut ntok = 0;
            while end < order.len() && (ntok < opts.batch_tokens || end == at) {
                ntok += data[order[end]].0.len() - 1;
                end += 1;
            }
            // Word dropout: a copy of the batch with some words unknown.
            let inputs: Vec<Input> = order[at..end]
                .iter()
                .map(|&i| {
                    let (inp, _, _, drop) = &data[i];
                    let words = inp
                        .words
                        .iter()
                        .enumerate()
                        .map(|(j, &w)| {
                            if j > 0 && (rng.next_f64() as f32) < drop[j - 1] {
                                UNK
                            } else {
                                w
                            }
                        })
                        .collect();
                    Input {
                        words,
                        affix: inp.affix.clone(),
                        shapes: inp.shapes.clone(),
                        tags: inp.tags.clone(),
                    }
                })
                .collect();
            let refs: Vec<&Input> = inputs.iter().collect();
            let gold: Vec<(&[u32], &[u16])> = order[at..end]
                .iter()
                .map(|&i| (&data[i].1[..], &data[i].2[..]))
                .collect();
            grad.fill(0.0);
            let (l, c) = model.loss(&refs, &gold, opts.dropout, Some(&mut rng), Some(&mut grad));
            loss += l;
            tokens += c;
            let scale = 1.0 / c.max(1) as f32;
            let mut norm = 0f64;
            for g in &mut grad {
                *g *= scale;
                norm += (*g as f64) * (*g as f64);
            }
            let norm = norm.sqrt() as f32;
            let clip = if norm > 5.0 { 5.0 / norm } else { 1.0 };
            step += 1;
            let lr =
                opts.learning_rate * (1.0 - beta2.powi(step)).sqrt() / (1.0 - beta1.powi(step));
            for (((p, g), a), v) in model.params.iter_mut().zip(&grad).zip(&mut m1).zip(&mut m2) {
                let g = g * clip;
                *a = beta1 * *a + (1.0 - beta1) * g;
                *v = beta2 * *v + (1.0 - beta2) * g * g;
                *p -= lr * *a / (v.sqrt() + eps);
            }
            at = end;
        }
        let dev_scores = if dev.is_empty() {
            String::new()
        } else {
            let (uas, las) = evaluate(&model, dev);
            format!(", dev UAS {uas:.2} LAS {las:.2}")
        };
        log(format!(
            "epoch {}: loss {:.4} per token{dev_scores}",
            epoch + 1,
            loss / tokens.max(1) as f64
        ));
    }
    model.write(&vocab)
}

/// The first row of each sentence of a batch in the stacked rows, then the total.
fn row_starts(batch: &[&Input]) -> (Vec<usize>, usize) {
    let mut starts = Vec::with_capacity(batch.len() + 1);
    let mut rows = 0;
    for s in batch {
        starts.push(rows);
        rows += s.len();
    }
    starts.push(rows);
    (starts, rows)
}
