//! Per-token lexical values that the tagger and parser features are built from, computed
//! once per sentence.

use super::hash::{hash_str, mix};
use crate::ner::Clusters;

/// Hashes of the forms of one token.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Lex {
    /// The lower-cased form.
    pub(crate) lower: u64,
    /// The form as written.
    pub(crate) form: u64,
    /// A compressed word shape (`Xx`, `d,d`, `x-x`).
    pub(crate) shape: u64,
    /// Lower-cased suffixes of 1 to 5 characters.
    pub(crate) suf: [u64; 5],
    /// Orthographic flags: digit, hyphen, only punctuation, capital first, all capitals, dot.
    pub(crate) flags: u64,
    /// Lower-cased prefixes of 1 to 3 characters.
    pub(crate) pre: [u64; 3],
    /// The word's cluster path (left-aligned bits, see [`Clusters`]); [`NO_CLUSTER`] if none.
    pub(crate) cl: u32,
}

/// The cluster path of a word without one. Real paths have their low 16 bits clear, so
/// values with any of them set are markers: no cluster, outside the sentence, the root.
pub(crate) const NO_CLUSTER: u32 = u32::MAX;
/// The cluster "path" of a position outside the sentence.
pub(crate) const CL_OUTSIDE: u32 = u32::MAX - 1;
/// The cluster "path" of the parser's root token.
pub(crate) const CL_ROOT: u32 = u32::MAX - 2;

/// The value of the first `bits` bits of a cluster path (`bits` ≥ 32: the whole path).
#[inline]
pub(crate) fn cluster(cl: u32, bits: u32) -> u64 {
    if cl & 0xffff != 0 {
        return mix(0xc1c1_0000 ^ u64::from(cl & 0xffff) ^ (u64::from(bits) << 40));
    }
    let p = if bits >= 32 { cl } else { cl >> (32 - bits) };
    mix(u64::from(p) ^ (u64::from(bits) << 40) ^ 0xc1a5_0000_0000_0000)
}

/// The lexical values of a sentence, with cluster paths when the model has clusters.
pub(crate) fn lexes<S: AsRef<str>>(forms: &[S], clusters: Option<&Clusters>) -> Vec<Lex> {
    forms
        .iter()
        .map(|f| Lex::with_clusters(f.as_ref(), clusters))
        .collect()
}

/// The value used for a position outside the sentence.
pub(crate) const NONE: u64 = 0x5eed_0000_0000_0001;
/// The value used for the artificial root token.
pub(crate) const ROOT: u64 = 0x5eed_0000_0000_0002;
/// The value that replaces a rare word's identity during training (word dropout).
pub(crate) const UNKNOWN: u64 = 0x5eed_0000_0000_0003;

impl Lex {
    pub(crate) fn with_clusters(form: &str, clusters: Option<&Clusters>) -> Lex {
        // Quotation marks written otherwise (Dutch newspapers open with `,,` and close with
        // `''`; curly quotes) look like the `"` of the treebanks: unseen in training, `,,`
        // was tagged NOUN or SYM and parsed as a subject a third of the time.
        let form = match form {
            ",," | "''" | "``" | "„" | "“" | "”" | "‟" => "\"",
            f => f,
        };
        // Most tokens are lowercase ASCII already: no allocation for them.
        let lower = crate::text::lowercase(form);
        let cl = clusters.and_then(|c| c.get(&lower)).unwrap_or(NO_CLUSTER);
        // Byte offsets of the last five and first four character boundaries.
        let mut ends = [0usize; 5];
        let mut starts = [lower.len(); 4];
        let mut n = 0usize;
        for (i, _) in lower.char_indices() {
            if n < 4 {
                starts[n] = i;
            }
            n += 1;
        }
        for (k, (i, _)) in lower.char_indices().rev().take(5).enumerate() {
            ends[k] = i;
        }
        let mut suf = [0u64; 5];
        for (k, s) in suf.iter_mut().enumerate() {
            let from = if k < n { ends[k] } else { 0 };
            *s = mix(hash_str(&lower[from..]) ^ (k as u64 + 1));
        }
        let mut pre = [0u64; 3];
        for (k, p) in pre.iter_mut().enumerate() {
            let to = if k + 1 < n {
                starts[k + 1]
            } else {
                lower.len()
            };
            *p = mix(hash_str(&lower[..to]) ^ (k as u64 + 11));
        }
        let first_upper = form.chars().next().is_some_and(char::is_uppercase);
        let flags = u64::from(form.chars().any(|c| c.is_numeric()))
            | u64::from(form.contains('-')) << 1
            | u64::from(!form.is_empty() && form.chars().all(|c| !c.is_alphanumeric())) << 2
            | u64::from(first_upper) << 3
            | u64::from(
                form.chars().filter(|c| c.is_alphabetic()).count() > 1
                    && form.chars().all(|c| !c.is_lowercase()),
            ) << 4
            | u64::from(form.contains('.')) << 5;
        Lex {
            lower: hash_str(&lower),
            form: mix(hash_str(form) ^ 7),
            shape: shape(form),
            suf,
            pre,
            flags,
            cl,
        }
    }
}

fn shape(form: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut last = ' ';
    let mut run = 0;
    let mut len = 0u64;
    for c in form.chars() {
        len += 1;
        let k = if c.is_uppercase() {
            'X'
        } else if c.is_lowercase() {
            'x'
        } else if c.is_numeric() {
            'd'
        } else {
            c
        };
        if k == last {
            run += 1;
            if run >= 2 {
                continue;
            }
        } else {
            run = 0;
        }
        last = k;
        let mut buf = [0u8; 4];
        for &b in k.encode_utf8(&mut buf).as_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    // The same value as hashing the shape string with `hash_str`.
    mix(mix(h) ^ (len.min(8) << 56))
}
