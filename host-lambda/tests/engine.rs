//! The engine against the embedded module: the C ABI round trip, decisions on a real IdP's
//! token (frozen in a fixture, `now` passed explicitly), and recovery after traps.

use jwtgate_lambda::engine::{Configuration, Engine, EngineError, Limits, Outcome, SettingsInput};
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
    // The key set inline: the module decides without a fetch.
    let jwks: Value = serde_json::from_slice(&f.jwks).unwrap();
    let config = json!({ "issuers": [f.issuer], "audiences": [f.audience], "jwks": jwks }).to_string();
    engine.configure(config.as_bytes()).expect("configured");
    engine
}

#[test]
fn settings_from_env_are_validated_by_the_module() {
    let mut engine = Engine::embedded().unwrap();
    let ok = engine
        .settings_from_env(
            br#"{"ISSUER":"https://id.example/","AUDIENCE":"api","JWKS_REFRESH_COOLDOWN_SECONDS":"7"}"#,
            None,
        )
        .unwrap();
    assert_eq!(ok["ok"], true);
    assert_eq!(ok["config"]["jwks_refresh_cooldown_seconds"], 7);
    let bad = engine.settings_from_env(br#"{"AUDIENCE":"api"}"#, None).unwrap();
    assert_eq!(bad["ok"], false);
    assert!(bad["error"].as_str().unwrap().contains("ISSUER"), "{bad}");
    // CONFIG_FILE: the host reads the file and hands its text over with the environment.
    let file = br#"{"issuers":[{"cognito_user_pool_id":"eu-west-1_AbCd123","allowed_client_ids":["c"],"token_use":"access"}]}"#;
    let ok = engine.settings_from_env(br#"{"CONFIG_FILE":"config.json"}"#, Some(file)).unwrap();
    assert_eq!(ok["config"]["issuers"][0]["cognito_user_pool_id"], "eu-west-1_AbCd123", "{ok}");
    let unread = engine.settings_from_env(br#"{"CONFIG_FILE":"config.json"}"#, None).unwrap();
    assert!(unread["error"].as_str().unwrap().contains("CONFIG_FILE"), "{unread}");
}

#[test]
fn signatures_default_to_the_hosts_native_provider_which_gives_every_known_answer() {
    use jwtgate_lambda::engine::Signatures;
    use jwtgate_lambda::settings;
    let mut engine = Engine::embedded().unwrap();
    let env = settings::relevant_env([
        ("ISSUER".to_owned(), "https://id.example/".to_owned()),
        ("AUDIENCE".to_owned(), "api".to_owned()),
    ]);
    assert_eq!(settings::from_env(&mut engine, &env).unwrap().signatures, Signatures::Host);
    // Every algorithm allowed: the native provider is asked for each one's known answers.
    let all = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"];
    let config = json!({ "issuers": ["https://id.example/"], "audiences": ["api"], "algorithms": all,
                         "jwks_uri": "https://id.example/jwks" });
    engine.set_signatures(Signatures::Host);
    assert_eq!(engine.configure(config.to_string().as_bytes()).unwrap(), Vec::<String>::new());
    engine.set_signatures(Signatures::Wasm);
    assert_eq!(engine.configure(config.to_string().as_bytes()).unwrap(), Vec::<String>::new());
}

#[test]
fn decides_a_real_token() {
    let f = fixture();
    let mut engine = ready_engine(&f);
    let decision = engine.authorize(&token_event(&f.token), f.now * 1000).unwrap();
    assert_eq!(decision.outcome(), Outcome::Allow, "{:?}", decision.0);
    let response = decision.response().unwrap();
    assert_eq!(response["principalId"], "jwtgate-test-client");
    assert_eq!(response["policyDocument"]["Statement"][0]["Effect"], "Allow");
    assert_eq!(decision.field("kid"), Some("test-key-1"));

    // Expired: a reason, no response.
    let late = engine.authorize(&token_event(&f.token), (f.now + 3600) * 1000).unwrap();
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
        let decision = engine.authorize(&event, f.now * 1000).unwrap();
        assert_eq!(decision.outcome(), Outcome::Unauthorized, "{:?}", decision.0);
        assert!(decision.response().is_none());
        assert!(!decision.0.to_string().contains(&f.token), "never echo the token");
    }
}

/// The key-fetch round trip through the C ABI: `fetch_keys`, the request the module names,
/// the reply handed back, the log line, and the decision made with the keys.
#[test]
fn keys_are_fetched_when_the_module_asks() {
    let f = fixture();
    let mut engine = Engine::embedded().unwrap();
    let config =
        json!({ "issuers": [f.issuer], "audiences": [f.audience], "jwks_uri": "https://id.example/jwks" }).to_string();
    engine.configure(config.as_bytes()).unwrap();
    let now = f.now * 1000;
    let first = engine.authorize(&token_event(&f.token), now).unwrap();
    assert_eq!((first.outcome(), first.field("reason")), (Outcome::FetchKeys, Some("jwks_unavailable")));
    assert!(first.response().is_none());
    let request = engine.next_fetch(now).unwrap().expect("a request");
    assert_eq!((request["kind"].as_str(), request["url"].as_str()), (Some("jwks"), Some("https://id.example/jwks")));
    assert_eq!(request["timeout_ms"], 5000);
    assert!(engine.next_fetch(now).unwrap().is_none(), "one request at a time per source");
    // A body that is no key set: logged, and no keys.
    let reply =
        json!({ "id": request["id"], "status": 200, "location": null, "cache_control": "max-age=600" }).to_string();
    let log = engine.fetched(reply.as_bytes(), b"not json", now).unwrap().expect("a log line");
    assert_eq!(
        (log["msg"].as_str(), log["failure"].as_str()),
        (Some("keys fetch failed"), Some("jwks_invalid")),
        "{log}"
    );
    let refused = engine.authorize(&token_event(&f.token), now).unwrap();
    assert_eq!(
        (refused.outcome(), refused.field("reason")),
        (Outcome::Unauthorized, Some("jwks_unavailable")),
        "no retry within a second"
    );
    // A second later the module asks again; this time the keys come.
    let later = now + 1000;
    assert_eq!(engine.authorize(&token_event(&f.token), later).unwrap().outcome(), Outcome::FetchKeys);
    let request = engine.next_fetch(later).unwrap().unwrap();
    let reply = json!({ "id": request["id"], "status": 200, "cache_control": "max-age=600" }).to_string();
    let log = engine.fetched(reply.as_bytes(), &f.jwks, later).unwrap().unwrap();
    assert_eq!(
        (log["msg"].as_str(), log["cache_seconds"].as_u64(), log["kids"].clone()),
        (Some("keys loaded"), Some(600), json!(["test-key-1"])),
        "{log}"
    );
    assert_eq!(engine.authorize(&token_event(&f.token), later).unwrap().outcome(), Outcome::Allow);
    // A bad answer to the next refetch keeps the last good keys. (A short lifetime here, so
    // the token, valid for 290 s, is still valid when its keys expire.)
    let request = {
        // Expire the keys early: a refetch for an unknown kid is not allowed yet, so load the
        // set again with max-age=60 through a fresh configuration.
        engine.configure(config.as_bytes()).unwrap();
        assert_eq!(engine.authorize(&token_event(&f.token), later).unwrap().outcome(), Outcome::FetchKeys);
        engine.next_fetch(later).unwrap().unwrap()
    };
    let reply = json!({ "id": request["id"], "status": 200, "cache_control": "max-age=60" }).to_string();
    engine.fetched(reply.as_bytes(), &f.jwks, later).unwrap().unwrap();
    let expired = later + 61_000;
    assert_eq!(engine.authorize(&token_event(&f.token), expired).unwrap().outcome(), Outcome::FetchKeys);
    let request = engine.next_fetch(expired).unwrap().unwrap();
    let reply = json!({ "id": request["id"], "failure": "timeout", "detail": "no answer" }).to_string();
    let log = engine.fetched(reply.as_bytes(), b"", expired).unwrap().unwrap();
    assert_eq!((log["failure"].as_str(), log["kept_last_good_keys"].as_bool()), (Some("timeout"), Some(true)), "{log}");
    let d = engine.authorize(&token_event(&f.token), expired).unwrap();
    assert_eq!(d.outcome(), Outcome::Allow, "decided with the last good keys: {:?}", d.0);
    assert!(engine.next_fetch(expired).unwrap().is_none(), "no new fetch before the cooldown");
}

/// Run the fixture's token out of fuel (a trap, which replaces the instance), then decide it
/// again with the normal limits.
fn trap_then_decide(engine: &mut Engine, f: &Fixture) -> jwtgate_lambda::engine::Decision {
    let normal = engine.limits();
    engine.set_limits(Limits { authorize_fuel: 10_000, ..normal });
    let err = engine.authorize(&token_event(&f.token), f.now * 1000).unwrap_err();
    assert!(matches!(err, EngineError::Trap { call: "jwtgate_authorize", .. }), "{err}");
    engine.set_limits(normal);
    engine.authorize(&token_event(&f.token), f.now * 1000).unwrap()
}

#[test]
fn fuel_exhaustion_is_a_trap_and_the_instance_is_rebuilt_with_its_configuration() {
    let f = fixture();
    let mut engine = ready_engine(&f);
    let decision = trap_then_decide(&mut engine, &f);
    assert_eq!(decision.outcome(), Outcome::Allow, "the configuration (with its inline keys) survives the rebuild");
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
    let err = engine.authorize(&huge, f.now * 1000).unwrap_err();
    assert!(matches!(err, EngineError::Trap { .. }), "{err}");
    engine.set_limits(normal);
    assert_eq!(engine.authorize(&token_event(&f.token), f.now * 1000).unwrap().outcome(), Outcome::Allow);
}

#[test]
fn fuel_budget_has_a_wide_margin() {
    let f = fixture();
    let mut engine = ready_engine(&f);
    engine.authorize(&token_event(&f.token), f.now * 1000).unwrap();
    let used = engine.limits().authorize_fuel - engine.fuel_left().unwrap();
    eprintln!("fuel for one RS256 TOKEN decision: {used}");
    assert!(used * 50 < engine.limits().authorize_fuel, "used {used}");
}

#[test]
fn a_clock_outside_the_cores_range_is_refused_through_the_c_abi() {
    let f = fixture();
    let mut engine = ready_engine(&f);
    // jwtgate_authorize answers 3 with the refusal; the engine reads it as the decision.
    for now in [i64::MIN, -1, 0, 946_684_799_999, (1 << 53) * 1000, i64::MAX] {
        let decision = engine.authorize(&token_event(&f.token), now).unwrap();
        assert_eq!(decision.outcome(), Outcome::Unauthorized, "now {now}");
        assert_eq!(decision.0["reason"], "invalid_clock", "now {now}");
    }
    assert_eq!(engine.authorize(&token_event(&f.token), f.now * 1000).unwrap().outcome(), Outcome::Allow);
}

/// Settings with the fixture's key set inline (`JWKS`), as this host hands them to the module.
fn inline_settings(f: &Fixture) -> SettingsInput {
    let env = json!({ "ISSUER": f.issuer, "AUDIENCE": f.audience, "JWKS": String::from_utf8(f.jwks.clone()).unwrap() });
    SettingsInput { env_json: env.to_string().into_bytes(), config_file: None }
}

/// The configuration made from settings is the one the module validated: configuring from
/// them reads no configuration (configuring from the configuration JSON the settings document
/// carries costs more fuel by at least half of what validating the settings costs: reading
/// and checking it again, the inline key set included), and a fresh instance after a trap is
/// configured the same way.
#[test]
fn configured_from_the_settings_the_module_validated_even_after_a_trap() {
    let f = fixture();
    let settings = inline_settings(&f);
    let mut engine = Engine::embedded().unwrap();
    let fuel = engine.limits().keys_fuel;
    let doc = engine.settings_from_env(&settings.env_json, None).unwrap();
    let validating = fuel - engine.fuel_left().unwrap();
    engine.configure_from_settings(&settings).unwrap();
    let configuring = fuel - engine.fuel_left().unwrap();
    let mut other = Engine::embedded().unwrap();
    other.configure(doc["config"].to_string().as_bytes()).unwrap();
    let reading = fuel - other.fuel_left().unwrap();
    eprintln!(
        "fuel: validating the settings {validating}, configuring from them {configuring}, reading the configuration JSON {reading}"
    );
    assert!(reading.saturating_sub(configuring) * 2 > validating, "{configuring}, {reading}, {validating}");
    assert_eq!(engine.configuration(), Some(&Configuration::Settings(settings.clone())));
    assert_eq!(engine.authorize(&token_event(&f.token), f.now * 1000).unwrap().outcome(), Outcome::Allow);

    // A trap: the fresh instance validates the settings again and configures from them.
    let decision = trap_then_decide(&mut engine, &f);
    assert_eq!(decision.outcome(), Outcome::Allow, "the inline keys of the settings survive the rebuild");
    assert!(engine.rebuilds() >= 2);
    assert_eq!(engine.configuration(), Some(&Configuration::Settings(settings)));
}

/// Settings the instance has not accepted (others validated since) are validated again before
/// the configuration is made from them, so it is always theirs.
#[test]
fn configuring_from_settings_validated_before_others_configures_from_them() {
    let f = fixture();
    let settings = inline_settings(&f);
    let mut engine = Engine::embedded().unwrap();
    assert_eq!(engine.settings_from_env(&settings.env_json, None).unwrap()["ok"], true);
    let other =
        json!({ "ISSUER": "https://other.example/", "AUDIENCE": "x", "JWKS_URI": "https://other.example/jwks" });
    assert_eq!(engine.settings_from_env(other.to_string().as_bytes(), None).unwrap()["ok"], true);
    engine.configure_from_settings(&settings).unwrap();
    assert_eq!(engine.authorize(&token_event(&f.token), f.now * 1000).unwrap().outcome(), Outcome::Allow);
    // Refused settings configure nothing.
    let refused = SettingsInput { env_json: br#"{"AUDIENCE":"api"}"#.to_vec(), config_file: None };
    assert!(matches!(engine.configure_from_settings(&refused), Err(EngineError::Config(m)) if m.contains("ISSUER")));
    assert_eq!(engine.authorize(&token_event(&f.token), f.now * 1000).unwrap().outcome(), Outcome::Allow);
}
