//! Canonical, unpadded base64url (RFC 7515 section 2): padding, whitespace, the standard
//! alphabet's `+` and `/`, and non-zero trailing bits are all errors, so each byte string has
//! exactly one accepted encoding.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

pub fn decode(text: &[u8]) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text).ok()
}

pub fn encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_canonical_form_decodes() {
        assert_eq!(decode(b"AQAB").unwrap(), vec![1, 0, 1]);
        assert_eq!(decode(b"-_8").unwrap(), vec![0xfb, 0xff]);
        for bad in [&b"AQAB="[..], b"AQ AB", b"+/8", b"AR", b"A", b"AQAB\n"] {
            assert!(decode(bad).is_none(), "{:?}", std::str::from_utf8(bad));
        }
    }
}
