//! A JWKS document through `KeySet::parse`, then a fixed, genuinely signed token checked
//! against whatever loaded, so hostile key material also meets the signature code.
#![no_main]

use jwtgate_core::alg::Algorithm;
use jwtgate_core::crypto::PublicKey;
use jwtgate_core::{KeySet, Limits};
use jwtgate_core_fuzz::{NOW, check_accepted, name_keys_of, signed_tokens, take_asked, token_json, verifiers};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let small = Limits { max_jwks_bytes: 2048, max_keys: 3, ..Limits::default() };
    for limits in [Limits::default(), small] {
        let Ok(mut set) = KeySet::parse(data, &limits) else { continue };
        assert!(data.len() <= limits.max_jwks_bytes);
        assert!(set.keys().len() + set.refused().len() <= limits.max_keys, "more keys than the limit");
        for key in set.keys() {
            if let Some(alg) = key.alg {
                assert_eq!(alg.key_kind(), key.key.kind(), "a key loaded for an algorithm of another kind");
            }
            if let PublicKey::Rsa { n, e, .. } = &key.key {
                let bits = n.len() * 8 - n[0].leading_zeros() as usize;
                assert!((2048..=8192).contains(&bits), "RSA key of {bits} bits loaded");
                assert!(n[n.len() - 1] & 1 == 1, "even RSA modulus loaded");
                assert!(e.len() <= 8 && e[e.len() - 1] & 1 == 1, "bad RSA exponent loaded");
            }
            if let Some(kid) = &key.kid {
                assert!(set.contains_kid(kid));
            }
        }
        if set.is_empty() || data.is_empty() {
            continue;
        }
        // A real token against the fuzzed keys: whatever happens, it must not panic, and an
        // accepted token satisfies the claim rules.
        let tokens = signed_tokens();
        let token = &tokens[data[0] as usize % tokens.len()];
        let v = &verifiers()[0].real;
        name_keys_of(&mut set);
        take_asked();
        let verified = v.verify(&set, token, NOW);
        let asked = take_asked();
        // At most 4 keys are tried for one token, each the one its `kid` names.
        let (header, _) = token_json(token).expect("a signed token reads as JSON");
        let kid = header.get("kid").and_then(|k| k.as_str());
        assert!(asked.len() <= jwtgate_core::MAX_KEYS_TRIED, "{} keys tried for one token", asked.len());
        assert!(
            asked.iter().all(|a| a.alg == Algorithm::RS256 && (kid.is_none() || a.kid.as_deref() == kid)),
            "a key the header does not name was tried"
        );
        if let Ok(ok) = verified {
            assert!(check_accepted(&verifiers()[0].profiles, &header, &ok.claims, NOW, true).is_some());
            // Without `kid` (and thumbprint), every key that fits is a candidate: more than 4
            // and the token is refused (`no_matching_key`), whatever the order.
            if kid.is_none() {
                let fitting = set
                    .keys()
                    .iter()
                    .filter(|k| {
                        k.key.kind() == Algorithm::RS256.key_kind() && k.alg.is_none_or(|a| a == Algorithm::RS256)
                    })
                    .count();
                assert!(
                    fitting <= jwtgate_core::MAX_KEYS_TRIED,
                    "accepted a token without kid that {fitting} keys fit"
                );
            }
        }
        // Hostile key material meets the signature code directly, with input bytes as signature.
        for key in set.keys().iter().take(4) {
            for &alg in Algorithm::ALL.iter().filter(|a| key.fits(**a)).take(2) {
                let _ = v.check_signature(&set, alg, key.kid.as_deref(), b"header.payload", data);
            }
        }
        take_asked();
    }
});
