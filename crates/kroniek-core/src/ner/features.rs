//! Feature extraction: one token in its sentence and document → a list of hashed keys.
//!
//! Templates are numbered; a key is the hash of the template number and its strings, so
//! the model file needs no feature dictionary.

use std::hash::{BuildHasherDefault, Hasher};
use std::rc::Rc;

use super::clusters::Clusters;
use super::gazetteer::Gazetteer;
use super::hash::FeatHash;

/// Hashes a `u32` that already is a hash (a form key) with one multiplication; the sets
/// below only ever hold such keys.
#[derive(Default, Clone, Copy)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u32(&mut self, k: u32) {
        self.0 = u64::from(k).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type HashSet<K> = std::collections::HashSet<K, BuildHasherDefault<KeyHasher>>;

/// What the document as a whole says about word forms (capitalisation evidence).
#[derive(Debug, Default, Clone)]
pub struct DocStats {
    /// Lower-cased forms seen written in lower case, not sentence-initially.
    lower: HashSet<u32>,
    /// Lower-cased forms seen capitalised, not sentence-initially.
    capital: HashSet<u32>,
}

fn form_key(lower: &str) -> u32 {
    FeatHash::new(0xD0C).str(lower).key()
}

fn starts_upper(s: &str) -> bool {
    s.chars().next().is_some_and(char::is_uppercase)
}

fn starts_lower(s: &str) -> bool {
    s.chars().next().is_some_and(char::is_lowercase)
}

impl DocStats {
    /// Collects the evidence from the sentences of one document.
    pub fn new<'a, S: AsRef<str> + 'a>(sentences: impl IntoIterator<Item = &'a [S]>) -> DocStats {
        let mut d = DocStats::default();
        for s in sentences {
            for t in s.iter().skip(1) {
                let t = t.as_ref();
                d.add(t, || form_key(&t.to_lowercase()));
            }
        }
        d
    }

    /// Adds the evidence of a token `t` that does not start its sentence; `key` gives
    /// the form key of its lower case (the tagger has it cached).
    pub(crate) fn add(&mut self, t: &str, key: impl FnOnce() -> u32) {
        if starts_lower(t) {
            self.lower.insert(key());
        } else if starts_upper(t) {
            self.capital.insert(key());
        }
    }
}

/// What the features need of a word form alone. The tagger keeps these per thread
/// with its word sums, so that each form is lower-cased, shaped and looked up once.
#[derive(Debug)]
pub(crate) struct WordInfo {
    lower: String,
    shape: String,
    short: String,
    cluster: Option<u32>,
    /// The form key of `lower` ([`DocStats`], [`StackInfo`]).
    pub(crate) form: u32,
}

impl WordInfo {
    pub(crate) fn new(w: &str, clusters: Option<&Clusters>) -> WordInfo {
        let lower = w.to_lowercase();
        WordInfo {
            shape: shape(w),
            short: short_shape(w),
            cluster: clusters.and_then(|c| c.get(&lower)),
            form: form_key(&lower),
            lower,
        }
    }
}

/// [`Prepared::role_features`] of the token itself.
pub(crate) const ROLE_SELF: usize = 0;
/// … of the token before.
pub(crate) const ROLE_PREV: usize = 1;
/// … of the token after.
pub(crate) const ROLE_NEXT: usize = 2;
/// … of the token two before.
pub(crate) const ROLE_PREV2: usize = 3;
/// … of the token two after.
pub(crate) const ROLE_NEXT2: usize = 4;
/// Number of roles.
pub(crate) const ROLES: usize = 5;

/// A sentence prepared for feature extraction.
pub(crate) struct Prepared<'a> {
    words: &'a [&'a str],
    info: Vec<Rc<WordInfo>>,
    gaz: Vec<u8>,
    doc_lower: Vec<bool>,
    doc_capital: Vec<bool>,
}

/// The word shape: `Xx` classes per character, capped (`Baghdadi` → `Xxxxxxxx`).
pub(crate) fn shape(w: &str) -> String {
    let mut s = String::with_capacity(w.len().min(16));
    for (n, c) in w.chars().enumerate() {
        if n >= 12 {
            s.push('~');
            break;
        }
        s.push(class(c));
    }
    s
}

