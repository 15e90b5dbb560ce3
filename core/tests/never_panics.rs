//! Property tests: arbitrary bytes as token, JWKS or event never panic and never allow.

mod support;

use jwtgate_core::{Algorithm, KeySet, Limits, Outcome};
use proptest::prelude::*;
use serde_json::json;
use support::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_tokens_are_refused(token in ".{0,400}") {
        let v = verifier(json!({}));
        prop_assert!(v.verify(&key_set(&["ec-p256", "ed25519"]), &token, NOW).is_err());
    }

    #[test]
    fn arbitrary_jws_shaped_tokens_are_refused(h in "[A-Za-z0-9_-]{0,60}", p in "[A-Za-z0-9_-]{0,80}", s in "[A-Za-z0-9_-]{0,90}") {
        let v = verifier(json!({}));
        let token = format!("{h}.{p}.{s}");
        prop_assert!(v.verify(&key_set(&["ec-p256", "ed25519"]), &token, NOW).is_err());
    }

    #[test]
    fn mutated_good_tokens_are_refused(pos in 0usize..400, byte in any::<u8>()) {
        let good = token(Algorithm::ES256, &claims(), json!({}));
        let mut bytes = good.clone().into_bytes();
        let i = pos % bytes.len();
        prop_assume!(bytes[i] != byte);
        bytes[i] = byte;
        if let Ok(mutated) = String::from_utf8(bytes) {
            let v = verifier(json!({}));
            prop_assert!(v.verify(&key_set(&["ec-p256"]), &mutated, NOW).is_err(), "{}", mutated);
        }
    }

    #[test]
    fn arbitrary_jwks_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = KeySet::parse(&bytes, &Limits::default());
    }

    #[test]
    fn jwks_shaped_documents_never_panic(kty in "(RSA|EC|OKP|oct|)", crv in "(P-256|P-384|P-521|Ed25519|X|)", n in "[A-Za-z0-9_-]{0,50}", e in "[A-Za-z0-9_-]{0,6}", x in "[A-Za-z0-9_-]{0,50}") {
        let doc = json!({ "keys": [{ "kty": kty, "crv": crv, "n": n, "e": e, "x": x, "y": x }] });
        let _ = KeySet::parse(doc.to_string().as_bytes(), &Limits::default());
    }

    #[test]
    fn arbitrary_events_never_allow(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let d = verifier(json!({})).authorize(&key_set(&["ec-p256"]), &bytes, NOW);
        prop_assert!(d.outcome != Outcome::Allow && d.response.is_none());
    }

    #[test]
    fn event_shaped_documents_never_allow(kind in "(TOKEN|REQUEST|)", auth in ".{0,80}", arn in ".{0,80}") {
        let ev = json!({ "type": kind, "authorizationToken": auth, "methodArn": arn, "headers": { "authorization": auth } });
        let d = verifier(json!({})).authorize(&key_set(&["ec-p256"]), ev.to_string().as_bytes(), NOW);
        prop_assert!(d.outcome != Outcome::Allow);
    }

    /// Cookie and query text of any shape, in every kind of event that carries it: never a
    /// panic, never an Allow without a token; with a good token added under the source's name
    /// beside arbitrary text, an Allow only when that text does not name the source too.
    #[test]
    fn arbitrary_cookies_and_queries(cookie in "[ -~]{0,120}", raw in "[ -~]{0,120}", name in "(at|a|t|access_token)", cut in 0usize..130) {
        let v = verifier(json!({ "token_sources": ["cookie:at", "query:access_token"] }));
        let keys = key_set(&["ec-p256"]);
        let arn = METHOD_ARN;
        let events = |cookie: &str, raw: &str| [
            json!({ "type": "REQUEST", "methodArn": arn, "headers": { "Cookie": cookie }, "queryStringParameters": { name.as_str(): raw } }),
            json!({ "version": "2.0", "type": "REQUEST", "routeArn": arn, "routeKey": "GET /pets", "cookies": [cookie], "rawQueryString": raw }),
            json!({ "version": "2.0", "type": "REQUEST", "routeArn": arn, "routeKey": "GET /pets", "headers": { "cookie": cookie }, "queryStringParameters": { name.as_str(): raw } }),
        ];
        for ev in events(&cookie, &raw) {
            let d = v.authorize(&keys, ev.to_string().as_bytes(), NOW);
            prop_assert!(d.outcome != Outcome::Allow, "{}", ev);
        }
        // A good token in the cookie, the arbitrary text around it in the same string: RFC 6265
        // pairs are split at `;`, so it is decided by that token exactly when no other pair is
        // named `at` (else ambiguous_token).
        static GOOD: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let good = GOOD.get_or_init(|| token(Algorithm::ES256, &claims(), json!({})));
        let (before, after) = cookie.split_at(cut.min(cookie.len()));
        let with = format!("{before}; at={good}; {after}");
        let named_at = with.split(';').filter(|p| p.split_once('=').is_some_and(|(n, _)| n.trim_matches([' ', '\t']) == "at")).count();
        let ev = json!({ "version": "2.0", "type": "REQUEST", "routeArn": arn, "routeKey": "GET /pets", "cookies": [with] });
        let d = v.authorize(&keys, ev.to_string().as_bytes(), NOW);
        if named_at == 1 {
            prop_assert_eq!(d.outcome, Outcome::Allow, "{}: {:?}", with, d.reason);
        } else {
            prop_assert_eq!(d.reason, Some(jwtgate_core::Reason::AmbiguousToken), "{}", with);
        }
    }
}
