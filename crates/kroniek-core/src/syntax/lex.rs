//! Per-token lexical values that the tagger and parser features are built from, computed
//! once per sentence.

use super::hash::{hash_str, mix};

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
}

/// The value used for a position outside the sentence.
pub(crate) const NONE: u64 = 0x5eed_0000_0000_0001;
/// The value used for the artificial root token.
pub(crate) const ROOT: u64 = 0x5eed_0000_0000_0002;
/// The value that replaces a rare word's identity during training (word dropout).
pub(crate) const UNKNOWN: u64 = 0x5eed_0000_0000_0003;

impl Lex {
    pub(crate) fn new(form: &str) -> Lex {
        let lower = form.to_lowercase();
        let chars: Vec<char> = lower.chars().collect();
        let n = chars.len();
        let mut suf = [0u64; 5];
        let mut pre = [0u64; 3];
        for (k, s) in suf.iter_mut().enumerate() {
            let len = (k + 1).min(n);
            *s = mix(hash_str(&chars[n - len..].iter().collect::<String>()) ^ (k as u64 + 1));
        }
        for (k, p) in pre.iter_mut().enumerate() {
            let len = (k + 1).min(n);
            *p = mix(hash_str(&chars[..len].iter().collect::<String>()) ^ (k as u64 + 11));
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
        }
    }
}

fn shape(form: &str) -> u64 {
    let mut s = String::with_capacity(8);
    let mut last = ' ';
    let mut run = 0;
    for c in form.chars() {
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
        s.push(k);
    }
    let len = form.chars().count().min(8) as u64;
    mix(hash_str(&s) ^ (len << 56))
}