/// The short shape: runs of a class collapsed (`Al-Baghdadi` → `Xx-Xx`).
pub(crate) fn short_shape(w: &str) -> String {
    let mut s = String::with_capacity(8);
    let mut last = '\0';
    for c in w.chars().map(class) {
        if c != last {
            s.push(c);
            last = c;
        }
    }
    s
}

fn class(c: char) -> char {
    if c.is_uppercase() {
        'X'
    } else if c.is_lowercase() {
        'x'
    } else if c.is_numeric() {
        'd'
    } else if c.is_alphabetic() {
        'a'
    } else {
        c
    }
}

impl<'a> Prepared<'a> {
    pub(crate) fn new(
        words: &'a [&'a str],
        doc: Option<&DocStats>,
        gaz: Option<&Gazetteer>,
        clusters: Option<&Clusters>,
    ) -> Prepared<'a> {
        let info = words
            .iter()
            .map(|w| Rc::new(WordInfo::new(w, clusters)))
            .collect();
        Prepared::with_info(words, info, doc, gaz)
    }

    /// [`Prepared::new`] with the [`WordInfo`] of each word already at hand.
    pub(crate) fn with_info(
        words: &'a [&'a str],
        info: Vec<Rc<WordInfo>>,
        doc: Option<&DocStats>,
        gaz: Option<&Gazetteer>,
    ) -> Prepared<'a> {
        let gaz = gaz.map(|g| g.annotate(words)).unwrap_or_default();
        let (doc_lower, doc_capital) = match doc {
            Some(d) => info
                .iter()
                .zip(words)
                .map(|(x, w)| {
                    if starts_upper(w) {
                        (d.lower.contains(&x.form), d.capital.contains(&x.form))
                    } else {
                        (false, false)
                    }
                })
                .unzip(),
            None => (vec![false; words.len()], vec![false; words.len()]),
        };
        Prepared {
            words,
            info,
            gaz,
            doc_lower,
            doc_capital,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.words.len()
    }

    fn lower_at(&self, i: isize) -> &str {
        if i < 0 {
            "<s>"
        } else if i as usize >= self.words.len() {
            "</s>"
        } else {
            &self.info[i as usize].lower
        }
    }

    fn short_at(&self, i: isize) -> &str {
        if i < 0 {
            "<s>"
        } else if i as usize >= self.words.len() {
            "</s>"
        } else {
            &self.info[i as usize].short
        }
    }

    /// Appends the feature keys of token `i` to `out`.
    pub(crate) fn features(&self, i: usize, out: &mut Vec<u32>) {
        let f = |t: u32| FeatHash::new(t);
        let w = self.words[i];
        let l = &self.info[i].lower;
        let ii = i as isize;
        out.push(f(1).key());
        out.push(f(2).str(w).key());
        out.push(f(3).str(l).key());
        out.push(f(4).str(&self.info[i].shape).key());
        out.push(f(5).str(&self.info[i].short).key());
        // Affixes of the lower-cased word, by characters.
        let chars: Vec<(usize, char)> = l.char_indices().collect();
        let n = chars.len();
        for k in 1..=4.min(n) {
            out.push(
                f(6).num(k as u64)
                    .str(&l[..chars.get(k).map_or(l.len(), |c| c.0)])
                    .key(),
            );
        }
        for k in 1..=5.min(n) {
            out.push(f(7).num(k as u64).str(&l[chars[n - k].0..]).key());
        }
        out.push(f(8).str(self.lower_at(ii - 1)).key());
        out.push(f(9).str(self.lower_at(ii + 1)).key());
        out.push(f(10).str(self.lower_at(ii - 2)).key());
        out.push(f(11).str(self.lower_at(ii + 2)).key());
        out.push(f(12).str(self.short_at(ii - 1)).key());
        out.push(f(13).str(self.short_at(ii + 1)).key());
        out.push(f(14).str(self.lower_at(ii - 1)).str(l).key());
        out.push(f(15).str(l).str(self.lower_at(ii + 1)).key());
        out.push(
            f(28)
                .str(self.short_at(ii - 1))
                .str(&self.info[i].short)
                .str(self.short_at(ii + 1))
                .key(),
        );
        // The run of capitalised tokens this one is in: its length and our place in it.
        if starts_upper(w) {
            let cap = |j: usize| starts_upper(self.words[j]);
            let mut a = i;
            while a > 0 && cap(a - 1) {
                a -= 1;
            }
            let mut b = i + 1;
            while b < self.words.len() && cap(b) {
                b += 1;
            }
            let pos = if b - a == 1 {
                0
            } else if i == a {
                1
            } else if i + 1 == b {
                3
            } else {
                2
            };
            out.push(f(36).num((b - a).min(4) as u64).num(pos).key());
        }
        let first = i == 0 || (i == 1 && !self.words[0].chars().any(char::is_alphanumeric));
        if first {
            out.push(f(16).str(&self.info[i].short).key());
            out.push(f(29).str(l).key());
        }
        if w.len() > 1
            && w.chars().all(|c| !c.is_alphabetic() || c.is_uppercase())
            && w.chars().any(char::is_alphabetic)
        {
            out.push(f(17).num(1).key());
        }
        if w.contains('-') {
            let mut parts = l.split('-').filter(|p| !p.is_empty());
            if let Some(p) = parts.next() {
                out.push(f(27).num(0).str(p).key());
            }
            if let Some(p) = l.rsplit('-').find(|p| !p.is_empty()) {
                out.push(f(27).num(1).str(p).key());
            }
        }
        out.push(f(17).num(10 + n.min(12) as u64).key());
        if starts_upper(w) {
            out.push(
                f(18)
                    .num(
                        u64::from(self.doc_lower[i]) * 2
                            + u64::from(self.doc_capital[i])
                            + 4 * u64::from(first),
                    )
                    .key(),
            );
        }
        for (off, t) in [(0isize, 23u32), (-1, 24), (1, 25), (-2, 33), (2, 34)] {
            let j = ii + off;
            if j < 0 || j as usize >= self.words.len() {
                continue;
            }
            if let Some(path) = self.info[j as usize].cluster {
                for depth in [4u32, 8, 12, 16] {
                    if (off != 0 && depth > 8) || (off.abs() > 1 && depth > 4) {
                        break;
                    }
                    if off == 0 && depth == 12 {
                        out.push(
                            f(35)
                                .num(u64::from(path >> 20))
                                .str(&self.info[i].short)
                                .key(),
                        );
                    }
                    out.push(
                        f(t).num(u64::from(depth))
                            .num(u64::from(path >> (32 - depth)))
                            .key(),
                    );
                }
            }
        }
    }

    /// Appends the keys of [`Prepared::features`] of some token `i` that depend on nothing
    /// but the form of token `j` (`role`: [`ROLE_SELF`] for `j = i`, [`ROLE_PREV`] for
    /// `j = i - 1`, [`ROLE_NEXT`] for `i + 1`, [`ROLE_PREV2`] for `i - 2`, [`ROLE_NEXT2`] for
    /// `i + 2`). With [`Prepared::context_features`] of `i` these are, as a multiset,
    /// exactly `features(i)`: the tagger sums a word's roles once per document.
    pub(crate) fn role_features(&self, j: usize, role: usize, out: &mut Vec<u32>) {
        let f = |t: u32| FeatHash::new(t);
        let w = self.words[j];
        let l = &self.info[j].lower;
        let clusters = |t: u32, max_depth: u32, out: &mut Vec<u32>| {
            if let Some(path) = self.info[j].cluster {
                for depth in [4u32, 8, 12, 16] {
                    if depth > max_depth {
                        break;
                    }
                    out.push(
                        f(t).num(u64::from(depth))
                            .num(u64::from(path >> (32 - depth)))
                            .key(),
                    );
                }
            }
        };
        match role {
            ROLE_SELF => {
                out.push(f(1).key());
                out.push(f(2).str(w).key());
                out.push(f(3).str(l).key());
                out.push(f(4).str(&self.info[j].shape).key());
                out.push(f(5).str(&self.info[j].short).key());
                let chars: Vec<(usize, char)> = l.char_indices().collect();
                let n = chars.len();
                for k in 1..=4.min(n) {
                    out.push(
                        f(6).num(k as u64)
                            .str(&l[..chars.get(k).map_or(l.len(), |c| c.0)])
                            .key(),
                    );
                }
                for k in 1..=5.min(n) {
                    out.push(f(7).num(k as u64).str(&l[chars[n - k].0..]).key());
                }
                if w.len() > 1
                    && w.chars().all(|c| !c.is_alphabetic() || c.is_uppercase())
                    && w.chars().any(char::is_alphabetic)
                {
                    out.push(f(17).num(1).key());
                }
                if w.contains('-') {
                    let mut parts = l.split('-').filter(|p| !p.is_empty());
                    if let Some(p) = parts.next() {
                        out.push(f(27).num(0).str(p).key());
                    }
                    if let Some(p) = l.rsplit('-').find(|p| !p.is_empty()) {
                        out.push(f(27).num(1).str(p).key());
                    }
                }
                out.push(f(17).num(10 + n.min(12) as u64).key());
                if let Some(path) = self.info[j].cluster {
                    out.push(
                        f(35)
                            .num(u64::from(path >> 20))
                            .str(&self.info[j].short)
                            .key(),
                    );
                }
                clusters(23, 16, out);
            }
            ROLE_PREV => {
                out.push(f(8).str(l).key());
                out.push(f(12).str(&self.info[j].short).key());
                clusters(24, 8, out);
            }
            ROLE_NEXT => {
                out.push(f(9).str(l).key());
                out.push(f(13).str(&self.info[j].short).key());
                clusters(25, 8, out);
            }
            ROLE_PREV2 => {
                out.push(f(10).str(l).key());
                clusters(33, 4, out);
            }
            _ => {
                out.push(f(11).str(l).key());
                clusters(34, 4, out);
            }
        }
    }

    /// Appends the keys of [`Prepared::features`] of token `i` that are not in any
    /// [`Prepared::role_features`]: word pairs, the shape trigram, capitalised runs,
    /// sentence start, document evidence and the sentence-boundary neighbours.
    pub(crate) fn context_features(&self, i: usize, out: &mut Vec<u32>) {
        let f = |t: u32| FeatHash::new(t);
        let w = self.words[i];
        let l = &self.info[i].lower;
        let ii = i as isize;
        let len = self.words.len();
        if i < 1 {
            out.push(f(8).str("<s>").key());
            out.push(f(12).str("<s>").key());
        }
        if i + 1 >= len {
            out.push(f(9).str("</s>").key());
            out.push(f(13).str("</s>").key());
        }
        if i < 2 {
            out.push(f(10).str("<s>").key());
        }
        if i + 2 >= len {
            out.push(f(11).str("</s>").key());
        }
        out.push(f(14).str(self.lower_at(ii - 1)).str(l).key());
        out.push(f(15).str(l).str(self.lower_at(ii + 1)).key());
        out.push(
            f(28)
                .str(self.short_at(ii - 1))
                .str(&self.info[i].short)
                .str(self.short_at(ii + 1))
                .key(),
        );
        if starts_upper(w) {
            let cap = |j: usize| starts_upper(self.words[j]);
            let mut a = i;
            while a > 0 && cap(a - 1) {
                a -= 1;
            }
            let mut b = i + 1;
            while b < len && cap(b) {
                b += 1;
            }
            let pos = if b - a == 1 {
                0
            } else if i == a {
                1
            } else if i + 1 == b {
                3
            } else {
                2
            };
            out.push(f(36).num((b - a).min(4) as u64).num(pos).key());
        }
        let first = i == 0 || (i == 1 && !self.words[0].chars().any(char::is_alphanumeric));
        if first {
            out.push(f(16).str(&self.info[i].short).key());
            out.push(f(29).str(l).key());
        }
        if starts_upper(w) {
            out.push(
                f(18)
                    .num(
                        u64::from(self.doc_lower[i]) * 2
                            + u64::from(self.doc_capital[i])
                            + 4 * u64::from(first),
                    )
                    .key(),
            );
        }
    }

    /// The form key of token `i`'s lower case.
    pub(crate) fn form(&self, i: usize) -> u32 {
        self.info[i].form
    }

    /// Appends the gazetteer feature keys of token `i` (kept apart so training can drop them).
    pub(crate) fn gaz_features(&self, i: usize, out: &mut Vec<u32>) {
        let f = |t: u32| FeatHash::new(t);
        let ii = i as isize;
        if !self.gaz.is_empty() {
            for (off, t) in [(0isize, 20u32), (-1, 21), (1, 22)] {
                let j = ii + off;
                if j < 0 || j as usize >= self.words.len() {
                    continue;
                }
                let g = &self.gaz[j as usize * 8..j as usize * 8 + 8];
                // Most tokens are in no list: nothing to push.
                if g == [0u8; 8] {
                    continue;
                }
                let mut any = false;
                for (b, &pos) in g.iter().enumerate() {
                    if pos != 0 {
                        any = true;
                        out.push(f(t).num(b as u64).num(u64::from(pos)).key());
                    }
                }
                if off == 0 && any {
                    let mask = g
                        .iter()
                        .enumerate()
                        .fold(0u64, |m, (b, &p)| m | (u64::from(p != 0) << b));
                    out.push(f(26).num(mask).str(&self.info[i].short).key());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert_eq!(shape("Baghdadi"), "Xxxxxxxx");
        assert_eq!(short_shape("Al-Baghdadi"), "Xx-Xx");
        assert_eq!(short_shape("1.500"), "d.d");
        assert_eq!(short_shape("ISIS"), "X");
    }

    #[test]
    fn features_see_context_and_document() {
        let s1 = ["Verslagen", "zegt", "Baghdadi", "."];
        let s2 = ["Hij", "werd", "verslagen", "."];
        let doc = DocStats::new([&s1[..], &s2[..]]);
        let p = Prepared::new(&s1, Some(&doc), None, None);
        let mut a = Vec::new();
        p.features(0, &mut a);
        let mut b = Vec::new();
        let p2 = Prepared::new(&s1, None, None, None);
        p2.features(0, &mut b);
        // Same word, but the document shows "verslagen" in lower case elsewhere.
        assert_ne!(a, b);
        let mut c = Vec::new();
        p.features(2, &mut c);
        assert!(c.contains(&FeatHash::new(2).str("Baghdadi").key()));
        assert!(c.contains(&FeatHash::new(8).str("zegt").key()));
        assert!(c.len() > 20);
        let mut all = c.clone();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), c.len(), "no duplicate keys expected here");
    }

    #[test]
    fn roles_and_context_are_all_features() {
        let clusters = Clusters::from_parts(vec![
            (super::super::clusters::word_key("zegt"), 0xA5A5_0000),
            (super::super::clusters::word_key("baghdadi"), 0x1234_5678),
            (super::super::clusters::word_key("."), 0xF000_0001),
        ]);
        let gaz = Gazetteer::compile([("PER", vec!["Baghdadi"])]);
        let sents: [&[&str]; 5] = [
            &["Verslagen", "zegt", "Baghdadi", "."],
            &[
                "\u{201c}",
                "AL-Qaida",
                "zegt",
                "het",
                "F-16-toestel",
                "nu",
                ".",
            ],
            &["Zegt"],
            &["Baghdadi", "Zegt"],
            &["Élan", "ÉLAN", "élan", "1.500", "-", "x-"],
        ];
        let doc = DocStats::new(sents.iter().copied());
        for s in sents {
            let p = Prepared::new(s, Some(&doc), Some(&gaz), Some(&clusters));
            for i in 0..s.len() {
                let mut want = Vec::new();
                p.features(i, &mut want);
                let mut got = Vec::new();
                p.context_features(i, &mut got);
                p.role_features(i, ROLE_SELF, &mut got);
                for (off, role) in [
                    (-1isize, ROLE_PREV),
                    (1, ROLE_NEXT),
                    (-2, ROLE_PREV2),
                    (2, ROLE_NEXT2),
                ] {
                    let j = i as isize + off;
                    if j >= 0 && (j as usize) < s.len() {
                        p.role_features(j as usize, role, &mut got);
                    }
                }
                want.sort_unstable();
                got.sort_unstable();
                assert_eq!(want, got, "{s:?} {i}");
            }
        }
    }
}

