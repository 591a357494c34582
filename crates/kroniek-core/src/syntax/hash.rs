//! Feature hashing: strings and feature templates become 32-bit keys.
//!
//! Hashes are fixed functions (FNV-1a and the splitmix64 finaliser), so models trained on
//! one machine work on every other.

/// The splitmix64 finaliser: a cheap, well-mixing 64-bit permutation.
#[inline]
pub(crate) fn mix(mut x: u64) -> u64 {
    x ^= x >> 30;
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// FNV-1a over the bytes, then mixed.
pub(crate) fn hash_str(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    mix(h)
}

/// The key of a feature: template `t` with one value.
#[inline]
pub(crate) fn f1(t: u32, a: u64) -> u32 {
    key(mix(
        a ^ (u64::from(t) << 40).wrapping_mul(0x9e37_79b9_7f4a_7c15)
    ))
}

/// The key of a feature: template `t` with two values.
#[inline]
pub(crate) fn f2(t: u32, a: u64, b: u64) -> u32 {
    key(mix(mix(
        a ^ (u64::from(t) << 40).wrapping_mul(0x9e37_79b9_7f4a_7c15)
    ) ^ b))
}

/// The key of a feature: template `t` with three values.
#[inline]
pub(crate) fn f3(t: u32, a: u64, b: u64, c: u64) -> u32 {
    key(mix(mix(mix(a
        ^ (u64::from(t) << 40)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15))
        ^ b)
        ^ c))
}

/// Folds a 64-bit hash to a non-zero 32-bit key (0 marks an empty slot).
#[inline]
fn key(h: u64) -> u32 {
    let k = (h >> 32) as u32;
    if k == 0 {
        1
    } else {
        k
    }
}
