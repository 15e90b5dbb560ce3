//! The attack battery: each forged, malformed or borderline token is refused with its reason.

mod support;

use jwtgate_core::{Algorithm, KeySet, Limits, Outcome, Reason, b64};
use serde_json::{Value, json};
use support::*;

fn all_keys() -> KeySet {
    key_set(&["rsa-2048", "ec-p256", "ec-p384", "ec-p521", "ed25519"])
}

fn refused(token: &str) -> Reason {
    verifier(json!({})).verify(&all_keys(), token, NOW).unwrap_err().reason
}

fn seg(v: Value) -> String {
    b64::encode(v.to_string().as_bytes())
}

#[test]
fn every_algorithm_verifies_a_good_token() {
    let v = verifier(json!({}));
    for &alg in Algorithm::ALL {
        let t = token(alg, &claims(), json!({}));
        let ok = v.verify(&all_keys(), &t, NOW).unwrap_or_else(|f| panic!("{alg}: {:?}", f.reason));
        assert_eq!(ok.header.alg, alg);
        assert_eq!(serde_json::from_str::<serde_json::Value>(&ok.claims).unwrap()["sub"], "user-1");
    }
}

#[test]
fn alg_none_in_any_spelling() {
    let payload = seg(Value::Object(claims()));
    for none in ["none", "None", "NONE", "nOnE"] {
        let t = format!("{}.{payload}.", seg(json!({ "alg": none, "kid": "rsa-2048" })));
        assert_eq!(refused(&t), Reason::AlgorithmNotAllowed, "{none}");
        let t = format!("{}.{payload}.AAAA", seg(json!({ "alg": none, "kid": "rsa-2048" })));
        assert_eq!(refused(&t), Reason::AlgorithmNotAllowed, "{none} with a signature");
    }
}

#[test]
fn hs256_signed_with_the_rsa_public_key_bytes() {
    // The classic key-confusion attack: HMAC keyed with the RSA public key's bytes.
    use sha2::{Digest, Sha256};
    let header = seg(json!({ "alg": "HS256", "kid": "rsa-2048" }));
    let input = format!("{header}.{}", seg(Value::Object(claims())));
    let key = jwks(&["rsa-2048"]);
    let mut inner = [0x36u8; 64].to_vec();
    let mut outer = [0x5cu8; 64].to_vec();
    let k = Sha256::digest(&key);
    for i in 0..32 {
        inner[i] ^= k[i];
        outer[i] ^= k[i];
    }
    let mac = Sha256::digest([outer, Sha256::digest([inner, input.as_bytes().to_vec()].concat()).to_vec()].concat());
    assert_eq!(refused(&format!("{input}.{}", b64::encode(&mac))), Reason::AlgorithmNotAllowed);
    for hs in ["HS256", "HS384", "HS512"] {
        let cfg = json!({ "issuers": ["i"], "audiences": ["a"], "algorithms": [hs] });
        let err = jwtgate_core::Config::from_json(cfg.to_string().as_bytes()).unwrap_err();
        assert!(err.to_string().contains("never accepted"), "{hs}: {err}");
    }
}

#[test]
fn algorithm_outside_the_allow_list() {
    let t = token(Algorithm::ES256, &claims(), json!({}));
    let v = verifier(json!({ "algorithms": ["RS256"] }));
    assert_eq!(v.verify(&all_keys(), &t, NOW).unwrap_err().reason, Reason::AlgorithmNotAllowed);
    // ES512 is known but allowed only when configured: the default list is RS256 alone.
    let es512 = token(Algorithm::ES512, &claims(), json!({}));
    let default =
        jwtgate_core::Config::from_json(json!({ "issuers": [ISSUER], "audiences": [AUDIENCE] }).to_string().as_bytes())
            .unwrap();
    let by_default = jwtgate_core::Verifier::new(default).verify(&all_keys(), &es512, NOW);
    assert_eq!(by_default.unwrap_err().reason, Reason::AlgorithmNotAllowed);
    assert!(verifier(json!({ "algorithms": ["ES512"] })).verify(&all_keys(), &es512, NOW).is_ok());
    for unknown in ["ES256K", "RS1", "PS256 ", "rs256", "es512", ""] {
        let t = format!("{}.{}.AAAA", seg(json!({ "alg": unknown })), seg(Value::Object(claims())));
        assert_eq!(refused(&t), Reason::AlgorithmNotAllowed, "{unknown:?}");
    }
    let t = format!("{}.{}.AAAA", seg(json!({ "alg": 256 })), seg(Value::Object(claims())));
    assert_eq!(refused(&t), Reason::AlgorithmNotAllowed);
}