/// First-stage labels of a whole document, for the second stage's features: how each
/// word form was labelled elsewhere in the document (label consistency).
#[derive(Debug, Clone, Default)]
pub(crate) struct StackInfo {
    /// Lower-cased form → count of first-stage labels per entity type (index 0 = `O`).
    counts: std::collections::HashMap<u32, [u16; 8], BuildHasherDefault<KeyHasher>>,
}

/// The entity-type index of each label (`O` → 0, `B-PER`/`I-PER` → the same non-zero index).
pub(crate) fn type_ids(tags: &[String]) -> Vec<u8> {
    let mut types: Vec<&str> = Vec::new();
    tags.iter()
        .map(|t| match t.split_once('-') {
            Some((_, ty)) => {
                let id = types.iter().position(|x| *x == ty).unwrap_or_else(|| {
                    types.push(ty);
                    types.len() - 1
                });
                (id + 1).min(7) as u8
            }
            None => 0,
        })
        .collect()
}

impl StackInfo {
    /// Counts the first-stage labels (`labels[s][i]`, label indexes) of a document.
    pub(crate) fn new<S: AsRef<str>>(
        sentences: &[Vec<S>],
        labels: &[Vec<usize>],
        type_of: &[u8],
    ) -> StackInfo {
        let mut stack = StackInfo::default();
        for (s, ls) in sentences.iter().zip(labels) {
            for (w, &l) in s.iter().zip(ls) {
                stack.add(form_key(&w.as_ref().to_lowercase()), l, type_of);
            }
        }
        stack
    }

