//! 16-bit integer products for the fast pipeline parser (`SyntaxModel::with_fast_neural`):
//! weights quantized per column at load time, activations per row when they are multiplied,
//! products summed exactly in 32-bit integers (`_mm512_dpwssd_epi32` where the CPU has
//! AVX-512 VNNI, `_mm256_madd_epi16` where it has AVX2, plain loops otherwise: the same
//! integers, so the same floats on every CPU).
//!
//! `c[i, j] += (Σ_p qa[i, p]·qb[p, j]) as f32 · sa[i] · sb[j]`, with `|qa| ≤ QA` and
//! `|qb| ≤ QB`: every pair sum of `madd` stays below 2^24 and a sum over `k ≤ KMAX` below
//! 2^31.

/// Largest activation code (12 bits and a sign).
const QA: f32 = 4095.0;
/// Largest weight code (11 bits and a sign).
const QB: f32 = 2047.0;
/// Columns of a right-hand side the widest kernel takes at once: a product whose `n` is
/// a multiple of it runs on that kernel (others on the narrower one or the plain loops).
pub(super) const LANES: usize = 16;
/// Longest sum the kernel accepts (`k / 2 · 2 · QA · QB < 2^31`).
pub(super) const KMAX: usize = 256;

/// A right-hand side `k × n` quantized per column, packed for the kernel: for each pair of
/// rows `2t, 2t + 1` and column `j` the two codes side by side (`k` rounded up to even,
/// the missing row zero).
#[derive(Debug, Clone)]
pub(super) struct QMat {
    pub(super) k: usize,
    pub(super) n: usize,
    w: Vec<i16>,
    scale: Vec<f32>,
}

impl QMat {
    /// Quantizes the row-major `k × n` matrix `b`.
    pub(super) fn new(b: &[f32], k: usize, n: usize) -> QMat {
        assert!(b.len() >= k * n && k <= KMAX);
        let k2 = k.div_ceil(2);
        let mut scale = vec![1f32; n];
        for (j, s) in scale.iter_mut().enumerate() {
            let amax = (0..k).map(|p| b[p * n + j].abs()).fold(0f32, f32::max);
            if amax > 0.0 {
                *s = amax / QB;
            }
        }
        let mut w = vec![0i16; k2 * n * 2];
        for p in 0..k {
            for j in 0..n {
                let q = (b[p * n + j] / scale[j]).round().clamp(-QB, QB) as i16;
                w[((p / 2) * n + j) * 2 + p % 2] = q;
            }
        }
        QMat { k, n, w, scale }
    }

    /// The transpose of `m` rows of `k` values (row `h` at `rows[h * rs..]`): `k × npad`,
    /// the columns after `m` zero.
    #[cfg(test)]
    pub(super) fn from_rows(rows: &[f32], m: usize, k: usize, rs: usize, npad: usize) -> QMat {
        let mut q = QMat {
            k: 0,
            n: 0,
            w: Vec::new(),
            scale: Vec::new(),
        };
        q.set_rows(rows, m, k, rs, npad);
        q
    }

    /// A matrix from the thread's free list for [`QMat::set_rows`] (give it back with
    /// [`QMat::give`]): no allocation per sentence.
    pub(super) fn take() -> QMat {
        FREE_MAT.with(|f| f.borrow_mut().pop()).unwrap_or(QMat {
            k: 0,
            n: 0,
            w: Vec::new(),
            scale: Vec::new(),
        })
    }

    /// Keeps `self` for a later [`QMat::take`].
    pub(super) fn give(self) {
        FREE_MAT.with(|f| {
            let mut f = f.borrow_mut();
            if f.len() < 4 {
                f.push(self);
            }
        });
    }

    /// [`QMat::from_rows`] into `self`, reusing its buffers.
    pub(super) fn set_rows(&mut self, rows: &[f32], m: usize, k: usize, rs: usize, npad: usize) {
        assert!((m == 0 || rows.len() >= (m - 1) * rs + k) && npad >= m && k <= KMAX);
        let k2 = k.div_ceil(2);
        self.k = k;
        self.n = npad;
        self.scale.clear();
        self.scale.resize(npad, 1.0);
        self.w.clear();
        self.w.resize(k2 * npad * 2, 0);
        let mut codes = [0i16; KMAX + 1];
        for h in 0..m {
            self.scale[h] = row_codes(&rows[h * rs..h * rs + k], QB, &mut codes);
            for t in 0..k2 {
                self.w[(t * npad + h) * 2] = codes[2 * t];
                self.w[(t * npad + h) * 2 + 1] = codes[2 * t + 1];
            }
        }
    }

