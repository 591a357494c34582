//! Word clusters induced from unlabeled text: a binary path per word (like Brown
//! clusters), made by recursive two-way spherical k-means over left/right neighbour
//! counts. Words that behave alike (month names, surnames, cities) share path prefixes,
//! which lets the tagger generalise to names it never saw labelled.

use std::collections::HashMap;

use super::hash::{FeatHash, KeyTable};

/// Depth of the paths (bits).
pub const DEPTH: u32 = 16;

/// Word → cluster path (left-aligned bits in a `u32`).
#[derive(Debug, Clone, Default)]
pub struct Clusters {
    pub(crate) entries: Vec<(u32, u32)>,
    table: KeyTable,
}

pub(crate) fn word_key(lower: &str) -> u32 {
    FeatHash::new(0xC1A5).str(lower).key()
}

impl Clusters {
    pub(crate) fn from_parts(mut entries: Vec<(u32, u32)>) -> Clusters {
        entries.sort_unstable();
        entries.dedup_by_key(|e| e.0);
        let table = KeyTable::build(entries.iter().copied());
        Clusters { entries, table }
    }

    /// The path of a lower-cased word.
    #[inline]
    pub fn get(&self, lower: &str) -> Option<u32> {
        self.table.get(word_key(lower))
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no word has a cluster.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Induces clusters from sentences of raw tokens (deterministic).
    ///
    /// `min_count`: words seen fewer times get no cluster; `max_words` caps the vocabulary.
    pub fn induce<S: AsRef<str>>(
        sentences: &[Vec<S>],
        min_count: usize,
        max_words: usize,
    ) -> Clusters {
        let mut counts: HashMap<String, usize> = HashMap::new();
        for s in sentences {
            for t in s {
                *counts.entry(t.as_ref().to_lowercase()).or_insert(0) += 1;
            }
        }
        let mut vocab: Vec<(String, usize)> = counts
            .into_iter()
            .filter(|(_, c)| *c >= min_count)
            .collect();
        vocab.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        vocab.truncate(max_words);
        let index: HashMap<&str, usize> = vocab
            .iter()
            .enumerate()
            .map(|(i, (w, _))| (w.as_str(), i))
            .collect();
        // Context words: the most frequent ones.
        const K: usize = 400;
        let ctx = |w: Option<&str>| -> usize {
            match w {
                None => K,
                Some(w) => match index.get(w) {
                    Some(&i) if i < K => i,
                    _ => K + 1,
                },
            }
        };
        let dims = 2 * (K + 2);
        let mut vecs: Vec<HashMap<u32, f32>> = vec![HashMap::new(); vocab.len()];
        for s in sentences {
            let low: Vec<String> = s.iter().map(|t| t.as_ref().to_lowercase()).collect();
            for (i, w) in low.iter().enumerate() {
                let Some(&wi) = index.get(w.as_str()) else {
                    continue;
                };
                let left = ctx(if i == 0 { None } else { Some(&low[i - 1]) });
                let right = ctx(low.get(i + 1).map(String::as_str));
                *vecs[wi].entry(left as u32).or_insert(0.0) += 1.0;
                *vecs[wi].entry((K + 2 + right) as u32).or_insert(0.0) += 1.0;
                // Capitalisation is a strong context signal for names.
                let cap = s[i].as_ref().chars().next().is_some_and(char::is_uppercase);
                *vecs[wi]
                    .entry((dims + usize::from(cap)) as u32)
                    .or_insert(0.0) += 1.0;
            }
        }
        let vecs: Vec<Vec<(u32, f32)>> = vecs
            .into_iter()
            .map(|m| {
                let mut v: Vec<(u32, f32)> =
                    m.into_iter().map(|(k, c)| (k, (1.0 + c).ln())).collect();
                v.sort_unstable_by_key(|e| e.0);
                let norm = v.iter().map(|e| e.1 * e.1).sum::<f32>().sqrt().max(1e-9);
                v.iter_mut().for_each(|e| e.1 /= norm);
                v
            })
            .collect();
        let total_dims = dims + 2;
        let mut paths = vec![0u32; vocab.len()];
        let mut stack: Vec<(Vec<usize>, u32)> = vec![((0..vocab.len()).collect(), 0)];
        while let Some((set, depth)) = stack.pop() {
            if depth >= DEPTH || set.len() < 2 {
                continue;
            }
            let (a, b) = bisect(&set, &vecs, total_dims);
            for &w in &b {
                paths[w] |= 1 << (31 - depth);
            }
            stack.push((a, depth + 1));
            stack.push((b, depth + 1));
        }
        Clusters::from_parts(
            vocab
                .iter()
                .zip(paths)
                .map(|((w, _), p)| (word_key(w), p))
                .collect(),
        )
    }
}

fn dot(v: &[(u32, f32)], c: &[f32]) -> f32 {
    v.iter().map(|&(k, x)| x * c[k as usize]).sum()
}

fn bisect(set: &[usize], vecs: &[Vec<(u32, f32)>], dims: usize) -> (Vec<usize>, Vec<usize>) {
    // Seeds: the most frequent word, and the word least like it.
    let mut c1 = vec![0f32; dims];
    for &(k, x) in &vecs[set[0]] {
        c1[k as usize] = x;
    }
    let far = *set
        .iter()
        .min_by(|&&a, &&b| {
            dot(&vecs[a], &c1)
                .total_cmp(&dot(&vecs[b], &c1))
                .then(a.cmp(&b))
        })
        .unwrap_or(&set[0]);
    let mut c2 = vec![0f32; dims];
    for &(k, x) in &vecs[far] {
        c2[k as usize] = x;
    }
    let mut assign = vec![false; set.len()];
    for _ in 0..6 {
        for (n, &w) in set.iter().enumerate() {
            assign[n] = dot(&vecs[w], &c2) > dot(&vecs[w], &c1);
        }
        c1.iter_mut().for_each(|x| *x = 0.0);
        c2.iter_mut().for_each(|x| *x = 0.0);
        for (n, &w) in set.iter().enumerate() {
            let c = if assign[n] { &mut c2 } else { &mut c1 };
            for &(k, x) in &vecs[w] {
                c[k as usize] += x;
            }
        }
        for c in [&mut c1, &mut c2] {
            let norm = c.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-9);
            c.iter_mut().for_each(|x| *x /= norm);
        }
    }
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for (n, &w) in set.iter().enumerate() {
        if assign[n] {
            b.push(w)
        } else {
            a.push(w)
        }
    }
    if a.is_empty() || b.is_empty() {
        // Degenerate split: halve by frequency order so the recursion ends.
        let mid = set.len() / 2;
        return (set[..mid].to_vec(), set[mid..].to_vec());
    }
    (a, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn similar_contexts_share_prefixes() {
        let mut sents: Vec<Vec<String>> = Vec::new();
        for city in ["Parijs", "Berlijn", "Mosul", "Londen"] {
            for verb in ["woont", "werkt", "sterft"] {
                sents.push(
                    format!("Hij {verb} in {city} .")
                        .split(' ')
                        .map(String::from)
                        .collect(),
                );
            }
        }
        for day in ["maandag", "dinsdag", "woensdag", "donderdag"] {
            for verb in ["kwam", "ging", "viel"] {
                sents.push(
                    format!("Hij {verb} op {day} weg")
                        .split(' ')
                        .map(String::from)
                        .collect(),
                );
            }
        }
        let c = Clusters::induce(&sents, 1, 1000);
        let p = |w| c.get(w).unwrap() >> 30;
        assert_eq!(p("parijs"), p("mosul"));
        assert_eq!(p("maandag"), p("woensdag"));
        assert_ne!(
            c.get("parijs").unwrap() >> 28,
            c.get("maandag").unwrap() >> 28
        );
    }
}
