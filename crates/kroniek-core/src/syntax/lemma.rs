//! Lemmas: a table of (form, UPOS) → lemma learnt from the treebank, and suffix rules
//! (strip *k* characters, append a string) learnt per UPOS for unseen forms.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use super::bytes::{Reader, Writer};
use super::hash::{hash_str, mix};
use super::perceptron::IdHasher;
use super::{ModelError, Upos};

pub(crate) struct Lemmatizer<'a> {
    // Keys are mixed hashes ([`key`]): no SipHash over them (looked up for every token).
    table: HashMap<u64, &'a str, BuildHasherDefault<IdHasher>>,
    rules: HashMap<u64, (u8, &'a str), BuildHasherDefault<IdHasher>>,
    max_suffix: usize,
}

fn key(form: &str, upos: u8) -> u64 {
    mix(hash_str(form) ^ (u64::from(upos) + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

/// The rule turning `form` into `lemma`: characters to strip, string to append.
fn rule(form: &str, lemma: &str) -> (usize, String) {
    let f: Vec<char> = form.chars().collect();
    let l: Vec<char> = lemma.chars().collect();
    let p = f.iter().zip(&l).take_while(|(a, b)| a == b).count();
    (f.len() - p, l[p..].iter().collect())
}

impl<'a> Lemmatizer<'a> {
    /// Whether the treebank had `form` (as written) with this UPOS.
    pub(crate) fn knows(&self, form: &str, upos: Upos) -> bool {
        self.table.contains_key(&key(form, upos as u8))
    }

    pub(crate) fn lemma(&self, form: &str, upos: Upos) -> String {
        let u = upos as u8;
        if let Some(l) = self.table.get(&key(form, u)) {
            return (*l).to_string();
        }
        // ASCII without capitals is its own lower case (looked up just now): no copy.
        let lower: Cow<str> = if form.is_ascii() && !form.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Borrowed(form)
        } else {
            Cow::Owned(form.to_lowercase())
        };
        if *lower != *form {
            if let Some(l) = self.table.get(&key(&lower, u)) {
                return (*l).to_string();
            }
        }
        if matches!(
            upos,
            Upos::PROPN | Upos::NUM | Upos::SYM | Upos::PUNCT | Upos::X
        ) {
            return form.to_string();
        }
        // Suffixes of k characters, longest first, as slices of `lower`.
        let nchars = lower.chars().count();
        let start_of = |i: usize| {
            if lower.is_ascii() {
                i
            } else {
                lower.char_indices().nth(i).map_or(lower.len(), |(b, _)| b)
            }
        };
        for k in (1..=self.max_suffix.min(nchars)).rev() {
            let suffix = &lower[start_of(nchars - k)..];
            if let Some(&(strip, add)) = self.rules.get(&key(suffix, u)) {
                let strip = strip as usize;
                if strip < nchars {
                    let mut out = String::with_capacity(lower.len() + add.len());
                    out.push_str(&lower[..start_of(nchars - strip)]);
                    out.push_str(add);
                    return out;
                }
            }
        }
        lower.into_owned()
    }

    pub(crate) fn read(r: &mut Reader<'a>) -> Result<Lemmatizer<'a>, ModelError> {
        let max_suffix = r.u32()? as usize;
        let n = r.u32()? as usize;
        let mut table = HashMap::with_capacity_and_hasher(n.min(1 << 22), Default::default());
        for _ in 0..n {
            let form = r.str()?;
            let upos = r.u8()?;
            table.insert(key(form, upos), r.str()?);
        }
        let n = r.u32()? as usize;
        let mut rules = HashMap::with_capacity_and_hasher(n.min(1 << 22), Default::default());
        for _ in 0..n {
            let suffix = r.str()?;
            let upos = r.u8()?;
            let strip = r.u8()?;
            rules.insert(key(suffix, upos), (strip, r.str()?));
        }
        Ok(Lemmatizer {
            table,
            rules,
            max_suffix,
        })
    }
}

/// Learns a lemmatizer from (form, UPOS, lemma) triples and writes it.
pub(crate) fn build(examples: &[(String, u8, String)], w: &mut Writer) {
    const MAX_SUFFIX: usize = 5;
    let mut counts: HashMap<(&str, u8), HashMap<&str, u32>> = HashMap::new();
    for (form, upos, lemma) in examples {
        if lemma == "_" || lemma.is_empty() {
            continue;
        }
        *counts
            .entry((form.as_str(), *upos))
            .or_default()
            .entry(lemma.as_str())
            .or_default() += 1;
    }
    let mut table: Vec<(&str, u8, &str, u32)> = counts
        .iter()
        .map(|(&(f, u), ls)| {
            let (l, c) = ls
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                .map(|(l, c)| (*l, *c))
                .unwrap_or((f, 0));
            (f, u, l, c)
        })
        .collect();
    table.sort();
    let mut rule_counts: HashMap<(String, u8), HashMap<(usize, String), u32>> = HashMap::new();
    for &(form, upos, lemma, c) in &table {
        let lower = form.to_lowercase();
        let r = rule(&lower, &lemma.to_lowercase());
        let chars: Vec<char> = lower.chars().collect();
        for k in 1..=MAX_SUFFIX.min(chars.len()) {
            let suffix: String = chars[chars.len() - k..].iter().collect();
            *rule_counts
                .entry((suffix, upos))
                .or_default()
                .entry(r.clone())
                .or_default() += c.min(3);
        }
    }
    let mut rules: Vec<(String, u8, usize, String)> = rule_counts
        .into_iter()
        .filter_map(|((s, u), rs)| {
            let total: u32 = rs.values().sum();
            let (r, c) = rs
                .into_iter()
                .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))?;
            (c >= 2 && c * 2 > total && r.0 < 256).then_some((s, u, r.0, r.1))
        })
        .collect();
    rules.sort();
    w.u32(MAX_SUFFIX as u32);
    w.u32(table.len() as u32);
    for (f, u, l, _) in &table {
        w.str(f);
        w.u8(*u);
        w.str(l);
    }
    w.u32(rules.len() as u32);
    for (s, u, strip, add) in &rules {
        w.str(s);
        w.u8(*u);
        w.u8(*strip as u8);
        w.str(add);
    }
}