    /// The row-major matrices `parts` (each `k × n_i`, given with `n_i`) side by side.
    pub(super) fn concat(parts: &[(&[f32], usize)], k: usize) -> QMat {
        let n: usize = parts.iter().map(|p| p.1).sum();
        let mut b = vec![0f32; k * n];
        let mut at = 0;
        for &(m, pn) in parts {
            for p in 0..k {
                b[p * n + at..p * n + at + pn].copy_from_slice(&m[p * pn..(p + 1) * pn]);
            }
            at += pn;
        }
        QMat::new(&b, k, n)
    }
}

/// Activations quantized per row (rows of `k` rounded up to even codes).
#[derive(Debug, Default)]
pub(super) struct QRows {
    k2: usize,
    q: Vec<i16>,
    scale: Vec<f32>,
}

thread_local! {
    /// [`QRows`] kept for reuse on this thread ([`QRows::take`]): no allocation per product.
    static FREE: std::cell::RefCell<Vec<QRows>> = const { std::cell::RefCell::new(Vec::new()) };
    /// The same for [`QMat::take`].
    static FREE_MAT: std::cell::RefCell<Vec<QMat>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl QRows {
    /// A `QRows` from the thread's free list (give it back with [`QRows::give`]).
    pub(super) fn take() -> QRows {
        FREE.with(|f| f.borrow_mut().pop()).unwrap_or_default()
    }

    /// Keeps `self` for a later [`QRows::take`].
    pub(super) fn give(self) {
        FREE.with(|f| {
            let mut f = f.borrow_mut();
            if f.len() < 8 {
                f.push(self);
            }
        });
    }

    /// Quantizes `m` rows of `k` values, row `i` at `a[i * rs..]`.
    pub(super) fn fill(&mut self, a: &[f32], m: usize, k: usize, rs: usize) {
        assert!(m == 0 || a.len() >= (m - 1) * rs + k);
        self.fill_with(a, m, k, |i| i * rs);
    }

    /// Quantizes the rows of `k` values that start at `a[offs[i]]`.
    pub(super) fn fill_at(&mut self, a: &[f32], offs: &[usize], k: usize) {
        assert!(offs.iter().all(|&o| o + k <= a.len()));
        self.fill_with(a, offs.len(), k, |i| offs[i]);
    }

    fn fill_with(&mut self, a: &[f32], m: usize, k: usize, off: impl Fn(usize) -> usize) {
        let k2 = k.div_ceil(2);
        self.k2 = k2;
        // Every code is written below but the padding one of an odd `k`: only what grows
        // needs zeros.
        self.q.truncate(m * 2 * k2);
        self.q.resize(m * 2 * k2, 0);
        if k % 2 == 1 {
            for i in 0..m {
                self.q[i * 2 * k2 + k] = 0;
            }
        }
        self.scale.clear();
        self.scale.resize(m, 1.0);
        #[cfg(target_arch = "x86_64")]
        if is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2.
            unsafe { avx2::fill_rows(a, k, off, &mut self.q, &mut self.scale) };
            return;
        }
        self.fill_plain_with(a, m, k, off);
    }

    /// [`QRows::fill`] without SIMD (the same codes).
    #[cfg(test)]
    pub(super) fn fill_plain(&mut self, a: &[f32], m: usize, k: usize, rs: usize) {
        self.fill_plain_with(a, m, k, |i| i * rs);
    }

    fn fill_plain_with(&mut self, a: &[f32], m: usize, k: usize, off: impl Fn(usize) -> usize) {
        let k2 = k.div_ceil(2);
        self.k2 = k2;
        self.q.clear();
        self.q.resize(m * 2 * k2, 0);
        self.scale.clear();
        for i in 0..m {
            let row = &a[off(i)..off(i) + k];
            let amax = row.iter().fold(0f32, |x, v| x.max(v.abs()));
            let s = scale_of(amax);
            let inv = 1.0 / s;
            for (q, &v) in self.q[i * 2 * k2..].iter_mut().zip(row) {
                *q = code(v * inv, QA);
            }
            self.scale.push(s);
        }
    }

    pub(super) fn rows(&self) -> usize {
        self.scale.len()
    }
}

/// The scale of a row whose largest magnitude is `amax`.
fn scale_of(amax: f32) -> f32 {
    if amax > 0.0 && amax.is_finite() {
        amax / QA
    } else {
        1.0
    }
}

/// The code of a scaled value: rounded to nearest, ties to even (as `cvtps2dq`), clamped.
fn code(x: f32, limit: f32) -> i16 {
    x.round_ties_even().clamp(-limit, limit) as i16
}

