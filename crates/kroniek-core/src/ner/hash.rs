//! A small, stable, platform-independent hash for feature strings.
//!
//! Feature keys are stored in model files, so the hash must never change between
//! versions or machines: it is written out here rather than taken from `std`.

const K: u64 = 0x9E37_79B9_7F4A_7C15;

/// An incremental hasher: feed template ids and strings, then take a 32-bit key.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FeatHash(u64);

impl FeatHash {
    /// Starts a hash for feature template `template`.
    #[inline]
    pub(crate) fn new(template: u32) -> FeatHash {
        FeatHash(mix(u64::from(template).wrapping_add(K)))
    }

    /// Adds a string (length-delimited, so `("ab","c")` and `("a","bc")` differ).
    #[inline]
    pub(crate) fn str(self, s: &str) -> FeatHash {
        self.bytes(s.as_bytes())
    }

    /// Adds bytes.
    #[inline]
    pub(crate) fn bytes(self, b: &[u8]) -> FeatHash {
        let mut h = self.0 ^ (b.len() as u64).wrapping_mul(K);
        let mut chunks = b.chunks_exact(8);
        for c in &mut chunks {
            let mut a = [0u8; 8];
            a.copy_from_slice(c);
            h = (h.rotate_left(5) ^ u64::from_le_bytes(a)).wrapping_mul(K);
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            // The rest zero-padded, read little-endian; byte by byte rather than a
            // `copy_from_slice` of variable length, which is a `memcpy` call.
            let mut x = 0u64;
            for (k, &byte) in rest.iter().enumerate() {
                x |= u64::from(byte) << (8 * k);
            }
            h = (h.rotate_left(5) ^ x).wrapping_mul(K);
        }
        FeatHash(mix(h))
    }

    /// Adds a number.
    #[inline]
    pub(crate) fn num(self, x: u64) -> FeatHash {
        FeatHash(mix((self.0.rotate_left(5) ^ x).wrapping_mul(K)))
    }

    /// The 32-bit key (never 0: 0 marks an empty slot in lookup tables).
    #[inline]
    pub(crate) fn key(self) -> u32 {
        let k = (self.0 ^ (self.0 >> 32)) as u32;
        if k == 0 {
            1
        } else {
            k
        }
    }
}

#[inline]
fn mix(mut z: u64) -> u64 {
    // splitmix64 finaliser
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// An open-addressing map from non-zero `u32` keys to `u32` values, built once.
///
/// Key and value share one 8-byte slot, so a lookup touches one cache line; tables are
/// far larger than the caches, so [`KeyTable::prefetch`] lets callers overlap the misses
/// of many lookups.
#[derive(Debug, Clone, Default)]
pub(crate) struct KeyTable {
    slots: Vec<(u32, u32)>,
    mask: usize,
}

impl KeyTable {
    /// Builds the table from `(key, value)` pairs (keys non-zero and unique).
    pub(crate) fn build(pairs: impl ExactSizeIterator<Item = (u32, u32)>) -> KeyTable {
        let cap = (pairs.len() * 2).next_power_of_two().max(16);
        let mut slots = vec![(0u32, 0u32); cap];
        let mask = cap - 1;
        for (k, v) in pairs {
            let mut i = slot(k, mask);
            while slots[i].0 != 0 && slots[i].0 != k {
                i = (i + 1) & mask;
            }
            slots[i] = (k, v);
        }
        KeyTable { slots, mask }
    }

    /// The value of `key`, if present.
    #[inline]
    pub(crate) fn get(&self, key: u32) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        let mut i = slot(key, self.mask);
        loop {
            let (k, v) = self.slots[i];
            if k == key {
                return Some(v);
            }
            if k == 0 {
                return None;
            }
            i = (i + 1) & self.mask;
        }
    }

    /// Asks the processor to start loading the slot of `key` (a hint; no effect on results).
    #[inline(always)]
    pub(crate) fn prefetch(&self, key: u32) {
        if let Some(s) = self.slots.get(slot(key, self.mask)) {
            prefetch(s);
        }
    }
}

/// Asks the processor to start loading `x` into the cache.
#[inline(always)]
pub(crate) fn prefetch<T>(x: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: prefetching is only a hint; any address is allowed, and this one is valid.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
            (x as *const T).cast::<i8>(),
        );
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = x;
}

#[inline]
fn slot(k: u32, mask: usize) -> usize {
    (k.wrapping_mul(0x9E37_79B1) as usize) & mask
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_stable_and_delimited() {
        assert_ne!(
            FeatHash::new(1).str("ab").str("c").key(),
            FeatHash::new(1).str("a").str("bc").key()
        );
        assert_ne!(
            FeatHash::new(1).str("x").key(),
            FeatHash::new(2).str("x").key()
        );
        assert_eq!(
            FeatHash::new(7).str("Mosul").key(),
            FeatHash::new(7).str("Mosul").key()
        );
        let t = KeyTable::build([(5u32, 1u32), (9, 2), (0xFFFF_FFFF, 3)].into_iter());
        assert_eq!(t.get(9), Some(2));
        assert_eq!(t.get(0xFFFF_FFFF), Some(3));
        assert_eq!(t.get(6), None);
    }
}
