//! The dot scan's kernel: `scan::find` searches a whole token for its dots, and the standard
//! library's search looks four bytes at a time in wasm32 (its word is 32 bits).
#![allow(unsafe_code)]

use core::arch::wasm32::*;

/// `Ok(position)` of the first `byte` in the whole 16-byte blocks at the start of
/// `haystack`, or `Err(bytes searched)` when there is none.
pub fn find(haystack: &[u8], byte: u8) -> Result<usize, usize> {
    let needle = u8x16_splat(byte);
    let mut at = 0;
    while at + 16 <= haystack.len() {
        // SAFETY: `at + 16 <= haystack.len()`, so the 16 bytes loaded are within it;
        // unaligned v128 loads are allowed in wasm.
        let block = unsafe { v128_load(haystack.as_ptr().add(at) as *const v128) };
        let hits = u8x16_bitmask(u8x16_eq(block, needle));
        if hits != 0 {
            return Ok(at + hits.trailing_zeros() as usize);
        }
        at += 16;
    }
    Err(at)
}