/// The codes of `row` scaled so that its largest magnitude is `limit` (into `q`, which
/// has room for them), and the scale.
fn row_codes(row: &[f32], limit: f32, q: &mut [i16]) -> f32 {
    #[cfg(target_arch = "x86_64")]
    if is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2; `codes` asserts the room.
        unsafe {
            let amax = avx2::amax(row);
            let s = if amax > 0.0 && amax.is_finite() {
                amax / limit
            } else {
                1.0
            };
            avx2::codes(row, 1.0 / s, limit, q);
            return s;
        }
    }
    let amax = row.iter().fold(0f32, |x, v| x.max(v.abs()));
    let s = if amax > 0.0 && amax.is_finite() {
        amax / limit
    } else {
        1.0
    };
    let inv = 1.0 / s;
    for (c, &v) in q.iter_mut().zip(row) {
        *c = code(v * inv, limit);
    }
    s
}

/// How [`gemm`] and its variants meet the output: `c += x`; `c += 0 + x` (what adding a
/// product made in a zeroed buffer gives, to the bit: `0 + x` is `+0` for `x = -0`);
/// `c = 0 + x` (what the product into a zeroed buffer gives, whatever `c` held);
/// `c = bias + x` (what adding to rows that hold the bias gives, whatever `c` held).
const ADD: u8 = 0;
const FRESH: u8 = 1;
const SET: u8 = 2;
const BIAS: u8 = 3;

/// `c (rows × b.n, row-major) += a·b` (see the module).
pub(super) fn gemm(a: &QRows, b: &QMat, c: &mut [f32]) {
    run::<ADD>(a, b, c, None, &[]);
}

/// [`gemm`] into rows that each hold `bias` (`b.n` values), without writing them there
/// first: `c` may hold anything.
pub(super) fn gemm_bias(a: &QRows, b: &QMat, bias: &[f32], c: &mut [f32]) {
    assert_eq!(bias.len(), b.n);
    run::<BIAS>(a, b, c, None, bias);
}

/// [`gemm`] into a zeroed `c`, without zeroing it first: `c` may hold anything.
pub(super) fn gemm_set(a: &QRows, b: &QMat, c: &mut [f32]) {
    run::<SET>(a, b, c, None, &[]);
}

/// Adds row `i` of the product (as [`gemm`] makes it in a zeroed buffer) to
/// `c[offs[i]..offs[i] + b.n]`: the rows of `c` need not be contiguous.
pub(super) fn gemm_add_at(a: &QRows, b: &QMat, c: &mut [f32], offs: &[usize]) {
    assert_eq!(offs.len(), a.rows());
    run::<FRESH>(a, b, c, Some(offs), &[]);
}

fn run<const MODE: u8>(a: &QRows, b: &QMat, c: &mut [f32], offs: Option<&[usize]>, bias: &[f32]) {
    assert!(MODE != BIAS || bias.len() >= b.n);
    let (m, n) = (a.rows(), b.n);
    assert_eq!(a.k2, b.k.div_ceil(2));
    assert!(a.q.len() >= m * 2 * a.k2 && b.w.len() >= a.k2 * n * 2);
    match offs {
        Some(o) => assert!(o.len() == m && o.iter().all(|&x| x + n <= c.len())),
        None => assert!(c.len() >= m * n),
    }
    #[cfg(target_arch = "x86_64")]
    if n.is_multiple_of(LANES) && vnni::available() {
        // SAFETY: the CPU has AVX-512F and AVX-512 VNNI; the asserts bound every index.
        unsafe { vnni::gemm::<MODE>(a, b, c, offs, bias) };
        return;
    }
    #[cfg(target_arch = "x86_64")]
    if n % 8 == 0 && is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2; the asserts bound every index.
        unsafe { avx2::gemm::<MODE>(a, b, c, offs, bias) };
        return;
    }
    plain::<MODE>(a, b, c, offs, bias);
}

/// [`gemm`] without SIMD: the same integer sums, the same floats.
#[cfg(test)]
pub(super) fn gemm_plain(a: &QRows, b: &QMat, c: &mut [f32]) {
    plain::<ADD>(a, b, c, None, &[]);
}

