//! Name lists compiled into the model: hashed token sequences with a bit mask of types.
//!
//! Lists are read only at training time (by the CLI); the model file carries the compiled
//! form, so tagging never reads anything but the model bytes.

use super::hash::{prefetch, FeatHash, KeyTable};

/// Longest name (in tokens) that is matched.
pub(crate) const MAX_LEN: usize = 6;
const PHRASE: u32 = 0x6A5_0001;

/// A compiled gazetteer: phrase key → type bit mask.
#[derive(Debug, Clone, Default)]
pub struct Gazetteer {
    /// Type names, one per mask bit (at most 8).
    pub(crate) types: Vec<String>,
    /// Sorted `(phrase key, mask)` pairs, as stored in the model.
    pub(crate) entries: Vec<(u32, u8)>,
    table: KeyTable,
    /// A blocked Bloom filter over the keys (two bits in one `u64` per key, about 16 bits
    /// per name): small enough to stay in cache, it rejects most phrases that are not
    /// names before the large table is touched. No false negatives, so results are as
    /// without it.
    bloom: Vec<u64>,
    bloom_mask: usize,
}

#[inline]
fn bloom_bits(k: u32, mask: usize) -> (usize, u64) {
    let h = u64::from(k).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let word = (h >> 40) as usize & mask;
    let bits = (1u64 << (h & 63)) | (1u64 << ((h >> 6) & 63));
    (word, bits)
}

/// Where a token sits in a gazetteer match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GazPos {
    Begin = 1,
    Inside = 2,
    End = 3,
    Unit = 4,
}

pub(crate) fn phrase_key<'a>(tokens: impl IntoIterator<Item = &'a str>) -> u32 {
    let mut h = FeatHash::new(PHRASE);
    for t in tokens {
        h = h.str(t);
    }
    h.key()
}

impl Gazetteer {
    /// Compiles names, each given as its tokens, with a type name (`PER`, `LOC`, …).
    pub fn compile<'a>(names: impl IntoIterator<Item = (&'a str, Vec<&'a str>)>) -> Gazetteer {
        let mut types: Vec<String> = Vec::new();
        let mut map: std::collections::HashMap<u32, u8> = std::collections::HashMap::new();
        for (ty, toks) in names {
            if toks.is_empty() || toks.len() > MAX_LEN {
                continue;
            }
            let bit = match types.iter().position(|t| t == ty) {
                Some(b) => b,
                None if types.len() < 8 => {
                    types.push(ty.to_string());
                    types.len() - 1
                }
                None => continue,
            };
            *map.entry(phrase_key(toks.iter().copied())).or_insert(0) |= 1 << bit;
        }
        let mut entries: Vec<(u32, u8)> = map.into_iter().collect();
        entries.sort_unstable();
        Gazetteer::from_parts(types, entries)
    }

    pub(crate) fn from_parts(types: Vec<String>, entries: Vec<(u32, u8)>) -> Gazetteer {
        let table = KeyTable::build(entries.iter().map(|&(k, m)| (k, u32::from(m))));
        let words = (entries.len() / 4).next_power_of_two().max(1);
        let mut bloom = vec![0u64; words];
        for &(k, _) in &entries {
            let (w, b) = bloom_bits(k, words - 1);
            bloom[w] |= b;
        }
        Gazetteer {
            types,
            entries,
            table,
            bloom_mask: words - 1,
            bloom,
        }
    }

    /// Whether `key` may be a name (false: surely not).
    #[inline]
    fn may_contain(&self, key: u32) -> bool {
        let (w, b) = bloom_bits(key, self.bloom_mask);
        self.bloom.get(w).is_some_and(|x| x & b == b)
    }

    /// Number of names.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether it has no names.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// For each token, for each type bit, the position of the token in the longest match
    /// of that type covering it (0 = none). Returned as `tokens.len() * 8` bytes.
    pub(crate) fn annotate(&self, tokens: &[&str]) -> Vec<u8> {
        let n = tokens.len();
        let mut out = vec![0u8; n * 8];
        if self.entries.is_empty() {
            return out;
        }
        // best[i*8+b] = length of the longest match of type b covering token i.
        let mut best = vec![0u8; n * 8];
        // All phrase keys first, their Bloom words prefetched; then the Bloom test of each,
        // in the same order, prefetching the table slots of those it lets through; then
        // the lookups, still in that order. The filter is larger than the inner caches,
        // so this way its misses, and then the table's, overlap.
        let mut keys: Vec<(u32, u32, u32)> = Vec::with_capacity(n * MAX_LEN);
        for start in 0..n {
            let mut h = FeatHash::new(PHRASE);
            for len in 1..=MAX_LEN.min(n - start) {
                let tok = tokens[start + len - 1];
                h = h.str(tok);
                if len == 1 && !tok.chars().next().is_some_and(|c| c.is_alphanumeric()) {
                    break;
                }
                let key = h.key();
                if let Some(w) = self.bloom.get(bloom_bits(key, self.bloom_mask).0) {
                    prefetch(w);
                }
                keys.push((start as u32, len as u32, key));
            }
        }
        keys.retain(|&(_, _, key)| {
            let keep = self.may_contain(key);
            if keep {
                self.table.prefetch(key);
            }
            keep
        });
        for (start, len, key) in keys {
            let (start, len) = (start as usize, len as usize);
            let Some(mask) = self.table.get(key) else {
                continue;
            };
            for b in 0..8 {
                if mask & (1 << b) == 0 {
                    continue;
                }
                for i in start..start + len {
                    if best[i * 8 + b] as usize >= len {
                        continue;
                    }
                    best[i * 8 + b] = len as u8;
                    out[i * 8 + b] = if len == 1 {
                        GazPos::Unit as u8
                    } else if i == start {
                        GazPos::Begin as u8
                    } else if i == start + len - 1 {
                        GazPos::End as u8
                    } else {
                        GazPos::Inside as u8
                    };
                }
            }
        }
        out
    }
}

/// Decodes the HTML numeric entities some list entries carry (`&#350;enol` → `Şenol`).
pub fn decode_entities(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains("&#") {
        return s.into();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(p) = rest.find("&#") {
        out.push_str(&rest[..p]);
        let after = &rest[p + 2..];
        match after.find(';').and_then(|e| {
            after[..e]
                .parse::<u32>()
                .ok()
                .and_then(char::from_u32)
                .map(|c| (e, c))
        }) {
            Some((e, c)) => {
                out.push(c);
                rest = &after[e + 1..];
            }
            None => {
                out.push_str("&#");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_match_positions() {
        let g = Gazetteer::compile([
            ("LOC", vec!["New", "York"]),
            ("LOC", vec!["York"]),
            ("PER", vec!["Jan"]),
        ]);
        let a = g.annotate(&["in", "New", "York", "zei", "Jan"]);
        let loc = g.types.iter().position(|t| t == "LOC").unwrap();
        let per = g.types.iter().position(|t| t == "PER").unwrap();
        assert_eq!(a[8 + loc], GazPos::Begin as u8);
        assert_eq!(a[2 * 8 + loc], GazPos::End as u8);
        assert_eq!(a[4 * 8 + per], GazPos::Unit as u8);
        assert_eq!(a[loc], 0);
        assert_eq!(decode_entities("&#350;enol"), "Şenol");
    }
}
