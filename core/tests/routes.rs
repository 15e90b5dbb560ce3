//! Per-route scope rules: one cached policy answers every route as the rules say.
//!
//! For each token, the authorizer is asked once (as API Gateway does on a cache miss); the
//! returned policy is then evaluated for every route by this file's own small IAM evaluator
//! (explicit Deny wins, then Allow, else deny), as API Gateway evaluates a cached policy.

mod support;

use jwtgate_core::{Algorithm, Outcome};
use serde_json::{Value, json};
use support::*;

const RULES: &str = "GET /pets/*=pets:read; POST /pets=pets:write; DELETE /*=admin";
const API: &str = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod";

/// (REST method ARN suffix, HTTP API route key)
const ROUTES: &[(&str, &str)] = &[
    ("GET/pets/1", "GET /pets/{id}"),
    ("GET/pets/1/toys", "GET /pets/{id}/toys"),
    ("POST/pets", "POST /pets"),
    ("DELETE/pets/1", "DELETE /pets/{id}"),
    ("GET/owners", "GET /owners"),
    ("PUT/pets/1", "PUT /pets/{id}"),
    ("GET/pets", "GET /pets"),
];

/// Expected answers, one row per token's scopes, one column per route above:
/// `A` allow, `D` deny. The last three routes are named by no rule.
const OPEN: &[(&str, &str)] = &[
    ("", "DDDDAAA"),
    ("pets:read", "AADDAAA"),
    ("pets:write", "DDADAAA"),
    ("pets:read pets:write", "AAADAAA"),
    ("admin", "DDDAAAA"),
    ("pets:read pets:write admin", "AAAAAAA"),
];
const CLOSED: &[(&str, &str)] = &[
    ("", "DDDDDDD"),
    ("pets:read", "AADDDDD"),
    ("pets:write", "DDADDDD"),
    ("pets:read pets:write", "AAADDDD"),
    ("admin", "DDDADDD"),
    ("pets:read pets:write admin", "AAAADDD"),
];

/// IAM wildcard match, written independently of the core's: `*` any run, `?` one character.
fn iam_match(pattern: &[u8], text: &[u8]) -> bool {
    match (pattern.first(), text.first()) {
        (None, None) => true,
        (Some(b'*'), _) => iam_match(&pattern[1..], text) || (!text.is_empty() && iam_match(pattern, &text[1..])),
        (Some(b'?'), Some(_)) => iam_match(&pattern[1..], &text[1..]),
        (Some(p), Some(t)) if p == t => iam_match(&pattern[1..], &text[1..]),
        _ => false,
    }
}

fn evaluate(policy: &Value, arn: &str) -> bool {
    let statements = policy["policyDocument"]["Statement"].as_array().unwrap();
    let matching: Vec<&Value> = statements
        .iter()
        .filter(|s| {
            assert_eq!(s["Action"], "execute-api:Invoke");
            let resource = s["Resource"].as_str().unwrap();
            assert!(resource.len() <= 512, "resource ARN over API Gateway's limit");
            iam_match(resource.as_bytes(), arn.as_bytes())
        })
        .collect();
    !matching.iter().any(|s| s["Effect"] == "Deny") && matching.iter().any(|s| s["Effect"] == "Allow")
}

fn token_with(scopes: &str) -> String {
    let mut c = claims();
    c.insert("scope".into(), json!(scopes));
    token(Algorithm::RS256, &c, json!({}))
}

fn rest_event(token: &str, suffix: &str) -> Vec<u8> {
    json!({ "type": "TOKEN", "authorizationToken": format!("Bearer {token}"), "methodArn": format!("{API}/{suffix}") })
        .to_string()
        .into_bytes()
}

fn table(unlisted: &str, expected: &[(&str, &str)]) {
    let v = verifier(json!({ "route_rules": RULES, "unlisted_routes": unlisted, "context_claims": [] }));
    let keys = key_set(&["rsa-2048"]);
    for (scopes, row) in expected {
        let t = token_with(scopes);
        // The first request fills API Gateway's cache; its policy then answers every route.
        let cached = v.authorize(&keys, &rest_event(&t, ROUTES[0].0), NOW).response.unwrap().to_value();
        for ((suffix, route_key), want) in ROUTES.iter().zip(row.chars()) {
            let want = want == 'A';
            let arn = format!("{API}/{suffix}");
            assert_eq!(evaluate(&cached, &arn), want, "cached policy, scopes {scopes:?}, {suffix}\n{cached:#}");
            // Asked directly for that route, the authorizer agrees with its cached policy.
            let direct = v.authorize(&keys, &rest_event(&t, suffix), NOW);
            assert_eq!(direct.outcome == Outcome::Allow, want, "direct, scopes {scopes:?}, {suffix}");
            assert_eq!(direct.response.map(|r| r.to_value()).as_ref(), Some(&cached), "the policy must not depend on the route");
            // HTTP API simple responses decide by route key.
            let ev = json!({
                "version": "2.0", "type": "REQUEST", "routeKey": route_key,
                "routeArn": format!("{API}/{suffix}"), "headers": { "authorization": format!("Bearer {t}") },
            });
            let simple = v.authorize(&keys, ev.to_string().as_bytes(), NOW).response.unwrap().to_value();
            assert_eq!(simple["isAuthorized"], json!(want), "simple, scopes {scopes:?}, {route_key}");
        }
    }
}

#[test]
fn open_default_one_cached_policy_answers_every_route() {
    table("allow", OPEN);
}

#[test]
fn closed_default_one_cached_policy_answers_every_route() {
    table("deny", CLOSED);
}

#[test]
fn policy_shape_with_rules() {
    let v = verifier(json!({ "route_rules": RULES, "context_claims": [] }));
    let p = v.authorize(&key_set(&["rsa-2048"]), &rest_event(&token_with("pets:read"), "GET/pets/1"), NOW).response.unwrap().to_value();
    assert_eq!(p["policyDocument"]["Statement"], json!([
        { "Action": "execute-api:Invoke", "Effect": "Allow", "Resource": format!("{API}/*/*") },
        { "Action": "execute-api:Invoke", "Effect": "Allow", "Resource": format!("{API}/GET/pets/*") },
        { "Action": "execute-api:Invoke", "Effect": "Deny", "Resource": format!("{API}/POST/pets") },
        { "Action": "execute-api:Invoke", "Effect": "Deny", "Resource": format!("{API}/DELETE/*") },
    ]));
}

#[test]
fn rules_from_the_environment_and_their_errors() {
    use jwtgate_core::env::Settings;
    let env = |rules: &str| {
        let vars = [("ISSUER", ISSUER), ("AUDIENCE", AUDIENCE), ("ROUTE_RULES", rules), ("UNLISTED_ROUTES", "deny")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_env(&vars)
    };
    assert_eq!(env(RULES).unwrap().config.route_rules.len(), 3);
    let json_form = r#"[{"route":"GET /pets/*","scopes":["pets:read"]}]"#;
    assert_eq!(env(json_form).unwrap().config.route_rules[0].scopes, vec!["pets:read"]);
    let e = env("GET /pets/*=pets:read; FETCH /x=y").unwrap_err();
    assert_eq!(e.setting, "ROUTE_RULES");
    assert!(e.to_string().contains("FETCH /x"), "{e}");
    let e = env(&(0..60).map(|i| format!("GET /r{i}=s")).collect::<Vec<_>>().join(";")).unwrap_err();
    assert!(e.to_string().contains("at most 50"), "{e}");
}
