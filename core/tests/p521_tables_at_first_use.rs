//! P-521's generator tables (9.7 KB of points, about 2.8 ms natively and several times that in
//! a cold WebAssembly engine) are built at the first P-521 signature check, not when a key set
//! holding a P-521 key loads: a host whose own provider checks signatures never builds them.
//! One test in its own process, so no other test has built them first.

use jwtgate_core::crypto::curve::p521;
use jwtgate_core::known_answers::{KNOWN_ANSWERS, MESSAGE};
use jwtgate_core::{Algorithm, CryptoProvider, Jwk, Limits, PureRust, b64};

#[test]
fn a_p521_key_loads_without_the_generator_tables_and_its_first_check_builds_them() {
    let vector = KNOWN_ANSWERS.iter().find(|v| v.alg == Algorithm::ES512).unwrap();
    let key = Jwk::from_text(vector.jwk.as_bytes(), &Limits::default()).expect("a P-521 key");
    assert!(!p521().has_generator_tables(), "loading a P-521 key built the generator tables");
    let signature = b64::decode(vector.signature.as_bytes()).unwrap();
    assert!(PureRust.verify(Algorithm::ES512, key.provider_key(), MESSAGE, &signature));
    assert!(p521().has_generator_tables());
    // Built once, the same tables decide the next check.
    let mut forged = signature.clone();
    forged[70] ^= 1;
    assert!(!PureRust.verify(Algorithm::ES512, key.provider_key(), MESSAGE, &forged));
}