fn plain<const MODE: u8>(a: &QRows, b: &QMat, c: &mut [f32], offs: Option<&[usize]>, bias: &[f32]) {
    let (m, n, k2) = (a.rows(), b.n, a.k2);
    let mut acc = vec![0i32; n];
    for i in 0..m {
        acc.fill(0);
        let qa = &a.q[i * 2 * k2..(i + 1) * 2 * k2];
        for t in 0..k2 {
            let (x0, x1) = (qa[2 * t] as i32, qa[2 * t + 1] as i32);
            let bw = &b.w[t * n * 2..(t + 1) * n * 2];
            for (j, s) in acc.iter_mut().enumerate() {
                *s += x0 * bw[2 * j] as i32 + x1 * bw[2 * j + 1] as i32;
            }
        }
        let sa = a.scale[i];
        let at = offs.map_or(i * n, |o| o[i]);
        for (j, ((o, &s), &sb)) in c[at..at + n].iter_mut().zip(&acc).zip(&b.scale).enumerate() {
            let x = s as f32 * sa * sb;
            match MODE {
                ADD => *o += x,
                FRESH => *o += 0.0 + x,
                BIAS => *o = bias[j] + x,
                _ => *o = 0.0 + x,
            }
        }
    }
}

/// Where rows `i0..i0 + R` of a product go in `c`: after each other, or at `offs`.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn row_starts<const R: usize>(offs: Option<&[usize]>, i0: usize, n: usize) -> [usize; R] {
    let mut at = [0usize; R];
    for (r, x) in at.iter_mut().enumerate() {
        *x = offs.map_or((i0 + r) * n, |o| o[i0 + r]);
    }
    at
}

