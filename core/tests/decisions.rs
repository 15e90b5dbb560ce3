//! API Gateway decisions: events in, the exact responses out.

mod support;

use jwtgate_core::{Algorithm, Outcome, Reason};
use serde_json::{Value, json};
use std::path::PathBuf;
use support::*;

fn good_token() -> String {
    token(Algorithm::RS256, &claims(), json!({}))
}

#[test]
fn token_event_allow_covers_the_stage_by_default() {
    let d =
        verifier(json!({})).authorize(&key_set(&["rsa-2048"]), &token_event(&format!("Bearer {}", good_token())), NOW);
    assert_eq!(d.outcome, Outcome::Allow);
    assert_eq!(
        d.response.unwrap().to_value(),
        json!({
            "principalId": "user-1",
            "policyDocument": { "Version": "2012-10-17", "Statement": [{
                "Action": "execute-api:Invoke", "Effect": "Allow",
                "Resource": "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/*/*" }] },
            "context": { "sub": "user-1", "iss": ISSUER, "scope": "pets:read pets:write", "client_id": "client-1" },
        })
    );
    assert_eq!(d.log.kid.as_deref(), Some("rsa-2048"));
    assert_eq!(d.log.sub.as_deref(), Some("user-1"));
}

#[test]
fn method_resource_and_missing_scope_deny() {
    let v = verifier(json!({ "policy_resource": "method", "required_scopes": ["admin"], "context_claims": ["sub"] }));
    let d = v.authorize(&key_set(&["rsa-2048"]), &token_event(&format!("Bearer {}", good_token())), NOW);
    assert_eq!(d.outcome, Outcome::Deny);
    assert_eq!(d.reason, Some(Reason::MissingScope));
    let r = d.response.unwrap().to_value();
    assert_eq!(r["policyDocument"]["Statement"][0]["Effect"], "Deny");
    assert_eq!(r["policyDocument"]["Statement"][0]["Resource"], METHOD_ARN);
    assert_eq!(r["context"], json!({ "sub": "user-1" }));
}

#[test]
fn unauthorized_outcomes_have_no_response() {
    let v = verifier(json!({}));
    let keys = key_set(&["rsa-2048"]);
    for (auth, reason) in [
        ("", Reason::MissingToken),
        ("Basic dXNlcjpwYXNz", Reason::BadAuthorizationScheme),
        ("Bearer", Reason::BadAuthorizationScheme),
        ("Bearer a b", Reason::BadAuthorizationScheme),
        ("Bearer not-a-jwt", Reason::MalformedToken),
    ] {
        let d = v.authorize(&keys, &token_event(auth), NOW);
        assert_eq!((d.outcome, d.reason, d.response.clone()), (Outcome::Unauthorized, Some(reason), None), "{auth:?}");
    }
    let rotated = token(Algorithm::RS256, &claims(), json!({ "kid": "new-key" }));
    let d = v.authorize(&keys, &token_event(&format!("Bearer {rotated}")), NOW);
    // The verifier alone cannot fetch: the gate turns this into `FetchKeys` when it may.
    assert_eq!(
        (d.outcome, d.reason, d.log.kid.as_deref()),
        (Outcome::Unauthorized, Some(Reason::UnknownKid), Some("new-key"))
    );
    for bad_event in [
        &b"null"[..],
        b"{}",
        b"[]",
        br#"{"type":"TOKEN"}"#,
        br#"{"type":"TOKEN","authorizationToken":"x","methodArn":"arn:aws:s3:::b"}"#,
        br#"{"type":"TOKEN","methodArn":1}"#,
    ] {
        let d = v.authorize(&keys, bad_event, NOW);
        assert_eq!(
            (d.outcome, d.reason),
            (Outcome::Unauthorized, Some(Reason::InvalidEvent)),
            "{}",
            String::from_utf8_lossy(bad_event)
        );
    }
    let no_token = json!({ "type": "TOKEN", "methodArn": METHOD_ARN }).to_string();
    assert_eq!(v.authorize(&keys, no_token.as_bytes(), NOW).reason, Some(Reason::MissingToken));
}

fn fixture(name: &str) -> Option<Value> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors/apigw-events");
    if !dir.is_dir() {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "CI=true but {} is missing", dir.display());
        eprintln!("NOT RUN: {} not found", dir.display());
        return None;
    }
    Some(serde_json::from_slice(&std::fs::read(dir.join(name)).unwrap()).unwrap())
}

