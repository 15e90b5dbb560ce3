//! `authorize_token_event` (a TOKEN event by its two members, the JavaScript hosts' warm path)
//! decides exactly as `authorize` of the same event as JSON: same outcome, reason, response and
//! log fields, the event size cap included.

mod support;

use jwtgate_core::{Algorithm, Decision, KeySet};
use proptest::prelude::*;
use serde_json::json;
use support::*;

fn both(v: &jwtgate_core::Verifier, keys: &KeySet, authorization: &str, arn: &str) -> (Decision, Decision) {
    let event = json!({ "type": "TOKEN", "authorizationToken": authorization, "methodArn": arn }).to_string();
    (v.authorize(keys, event.as_bytes(), NOW), v.authorize_token_event(keys, authorization, arn, NOW))
}

#[test]
fn valid_denied_and_refused_tokens_decide_alike() {
    let keys = key_set(&["rsa-2048", "ec-p256"]);
    let good = token(Algorithm::RS256, &claims(), json!({}));
    let unknown_kid = token(Algorithm::ES256, &claims(), json!({ "kid": "nobody" }));
    let cases = [
        format!("Bearer {good}"),
        format!("bearer   {good} "),
        format!("Basic {good}"),
        format!("Bearer {unknown_kid}"),
        "Bearer a.b.c".to_owned(),
        String::new(),
        "Bearer \"quoted\\\u{1}\u{7f}é".to_owned(),
    ];
    let arns = [METHOD_ARN, "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/$connect", "not an arn", ""];
    for scopes in [json!([]), json!(["admin"])] {
        let v = verifier(json!({ "required_scopes": scopes }));
        for authorization in &cases {
            for arn in arns {
                let (from_json, from_members) = both(&v, &keys, authorization, arn);
                assert_eq!(from_json, from_members, "{authorization:?} {arn:?}");
            }
        }
    }
    let (allowed, _) = both(&verifier(json!({})), &keys, &cases[0], METHOD_ARN);
    assert_eq!(allowed.outcome, jwtgate_core::Outcome::Allow, "the table includes an allow");
}

#[test]
fn the_event_size_cap_counts_the_json_form() {
    let keys = key_set(&["rsa-2048"]);
    // Quotes, backslashes and controls take more room as JSON than as text.
    let good = token(Algorithm::RS256, &claims(), json!({}));
    for authorization in [format!("Bearer {good}"), format!("Bearer {good}\"\\\n\u{1}")] {
        let event =
            json!({ "type": "TOKEN", "authorizationToken": authorization, "methodArn": METHOD_ARN }).to_string();
        for cap in [event.len() - 1, event.len(), event.len() + 1] {
            let v = verifier(json!({ "limits": { "max_event_bytes": cap } }));
            let (from_json, from_members) = both(&v, &keys, &authorization, METHOD_ARN);
            assert_eq!(from_json, from_members, "cap {cap} for an event of {}", event.len());
            assert_eq!(from_json.reason == Some(jwtgate_core::Reason::InvalidEvent), cap < event.len());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_members_decide_alike(authorization in "\\PC{0,40}|[\\x00-\\x7f]{0,40}", arn in "\\PC{0,30}|[\\x00-\\x7f]{0,30}", cap in 40usize..200) {
        let keys = key_set(&["rsa-2048"]);
        let v = verifier(json!({ "limits": { "max_event_bytes": cap } }));
        let (from_json, from_members) = both(&v, &keys, &authorization, &arn);
        prop_assert_eq!(from_json, from_members);
    }
}
