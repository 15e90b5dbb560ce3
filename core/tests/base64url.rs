//! Our base64url against the `base64` crate's strict unpadded URL-safe engine: the same bytes
//! for every input it accepts, and the same refusals (padding, other alphabets, whitespace,
//! non-zero trailing bits, impossible lengths).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jwtgate_core::b64;
use proptest::prelude::*;

/// Every string of up to three characters over the alphabet and a few outsiders: all tails
/// and their trailing bits.
#[test]
fn agrees_on_every_short_string() {
    let symbols: Vec<u8> = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/= .\x00\xff".to_vec();
    let mut inputs = vec![Vec::new()];
    let mut level = vec![Vec::new()];
    for _ in 0..3 {
        level =
            level.iter().flat_map(|s: &Vec<u8>| symbols.iter().map(move |&c| [s.as_slice(), &[c]].concat())).collect();
        inputs.extend(level.iter().cloned());
    }
    let mut checked = 0;
    for input in inputs.iter().chain([b"AQAB".to_vec(), b"AQABAQ".to_vec(), b"AQABAQA".to_vec()].iter()) {
        for prefix in [&b""[..], b"AQAB"] {
            let text = [prefix, input.as_slice()].concat();
            assert_eq!(b64::decode(&text), URL_SAFE_NO_PAD.decode(&text).ok(), "{:?}", String::from_utf8_lossy(&text));
            checked += 1;
        }
    }
    assert!(checked > 2 * 70_000, "{checked}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn agrees_on_encodings_and_their_corruptions(bytes in proptest::collection::vec(any::<u8>(), 0..200), flip in any::<(usize, u8)>()) {
        let text = URL_SAFE_NO_PAD.encode(&bytes);
        prop_assert_eq!(b64::encode(&bytes), text.clone());
        prop_assert_eq!(b64::decode(text.as_bytes()), Some(bytes));
        let mut corrupt = text.into_bytes();
        if !corrupt.is_empty() {
            let at = flip.0 % corrupt.len();
            corrupt[at] = flip.1;
        }
        prop_assert_eq!(b64::decode(&corrupt), URL_SAFE_NO_PAD.decode(&corrupt).ok());
    }
}