#[test]
fn request_and_http_api_events_from_api_gateway_fixtures() {
    let v = verifier(json!({}));
    let keys = key_set(&["rsa-2048"]);
    let bearer = format!("Bearer {}", good_token());

    // REST REQUEST: header name in any case.
    let Some(mut rest) = fixture("example-apigw-custom-auth-request-type-request.json") else { return };
    rest["headers"]["AUTHORIZATION"] = json!(bearer);
    let d = v.authorize(&keys, rest.to_string().as_bytes(), NOW);
    assert_eq!(d.outcome, Outcome::Allow);
    assert_eq!(
        d.response.unwrap().to_value()["policyDocument"]["Statement"][0]["Resource"],
        "arn:aws:execute-api:us-east-1:123456789012:s4x3opwd6i/test/*/*"
    );
    let d = v.authorize(
        &keys,
        fixture("example-apigw-custom-auth-request-type-request.json").unwrap().to_string().as_bytes(),
        NOW,
    );
    assert_eq!(d.reason, Some(Reason::MissingToken), "the fixture has no Authorization header");

    // HTTP API payload 1.0 (a REQUEST event with methodArn).
    let mut v1 = fixture("example-apigw-v2-custom-authorizer-v1-request.json").unwrap();
    v1["headers"]["authorization"] = json!(bearer);
    assert_eq!(v.authorize(&keys, v1.to_string().as_bytes(), NOW).outcome, Outcome::Allow);

    // HTTP API payload 2.0: simple response by default, policy when configured.
    for name in [
        "example-apigw-v2-custom-authorizer-v2-request.json",
        "example-apigw-v2-custom-authorizer-v2-request-null-maps.json",
        "example-apigw-v2-custom-authorizer-v2-request-without-cookies.json",
    ] {
        let mut v2 = fixture(name).unwrap();
        v2["headers"]["authorization"] = json!(bearer);
        let d = v.authorize(&keys, v2.to_string().as_bytes(), NOW);
        assert_eq!(d.response.unwrap().to_value()["isAuthorized"], true, "{name}");
        let d = verifier(json!({ "http_api_response": "policy" })).authorize(&keys, v2.to_string().as_bytes(), NOW);
        assert_eq!(
            d.response.unwrap().to_value()["policyDocument"]["Statement"][0]["Resource"],
            "arn:aws:execute-api:us-east-1:123456789012:abcdef123/test/*/*"
        );
        let denied = verifier(json!({ "required_scopes": ["admin"] })).authorize(&keys, v2.to_string().as_bytes(), NOW);
        assert_eq!(denied.response.unwrap().to_value()["isAuthorized"], false);
    }
    let v2 = fixture("example-apigw-v2-custom-authorizer-v2-request-null-maps.json").unwrap();
    assert_eq!(v.authorize(&keys, v2.to_string().as_bytes(), NOW).reason, Some(Reason::MissingToken));
}

#[test]
fn decision_json_never_contains_the_token() {
    let t = good_token();
    let sig = t.rsplit('.').next().unwrap().to_owned();
    let d = verifier(json!({})).authorize(&key_set(&["rsa-2048"]), &token_event(&format!("Bearer {t}")), NOW);
    let text = d.to_json().to_string();
    assert!(!text.contains(&sig) && !text.contains(&t));
    assert_eq!(d.log_json()["outcome"], "allow");
}

#[test]
fn the_written_decision_is_the_decision_document() {
    let keys = key_set(&["rsa-2048"]);
    let t = good_token();
    let events = [
        token_event(&format!("Bearer {t}")),
        token_event("Bearer not.a.token"),
        token_event(&format!("Bearer {}", token(Algorithm::RS256, &claims(), json!({ "kid": "nobody" })))),
    ];
    let mut v2 = fixture("example-apigw-v2-custom-authorizer-v2-request.json").unwrap();
    v2["headers"]["authorization"] = json!(format!("Bearer {t}"));
    let v2 = v2.to_string().into_bytes();
    let configs = [
        json!({}),
        json!({ "required_scopes": ["admin"] }),
        json!({ "context_claims": ["sub", "n"] }),
        json!({ "context_claims": [] }),
        json!({ "context_claims": ["sub", "iss", "sub"] }),
    ];
    for (event, config) in events.iter().chain([&v2]).flat_map(|e| configs.iter().map(move |c| (e, c))) {
        let d = verifier(config.clone()).authorize(&keys, event, NOW);
        let text = d.to_json_bytes();
        assert_eq!(text, d.to_json().to_string().into_bytes(), "{d:?}");
        // The text is canonical: what serde_json writes for the same document (sorted members).
        let reparsed: Value = serde_json::from_slice(&text).unwrap();
        assert_eq!(String::from_utf8(text).unwrap(), reparsed.to_string(), "{d:?}");
        if let Some(response) = &d.response {
            let mut written = Vec::new();
            response.write(&mut written);
            assert_eq!(String::from_utf8(written).unwrap(), response.to_value().to_string());
        }
    }
}

/// README ("Forwarding"): a context too large for the 8 KB answer is cut, never the decision.
/// Many mapped claims whose sum lands just over the room are where a miscount of the members'
/// separators shows: every length here must give an Allow within 8,192 bytes.
#[test]
fn a_context_too_large_is_cut_never_the_decision() {
    let keys = key_set(&["rsa-2048"]);
    let names: Vec<String> = (0..40).map(|i| format!("c{i:02}")).collect();
    let v = verifier(json!({ "context_claims": names }));
    let mut cut = 0;
    for len in 150..260 {
        let mut c = claims();
        for name in &names {
            c.insert(name.clone(), json!("v".repeat(len)));
        }
        let d = v.authorize(&keys, &token_event(&format!("Bearer {}", token(Algorithm::RS256, &c, json!({})))), NOW);
        assert_eq!(d.outcome, Outcome::Allow, "40 claims of {len} bytes: {:?}", d.reason);
        let answer = d.response.unwrap().to_value();
        assert!(answer.to_string().len() <= 8192, "40 claims of {len} bytes");
        cut += usize::from(answer["context"].get("jwtgate_context_cut").is_some());
    }
    assert!(cut > 50, "the lengths reach the cut ({cut} cut)");
}