/// A kernel module's `gemm`: its `rows::<R, MODE>` four rows at a time, then the rest,
/// compiled with the module's target features.
#[cfg(target_arch = "x86_64")]
macro_rules! gemm_in_fours {
    ($features:literal, $safety:literal) => {
        /// # Safety
        #[doc = $safety]
        #[target_feature(enable = $features)]
        pub(super) unsafe fn gemm<const MODE: u8>(
            a: &QRows,
            b: &QMat,
            c: &mut [f32],
            offs: Option<&[usize]>,
            bias: &[f32],
        ) {
            let m = a.rows();
            let mut i = 0;
            while i + 4 <= m {
                rows::<4, MODE>(a, b, c, i, offs, bias);
                i += 4;
            }
            match m - i {
                1 => rows::<1, MODE>(a, b, c, i, offs, bias),
                2 => rows::<2, MODE>(a, b, c, i, offs, bias),
                3 => rows::<3, MODE>(a, b, c, i, offs, bias),
                _ => {}
            }
        }
    };
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::{QMat, QRows};
    use std::arch::x86_64::*;

    /// [`super::QRows::fill`]'s rows (one call for all of them, the row functions
    /// inlined): row `i` of `k` values at `a[off(i)..]` into codes `q[i * 2k2..]` (`k2` =
    /// `k` halved, rounded up) and `scale[i]`, for every `i < scale.len()`.
    ///
    /// # Safety
    /// The CPU has AVX2.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn fill_rows(
        a: &[f32],
        k: usize,
        off: impl Fn(usize) -> usize,
        q: &mut [i16],
        scale: &mut [f32],
    ) {
        let k2 = k.div_ceil(2);
        for (i, sc) in scale.iter_mut().enumerate() {
            let row = &a[off(i)..off(i) + k];
            let s = super::scale_of(amax(row));
            codes(row, 1.0 / s, super::QA, &mut q[i * 2 * k2..i * 2 * k2 + k]);
            *sc = s;
        }
    }

    /// The largest magnitude in `x` (0 for none).
    ///
    /// # Safety
    /// The CPU has AVX2.
    #[inline]
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn amax(x: &[f32]) -> f32 {
        let sign = _mm256_set1_ps(-0.0);
        let mut m = _mm256_setzero_ps();
        let mut chunks = x.chunks_exact(8);
        for c in &mut chunks {
            m = _mm256_max_ps(m, _mm256_andnot_ps(sign, _mm256_loadu_ps(c.as_ptr())));
        }
        let mut t = [0f32; 8];
        _mm256_storeu_ps(t.as_mut_ptr(), m);
        let mut r = t.iter().fold(0f32, |a, &b| a.max(b));
        for &v in chunks.remainder() {
            r = r.max(v.abs());
        }
        r
    }

    /// The codes of `x · inv` ([`super::code`]).
    ///
    /// # Safety
    /// The CPU has AVX2; `q.len() >= x.len()`.
    #[inline]
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn codes(x: &[f32], inv: f32, limit: f32, q: &mut [i16]) {
        assert!(q.len() >= x.len());
        let (lo, hi) = (_mm256_set1_ps(-limit), _mm256_set1_ps(limit));
        let iv = _mm256_set1_ps(inv);
        let n16 = x.len() / 16 * 16;
        let conv = |p: *const f32| {
            let v = _mm256_mul_ps(_mm256_loadu_ps(p), iv);
            _mm256_cvtps_epi32(_mm256_min_ps(_mm256_max_ps(v, lo), hi))
        };
        let mut j = 0;
        while j < n16 {
            let a = conv(x.as_ptr().add(j));
            let b = conv(x.as_ptr().add(j + 8));
            let p = _mm256_permute4x64_epi64(_mm256_packs_epi32(a, b), 0b11_01_10_00);
            _mm256_storeu_si256(q.as_mut_ptr().add(j) as *mut __m256i, p);
            j += 16;
        }
        for (o, &v) in q[n16..x.len()].iter_mut().zip(&x[n16..]) {
            *o = super::code(v * inv, limit);
        }
    }

    gemm_in_fours!(
        "avx2",
        "The CPU has AVX2; `b.n % 8 == 0`; the sizes as [`super::run`] asserts."
    );

    #[inline]
    #[target_feature(enable = "avx2")]
    unsafe fn rows<const R: usize, const MODE: u8>(
        a: &QRows,
        b: &QMat,
        c: &mut [f32],
        i0: usize,
        offs: Option<&[usize]>,
        bias: &[f32],
    ) {
        let n = b.n;
        let at = super::row_starts::<R>(offs, i0, n);
        let mut j = 0;
        while j + 16 <= n {
            block::<R, 2, MODE>(a, b, c, i0, j, &at, bias);
            j += 16;
        }
        if j < n {
            block::<R, 1, MODE>(a, b, c, i0, j, &at, bias);
        }
    }

    #[allow(clippy::needless_range_loop)]
    #[inline(always)]
    unsafe fn block<const R: usize, const V: usize, const MODE: u8>(
        a: &QRows,
        b: &QMat,
        c: &mut [f32],
        i0: usize,
        j: usize,
        at: &[usize; R],
        bias: &[f32],
    ) {
        let (n, k2) = (b.n, a.k2);
        let mut acc = [[_mm256_setzero_si256(); V]; R];
        let qa = a.q.as_ptr().add(i0 * 2 * k2) as *const i32;
        let bw = b.w.as_ptr().add(j * 2);
        for t in 0..k2 {
            let bp = bw.add(t * n * 2);
            let mut bv = [_mm256_setzero_si256(); V];
            for v in 0..V {
                bv[v] = _mm256_loadu_si256(bp.add(16 * v) as *const __m256i);
            }
            for r in 0..R {
                let av = _mm256_set1_epi32(qa.add(r * k2 + t).read_unaligned());
                for v in 0..V {
                    acc[r][v] = _mm256_add_epi32(acc[r][v], _mm256_madd_epi16(av, bv[v]));
                }
            }
        }
        for v in 0..V {
            let sb = _mm256_loadu_ps(b.scale.as_ptr().add(j + 8 * v));
            for r in 0..R {
                let sa = _mm256_set1_ps(a.scale[i0 + r]);
                let o = c.as_mut_ptr().add(at[r] + j + 8 * v);
                let x = _mm256_mul_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(acc[r][v]), sa), sb);
                let y = match MODE {
                    super::ADD => _mm256_add_ps(_mm256_loadu_ps(o), x),
                    super::FRESH => {
                        _mm256_add_ps(_mm256_loadu_ps(o), _mm256_add_ps(_mm256_setzero_ps(), x))
                    }
                    super::BIAS => _mm256_add_ps(_mm256_loadu_ps(bias.as_ptr().add(j + 8 * v)), x),
                    _ => _mm256_add_ps(_mm256_setzero_ps(), x),
                };
                _mm256_storeu_ps(o, y);
            }
        }
    }
}

/// The kernel of [`avx2`] with 512-bit registers and `vpdpwssd` (one instruction for
/// `madd` and the add): the same integer sums, so the same floats to the bit.
#[cfg(target_arch = "x86_64")]
mod vnni {
    use super::{QMat, QRows};
    use std::arch::x86_64::*;

    pub(super) fn available() -> bool {
        is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("avx512vnni")
    }

    gemm_in_fours!(
        "avx512f,avx512vnni",
        "The CPU has AVX-512F and AVX-512 VNNI; `b.n % 16 == 0`; the sizes as [`super::run`] asserts."
    );

