//! The base64url decoder's kernel: sixteen characters at a time, for `b64::decode` (every
//! token is three decodes, most of them hundreds of characters long).
#![allow(unsafe_code)]

use core::arch::wasm32::*;

/// Decodes whole 16-character blocks from the start of `text` (whole groups) into `out` (their
/// bytes) while both have room, and returns how many characters it took and whether they were
/// all in the alphabet; the caller decodes the rest. The same mapping as `b64::SEXTETS`,
/// computed by ranges instead of a table.
pub fn decode(text: &[u8], out: &mut [u8]) -> (usize, bool) {
    let splat = u8x16_splat;
    let within = |v: v128, lo: u8, hi: u8| v128_and(u8x16_ge(v, splat(lo)), u8x16_le(v, splat(hi)));
    let (mut read, mut written) = (0, 0);
    let mut outside = splat(0);
    // Each block stores 16 bytes of which 12 are its own (the next block or the caller
    // overwrites the other 4), so `out` needs 16 bytes of room.
    while read + 16 <= text.len() && written + 16 <= out.len() {
        // SAFETY: `read + 16 <= text.len()`, so the 16 bytes loaded are within `text`;
        // unaligned v128 loads are allowed in wasm.
        let v = unsafe { v128_load(text.as_ptr().add(read) as *const v128) };
        let (upper, lower, digit) = (within(v, b'A', b'Z'), within(v, b'a', b'z'), within(v, b'0', b'9'));
        let (dash, underscore) = (u8x16_eq(v, splat(b'-')), u8x16_eq(v, splat(b'_')));
        let alphabet = v128_or(v128_or(upper, lower), v128_or(digit, v128_or(dash, underscore)));
        outside = v128_or(outside, v128_not(alphabet));
        // What to add (mod 256) to each character for its sextet: A-Z 0-25, a-z 26-51,
        // 0-9 52-61, `-` 62, `_` 63.
        let offset = v128_or(
            v128_or(v128_and(upper, splat(65u8.wrapping_neg())), v128_and(lower, splat(71u8.wrapping_neg()))),
            v128_or(
                v128_and(digit, splat(4)),
                v128_or(v128_and(dash, splat(17)), v128_and(underscore, splat(32u8.wrapping_neg()))),
            ),
        );
        let sextets = u8x16_add(v, offset);
        // Pairs of sextets to 12 bits (first << 6 | second) in each 16-bit lane, pairs of
        // those to 24 bits in each 32-bit lane: the group's three bytes, lowest first.
        let twelve = v128_or(u16x8_shl(v128_and(sextets, u16x8_splat(0x00ff)), 6), u16x8_shr(sextets, 8));
        let bits24 = v128_or(u32x4_shl(v128_and(twelve, u32x4_splat(0xffff)), 12), u32x4_shr(twelve, 16));
        // Each group's three bytes, highest first, then four zero bytes (index 16 and up).
        let bytes = i8x16_swizzle(bits24, i8x16(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1));
        // SAFETY: `written + 16 <= out.len()`, so the 16 bytes stored are within `out`, which
        // is borrowed mutably (nothing else reads or writes it meanwhile); unaligned v128
        // stores are allowed in wasm.
        unsafe { v128_store(out.as_mut_ptr().add(written) as *mut v128, bytes) };
        read += 16;
        written += 12;
    }
    (read, !v128_any_true(outside))
}
