//! The engine against the embedded module: the C ABI round trip, decisions on a real IdP's
//! token (frozen in a fixture, `now` passed explicitly), and recovery after traps.

use jwtgate_lambda::engine::{Engine, EngineError, Limits, Outcome};
use serde_json::{Value, json};

struct Fixture {
    issuer: String,
    audience: String,
    jwks: Vec<u8>,
    token: String,
    now: i64,
}

fn fixture() -> Fixture {
    let raw: Value = serde_json::from_str(include_str!("fixtures/op-rs256.json")).unwrap();
    Fixture {
        issuer: raw["issuer"].as_str().unwrap().to_owned(),
        audience: raw["audience"].as_str().unwrap().to_owned(),
        jwks: raw["jwks"].to_string().into_bytes(),
        token: raw["token"].as_str().unwrap().to_owned(),
        now: raw["now"].as_i64().unwrap(),
    }
}

fn token_event(token: &str) -> Vec<u8> {
    json!({
        "type": "TOKEN",
        "authorizationToken": format!("Bearer {token}"),
        "methodArn": "arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/prod/GET/pets",
    })
    .to_string()
    .into_bytes()
}

fn ready_engine(f: &Fixture) -> Engine {
    let mut engine = Engine::embedded().expect("the embedded module loads");
    let config = json!({ "issuers": [f.issuer], "audiences": [f.audience] }).to_string();
    engine.configure(config.as_bytes()).expect("configured");
    let report = engine.set_keys(&f.jwks).expect("keys load");
    assert_eq!(report["keys"], 1, "{report}");
    engine
}

#[test]
fn settings_from_env_are_validated_by_the_module() {
    let mut engine = Engine::embedded().unwrap();
    let ok = engine
        .settings_from_env(br#"{"ISSUER":"https://id.example/","AUDIENCE":"api","JWKS_REFRESH_COOLDOWN_SECONDS":"7"}"#)
        .unwrap();
    assert_eq!(ok["ok"], true);
    assert_eq!(ok["jwks"]["refresh_cooldown_seconds"], 7);
    assert_eq!(ok["jwks"]["discovery_url"], "https://id.example/.well-known/openid-configuration");
    let bad = engine.settings_from_env(br#"{"AUDIENCE":"api"}"#).unwrap();
    assert_eq!(bad["ok"], false);
    assert!(bad["error"].as_str().unwrap().contains("ISSUER"), "{bad}");
}

#[test]
fn decides_a_real_token() {
    let f = fixture();
    let mut engine = ready_engine(&f);
    let decision = engine.authorize(&token_event(&f.token), f.now).unwrap();
    assert_eq!(decision.outcome(), Outcome::Allow, "{:?}", decision.0);
    let response = decision.response().unwrap();
    assert_eq!(response["principalId"], "jwtgate-test-client");
    assert_eq!(response["policyDocument"]["Statement"][0]["Effect"], "Allow");
    assert_eq!(decision.field("kid"), Some("test-key-1"));

    // Expired: a reason, no response.
    let late = engine.authorize(&token_event(&f.token), f.now + 3600).unwrap();
    assert_eq!(late.outcome(), Outcome::Unauthorized);
    assert!(late.response().is_none());
}

#[test]
fn bad_input_is_unauthorized_never_an_error() {
    let f = fixture();
    let mut engine = ready_engine(&f);
    let mut tampered = f.token.clone();
    tampered.truncate(tampered.len() - 4);
    tampered.push_str("AAAA");
    for event in [
        token_event(&tampered),
        token_event("not-a-jwt"),
        b"{".to_vec(),
        b"[]".to_vec(),
        b"\xff\xfe".to_vec(),
        Vec::new(),
        br#"{"type":"TOKEN"}"#.to_vec(),
    ] {
        let decision = engine.authorize(&event, f.now).unwrap();
        assert_eq!(decision.outcome(), Outcome::Unauthorized, "{:?}", decision.0);
        assert!(decision.response().is_none());
        assert!(!decision.0.to_string().contains(&f.token), "never echo the token");
    }
}

#[test]
fn unknown_kid_asks_for_fresh_keys() {
    let f = fixture();
    let mut engine = ready_engine(&f);
    engine.set_keys(br#"{"keys":[]}"#).unwrap();
    let decision = engine.authorize(&token_event(&f.token), f.now).unwrap();
    assert_eq!(decision.outcome(), Outcome::RefreshKeys);
    assert!(decision.response().is_none());
}

#[test]
fn refused_jwks_keeps_the_last_good_keys() {
    let f = fixture();
    let mut engine = ready_engine(&f);
    assert!(matches!(engine.set_keys(b"not json"), Err(EngineError::KeysRefused(_))));
    assert_eq!(engine.authorize(&token_event(&f.token), f.now).unwrap().outcome(), Outcome::Allow);
}

#[test]
fn fuel_exhaustion_is_a_trap_and_the_instance_is_rebuilt_with_its_keys() {
    let f = fixture();
    let mut engine = ready_engine(&f);
    let normal = engine.limits();
    engine.set_limits(Limits { authorize_fuel: 10_000, ..normal });
    let err = engine.authorize(&token_event(&f.token), f.now).unwrap_err();
    assert!(matches!(err, EngineError::Trap { call: "jwtgate_authorize", .. }), "{err}");
    engine.set_limits(normal);
    let decision = engine.authorize(&token_event(&f.token), f.now).unwrap();
    assert_eq!(decision.outcome(), Outcome::Allow, "keys survive the rebuild");
    assert!(engine.rebuilds() >= 1);
}

#[test]
fn memory_cap_is_a_trap_not_an_abort_of_the_host() {
    let f = fixture();
    let mut engine = ready_engine(&f);
    let normal = engine.limits();
    engine.set_limits(Limits { memory_bytes: 4 << 20, ..normal });
    // Fits the core's 1 MiB event cap only as an allocation; the module cannot grow to hold it.
    let huge = vec![b' '; 8 << 20];
    let err = engine.authorize(&huge, f.now).unwrap_err();
    assert!(matches!(err, EngineError::Trap { .. }), "{err}");
    engine.set_limits(normal);
    assert_eq!(engine.authorize(&token_event(&f.token), f.now).unwrap().outcome(), Outcome::Allow);
}

#[test]
fn fuel_budget_has_a_wide_margin() {
    let f = fixture();
    let mut engine = ready_engine(&f);
    engine.authorize(&token_event(&f.token), f.now).unwrap();
    let used = engine.limits().authorize_fuel - engine.fuel_left().unwrap();
    eprintln!("fuel for one RS256 TOKEN decision: {used}");
    assert!(used * 50 < engine.limits().authorize_fuel, "used {used}");
}

#[test]
fn a_clock_outside_the_cores_range_is_refused_through_the_c_abi() {
    let f = fixture();
    let mut engine = ready_engine(&f);
    // jwtgate_authorize answers 3 with the refusal; the engine reads it as the decision.
    for now in [i64::MIN, -1, 0, 946_684_799, 1 << 53, i64::MAX] {
        let decision = engine.authorize(&token_event(&f.token), now).unwrap();
        assert_eq!(decision.outcome(), Outcome::Unauthorized, "now {now}");
        assert_eq!(decision.0["reason"], "invalid_clock", "now {now}");
    }
    assert_eq!(engine.authorize(&token_event(&f.token), f.now).unwrap().outcome(), Outcome::Allow);
}
