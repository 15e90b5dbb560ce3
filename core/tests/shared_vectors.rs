//! Vectors that exist only in the project's shared folder (`../shared/vectors`, read in place):
//! Wycheproof's JWS- and JWK-level files and the RFC 7515/7520/8037 examples.
//!
//! Without the folder these tests say plainly that they did not run; under `CI=true` a missing
//! folder is a failure.

use jwtgate_core::token;
use jwtgate_core::{Algorithm, Config, KeySet, Limits, Reason, Verifier};
use serde_json::{Value, json};
use std::path::PathBuf;

fn vectors_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("JWTGATE_VECTORS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors"));
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(std::env::var("CI").as_deref() != Ok("true"), "CI=true but {} is missing", dir.display());
    eprintln!("NOT RUN: shared vectors not found at {} (set JWTGATE_VECTORS)", dir.display());
    None
}

fn read(rel: &str) -> Option<Value> {
    let path = vectors_dir()?.join(rel);
    Some(serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap())
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

/// The signature half of `Verifier::verify`: parse the compact JWS (all supported algorithms
/// allowed) and check its signature with the key the token selects.
fn check_jws(verifier: &Verifier, keys: &KeySet, compact: &str) -> Result<(), Reason> {
    let jws = token::parse(compact, 1 << 20, &verifier.config().algorithms)?;
    verifier.check_signature(keys, jws.header.alg, jws.header.kid.as_deref(), jws.signing_input, &jws.signature)
}

fn key_set(jwks_or_jwk: &Value) -> KeySet {
    let doc = if jwks_or_jwk.get("keys").is_some() { jwks_or_jwk.clone() } else { json!({ "keys": [jwks_or_jwk] }) };
    KeySet::parse(doc.to_string().as_bytes(), &Limits::default()).unwrap()
}

/// The public half of a JWK, as an identity provider publishes it.
fn public_part(jwk: &Value) -> Value {
    let mut jwk = jwk.clone();
    if let Some(map) = jwk.as_object_mut() {
        for private in ["d", "p", "q", "dp", "dq", "qi", "oth"] {
            map.remove(private);
        }
    }
    jwk
}

/// Upstream labels we knowingly decide otherwise (see ../shared/vectors/README.md).
const LABEL_FAULTS: &[(u64, &str)] = &[
    (346, "labelled valid, but the key is for PS256 and the token is PS384: key_mismatch"),
    (347, "labelled valid, but the key's alg is ES521, no JWA name: it never loads, unknown_kid"),
    (350, "labelled valid, but the key is for PS256 and the token is PS384: key_mismatch"),
    (351, "labelled valid, but the key's alg is ES521, no JWA name: it never loads, unknown_kid"),
    (372, "labelled valid, but a `?` is inside the header segment: invalid_base64"),
    (373, "labelled valid, but a `?` is inside the payload segment: invalid_base64"),
];

#[test]
fn wycheproof_json_web_signature() {
    let Some(doc) = read("wycheproof/json_web_signature_test.json") else { return };
    let verifier = verifier();
    let (mut accepted, mut refused) = (0, 0);
    for group in doc["testGroups"].as_array().unwrap() {
        let keys = group.get("public").map(key_set).unwrap_or_default();
        for t in group["tests"].as_array().unwrap() {
            let id = t["tcId"].as_u64().unwrap();
            let result = match t["jws"].as_str() {
                Some(compact) => check_jws(&verifier, &keys, compact),
                None => Err(Reason::MalformedToken), // JSON serialisation: compact only
            };
            // HMAC and `none` are never accepted, whatever the label; labelled faults as listed.
            let alg_ok = t["jws"].as_str().is_some_and(|c| {
                let header = c.split('.').next().and_then(|h| jwtgate_core::b64::decode(h.as_bytes()));
                let alg = header.and_then(|h| serde_json::from_slice::<Value>(&h).ok()).map(|h| h["alg"].clone());
                alg.and_then(|a| a.as_str().map(str::to_owned)).and_then(|a| Algorithm::from_name(&a)).is_some()
            });
            let expected = t["result"] == "valid" && alg_ok && !LABEL_FAULTS.iter().any(|(f, _)| *f == id);
            assert_eq!(result.is_ok(), expected, "tcId {id} {} -> {result:?}", t["comment"]);
            if expected { accepted += 1 } else { refused += 1 }
        }
    }
    assert!(accepted >= 30 && refused >= 300, "accepted {accepted}, refused {refused}");
}

#[test]
fn wycheproof_json_web_signature_label_faults_fail_for_the_stated_reason() {
    let Some(doc) = read("wycheproof/json_web_signature_test.json") else { return };
    let verifier = verifier();
    for group in doc["testGroups"].as_array().unwrap() {
        let keys = group.get("public").map(key_set).unwrap_or_default();
        for t in group["tests"].as_array().unwrap() {
            let id = t["tcId"].as_u64().unwrap();
            if let Some((_, why)) = LABEL_FAULTS.iter().find(|(f, _)| *f == id) {
                let code = check_jws(&verifier, &keys, t["jws"].as_str().unwrap()).unwrap_err().code();
                let want = match id {
                    347 | 351 => "unknown_kid",
                    372.. => "invalid_base64",
                    _ => "key_mismatch",
                };
                // 372/373 are HMAC tokens: our allow-list refuses them before base64 matters.
                assert!(code == want || (id >= 372 && code == "algorithm_not_allowed"), "{id}: {code} ({why})");
            }
        }
    }
}

#[test]
fn wycheproof_json_web_key() {
    let Some(doc) = read("wycheproof/json_web_key_test.json") else { return };
    let verifier = verifier();
    let mut run = 0;
    for group in doc["testGroups"].as_array().unwrap() {
        let published = group.get("public").cloned().unwrap_or_else(|| {
            let private = &group["private"];
            match private.get("keys") {
                Some(keys) => json!({ "keys": keys.as_array().unwrap().iter().map(public_part).collect::<Vec<_>>() }),
                None => public_part(private),
            }
        });
        let keys = key_set(&published);
        for t in group["tests"].as_array().unwrap() {
            let id = t["tcId"].as_u64().unwrap();
            let result = check_jws(&verifier, &keys, t["jws"].as_str().unwrap());
            // Only the RS256 group's valid token uses an algorithm we support; every other
            // valid label is an HMAC key set, which we never accept.
            let expected = t["result"] == "valid" && group["comment"] == "rs256";
            assert_eq!(result.is_ok(), expected, "tcId {id} {} ({}) -> {result:?}", t["comment"], group["comment"]);
            run += 1;
        }
    }
    assert!(run >= 25);
}

#[test]
fn wycheproof_weak_keys_are_refused_when_loaded() {
    let Some(doc) = read("wycheproof/json_web_key_test.json") else { return };
    let want = [
        ("jws_rsa_roca_key", "rsa_weak_key"),
        ("keysize_too_small", "rsa_modulus_too_small"),
        ("exponentOne", "rsa_bad_exponent"),
    ];
    for (comment, problem) in want {
        let group = doc["testGroups"].as_array().unwrap().iter().find(|g| g["comment"] == comment).unwrap();
        let keys = group["private"]["keys"].as_array().unwrap().iter().map(public_part).collect::<Vec<_>>();
        let set = key_set(&json!({ "keys": keys }));
        assert!(set.is_empty(), "{comment}");
        assert_eq!(set.refused()[0].problem.code(), problem, "{comment}");
    }
}

#[test]
fn rfc_examples() {
    let Some(doc) = read("jose/rfc_examples.json") else { return };
    let verifier = verifier();
    let mut verified = 0;
    for v in doc["vectors"].as_array().unwrap() {
        let id = v["id"].as_str().unwrap();
        let compact = v["compact"].as_str().unwrap();
        // The file stores JWKs as Python-style dict text.
        let keys = match &v["jwk_public"] {
            Value::String(s) if s != "None" => key_set(&serde_json::from_str(&s.replace('\'', "\"")).unwrap()),
            Value::Object(_) => key_set(&v["jwk_public"]),
            _ => KeySet::default(),
        };
        let result = check_jws(&verifier, &keys, compact);
        let supported = Algorithm::from_name(v["alg"].as_str().unwrap()).is_some();
        if supported && v["expected"] == "valid" {
            assert_eq!(result, Ok(()), "{id}");
            // The same token with one signature bit flipped must fail.
            let (head, sig) = compact.rsplit_once('.').unwrap();
            let mut bytes = jwtgate_core::b64::decode(sig.as_bytes()).unwrap();
            bytes[10] ^= 1;
            let tampered = format!("{head}.{}", jwtgate_core::b64::encode(&bytes));
            assert_eq!(check_jws(&verifier, &keys, &tampered), Err(Reason::BadSignature), "{id} tampered");
            verified += 1;
        } else {
            // HS256 and `none`: never accepted, refused before any key is used.
            assert_eq!(result, Err(Reason::AlgorithmNotAllowed), "{id}");
        }
    }
    // RFC 7515 A.2-A.4 (RS256, ES256, ES512), RFC 7520 4.1-4.3 (RS256, PS384, ES512), RFC 8037.
    assert!(verified >= 7, "verified {verified}");
}