    /// Counts one token: the form key of its lower case and its first-stage label.
    pub(crate) fn add(&mut self, form: u32, label: usize, type_of: &[u8]) {
        let c = self.counts.entry(form).or_default();
        let t = type_of.get(label).copied().unwrap_or(0) as usize;
        c[t] = c[t].saturating_add(1);
    }
}

impl Prepared<'_> {
    /// Second-stage features of token `i`: its own and its neighbours' first-stage labels,
    /// and how the same word was labelled elsewhere in the document.
    pub(crate) fn stack_features(
        &self,
        i: usize,
        stack: &StackInfo,
        labels: &[usize],
        type_of: &[u8],
        out: &mut Vec<u32>,
    ) {
        let f = |t: u32| FeatHash::new(t);
        let at = |j: isize| -> u64 {
            if j < 0 || j as usize >= labels.len() {
                99
            } else {
                labels[j as usize] as u64
            }
        };
        let ii = i as isize;
        out.push(f(40).num(at(ii)).key());
        out.push(f(41).num(at(ii - 1)).num(at(ii)).key());
        out.push(f(42).num(at(ii)).num(at(ii + 1)).key());
        if !starts_upper(self.words[i]) {
            return;
        }
        let Some(c) = stack.counts.get(&self.info[i].form) else {
            return;
        };
        let mut c = *c;
        let own = type_of.get(labels[i]).copied().unwrap_or(0) as usize;
        c[own] = c[own].saturating_sub(1);
        let total: u16 = c.iter().sum();
        if total == 0 {
            out.push(f(43).num(0).key());
            return;
        }
        let (major, _) = c
            .iter()
            .enumerate()
            .max_by_key(|(t, n)| (**n, std::cmp::Reverse(*t)))
            .unwrap_or((0, &0));
        out.push(f(43).num(1 + major as u64).key());
        out.push(f(44).num(major as u64).num(own as u64).key());
        for (t, &n) in c.iter().enumerate().skip(1) {
            if n > 0 {
                out.push(f(45).num(t as u64).key());
            }
        }
    }
}
