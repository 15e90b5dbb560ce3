//! Test-only token signing with the committed test keys (`tests/keys/test-keys.json`), so the
//! verifier is checked against tokens made independently of its verification code paths.
#![allow(dead_code)]

use jwtgate_core::alg::{Algorithm, Hash};
use jwtgate_core::b64;
use jwtgate_core::crypto::bigint::Modulus;
use jwtgate_core::crypto::rsa::{digest, emsa_pkcs1v15, mgf1};
use jwtgate_core::{Config, KeySet, Limits, Verifier};
use serde_json::{Map, Value, json};

pub const NOW: i64 = 1_800_000_000;
pub const ISSUER: &str = "https://issuer.test/";
pub const AUDIENCE: &str = "api://test";
pub const METHOD_ARN: &str = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/pets/1";

pub fn test_keys() -> Vec<Value> {
    let doc: Value = serde_json::from_str(include_str!("../../../tests/keys/test-keys.json")).unwrap();
    doc["keys"].as_array().unwrap().clone()
}

pub fn private_key(kid: &str) -> Value {
    test_keys().into_iter().find(|k| k["kid"] == kid).unwrap_or_else(|| panic!("no test key {kid}"))
}

/// The public JWK of a test key, as an identity provider would publish it.
pub fn public_jwk(kid: &str) -> Value {
    let mut jwk = private_key(kid);
    let map = jwk.as_object_mut().unwrap();
    for private in ["d", "p", "q", "dp", "dq", "qi"] {
        map.remove(private);
    }
    jwk
}

pub fn jwks(kids: &[&str]) -> Vec<u8> {
    json!({ "keys": kids.iter().map(|k| public_jwk(k)).collect::<Vec<_>>() }).to_string().into_bytes()
}

pub fn key_set(kids: &[&str]) -> KeySet {
    KeySet::parse(&jwks(kids), &Limits::default()).unwrap()
}

/// The key a test uses for `alg` by default.
pub fn kid_for(alg: Algorithm) -> &'static str {
    match alg {
        Algorithm::ES256 => "ec-p256",
        Algorithm::ES384 => "ec-p384",
        Algorithm::ES512 => "ec-p521",
        Algorithm::EdDSA => "ed25519",
        _ => "rsa-2048",
    }
}

pub fn claims() -> Map<String, Value> {
    json!({ "iss": ISSUER, "aud": AUDIENCE, "sub": "user-1", "exp": NOW + 300, "iat": NOW - 10, "scope": "pets:read pets:write", "client_id": "client-1" })
        .as_object()
        .unwrap()
        .clone()
}

fn key_bytes(jwk: &Value, name: &str) -> Vec<u8> {
    b64::decode(jwk[name].as_str().unwrap().as_bytes()).unwrap()
}

/// Sign `signing_input` with test key `kid` as `alg` would.
pub fn raw_signature(alg: Algorithm, kid: &str, signing_input: &[u8]) -> Vec<u8> {
    let jwk = private_key(kid);
    match alg {
        Algorithm::ES256 => {
            use p256::ecdsa::signature::Signer;
            let key = p256::ecdsa::SigningKey::from_slice(&key_bytes(&jwk, "d")).unwrap();
            let sig: p256::ecdsa::Signature = key.sign(signing_input);
            sig.to_bytes().to_vec()
        }
        Algorithm::ES384 => {
            use p384::ecdsa::signature::Signer;
            let key = p384::ecdsa::SigningKey::from_slice(&key_bytes(&jwk, "d")).unwrap();
            let sig: p384::ecdsa::Signature = key.sign(signing_input);
            sig.to_bytes().to_vec()
        }
        Algorithm::ES512 => {
            use p521::ecdsa::signature::Signer;
            let key = p521::ecdsa::SigningKey::from_slice(&key_bytes(&jwk, "d")).unwrap();
            let sig: p521::ecdsa::Signature = key.sign(signing_input);
            sig.to_bytes().to_vec()
        }
        Algorithm::EdDSA => {
            use ed25519_dalek::Signer;
            let d: [u8; 32] = key_bytes(&jwk, "d").try_into().unwrap();
            ed25519_dalek::SigningKey::from_bytes(&d).sign(signing_input).to_bytes().to_vec()
        }
        rsa => {
            let n = key_bytes(&jwk, "n");
            let modulus = Modulus::new(&n).unwrap();
            let hash = rsa.rsa_hash().unwrap();
            let em = if rsa.is_pss() {
                emsa_pss(hash, signing_input, modulus.bits() - 1)
            } else {
                emsa_pkcs1v15(hash, signing_input, modulus.byte_len()).unwrap()
            };
            modulus.pow_be(&em, &key_bytes(&jwk, "d")).unwrap()
        }
    }
}

/// EMSA-PSS-ENCODE with a fixed salt (tests want reproducible tokens).
fn emsa_pss(hash: Hash, message: &[u8], em_bits: usize) -> Vec<u8> {
    let m_hash = digest(hash, message);
    let h_len = m_hash.len();
    let salt = vec![0x5a; h_len];
    let em_len = em_bits.div_ceil(8);
    let mut m_prime = vec![0u8; 8];
    m_prime.extend_from_slice(&m_hash);
    m_prime.extend_from_slice(&salt);
    let h = digest(hash, &m_prime);
    let mut db = vec![0u8; em_len - 2 * h_len - 2];
    db.push(0x01);
    db.extend_from_slice(&salt);
    let mask = mgf1(hash, &h, db.len());
    for (d, m) in db.iter_mut().zip(mask) {
        *d ^= m;
    }
    db[0] &= 0xff >> (8 * em_len - em_bits);
    let mut em = db;
    em.extend_from_slice(&h);
    em.push(0xbc);
    em
}

/// A compact JWS over raw header and payload bytes, signed by `kid` as `alg`.
pub fn sign_raw(alg: Algorithm, kid: &str, header: &[u8], payload: &[u8]) -> String {
    let input = format!("{}.{}", b64::encode(header), b64::encode(payload));
    let sig = raw_signature(alg, kid, input.as_bytes());
    format!("{input}.{}", b64::encode(&sig))
}

/// A token for `alg` with the default key and `{alg, typ: JWT, kid}` plus `header` members.
pub fn token(alg: Algorithm, claims: &Map<String, Value>, header: Value) -> String {
    let kid = kid_for(alg);
    let mut h = json!({ "alg": alg.name(), "typ": "JWT", "kid": kid });
    for (k, v) in header.as_object().unwrap() {
        if v.is_null() {
            h.as_object_mut().unwrap().remove(k);
        } else {
            h[k] = v.clone();
        }
    }
    sign_raw(alg, kid, h.to_string().as_bytes(), Value::Object(claims.clone()).to_string().as_bytes())
}

pub fn config(extra: Value) -> Config {
    let mut c = json!({ "issuers": [ISSUER], "audiences": [AUDIENCE], "algorithms": Algorithm::ALL.iter().map(|a| a.name()).collect::<Vec<_>>() });
    for (k, v) in extra.as_object().unwrap() {
        c[k] = v.clone();
    }
    Config::from_json(c.to_string().as_bytes()).unwrap()
}

pub fn verifier(extra: Value) -> Verifier {
    Verifier::new(config(extra))
}

pub fn token_event(authorization: &str) -> Vec<u8> {
    json!({ "type": "TOKEN", "authorizationToken": authorization, "methodArn": METHOD_ARN }).to_string().into_bytes()
}
