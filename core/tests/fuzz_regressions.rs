//! Inputs found by fuzzing (core/fuzz), kept as regression tests.

mod support;

use jwtgate_core::routes::glob;
use jwtgate_core::{Algorithm, Outcome};
use serde_json::json;
use support::*;

const WEBSOCKET_ARN: &str = "arn:aws:execute-api:eu-west-1:123456789012:abcdef123/test/$connect";

/// Found by `authorize_event` from the fixture
/// `example-apigw-v2-custom-authorizer-websocket-request.json` with a valid token: a WebSocket
/// `$connect` method ARN has no path part, so the stage-wide resource `API/STAGE/*/*` did not
/// match it. The decision was `deny` with reason `missing_scope` for a valid token holding every
/// scope, and the returned policy (one Allow that does not cover the ARN) denied in API Gateway.
#[test]
fn websocket_connect_with_a_valid_token_is_allowed_for_the_stage() {
    let event = json!({
        "type": "REQUEST",
        "methodArn": WEBSOCKET_ARN,
        "headers": { "Authorization": format!("Bearer {}", token(Algorithm::RS256, &claims(), json!({}))) },
        "requestContext": { "routeKey": "$connect", "eventType": "CONNECT", "stage": "test" },
    })
    .to_string();
    let keys = key_set(&["rsa-2048"]);

    let d = verifier(json!({})).authorize(&keys, event.as_bytes(), NOW);
    assert_eq!((d.outcome, d.reason), (Outcome::Allow, None));
    let response = d.response.unwrap().to_value();
    let statement = &response["policyDocument"]["Statement"][0];
    assert_eq!(statement["Effect"], "Allow");
    assert_eq!(statement["Resource"], "arn:aws:execute-api:eu-west-1:123456789012:abcdef123/test/*");
    assert!(glob(statement["Resource"].as_str().unwrap(), WEBSOCKET_ARN));

    // Unchanged: the exact ARN with POLICY_RESOURCE=method, a Deny without the scopes, and
    // Unauthorized without a valid token.
    let d = verifier(json!({ "policy_resource": "method" })).authorize(&keys, event.as_bytes(), NOW);
    assert_eq!(d.response.unwrap().to_value()["policyDocument"]["Statement"][0]["Resource"], WEBSOCKET_ARN);
    let d = verifier(json!({ "required_scopes": ["admin"] })).authorize(&keys, event.as_bytes(), NOW);
    assert_eq!(d.outcome, Outcome::Deny);
    assert_eq!(d.response.unwrap().to_value()["policyDocument"]["Statement"][0]["Effect"], "Deny");
    let expired = json!({ "type": "REQUEST", "methodArn": WEBSOCKET_ARN, "headers": { "Authorization": format!("Bearer {}", token(Algorithm::RS256, &{ let mut c = claims(); c.insert("exp".into(), json!(NOW - 1)); c }, json!({}))) } });
    assert_eq!(
        verifier(json!({})).authorize(&keys, expired.to_string().as_bytes(), NOW).outcome,
        Outcome::Unauthorized
    );
}

/// REST method ARNs keep the `API/STAGE/*/*` stage-wide resource, root path included.
#[test]
fn rest_method_arns_keep_the_two_part_stage_wildcard() {
    let d = verifier(json!({})).authorize(
        &key_set(&["rsa-2048"]),
        &token_event(&format!("Bearer {}", token(Algorithm::RS256, &claims(), json!({})))),
        NOW,
    );
    assert_eq!(
        d.response.unwrap().to_value()["policyDocument"]["Statement"][0]["Resource"],
        "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/*/*"
    );
}
