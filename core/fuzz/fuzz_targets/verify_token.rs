//! A bare token through `Verifier::verify` with the test key set, at a fixed time.
//! Input: one byte choosing the configuration, then the token (lossy UTF-8).
#![no_main]

use jwtgate_core::Reason;
use jwtgate_core_fuzz::{NOW, check_accepted, choose, key_set};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((v, rest)) = choose(data) else { return };
    let token = String::from_utf8_lossy(rest);
    let keys = key_set();
    let config = v.real.config();
    let real = v.real.verify(keys, &token, NOW);
    let accept_all = v.accept_all.verify(keys, &token, NOW);

    for result in [&real, &accept_all] {
        match result {
            Ok(ok) => check_accepted(config, &ok.header, &ok.claims, NOW, true),
            Err(f) => {
                // Claims travel with a failure only for a valid token lacking scopes (Deny).
                assert_eq!(f.claims.is_some(), f.reason == Reason::MissingScope, "claims with {:?}", f.reason);
                if let (Some(h), Some(c)) = (&f.header, &f.claims) {
                    check_accepted(config, h, c, NOW, false);
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