    #[inline]
    #[target_feature(enable = "avx512f,avx512vnni")]
    unsafe fn rows<const R: usize, const MODE: u8>(
        a: &QRows,
        b: &QMat,
        c: &mut [f32],
        i0: usize,
        offs: Option<&[usize]>,
        bias: &[f32],
    ) {
        let n = b.n;
        let at = super::row_starts::<R>(offs, i0, n);
        let mut j = 0;
        while j + 64 <= n {
            block::<R, 4, MODE>(a, b, c, i0, j, &at, bias);
            j += 64;
        }
        match (n - j) / 16 {
            3 => block::<R, 3, MODE>(a, b, c, i0, j, &at, bias),
            2 => block::<R, 2, MODE>(a, b, c, i0, j, &at, bias),
            1 => block::<R, 1, MODE>(a, b, c, i0, j, &at, bias),
            _ => {}
        }
    }

    #[allow(clippy::needless_range_loop)]
    #[inline(always)]
    unsafe fn block<const R: usize, const V: usize, const MODE: u8>(
        a: &QRows,
        b: &QMat,
        c: &mut [f32],
        i0: usize,
        j: usize,
        at: &[usize; R],
        bias: &[f32],
    ) {
        let (n, k2) = (b.n, a.k2);
        let mut acc = [[_mm512_setzero_si512(); V]; R];
        let qa = a.q.as_ptr().add(i0 * 2 * k2) as *const i32;
        let bw = b.w.as_ptr().add(j * 2);
        for t in 0..k2 {
            let bp = bw.add(t * n * 2);
            let mut bv = [_mm512_setzero_si512(); V];
            for v in 0..V {
                bv[v] = _mm512_loadu_si512(bp.add(32 * v) as *const __m512i);
            }
            for r in 0..R {
                let av = _mm512_set1_epi32(qa.add(r * k2 + t).read_unaligned());
                for v in 0..V {
                    acc[r][v] = _mm512_dpwssd_epi32(acc[r][v], av, bv[v]);
                }
            }
        }
        for v in 0..V {
            let sb = _mm512_loadu_ps(b.scale.as_ptr().add(j + 16 * v));
            for r in 0..R {
                let sa = _mm512_set1_ps(a.scale[i0 + r]);
                let o = c.as_mut_ptr().add(at[r] + j + 16 * v);
                let x = _mm512_mul_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(acc[r][v]), sa), sb);
                let y = match MODE {
                    super::ADD => _mm512_add_ps(_mm512_loadu_ps(o), x),
                    super::FRESH => {
                        _mm512_add_ps(_mm512_loadu_ps(o), _mm512_add_ps(_mm512_setzero_ps(), x))
                    }
                    super::BIAS => _mm512_add_ps(_mm512_loadu_ps(bias.as_ptr().add(j + 16 * v)), x),
                    _ => _mm512_add_ps(_mm512_setzero_ps(), x),
                };
                _mm512_storeu_ps(o, y);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn random(rng: &mut crate::syntax::Rng, n: usize, scale: f32) -> Vec<f32> {
        (0..n)
            .map(|_| (rng.next_f64() as f32 * 2.0 - 1.0) * scale)
            .collect()
    }

    /// The integer product is the float product within the quantization error, and the
    /// AVX2 kernel gives the plain loops' floats to the bit (every remainder of rows, odd
    /// `k`, one and two column vectors, transposed right-hand sides).
    #[test]
    fn integer_products_are_close_to_float_and_equal_across_kernels() {
        let mut rng = crate::syntax::Rng::new(17);
        for (m, k, n) in [
            (1, 1, 8),
            (2, 48, 192),
            (3, 47, 16),
            (4, 96, 160),
            (5, 64, 64),
            (7, 16, 664),
            (13, 33, 24),
            (0, 8, 8),
        ] {
            let a = random(&mut rng, m * k, 3.0);
            let b = random(&mut rng, k * n, 0.7);
            let bias = random(&mut rng, m * n, 1.0);
            let mut want = bias.clone();
            for i in 0..m {
                for j in 0..n {
                    want[i * n + j] += (0..k).map(|p| a[i * k + p] * b[p * n + j]).sum::<f32>();
                }
            }
            let qb = QMat::new(&b, k, n);
            let mut qa = QRows::default();
            qa.fill(&a, m, k, k);
            let mut plain_rows = QRows::default();
            plain_rows.fill_plain(&a, m, k, k);
            assert_eq!(qa.q, plain_rows.q, "codes m={m} k={k}");
            assert_eq!(qa.scale, plain_rows.scale);
            let mut got = bias.clone();
            gemm(&qa, &qb, &mut got);
            let mut plain = bias.clone();
            gemm_plain(&qa, &qb, &mut plain);
            assert_eq!(got, plain, "m={m} k={k} n={n}");
            // Error bound: per term |a|·|b| ≤ 3 · 0.7, relative error ~ 2^-11 per factor.
            let tol = 3.0 * 0.7 * k as f32 * 2e-3 + 1e-4;
            for (g, w) in got.iter().zip(&want) {
                assert!((g - w).abs() <= tol, "m={m} k={k} n={n}: {g} against {w}");
            }
            // The transposed right-hand side: rows of `b`'s transpose, padded columns zero.
            let bt: Vec<f32> = (0..n)
                .flat_map(|j| (0..k).map(move |p| (p, j)))
                .map(|(p, j)| b[p * n + j])
                .collect();
            let npad = n + 8;
            let qt = QMat::from_rows(&bt, n, k, k, npad);
            let mut t = vec![0f32; m * npad];
            gemm(&qa, &qt, &mut t);
            for i in 0..m {
                for j in 0..n {
                    let w = want[i * n + j] - bias[i * n + j];
                    assert!((t[i * npad + j] - w).abs() <= tol, "transposed m={m} k={k}");
                }
                assert!(t[i * npad + n..(i + 1) * npad].iter().all(|&v| v == 0.0));
            }
        }
    }

    /// The variants give what `gemm` gives on zeros, to the bit: `gemm_set` whatever the
    /// output held, `gemm_add_at` added at scattered rows; `fill_at` and a reused
    /// `QRows`/`QMat` give the codes of fresh ones; the plain loops the same floats.
    #[test]
    fn variants_equal_products_into_zeros() {
        let mut rng = crate::syntax::Rng::new(5);
        let mut qa = QRows::take();
        let mut reused = QMat::take();
        for (m, k, n) in [
            (1, 16, 8),
            (5, 48, 192),
            (7, 33, 40),
            (3, 64, 664),
            (9, 16, 16),
        ] {
            let a = random(&mut rng, m * k, 2.0);
            let b = random(&mut rng, k * n, 0.5);
            let qb = QMat::new(&b, k, n);
            let mut fresh = QRows::default();
            fresh.fill(&a, m, k, k);
            // Reused with longer rows first, then these.
            qa.fill(
                &random(&mut rng, (m + 3) * (k + 5), 1.0),
                m + 3,
                k + 5,
                k + 5,
            );
            qa.fill(&a, m, k, k);
            assert_eq!((&qa.q, &qa.scale), (&fresh.q, &fresh.scale));
            let mut want = vec![0f32; m * n];
            gemm(&fresh, &qb, &mut want);
            let mut set = random(&mut rng, m * n, 9.0);
            gemm_set(&qa, &qb, &mut set);
            assert_eq!(
                set.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                want.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
            );
            // Rows holding the bias, added to, as the bias written in place.
            let bias = random(&mut rng, n, 1.0);
            let mut rows_of_bias: Vec<f32> = (0..m).flat_map(|_| bias.clone()).collect();
            gemm(&fresh, &qb, &mut rows_of_bias);
            let mut in_place = random(&mut rng, m * n, 9.0);
            gemm_bias(&qa, &qb, &bias, &mut in_place);
            assert_eq!(in_place, rows_of_bias);
            let mut by_loops = random(&mut rng, m * n, 9.0);
            plain::<SET>(&qa, &qb, &mut by_loops, None, &[]);
            assert_eq!(by_loops, want);
            // Scattered rows: row i of the product at row 2i + 1 of a wider buffer, added
            // to what is there, as adding a zeroed product buffer.
            let base = random(&mut rng, (2 * m + 2) * (n + 8), 1.0);
            let offs: Vec<usize> = (0..m).map(|i| (2 * i + 1) * (n + 8) + 3).collect();
            let mut at = base.clone();
            gemm_add_at(&qa, &qb, &mut at, &offs);
            let mut at_plain = base.clone();
            plain::<FRESH>(&qa, &qb, &mut at_plain, Some(&offs), &[]);
            let mut expect = base.clone();
            for (i, &o) in offs.iter().enumerate() {
                for j in 0..n {
                    expect[o + j] += want[i * n + j];
                }
            }
            assert_eq!(at, expect);
            assert_eq!(at_plain, expect);
            // Rows quantized where they are.
            let wide = random(&mut rng, (2 * m + 2) * (k + 8), 1.0);
            let offs: Vec<usize> = (0..m).map(|i| (2 * i + 1) * (k + 8) + 2).collect();
            let rows: Vec<f32> = offs.iter().flat_map(|&o| wide[o..o + k].to_vec()).collect();
            let mut packed = QRows::default();
            packed.fill(&rows, m, k, k);
            qa.fill_at(&wide, &offs, k);
            assert_eq!((&qa.q, &qa.scale), (&packed.q, &packed.scale));
            // A transposed matrix built into a reused one.
            let npad = m.div_ceil(8) * 8 + 8;
            reused.set_rows(&wide[offs[0]..], m, k, 2 * (k + 8), npad);
            let every_other: Vec<f32> = (0..m)
                .flat_map(|i| wide[offs[0] + i * 2 * (k + 8)..][..k].to_vec())
                .collect();
            let t = QMat::from_rows(&every_other, m, k, k, npad);
            assert_eq!((&reused.w, &reused.scale, reused.n), (&t.w, &t.scale, t.n));
        }
        qa.give();
        reused.give();
    }

    /// Each SIMD kernel this CPU has gives the plain loops' floats to the bit, in every
    /// mode (`gemm` runs only the best one, so the others are called here by name).
    #[test]
    fn every_kernel_gives_the_plain_floats() {
        let mut rng = crate::syntax::Rng::new(23);
        for (m, k, n) in [
            (1, 48, 192),
            (6, 47, 160),
            (17, 96, 144),
            (4, 64, 16),
            (3, 8, 8),
        ] {
            let a = random(&mut rng, m * k, 2.0);
            let qb = QMat::new(&random(&mut rng, k * n, 0.5), k, n);
            let mut qa = QRows::default();
            qa.fill(&a, m, k, k);
            let base = random(&mut rng, m * n, 1.0);
            let offs: Vec<usize> = (0..m).map(|i| i * n).collect();
            let bias = random(&mut rng, n, 1.0);
            let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            let run_plain = |mode: u8| {
                let mut c = base.clone();
                match mode {
                    ADD => plain::<ADD>(&qa, &qb, &mut c, None, &[]),
                    FRESH => plain::<FRESH>(&qa, &qb, &mut c, Some(&offs), &[]),
                    BIAS => plain::<BIAS>(&qa, &qb, &mut c, None, &bias),
                    _ => plain::<SET>(&qa, &qb, &mut c, None, &[]),
                }
                bits(&c)
            };
            #[cfg(target_arch = "x86_64")]
            for mode in [ADD, FRESH, SET, BIAS] {
                let want = run_plain(mode);
                if n % 8 == 0 && is_x86_feature_detected!("avx2") {
                    let mut c = base.clone();
                    // SAFETY: the CPU has AVX2; n % 8 == 0; sizes as `run` asserts.
                    unsafe {
                        match mode {
                            ADD => avx2::gemm::<ADD>(&qa, &qb, &mut c, None, &[]),
                            FRESH => avx2::gemm::<FRESH>(&qa, &qb, &mut c, Some(&offs), &[]),
                            BIAS => avx2::gemm::<BIAS>(&qa, &qb, &mut c, None, &bias),
                            _ => avx2::gemm::<SET>(&qa, &qb, &mut c, None, &[]),
                        }
                    }
                    assert_eq!(bits(&c), want, "avx2 m={m} k={k} n={n} mode={mode}");
                }
                if n.is_multiple_of(LANES) && vnni::available() {
                    let mut c = base.clone();
                    // SAFETY: the CPU has AVX-512 VNNI; n % 16 == 0; sizes as `run` asserts.
                    unsafe {
                        match mode {
                            ADD => vnni::gemm::<ADD>(&qa, &qb, &mut c, None, &[]),
                            FRESH => vnni::gemm::<FRESH>(&qa, &qb, &mut c, Some(&offs), &[]),
                            BIAS => vnni::gemm::<BIAS>(&qa, &qb, &mut c, None, &bias),
                            _ => vnni::gemm::<SET>(&qa, &qb, &mut c, None, &[]),
                        }
                    }
                    assert_eq!(bits(&c), want, "vnni m={m} k={k} n={n} mode={mode}");
                }
            }
            let _ = run_plain;
        }
    }

    /// Rows of zeros and huge values quantize without overflow.
    #[test]
    fn extreme_rows() {
        let a = [0.0f32, 0.0, 0.0, 0.0, 1e30, -1e30, 1.0, 0.0];
        let b = [1.0f32; 4 * 8];
        let mut qa = QRows::default();
        qa.fill(&a, 2, 4, 4);
        let qb = QMat::new(&b, 4, 8);
        let mut c = vec![0f32; 16];
        gemm(&qa, &qb, &mut c);
        assert!(c[..8].iter().all(|&v| v == 0.0));
        assert!(
            c[8..].iter().all(|v| v.is_finite() && v.abs() < 1e29),
            "{c:?}"
        );
    }
}