#[test]
fn alg_and_key_type_must_fit() {
    // An RS256 header naming the EC key; an ES256 header naming the RSA key; PS vs RS key alg.
    let rs_on_ec = token(Algorithm::RS256, &claims(), json!({ "kid": "ec-p256" }));
    assert_eq!(refused(&rs_on_ec), Reason::KeyMismatch);
    let payload = Value::Object(claims()).to_string();
    let es_on_rsa = sign_raw(
        Algorithm::ES256,
        "ec-p256",
        json!({ "alg": "ES256", "kid": "rsa-2048" }).to_string().as_bytes(),
        payload.as_bytes(),
    );
    assert_eq!(refused(&es_on_rsa), Reason::KeyMismatch);
    let es384_on_p256 = sign_raw(
        Algorithm::ES384,
        "ec-p384",
        json!({ "alg": "ES384", "kid": "ec-p256" }).to_string().as_bytes(),
        payload.as_bytes(),
    );
    assert_eq!(refused(&es384_on_p256), Reason::KeyMismatch);
    let es512_on_p384 = sign_raw(
        Algorithm::ES512,
        "ec-p521",
        json!({ "alg": "ES512", "kid": "ec-p384" }).to_string().as_bytes(),
        payload.as_bytes(),
    );
    assert_eq!(refused(&es512_on_p384), Reason::KeyMismatch);
    let es384_on_p521 = sign_raw(
        Algorithm::ES384,
        "ec-p384",
        json!({ "alg": "ES384", "kid": "ec-p521" }).to_string().as_bytes(),
        payload.as_bytes(),
    );
    assert_eq!(refused(&es384_on_p521), Reason::KeyMismatch);
    // A JWK that says alg RS256 must not verify PS256, even with a valid PS256 signature.
    let mut jwk = public_jwk("rsa-2048");
    jwk["alg"] = json!("RS256");
    let keys = KeySet::parse(json!({ "keys": [jwk] }).to_string().as_bytes(), &Limits::default()).unwrap();
    let ps = token(Algorithm::PS256, &claims(), json!({}));
    assert_eq!(verifier(json!({})).verify(&keys, &ps, NOW).unwrap_err().reason, Reason::KeyMismatch);
}

#[test]
fn header_keys_are_never_used() {
    // Sign with the EC key but name it in jwk/jku/x5u/x5c, with a kid the set does not have.
    let embedded = public_jwk("ec-p256");
    for (name, value) in [
        ("jwk", embedded.clone()),
        ("jku", json!("https://attacker.example/jwks.json")),
        ("x5u", json!("https://attacker.example/cert.pem")),
        ("x5c", json!(["MIIBIjANBgkq"])),
    ] {
        let only_rsa = key_set(&["rsa-2048"]);
        let mut h = json!({ "alg": "ES256" });
        h[name] = value;
        let t = sign_raw(
            Algorithm::ES256,
            "ec-p256",
            h.to_string().as_bytes(),
            Value::Object(claims()).to_string().as_bytes(),
        );
        let r = verifier(json!({})).verify(&only_rsa, &t, NOW).unwrap_err().reason;
        assert_eq!(r, Reason::NoMatchingKey, "{name}");
    }
}

#[test]
fn crit_and_b64() {
    let c = Value::Object(claims());
    let t = sign_raw(
        Algorithm::ES256,
        "ec-p256",
        json!({ "alg": "ES256", "kid": "ec-p256", "crit": ["exp"], "exp": 1 }).to_string().as_bytes(),
        c.to_string().as_bytes(),
    );
    assert_eq!(refused(&t), Reason::UnsupportedCritical);
    let t = sign_raw(
        Algorithm::ES256,
        "ec-p256",
        json!({ "alg": "ES256", "kid": "ec-p256", "b64": false, "crit": ["b64"] }).to_string().as_bytes(),
        c.to_string().as_bytes(),
    );
    assert_eq!(refused(&t), Reason::UnencodedPayload);
    let t = sign_raw(
        Algorithm::ES256,
        "ec-p256",
        json!({ "alg": "ES256", "kid": "ec-p256", "b64": "no" }).to_string().as_bytes(),
        c.to_string().as_bytes(),
    );
    assert_eq!(refused(&t), Reason::UnencodedPayload);
}

