//! Project Wycheproof's raw signature vectors for every algorithm we support, run through the
//! path a token takes: the key is loaded from a JWK by the JWKS loader (so its checks apply),
//! then `Verifier::check_signature` selects it and asks the default provider.
//!
//! `valid` must be accepted and `invalid` refused. `acceptable` is decided by `decide_acceptable`
//! below, per flag, and asserted, so a change of behaviour is seen.

use jwtgate_core::{Algorithm, Config, KeySet, Limits, Verifier};
use serde_json::{Value, json};
use wycheproof::TestResult;

fn b64(bytes: &[u8]) -> String {
    jwtgate_core::b64::encode(bytes)
}

fn verifier() -> Verifier {
    let names: Vec<&str> = Algorithm::ALL.iter().map(|a| a.name()).collect();
    Verifier::new(
        Config::from_json(
            json!({ "issuers": ["https://i"], "audiences": ["a"], "algorithms": names }).to_string().as_bytes(),
        )
        .unwrap(),
    )
}

/// Fixed-width big-endian: Wycheproof's hex integers may carry a sign byte or be short.
fn fixed(bytes: &[u8], width: usize) -> Vec<u8> {
    let trimmed: Vec<u8> = bytes.iter().copied().skip_while(|&b| b == 0).collect();
    if trimmed.len() > width {
        return trimmed; // wrong size on purpose: the loader must refuse it
    }
    let mut out = vec![0u8; width - trimmed.len()];
    out.extend(trimmed);
    out
}

#[derive(Default)]
struct Tally {
    run: usize,
    key_refused_groups: usize,
    /// Every case with the pure-Rust answer, for the host providers' agreement test
    /// (host-node/test/wycheproof-providers.test.mjs reads target/wycheproof/*.json).
    record: Vec<Value>,
}

impl Tally {
    fn write(&self, file: &str) {
        let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/wycheproof");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{file}.json")), Value::Array(self.record.clone()).to_string()).unwrap();
    }
}

/// One Wycheproof test, whatever its file's type.
struct Case<'a> {
    name: &'a str,
    tc_id: usize,
    msg: &'a [u8],
    sig: &'a [u8],
    result: &'a TestResult,
    flags: Vec<String>,
}

fn run_case(tally: &mut Tally, verifier: &Verifier, keys: &Option<KeySet>, alg: Algorithm, case: Case<'_>) {
    let Case { name, tc_id, msg, sig, result, flags } = case;
    let flags = &flags;
    let accepted = keys.as_ref().is_some_and(|k| verifier.check_signature(k, alg, Some("k"), msg, sig).is_ok());
    let expected = match result {
        TestResult::Valid => true,
        TestResult::Invalid => false,
        TestResult::Acceptable => decide_acceptable(flags),
    };
    assert_eq!(accepted, expected, "{name} tcId {tc_id} ({result:?}, flags {flags:?})");
    tally.run += 1;
    let public_jwk = keys.as_ref().map(|k| k.keys()[0].public_jwk.clone());
    tally.record.push(json!({
        "name": name, "tcId": tc_id, "alg": alg.name(), "public_jwk": public_jwk,
        "msg": jwtgate_core::b64::encode(msg), "sig": jwtgate_core::b64::encode(sig), "accepted": accepted,
    }));
}

/// Our decision for Wycheproof's `acceptable` cases: reject all of them. Every such case is
/// an encoding a strict verifier may refuse (for example a weak hash or a non-canonical form),
/// and refusing is the safe side for an authorizer.
fn decide_acceptable(_flags: &[String]) -> bool {
    false
}

fn load(jwk: Value) -> Option<KeySet> {
    let set = KeySet::parse(json!({ "keys": [jwk] }).to_string().as_bytes(), &Limits::default()).unwrap();
    (!set.is_empty()).then_some(set)
}

fn flags_of<T: std::fmt::Debug>(flags: &[T]) -> Vec<String> {
    flags.iter().map(|f| format!("{f:?}")).collect()
}

