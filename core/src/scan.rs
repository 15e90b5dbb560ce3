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

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod blocks {
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
}

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
