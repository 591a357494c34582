//! A fast hasher for the lexicon maps that are looked up for every token (cue words,
//! event types, number words, timex words, …). Their keys are short strings from the
//! resources, not chosen by an attacker, so SipHash's protection buys nothing there and
//! cost about 5 % of the instructions of `annotate`. Only for maps that are looked up,
//! never iterated in an order that reaches the output (the order differs from SipHash's).

use std::hash::{BuildHasherDefault, Hasher};

const K: u64 = 0x9e37_79b9_7f4a_7c15;

/// FxHash-style word-at-a-time hashing with a final mix (the map takes its bucket from
/// the low bits and its tag from the high ones, so both must depend on every byte).
#[derive(Default, Clone, Copy)]
pub struct FastHasher(u64);

impl FastHasher {
    #[inline]
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(K);
    }
}

impl Hasher for FastHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes(c.try_into().unwrap_or([0; 8])));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut a = [0u8; 8];
            a[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(a) ^ ((rest.len() as u64) << 59));
        }
    }

    #[inline]
    fn write_u8(&mut self, b: u8) {
        self.add(u64::from(b));
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        let h = self.0;
        (h ^ (h >> 32)).wrapping_mul(K) ^ (h >> 29)
    }
}

/// A `HashMap` with [`FastHasher`].
pub type FastMap<K, V> = std::collections::HashMap<K, V, BuildHasherDefault<FastHasher>>;
/// A `HashSet` with [`FastHasher`].
pub type FastSet<K> = std::collections::HashSet<K, BuildHasherDefault<FastHasher>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_keys_are_found() {
        let words = [
            "de",
            "het",
            "een",
            "minister-president",
            "zou",
            "",
            "zó",
            "woensdag",
        ];
        let map: FastMap<String, usize> = words
            .iter()
            .enumerate()
            .map(|(i, w)| (w.to_string(), i))
            .collect();
        for (i, w) in words.iter().enumerate() {
            assert_eq!(map.get(*w), Some(&i));
        }
        assert_eq!(map.get("dee"), None);
        let set: FastSet<&str> = words.iter().copied().collect();
        assert!(set.contains("zou") && !set.contains("zo"));
    }
}