#[test]
fn rsa_pkcs1v15() {
    use wycheproof::rsa_pkcs1_verify::{TestName, TestSet};
    let verifier = verifier();
    let mut tally = Tally::default();
    for (name, alg) in [
        (TestName::Rsa2048Sha256, Algorithm::RS256),
        (TestName::Rsa2048Sha384, Algorithm::RS384),
        (TestName::Rsa2048Sha512, Algorithm::RS512),
        (TestName::Rsa3072Sha256, Algorithm::RS256),
        (TestName::Rsa3072Sha384, Algorithm::RS384),
        (TestName::Rsa3072Sha512, Algorithm::RS512),
        (TestName::Rsa4096Sha256, Algorithm::RS256),
        (TestName::Rsa4096Sha384, Algorithm::RS384),
        (TestName::Rsa4096Sha512, Algorithm::RS512),
        (TestName::Rsa8192Sha256, Algorithm::RS256),
        (TestName::Rsa8192Sha384, Algorithm::RS384),
        (TestName::Rsa8192Sha512, Algorithm::RS512),
    ] {
        let set = TestSet::load(name).unwrap();
        for group in &set.test_groups {
            let keys = load(json!({ "kty": "RSA", "kid": "k", "n": b64(&group.key.n), "e": b64(&group.key.e) }));
            assert!(keys.is_some(), "{name:?}: key refused");
            for t in &group.tests {
                run_case(
                    &mut tally,
                    &verifier,
                    &keys,
                    alg,
                    Case {
                        name: &format!("{name:?}"),
                        tc_id: t.tc_id,
                        msg: &t.msg,
                        sig: &t.sig,
                        result: &t.result,
                        flags: flags_of(&t.flags),
                    },
                );
            }
        }
    }
    tally.write("rsa_pkcs1v15");
    assert!(tally.run > 2000, "ran {}", tally.run);
}

#[test]
fn rsa_pss_with_jwa_parameters() {
    use wycheproof::rsa_pss_verify::{TestName, TestSet};
    let verifier = verifier();
    let mut tally = Tally::default();
    // JWA fixes MGF1 to the message hash and the salt to the hash length; these files are the
    // ones with exactly those parameters.
    for (name, alg) in [
        (TestName::RsaPss2048Sha256Mgf1SaltLen32, Algorithm::PS256),
        (TestName::RsaPss2048Sha384Mgf1SaltLen48, Algorithm::PS384),
        (TestName::RsaPss3072Sha256Mgf1SaltLen32, Algorithm::PS256),
        (TestName::RsaPss4096Sha256Mgf1SaltLen32, Algorithm::PS256),
        (TestName::RsaPss4096Sha384Mgf1SaltLen48, Algorithm::PS384),
        (TestName::RsaPss4096Sha512Mgf1SaltLen64, Algorithm::PS512),
    ] {
        let set = TestSet::load(name).unwrap();
        for group in &set.test_groups {
            let keys = load(json!({ "kty": "RSA", "kid": "k", "n": b64(&group.key.n), "e": b64(&group.key.e) }));
            for t in &group.tests {
                run_case(
                    &mut tally,
                    &verifier,
                    &keys,
                    alg,
                    Case {
                        name: &format!("{name:?}"),
                        tc_id: t.tc_id,
                        msg: &t.msg,
                        sig: &t.sig,
                        result: &t.result,
                        flags: flags_of(&t.flags),
                    },
                );
            }
        }
    }
    tally.write("rsa_pss_with_jwa_parameters");
    assert!(tally.run > 400, "ran {}", tally.run);
}