#[test]
fn duplicate_member_names() {
    let dup_header = br#"{"alg":"ES256","kid":"ec-p256","alg":"none"}"#;
    let t = sign_raw(Algorithm::ES256, "ec-p256", dup_header, Value::Object(claims()).to_string().as_bytes());
    assert_eq!(refused(&t), Reason::DuplicateMember);
    let body = Value::Object(claims()).to_string();
    let dup_claims = format!(r#"{{"sub":"admin",{}"#, &body[1..]);
    let t = sign_raw(Algorithm::ES256, "ec-p256", br#"{"alg":"ES256","kid":"ec-p256"}"#, dup_claims.as_bytes());
    assert_eq!(refused(&t), Reason::DuplicateMember);
}

#[test]
fn base64_and_segment_shape() {
    let good = token(Algorithm::ES256, &claims(), json!({}));
    let parts: Vec<&str> = good.split('.').collect();
    let (h, p, s) = (parts[0], parts[1], parts[2]);
    assert_eq!(refused(&format!("{h}.{p}")), Reason::MalformedToken);
    assert_eq!(refused(&format!("{h}.{p}.{s}.{s}")), Reason::MalformedToken);
    assert_eq!(refused(&format!("{h}.{p}.")), Reason::MalformedToken, "empty signature");
    assert_eq!(refused(&format!(".{p}.{s}")), Reason::MalformedToken);
    assert_eq!(refused(""), Reason::MalformedToken);
    assert_eq!(refused(&format!("{h}.{p}.{s}=")), Reason::InvalidBase64, "padding");
    assert_eq!(refused(&format!("{h}=.{p}.{s}")), Reason::InvalidBase64, "header padding");
    assert_eq!(
        refused(&format!("{h}.{p}.{}", s.replace('-', "+").replace('_', "/"))).code(),
        if s.contains(['-', '_']) { "invalid_base64" } else { "bad_signature" }
    );
    // The payload is decoded before the signature is checked (its `iss` chooses the keys), so
    // a payload that is not base64url is refused as such.
    assert_eq!(refused(&format!("{h}.{p} .{s}")), Reason::InvalidBase64, "a payload with a space");
    assert_eq!(refused(&format!("{h}.{p}.{} ", s)), Reason::InvalidBase64);
    assert_eq!(refused(&format!("{h}.{p}.{}", &s[..s.len() - 1])).code(), "invalid_base64");
    assert_eq!(refused(&format!("{h}.!!!!.{s}")), Reason::InvalidBase64);
    let other = token(
        Algorithm::ES256,
        &{
            let mut c = claims();
            c.insert("sub".into(), json!("someone-else"));
            c
        },
        json!({}),
    );
    let other_payload = other.split('.').nth(1).unwrap();
    assert_eq!(
        refused(&format!("{h}.{other_payload}.{s}")),
        Reason::BadSignature,
        "a changed payload segment is a changed signing input"
    );
}

#[test]
fn payload_after_signature_must_be_a_canonical_json_object() {
    let h = br#"{"alg":"ES256","kid":"ec-p256"}"#;
    for (payload, reason) in [
        (&b"[]"[..], Reason::InvalidJson),
        (b"not json", Reason::InvalidJson),
        (b"", Reason::InvalidJson),
        (br#"{"exp":1} trailing"#, Reason::InvalidJson),
    ] {
        assert_eq!(
            refused(&sign_raw(Algorithm::ES256, "ec-p256", h, payload)),
            reason,
            "{:?}",
            String::from_utf8_lossy(payload)
        );
    }
}

#[test]
fn rsa_signature_length_must_equal_the_modulus_length() {
    let good = token(Algorithm::RS256, &claims(), json!({}));
    let (head, sig) = good.rsplit_once('.').unwrap();
    let sig = b64::decode(sig.as_bytes()).unwrap();
    let shorter = &sig[1..];
    let mut longer = vec![0u8];
    longer.extend_from_slice(&sig);
    for s in [shorter.to_vec(), longer, vec![], vec![0xff; 256], vec![0; 256]] {
        let t = format!("{head}.{}", b64::encode(&s));
        let r = refused(&t);
        assert!(r == Reason::BadSignature || r == Reason::MalformedToken, "{} bytes: {r:?}", s.len());
    }
}

/// The signature length is the core's rule, checked before any provider is asked: a provider
/// that accepts every signature (standing in for one laxer than ours, as OpenSSL's RSA-PSS is
/// about a dropped leading zero) still never sees a signature of another length.
#[test]
fn signature_lengths_are_checked_before_any_provider() {
    struct AcceptsAll;
    impl jwtgate_core::CryptoProvider for AcceptsAll {
        fn verify(&self, _: Algorithm, _: jwtgate_core::ProviderKey<'_>, _: &[u8], _: &[u8]) -> bool {
            true
        }
    }
    let lax = jwtgate_core::Verifier::with_provider(
        config(json!({ "algorithms": ["RS256", "PS384", "ES256", "ES384", "ES512", "EdDSA"] })),
        AcceptsAll,
    );
    let keys = all_keys();
    for (alg, len) in [
        (Algorithm::RS256, 256),
        (Algorithm::PS384, 256),
        (Algorithm::ES256, 64),
        (Algorithm::ES384, 96),
        (Algorithm::ES512, 132),
        (Algorithm::EdDSA, 64),
    ] {
        let good = token(alg, &claims(), json!({}));
        let (head, _) = good.rsplit_once('.').unwrap();
        let with = |n: usize| {
            lax.verify(&keys, &format!("{head}.{}", b64::encode(&vec![0u8; n])), NOW).map(|_| ()).map_err(|f| f.reason)
        };
        assert_eq!(with(len), Ok(()), "{alg:?}: the exact length reaches the provider");
        for n in [len - 1, len + 1, 1] {
            assert_eq!(with(n), Err(Reason::BadSignature), "{alg:?}: {n} bytes");
        }
    }
}

#[test]
fn oversized_and_deeply_nested_tokens() {
    assert_eq!(refused(&"a".repeat(16 * 1024 + 1)), Reason::TokenTooLarge);
    let deep = format!("{{\"alg\":{}1{}}}", "[".repeat(5000), "]".repeat(5000));
    let t = format!("{}.e30.AAAA", b64::encode(deep.as_bytes()));
    let v = verifier(json!({ "limits": { "max_token_bytes": 1_000_000 } }));
    assert_eq!(v.verify(&all_keys(), &t, NOW).unwrap_err().reason, Reason::InvalidJson);
}

#[test]
fn time_claims() {
    let v = verifier(json!({}));
    let keys = all_keys();
    let at = |c: Value| {
        let mut claims = claims();
        for (k, val) in c.as_object().unwrap() {
            if val.is_null() {
                claims.remove(k);
            } else {
                claims.insert(k.clone(), val.clone());
            }
        }
        v.verify(&keys, &token(Algorithm::ES256, &claims, json!({})), NOW).map(|_| ()).map_err(|f| f.reason)
    };
    assert_eq!(at(json!({ "exp": NOW })), Err(Reason::TokenExpired), "exp exactly now");
    assert_eq!(at(json!({ "exp": NOW + 1 })), Ok(()));
    assert_eq!(at(json!({ "exp": NOW as f64 + 0.5 })), Ok(()), "fractional exp");
    assert_eq!(at(json!({ "exp": null })), Err(Reason::MissingExpiry));
    assert_eq!(at(json!({ "exp": (NOW + 300).to_string() })), Err(Reason::InvalidClaim), "exp as string");
    assert_eq!(at(json!({ "exp": true })), Err(Reason::InvalidClaim));
    assert_eq!(at(json!({ "nbf": NOW + 1 })), Err(Reason::TokenNotYetValid));
    assert_eq!(at(json!({ "nbf": NOW })), Ok(()));
    assert_eq!(at(json!({ "nbf": NOW.to_string() })), Err(Reason::InvalidClaim), "nbf as string");
    assert_eq!(at(json!({ "iat": NOW + 1 })), Err(Reason::IssuedInFuture));
    assert_eq!(at(json!({ "iat": "yesterday" })), Err(Reason::InvalidClaim));

    let lenient = verifier(json!({ "leeway_seconds": 30 }));
    let with = |c: Value| {
        let mut claims = claims();
        for (k, val) in c.as_object().unwrap() {
            claims.insert(k.clone(), val.clone());
        }
        lenient.verify(&keys, &token(Algorithm::ES256, &claims, json!({})), NOW).map(|_| ()).map_err(|f| f.reason)
    };
    assert_eq!(with(json!({ "exp": NOW - 29 })), Ok(()), "inside leeway");
    assert_eq!(with(json!({ "exp": NOW - 30 })), Err(Reason::TokenExpired), "leeway edge");
    assert_eq!(with(json!({ "nbf": NOW + 30 })), Ok(()));
    assert_eq!(with(json!({ "nbf": NOW + 31 })), Err(Reason::TokenNotYetValid));
    assert_eq!(with(json!({ "iat": NOW + 30 })), Ok(()));
    assert_eq!(with(json!({ "iat": NOW + 31 })), Err(Reason::IssuedInFuture));

    let aged = verifier(json!({ "max_token_age_seconds": 60 }));
    let age = |iat: Option<i64>| {
        let mut claims = claims();
        match iat {
            Some(i) => {
                claims.insert("iat".into(), json!(i));
            }
            None => {
                claims.remove("iat");
            }
        }
        aged.verify(&keys, &token(Algorithm::ES256, &claims, json!({})), NOW).map(|_| ()).map_err(|f| f.reason)
    };
    assert_eq!(age(Some(NOW - 60)), Ok(()));
    assert_eq!(age(Some(NOW - 61)), Err(Reason::TokenTooOld));
    assert_eq!(age(None), Err(Reason::MissingIssuedAt));
}

/// Dates written as text no double holds exactly: the checks are exact in whole seconds, and
/// saturate far in the future instead of wrapping (a fuzzing find: a ceiling above i64::MAX
/// wrapped to i64::MIN, which made `nbf` in the far future pass).
#[test]
fn dates_beyond_a_double_and_i64() {
    let v = verifier(json!({ "max_token_age_seconds": 60 }));
    let keys = all_keys();
    let at = |members: &str| {
        let claims = claims();
        let iss = claims["iss"].as_str().unwrap();
        let aud = claims["aud"].to_string();
        let payload = format!(r#"{{"iss":"{iss}","aud":{aud},"sub":"u",{members}}}"#);
        let header = json!({ "alg": "ES256", "kid": kid_for(Algorithm::ES256) }).to_string();
        let token = sign_raw(Algorithm::ES256, kid_for(Algorithm::ES256), header.as_bytes(), payload.as_bytes());
        v.verify(&keys, &token, NOW).map(|_| ()).map_err(|f| f.reason)
    };
    let (now, exp) = (NOW, NOW + 300);
    assert_eq!(at(&format!(r#""exp":{exp},"iat":{now}"#)), Ok(()));
    for far in ["9999999999444440000.5", "9223372036854775807.5", "1e300", "9999999999999999999"] {
        assert_eq!(at(&format!(r#""exp":{exp},"iat":{now},"nbf":{far}"#)), Err(Reason::TokenNotYetValid), "nbf {far}");
        assert_eq!(at(&format!(r#""exp":{exp},"iat":{far}"#)), Err(Reason::IssuedInFuture), "iat {far}");
        assert_eq!(at(&format!(r#""exp":{far},"iat":{now}"#)), Ok(()), "exp {far}");
        assert_eq!(at(&format!(r#""exp":-{far},"iat":{now}"#)), Err(Reason::TokenExpired), "exp -{far}");
        assert_eq!(at(&format!(r#""exp":{exp},"iat":-{far}"#)), Err(Reason::TokenTooOld), "iat -{far}");
    }
    // One second either side of now, in forms a double would round.
    assert_eq!(at(&format!(r#""exp":{now}.0000000000000000001,"iat":{now}"#)), Ok(()), "exp a hair after now");
    assert_eq!(
        at(&format!(r#""exp":{exp},"iat":{now},"nbf":{now}.0000000000000000001"#)),
        Err(Reason::TokenNotYetValid)
    );
    assert_eq!(at(&format!(r#""exp":{exp},"iat":{}.0000000000000000001"#, now - 60)), Ok(()), "age a hair under 60 s");
    assert_eq!(
        at(&format!(r#""exp":{exp},"iat":{}.9999999999999999999"#, now - 61)),
        Err(Reason::TokenTooOld),
        "age a hair over 60 s"
    );
    assert_eq!(
        at(&format!(r#""exp":1e400,"iat":{now}"#)),
        Err(Reason::InvalidJson),
        "beyond a double: not JSON we read"
    );
}

#[test]
fn issuer_audience_client_and_type() {
    let keys = all_keys();
    let check = |v: &jwtgate_core::Verifier, c: Value, h: Value| {
        let mut claims = claims();
        for (k, val) in c.as_object().unwrap() {
            if val.is_null() {
                claims.remove(k);
            } else {
                claims.insert(k.clone(), val.clone());
            }
        }
        v.verify(&keys, &token(Algorithm::ES256, &claims, h), NOW).map(|_| ()).map_err(|f| f.reason)
    };
    let v = verifier(json!({}));
    assert_eq!(
        check(&v, json!({ "iss": "https://issuer.test" }), json!({})),
        Err(Reason::IssuerMismatch),
        "trailing slash differs"
    );
    assert_eq!(check(&v, json!({ "iss": null }), json!({})), Err(Reason::IssuerMismatch));
    assert_eq!(check(&v, json!({ "iss": ["https://issuer.test/"] }), json!({})), Err(Reason::InvalidClaim));
    assert_eq!(
        check(&v, json!({ "aud": ["a", "b"] }), json!({})),
        Err(Reason::AudienceMismatch),
        "array without a match"
    );
    assert_eq!(check(&v, json!({ "aud": ["a", AUDIENCE] }), json!({})), Ok(()));
    assert_eq!(check(&v, json!({ "aud": null }), json!({})), Err(Reason::AudienceMismatch));
    assert_eq!(check(&v, json!({ "aud": [AUDIENCE, 1] }), json!({})), Err(Reason::InvalidClaim));
    assert_eq!(check(&v, json!({ "aud": "API://TEST" }), json!({})), Err(Reason::AudienceMismatch));

    let clients = verifier(json!({ "allowed_client_ids": ["client-1"] }));
    assert_eq!(check(&clients, json!({}), json!({})), Ok(()));
    assert_eq!(check(&clients, json!({ "client_id": "client-2" }), json!({})), Err(Reason::ClientNotAllowed));
    assert_eq!(check(&clients, json!({ "client_id": null, "azp": "client-1" }), json!({})), Ok(()));
    assert_eq!(check(&clients, json!({ "client_id": null }), json!({})), Err(Reason::ClientNotAllowed));

    let typed = verifier(json!({ "token_type": "at+jwt" }));
    assert_eq!(check(&typed, json!({}), json!({ "typ": "at+jwt" })), Ok(()));
    assert_eq!(check(&typed, json!({}), json!({ "typ": "application/AT+JWT" })), Ok(()));
    assert_eq!(check(&typed, json!({}), json!({ "typ": "JWT" })), Err(Reason::TokenTypeMismatch));
    assert_eq!(check(&typed, json!({}), json!({ "typ": null })), Err(Reason::TokenTypeMismatch));

    let scoped = verifier(json!({ "required_scopes": ["pets:read"] }));
    assert_eq!(check(&scoped, json!({}), json!({})), Ok(()));
    assert_eq!(check(&scoped, json!({ "scope": "other" }), json!({})), Err(Reason::MissingScope));
    assert_eq!(check(&scoped, json!({ "scope": null, "scp": ["pets:read"] }), json!({})), Ok(()));
    assert_eq!(check(&scoped, json!({ "scope": null }), json!({})), Err(Reason::MissingScope));
    assert_eq!(check(&scoped, json!({ "scope": ["pets:read"] }), json!({})), Err(Reason::InvalidClaim));
}

#[test]
fn key_selection() {
    let v = verifier(json!({}));
    // Unknown kid asks for a refresh; no kid picks the single fitting key.
    let t = token(Algorithm::ES256, &claims(), json!({ "kid": "rotated" }));
    assert_eq!(v.verify(&all_keys(), &t, NOW).unwrap_err().reason, Reason::UnknownKid);
    let t = token(Algorithm::ES256, &claims(), json!({ "kid": null }));
    assert!(v.verify(&all_keys(), &t, NOW).is_ok(), "one P-256 key fits");
    // Without kid each fitting key is tried (at most four), in either order.
    let t = token(Algorithm::RS256, &claims(), json!({ "kid": null }));
    assert!(v.verify(&key_set(&["rsa-2048", "rsa-3072"]), &t, NOW).is_ok(), "the second key verifies");
    assert!(v.verify(&key_set(&["rsa-3072", "rsa-2048"]), &t, NOW).is_ok(), "the first key verifies");
    assert_eq!(v.verify(&key_set(&["rsa-3072"]), &t, NOW).unwrap_err().reason, Reason::BadSignature);
    assert_eq!(v.verify(&KeySet::default(), &t, NOW).unwrap_err().reason, Reason::NoKeys);
    // More than four fitting keys: refused before any is tried, whatever their order.
    let with_kids = |kids: &[&str], last: &str| {
        let mut keys: Vec<Value> = kids
            .iter()
            .map(|kid| {
                let mut k = public_jwk("rsa-3072");
                k["kid"] = json!(kid);
                k
            })
            .collect();
        keys.push(public_jwk(last));
        KeySet::parse(json!({ "keys": keys }).to_string().as_bytes(), &jwtgate_core::Limits::default()).unwrap()
    };
    assert!(v.verify(&with_kids(&["a", "b", "c"], "rsa-2048"), &t, NOW).is_ok(), "four keys fit");
    assert_eq!(
        v.verify(&with_kids(&["a", "b", "c", "d"], "rsa-2048"), &t, NOW).unwrap_err().reason,
        Reason::NoMatchingKey,
        "five keys fit"
    );
    // A certificate thumbprint names the key: only keys with that `x5t` (or `x5t#S256`) are
    // tried, and a thumbprint no key has asks for a refresh, as an unknown kid does.
    let thumbprinted = |name: &str, member: &str, value: &str| {
        let mut k = public_jwk(name);
        k.as_object_mut().unwrap().remove("kid");
        k[member] = json!(value);
        k
    };
    let set = KeySet::parse(
        json!({ "keys": [thumbprinted("rsa-3072", "x5t", "T1"), thumbprinted("rsa-2048", "x5t", "T2"), thumbprinted("rsa-2048", "x5t#S256", "S2")] }).to_string().as_bytes(),
        &jwtgate_core::Limits::default(),
    )
    .unwrap();
    for (header, want) in [
        (json!({ "kid": null, "x5t": "T2" }), Ok(())),
        (json!({ "kid": null, "x5t": "T1" }), Err(Reason::BadSignature)),
        (json!({ "kid": null, "x5t": "T9" }), Err(Reason::UnknownKid)),
        (json!({ "kid": null, "x5t#S256": "S2" }), Ok(())),
        (json!({ "kid": null, "x5t#S256": "T2" }), Err(Reason::UnknownKid)),
        (json!({ "kid": null, "x5t": 5 }), Err(Reason::MalformedToken)),
    ] {
        let t = token(Algorithm::RS256, &claims(), header.clone());
        assert_eq!(v.verify(&set, &t, NOW).map(|_| ()).map_err(|f| f.reason), want, "{header}");
    }
}

/// RFC 7515: `kid`, `typ` and `cty` are strings when present; a wrong type names the member.
#[test]
fn header_members_of_the_wrong_type_are_named() {
    let v = verifier(json!({}));
    for (member, reason) in
        [("kid", Reason::InvalidHeaderKid), ("typ", Reason::InvalidHeaderTyp), ("cty", Reason::InvalidHeaderCty)]
    {
        for value in [json!(7), json!(null), json!(["a"]), json!({ "a": 1 }), json!(true)] {
            let mut header = json!({ "kid": "rsa-2048", "typ": "JWT" });
            header[member] = value.clone();
            let t = sign_raw(
                Algorithm::RS256,
                "rsa-2048",
                json!({ "alg": "RS256" })
                    .as_object()
                    .map(|h| {
                        let mut h = h.clone();
                        h.extend(header.as_object().unwrap().clone());
                        serde_json::Value::Object(h).to_string()
                    })
                    .unwrap()
                    .as_bytes(),
                serde_json::Value::Object(claims()).to_string().as_bytes(),
            );
            let failure = v.verify(&all_keys(), &t, NOW).unwrap_err();
            assert_eq!(failure.reason, reason, "{member}: {value}");
            assert!(failure.reason.message().contains(member), "{}", failure.reason.message());
        }
    }
    let t = token(Algorithm::RS256, &claims(), json!({ "cty": "JWT" }));
    assert!(v.verify(&all_keys(), &t, NOW).is_ok(), "a string cty is fine");
}

/// RFC 7519 sections 4.1.2 and 4.1.7: `sub` and `jti` are strings when present; RFC 9068
/// section 2.2: an access token has a `sub` (the policy's `principalId`).
#[test]
fn sub_and_jti_must_be_strings() {
    let v = verifier(json!({}));
    for member in ["sub", "jti"] {
        for value in [json!(123), json!(null), json!(["u"]), json!({ "u": 1 }), json!(false), json!(1.5)] {
            let mut c = claims();
            c.insert(member.into(), value.clone());
            let t = token(Algorithm::RS256, &c, json!({}));
            assert_eq!(v.verify(&all_keys(), &t, NOW).unwrap_err().reason, Reason::InvalidClaim, "{member}: {value}");
        }
        let mut c = claims();
        c.insert(member.into(), json!("a-string"));
        assert!(v.verify(&all_keys(), &token(Algorithm::RS256, &c, json!({})), NOW).is_ok());
    }
    let mut c = claims();
    c.remove("jti");
    assert!(v.verify(&all_keys(), &token(Algorithm::RS256, &c, json!({})), NOW).is_ok(), "jti may be absent");
    for sub in [None, Some("")] {
        let mut c = claims();
        match sub {
            None => c.remove("sub"),
            Some(s) => c.insert("sub".into(), json!(s)),
        };
        let refused = v.verify(&all_keys(), &token(Algorithm::RS256, &c, json!({})), NOW).unwrap_err();
        assert_eq!(refused.reason, Reason::MissingSubject, "sub {sub:?}");
    }
}

/// Keys sharing a `kid`: every one that fits is tried (at most four), so the order of the set
/// never decides. The signer first, second, and behind keys of another kind.
#[test]
fn duplicate_kids_do_not_depend_on_order() {
    let v = verifier(json!({}));
    let t = token(Algorithm::RS256, &claims(), json!({ "kid": "dup" }));
    let named = |kid: &str| {
        let mut k = public_jwk(kid);
        k["kid"] = json!("dup");
        k
    };
    let set = |keys: Vec<serde_json::Value>| {
        KeySet::parse(json!({ "keys": keys }).to_string().as_bytes(), &Default::default()).unwrap()
    };
    // `token` signs RS256 with rsa-2048.
    for keys in [
        vec![named("rsa-2048"), named("rsa-3072")],
        vec![named("rsa-3072"), named("rsa-2048")],
        vec![named("ec-p256"), named("rsa-3072"), named("rsa-2048")],
    ] {
        assert!(v.verify(&set(keys.clone()), &t, NOW).is_ok(), "{keys:?}");
    }
    // No key with that kid verifies: bad_signature; none fits RS256: key_mismatch.
    assert_eq!(
        v.verify(&set(vec![named("rsa-3072"), named("rsa-3072")]), &t, NOW).unwrap_err().reason,
        Reason::BadSignature
    );
    assert_eq!(
        v.verify(&set(vec![named("ec-p256"), named("ed25519")]), &t, NOW).unwrap_err().reason,
        Reason::KeyMismatch
    );
    // At most four are tried: five that fit the kid are refused, the signer first or last.
    let mut five = vec![named("rsa-3072"); 4];
    five.push(named("rsa-2048"));
    assert_eq!(v.verify(&set(five.clone()), &t, NOW).unwrap_err().reason, Reason::NoMatchingKey);
    five.reverse();
    assert_eq!(v.verify(&set(five), &t, NOW).unwrap_err().reason, Reason::NoMatchingKey);
    // Four that fit, and keys of another kind besides: the signer is reached wherever it is.
    let mut keys = vec![named("ec-p256"), named("rsa-3072"), named("rsa-3072"), named("ed25519"), named("rsa-3072")];
    keys.push(named("rsa-2048"));
    assert!(v.verify(&set(keys), &t, NOW).is_ok());
}

/// A clock outside 2000-01-01 .. 2^53 is refused before anything else, never decided as 1970.
#[test]
fn a_bad_clock_is_refused() {
    let v = verifier(json!({}));
    let mut c = claims();
    c.insert("exp".into(), json!(100));
    c.insert("iat".into(), json!(10));
    let expired_in_1970 = token(Algorithm::RS256, &c, json!({}));
    for now in [i64::MIN, -1, 0, 50, jwtgate_core::clock::EARLIEST - 1, jwtgate_core::clock::LIMIT, i64::MAX] {
        assert_eq!(v.verify(&all_keys(), &expired_in_1970, now).unwrap_err().reason, Reason::InvalidClock, "now {now}");
        let d = v.authorize(&all_keys(), &token_event(&format!("Bearer {expired_in_1970}")), now);
        assert_eq!((d.outcome, d.reason), (Outcome::Unauthorized, Some(Reason::InvalidClock)), "now {now}");
        let d = v.authorize_token_event(&all_keys(), &format!("Bearer {expired_in_1970}"), METHOD_ARN, now);
        assert_eq!(d.reason, Some(Reason::InvalidClock));
    }
}

/// Loading a key set costs work in proportion to its size: an RSA key's Montgomery constants
/// are computed at its first signature check (and kept), so unused 8192-bit keys cost nothing
/// but their parsing.
#[test]
fn rsa_keys_are_prepared_at_first_use() {
    let keys = all_keys();
    let v = verifier(json!({}));
    let prepared = |keys: &KeySet| {
        keys.keys()
            .iter()
            .filter_map(|k| match &k.key {
                jwtgate_core::PublicKey::Rsa { prepared, .. } => {
                    Some((k.kid.clone().unwrap_or_default(), prepared.is_prepared()))
                }
                _ => None,
            })
            .collect::<Vec<_>>()
    };
    assert!(prepared(&keys).iter().all(|(_, p)| !p), "nothing prepared at load");
    v.verify(&keys, &token(Algorithm::RS256, &claims(), json!({})), NOW).unwrap();
    for (kid, p) in prepared(&keys) {
        assert_eq!(p, kid == "rsa-2048", "{kid}");
    }
}

#[test]
fn weak_and_hostile_keys_are_refused_at_load_and_reported() {
    let mut bad_use = public_jwk("rsa-2048");
    bad_use["use"] = json!("enc");
    bad_use["kid"] = json!("enc");
    let mut no_verify = public_jwk("ec-p256");
    no_verify["key_ops"] = json!(["sign"]);
    let mut e_one = public_jwk("rsa-3072");
    e_one["e"] = json!("AQ");
    let mut e_even = public_jwk("rsa-3072");
    e_even["e"] = json!("AQAA");
    let mut off_curve = public_jwk("ec-p256");
    off_curve["y"] = off_curve["x"].clone();
    let mut wrong_alg = public_jwk("ec-p384");
    wrong_alg["alg"] = json!("ES256");
    let doc = json!({ "keys": [
        public_jwk("rsa-1024-weak"), bad_use, no_verify, e_one, e_even, off_curve, wrong_alg,
        private_key("ed25519"),
        { "kty": "oct", "k": "c2VjcmV0" }, { "kty": "EC", "crv": "P-521", "x": "AA", "y": "AA" },
        { "kty": "EC", "crv": "secp256k1", "x": "AA", "y": "AA" },
        { "kty": "OKP", "crv": "X25519", "x": "AA" }, "not an object",
        public_jwk("rsa-2048"),
    ]});
    let set = KeySet::parse(doc.to_string().as_bytes(), &Limits::default()).unwrap();
    assert_eq!(set.keys().len(), 1, "only the good RSA key loads");
    let problems: Vec<&str> = set.refused().iter().map(|r| r.problem.code()).collect();
    assert_eq!(
        problems,
        [
            "rsa_modulus_too_small",
            "bad_use",
            "bad_key_ops",
            "rsa_bad_exponent",
            "rsa_bad_exponent",
            "invalid_key_material",
            "bad_alg",
            "private_key_material",
            "unsupported_kty",
            "invalid_key_material",
            "unsupported_curve",
            "unsupported_curve",
            "not_an_object",
        ]
    );
}

#[test]
fn jwks_document_limits() {
    use jwtgate_core::JwksError;
    let limits = Limits { max_keys: 2, max_jwks_bytes: 10_000, ..Limits::default() };
    assert_eq!(KeySet::parse(&jwks(&["ec-p256", "ec-p384", "ed25519"]), &limits).unwrap_err(), JwksError::TooManyKeys);
    assert_eq!(KeySet::parse(&vec![b' '; 10_001], &limits).unwrap_err(), JwksError::TooLarge);
    assert_eq!(KeySet::parse(b"{\"keys\":{}}", &limits).unwrap_err(), JwksError::NoKeysArray);
    assert_eq!(KeySet::parse(b"{\"keys\":[],\"keys\":[]}", &limits).unwrap_err(), JwksError::DuplicateMember);
    assert_eq!(KeySet::parse(b"[", &limits).unwrap_err(), JwksError::InvalidJson);
}
