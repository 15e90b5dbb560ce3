//! A bare token through `Verifier::verify` with each key source's keys, at a fixed time.
//! Input: one byte choosing the configuration, then the token (lossy UTF-8).
#![no_main]

use jwtgate_core::Reason;
use jwtgate_core_fuzz::{NOW, accepted_json, check_accepted, check_accepted_key, check_keys_asked, choose, take_asked};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((v, rest)) = choose(data) else { return };
    let token = String::from_utf8_lossy(rest);
    take_asked();
    let real = v.real.verify(&v.keys, &token, NOW);
    // Only the profile's own keys, named by the header and fitting its algorithm, at most 4.
    check_keys_asked(&v.profiles, &token, &take_asked());
    let accept_all = v.accept_all.verify(&v.keys, &token, NOW);
    check_keys_asked(&v.profiles, &token, &take_asked());

    for result in [&real, &accept_all] {
        // An accepted token against the rules of its profile, read here from the token itself.
        let check = |claims: &str, scoped: bool| {
            if let Some((header, _)) = accepted_json(&token)
                && let Some(profile) = check_accepted(&v.profiles, &header, claims, NOW, scoped)
            {
                check_accepted_key(profile, &header);
            }
        };
        match result {
            Ok(ok) => {
                if let Some((header, _)) = accepted_json(&token) {
                    assert_eq!(header.get("alg").and_then(|a| a.as_str()), Some(ok.header.alg.name()));
                }
                check(&ok.claims, true);
            }
            Err(f) => {
                // Claims travel with a failure only for a valid token lacking scopes (Deny).
                assert_eq!(
                    f.claims.is_some(),
                    matches!(f.reason, Reason::MissingScope | Reason::ClaimRuleFailed),
                    "claims with {:?}",
                    f.reason
                );
                if let (Some(_), Some(c)) = (&f.header, &f.claims) {
                    check(c, false);
                }
                assert!(!f.reason.code().is_empty());
            }
        }
    }
    // The signature is one step: what fails before it fails the same way without it, and what
    // passes with it passes without it, with the same claims.
    match (&real, &accept_all) {
        (Ok(a), Ok(b)) => assert_eq!(a.claims, b.claims),
        (Ok(_), Err(f)) => panic!("valid with the real provider, {:?} without it", f.reason),
        (Err(f), _) if f.reason == Reason::BadSignature => {}
        (Err(f), Ok(_)) => panic!("{:?} with the real provider, valid without it", f.reason),
        (Err(a), Err(b)) => assert_eq!(a.reason, b.reason),
    }
});