#[test]
fn rsa_pss_with_other_salt_lengths_never_verifies_as_jwa() {
    // Signatures valid under PSS with a zero-length salt are not PS256 signatures.
    use wycheproof::rsa_pss_verify::{TestName, TestSet};
    let verifier = verifier();
    let set = TestSet::load(TestName::RsaPss2048Sha256Mgf1SaltLen0).unwrap();
    let mut checked = 0;
    for group in &set.test_groups {
        let keys = load(json!({ "kty": "RSA", "kid": "k", "n": b64(&group.key.n), "e": b64(&group.key.e) })).unwrap();
        for t in group.tests.iter().filter(|t| t.result == TestResult::Valid) {
            assert!(
                verifier.check_signature(&keys, Algorithm::PS256, Some("k"), &t.msg, &t.sig).is_err(),
                "tcId {}",
                t.tc_id
            );
            checked += 1;
        }
    }
    assert!(checked > 0);
}

#[test]
fn ecdsa_p1363() {
    use wycheproof::ecdsa::{TestName, TestSet};
    let verifier = verifier();
    let mut tally = Tally::default();
    for (name, alg, crv, width) in [
        (TestName::EcdsaSecp256r1Sha256P1363, Algorithm::ES256, "P-256", 32),
        (TestName::EcdsaSecp384r1Sha384P1363, Algorithm::ES384, "P-384", 48),
        (TestName::EcdsaSecp521r1Sha512P1363, Algorithm::ES512, "P-521", 66),
    ] {
        let set = TestSet::load(name).unwrap();
        for group in &set.test_groups {
            let keys = load(json!({
                "kty": "EC", "crv": crv, "kid": "k",
                "x": b64(&fixed(&group.key.affine_x, width)),
                "y": b64(&fixed(&group.key.affine_y, width)),
            }));
            if keys.is_none() {
                tally.key_refused_groups += 1;
            }
            for t in &group.tests {
                run_case(
                    &mut tally,
                    &verifier,
                    &keys,
                    alg,
                    Case {
                        name: &format!("{name:?}"),
                        tc_id: t.tc_id,
                        msg: &t.msg,
                        sig: &t.sig,
                        result: &t.result,
                        flags: flags_of(&t.flags),
                    },
                );
            }
        }
    }
    tally.write("ecdsa_p1363");
    // P-256 and P-384 about 500, P-521 about 300 more.
    assert!(tally.run > 800, "ran {}", tally.run);
}

#[test]
fn ecdsa_der_signatures_are_not_jws_signatures() {
    // ES256 in JWS is raw r||s; DER-encoded signatures, valid for X.509, must be refused.
    use wycheproof::ecdsa::{TestName, TestSet};
    let verifier = verifier();
    let set = TestSet::load(TestName::EcdsaSecp256r1Sha256).unwrap();
    let mut checked = 0;
    for group in &set.test_groups {
        let Some(keys) = load(json!({
            "kty": "EC", "crv": "P-256", "kid": "k",
            "x": b64(&fixed(&group.key.affine_x, 32)), "y": b64(&fixed(&group.key.affine_y, 32)),
        })) else {
            continue;
        };
        for t in group.tests.iter().filter(|t| t.result == TestResult::Valid) {
            assert!(
                verifier.check_signature(&keys, Algorithm::ES256, Some("k"), &t.msg, &t.sig).is_err(),
                "tcId {}",
                t.tc_id
            );
            checked += 1;
        }
    }
    assert!(checked > 50);
}

#[test]
fn ed25519() {
    use wycheproof::eddsa::{TestName, TestSet};
    let verifier = verifier();
    let mut tally = Tally::default();
    let set = TestSet::load(TestName::Ed25519).unwrap();
    for group in &set.test_groups {
        let keys = load(json!({ "kty": "OKP", "crv": "Ed25519", "kid": "k", "x": b64(&group.key.pk) }));
        for t in &group.tests {
            run_case(
                &mut tally,
                &verifier,
                &keys,
                Algorithm::EdDSA,
                Case {
                    name: "ed25519",
                    tc_id: t.tc_id,
                    msg: &t.msg,
                    sig: &t.sig,
                    result: &t.result,
                    flags: flags_of(&t.flags),
                },
            );
        }
    }
    tally.write("ed25519");
    assert!(tally.run > 100, "ran {}", tally.run);
}
