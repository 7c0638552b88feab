//! Eight ASCII bytes at a time in a `u64` (SIMD within a register): byte-wise comparisons whose
//! result is the high bit of each byte that passes, exact for every byte below 0x80. Used where
//! readers and matchers scan every byte of every field.

/// Every byte `c`.
const fn splat(c: u8) -> u64 {
    0x0101_0101_0101_0101 * c as u64
}

/// The high bit of every byte.
const HIGH: u64 = splat(0x80);

/// The eight bytes from `bytes[at]`, the first in the lowest byte.
pub(crate) fn load(bytes: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(bytes[at..at + 8].try_into().expect("eight bytes"))
}

/// The high bit of each byte of `x` (ASCII) that is at least `c` (at most 0x80).
pub(crate) fn at_least(x: u64, c: u8) -> u64 {
    // Each byte with its high bit set, minus `c`, borrows nothing from the next byte.
    ((x | HIGH) - splat(c)) & HIGH
}

/// The high bit of each byte of `x` (ASCII) that is below `c` (at most 0x80).
pub(crate) fn below(x: u64, c: u8) -> u64 {
    !at_least(x, c) & HIGH
}

/// Bit `i` set where byte `i` of a comparison's result has its high bit set.
pub(crate) fn to_bits(high: u64) -> u64 {
    ((high >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56
}
