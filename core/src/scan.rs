//! Byte searches over whole tokens, sixteen bytes at a time with wasm SIMD: every token is
//! searched end to end for its dots, and the standard library's search looks four bytes at a
//! time in wasm32 (its word is 32 bits).

/// The position of the first `byte` in `haystack`.
pub fn find(haystack: &[u8], byte: u8) -> Option<usize> {
    match blocks::find(haystack, byte) {
        Ok(at) => Some(at),
        Err(searched) => haystack[searched..].iter().position(|&b| b == byte).map(|at| searched + at),
    }
}

/// Sixteen bytes at a time with wasm SIMD: the kernel, with the `unsafe` of its loads, is
/// apart in `simd::dot_scan`.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
use crate::simd::dot_scan as blocks;

/// Elsewhere the caller's scalar search does all of it.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
mod blocks {
    pub fn find(_: &[u8], _: u8) -> Result<usize, usize> {
        Err(0)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_the_first_byte_anywhere() {
        for len in 0..40 {
            for at in 0..=len {
                let mut bytes = vec![b'a'; len];
                if at < len {
                    bytes[at] = b'.';
                    // A second one later never hides the first.
                    if at + 3 < len {
                        bytes[at + 3] = b'.';
                    }
                }
                assert_eq!(super::find(&bytes, b'.'), (at < len).then_some(at), "{len} {at}");
            }
        }
    }
}
