//! Canonical, unpadded base64url (RFC 7515 section 2): padding, whitespace, the standard
//! alphabet's `+` and `/`, and non-zero trailing bits are all errors, so each byte string has
//! exactly one accepted encoding.
//!
//! Written here rather than taken from a crate: every token is three decodes on the hot path,
//! and this table-driven loop is both smaller and faster in wasm than a general engine.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Marks a byte outside the alphabet: any value with this bit set is not a sextet.
const NOT_BASE64: u8 = 0x80;

/// Each byte's sextet, or `NOT_BASE64`.
const SEXTETS: [u8; 256] = {
    let mut table = [NOT_BASE64; 256];
    let mut i = 0;
    while i < 64 {
        table[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// Decode canonical unpadded base64url; `None` for any other text.
pub fn decode(text: &[u8]) -> Option<Vec<u8>> {
    let tail = text.len() % 4;
    // Unpadded, a final group has 2 or 3 characters (1 or 2 bytes); a single one is never
    // an encoding.
    if tail == 1 {
        return None;
    }
    let (groups, rest) = text.split_at(text.len() - tail);
    let mut out = vec![0u8; groups.len() / 4 * 3 + tail.saturating_sub(1)];
    let (whole, last) = out.split_at_mut(groups.len() / 4 * 3);
    // Invalid bytes are collected in `seen` and checked once at the end, so the loop has no
    // branch per character.
    let mut seen = 0u8;
    let sextet = |byte: u8, seen: &mut u8| {
        let s = SEXTETS[byte as usize];
        *seen |= s;
        u32::from(s)
    };
    let (blocks, blocks_valid) = blocks::decode(groups, whole);
    let (groups, whole) = (&groups[blocks..], &mut whole[blocks / 4 * 3..]);
    for (src, dst) in groups.chunks_exact(4).zip(whole.chunks_exact_mut(3)) {
        let n = sextet(src[0], &mut seen) << 18
            | sextet(src[1], &mut seen) << 12
            | sextet(src[2], &mut seen) << 6
            | sextet(src[3], &mut seen);
        // Byte by byte: a three-byte slice copy is a call to memcpy in wasm.
        dst[0] = (n >> 16) as u8;
        dst[1] = (n >> 8) as u8;
        dst[2] = n as u8;
    }
    match *rest {
        [] => {}
        [a, b] => {
            let n = sextet(a, &mut seen) << 6 | sextet(b, &mut seen);
            // 12 bits carry one byte; the 4 left over must be zero (canonical form).
            if n & 0xf != 0 {
                return None;
            }
            last[0] = (n >> 4) as u8;
        }
        [a, b, c] => {
            let n = sextet(a, &mut seen) << 12 | sextet(b, &mut seen) << 6 | sextet(c, &mut seen);
            if n & 0x3 != 0 {
                return None;
            }
            last.copy_from_slice(&((n >> 2) as u16).to_be_bytes());
        }
        _ => return None,
    }
    (blocks_valid && seen & NOT_BASE64 == 0).then_some(out)
}

/// Sixteen characters at a time with wasm SIMD (every token is three decodes, most of them
/// hundreds of characters long): the kernel, with the `unsafe` of its loads and stores, is
/// apart in `simd::base64`.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
use crate::simd::base64 as blocks;

/// Elsewhere the scalar loop decodes everything.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
mod blocks {
    pub fn decode(_: &[u8], _: &mut [u8]) -> (usize, bool) {
        (0, true)
    }
}

/// Encode as unpadded base64url.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    let char_at = |n: u32, shift: u32| char::from(ALPHABET[(n >> shift & 0x3f) as usize]);
    for group in bytes.chunks(3) {
        let n = group.iter().enumerate().fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for shift in [18, 12, 6, 0].into_iter().take(group.len() + 1) {
            out.push(char_at(n, shift));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_canonical_form_decodes() {
        assert_eq!(decode(b"AQAB").unwrap(), vec![1, 0, 1]);
        assert_eq!(decode(b"-_8").unwrap(), vec![0xfb, 0xff]);
        assert_eq!(decode(b"").unwrap(), Vec::<u8>::new());
        for bad in [&b"AQAB="[..], b"AQ AB", b"+/8", b"AR", b"A", b"AQAB\n", b"AQA\xc3", b"AQ\x80B"] {
            assert!(decode(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn round_trips() {
        for len in 0..64 {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + len) as u8).collect();
            assert_eq!(decode(encode(&bytes).as_bytes()).unwrap(), bytes);
        }
    }
}
