//! This host driving the module's key fetches, with a scripted server and a virtual clock:
//! fetched once and kept, lifetime bounds, the unknown-kid penalty box, last good keys on
//! failure, the log lines. (The rules themselves are the core's: core/tests/key_cache.rs; the
//! fault table against a real server is tests/faults, run here by faults.rs.)

use jwtgate_lambda::authorizer::{Authorizer, InvocationIdentity, LogSink};
use jwtgate_lambda::engine::{Configuration, Engine, Limits};
use jwtgate_lambda::fetch::{Fetch, FetchRequest, Reply};
use jwtgate_lambda::settings::{self, relevant_env};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

#[derive(Default)]
struct Server {
    jwks: Vec<u8>,
    max_age: Option<u64>,
    down: bool,
    requests: u32,
}

#[derive(Clone, Default)]
struct Scripted(Arc<Mutex<Server>>);

impl Fetch for Scripted {
    fn fetch(&self, request: &FetchRequest) -> Reply {
        let mut s = self.0.lock().unwrap();
        s.requests += 1;
        assert_eq!((request.kind.as_str(), request.url.as_str()), ("jwks", "https://id.example/jwks"));
        if s.down {
            return Reply::Answer { status: 503, location: None, cache_control: None, body: Vec::new() };
        }
        Reply::Answer {
            status: 200,
            location: None,
            cache_control: s.max_age.map(|a| format!("max-age={a}")),
            body: s.jwks.clone(),
        }
    }
}

struct Setup {
    authorizer: Authorizer,
    server: Scripted,
    logs: Arc<Mutex<Vec<Value>>>,
    token: String,
    /// Milliseconds.
    now: u64,
    jwks: Vec<u8>,
}

fn setup(extra_env: &[(&str, &str)]) -> Setup {
    let raw: Value = serde_json::from_str(include_str!("fixtures/op-rs256.json")).unwrap();
    let mut env = vec![
        ("ISSUER".to_owned(), raw["issuer"].as_str().unwrap().to_owned()),
        ("AUDIENCE".to_owned(), raw["audience"].as_str().unwrap().to_owned()),
        ("JWKS_URI".to_owned(), "https://id.example/jwks".to_owned()),
        ("UNRELATED_SECRET".to_owned(), "never read".to_owned()),
    ];
    env.extend(extra_env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let env = relevant_env(env);
    assert!(!env.contains_key("UNRELATED_SECRET"));
    let mut engine = Engine::embedded().unwrap();
    let host = settings::from_env(&mut engine, &env).unwrap();
    let jwks = raw["jwks"].to_string().into_bytes();
    let server = Scripted::default();
    server.0.lock().unwrap().jwks = jwks.clone();
    let logs = Arc::new(Mutex::new(Vec::new()));
    let sink_logs = logs.clone();
    let sink: LogSink = Box::new(move |line: &Value| sink_logs.lock().unwrap().push(line.clone()));
    let authorizer = Authorizer::new(engine, host, Box::new(server.clone()), sink).unwrap();
    Setup {
        authorizer,
        server,
        logs,
        token: raw["token"].as_str().unwrap().to_owned(),
        now: raw["now"].as_u64().unwrap() * 1000,
        jwks,
    }
}

fn event(token: &str) -> Vec<u8> {
    json!({"type":"TOKEN","authorizationToken":format!("Bearer {token}"),
           "methodArn":"arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/prod/GET/pets"})
    .to_string()
    .into_bytes()
}

/// The same signed token with another `kid` in its header: an unknown kid, as an attacker
/// would send.
fn forged_kid(token: &str, kid: &str) -> String {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let (header, rest) = token.split_once('.').unwrap();
    let mut h: Value = serde_json::from_slice(&b64.decode(header).unwrap()).unwrap();
    h["kid"] = json!(kid);
    format!("{}.{rest}", b64.encode(h.to_string()))
}

/// `seconds` after the setup's clock, in milliseconds.
fn at(s: &Setup, seconds: u64) -> u64 {
    s.now + seconds * 1000
}

fn requests(s: &Setup) -> u32 {
    s.server.0.lock().unwrap().requests
}

/// The authorizer configures the module from the settings it validated (the configuration it
/// kept of them), never from configuration JSON handed back to it; the settings are also what
/// a fresh instance is configured from after a trap.
#[test]
fn configured_from_the_validated_settings_not_from_configuration_json() {
    let s = setup(&[]);
    let Some(Configuration::Settings(input)) = s.authorizer.engine().configuration() else {
        panic!("configured otherwise: {:?}", s.authorizer.engine().configuration());
    };
    let env: Value = serde_json::from_slice(&input.env_json).unwrap();
    assert_eq!((env["JWKS_URI"].as_str(), input.config_file.as_ref()), (Some("https://id.example/jwks"), None));
}

#[test]
fn fetched_once_and_kept_for_its_lifetime() {
    let mut s = setup(&[]);
    s.server.0.lock().unwrap().max_age = Some(600);
    s.authorizer.warm_up(s.now).unwrap();
    for i in 0..20 {
        let v = s.authorizer.decide(&event(&s.token), at(&s, i));
        assert!(v.response.is_some(), "{}", v.log);
    }
    assert_eq!(requests(&s), 1);
    // max-age=600 is inside [60, 3600]: refetched only after 600 s.
    s.authorizer.decide(&event(&s.token), at(&s, 599));
    assert_eq!(requests(&s), 1);
    s.authorizer.decide(&event(&s.token), at(&s, 600));
    assert_eq!(requests(&s), 2);
}

#[test]
fn max_age_is_bounded() {
    let mut s = setup(&[("JWKS_CACHE_MIN_SECONDS", "100"), ("JWKS_CACHE_MAX_SECONDS", "200")]);
    s.server.0.lock().unwrap().max_age = Some(5);
    s.authorizer.warm_up(s.now).unwrap();
    s.authorizer.decide(&event(&s.token), at(&s, 99));
    assert_eq!(requests(&s), 1, "below the minimum: kept 100 s");
    s.authorizer.decide(&event(&s.token), at(&s, 100));
    assert_eq!(requests(&s), 2);
    s.server.0.lock().unwrap().max_age = Some(100_000);
    s.authorizer.decide(&event(&s.token), at(&s, 300));
    assert_eq!(requests(&s), 3);
    s.authorizer.decide(&event(&s.token), at(&s, 499));
    assert_eq!(requests(&s), 3, "above the maximum: kept 200 s");
    s.authorizer.decide(&event(&s.token), at(&s, 500));
    assert_eq!(requests(&s), 4);
}

#[test]
fn unknown_kid_flood_is_rate_limited_by_the_cooldown() {
    let mut s = setup(&[("JWKS_REFRESH_COOLDOWN_SECONDS", "30")]);
    s.authorizer.warm_up(s.now).unwrap();
    let mut answered = 0;
    for i in 0..1000u64 {
        let v = s.authorizer.decide(&event(&forged_kid(&s.token, &format!("forged-{i}"))), at(&s, i / 100));
        assert!(v.response.is_none());
        assert_eq!(v.log["reason"], "unknown_kid", "{}", v.log);
        answered += 1;
    }
    assert_eq!(answered, 1000);
    // 1000 forged kids over 10 s right after the initial fetch: that fetch opened the penalty
    // box, so no refetch at all.
    assert_eq!(requests(&s), 1);
    s.authorizer.decide(&event(&forged_kid(&s.token, "again")), at(&s, 30));
    assert_eq!(requests(&s), 2, "one more after the cooldown");
    s.authorizer.decide(&event(&forged_kid(&s.token, "again")), at(&s, 59));
    assert_eq!(requests(&s), 2, "not again within the cooldown");
    // The real token still works throughout.
    assert!(s.authorizer.decide(&event(&s.token), at(&s, 31)).response.is_some());
}

#[test]
fn rotation_is_picked_up_on_the_unknown_kid() {
    let mut s = setup(&[]);
    s.server.0.lock().unwrap().jwks = br#"{"keys":[]}"#.to_vec();
    s.authorizer.warm_up(s.now).unwrap();
    // The IdP now publishes the key the token was signed with.
    s.server.0.lock().unwrap().jwks = s.jwks.clone();
    // Within the cooldown after the initial fetch the unknown kid waits (penalty box)...
    let v = s.authorizer.decide(&event(&s.token), at(&s, 1));
    assert_eq!(v.log["reason"], "unknown_kid", "{}", v.log);
    assert_eq!(requests(&s), 1);
    // ...and one cooldown later one refetch finds it.
    let v = s.authorizer.decide(&event(&s.token), at(&s, 30));
    assert!(v.response.is_some(), "{}", v.log);
    assert_eq!(v.log["keys_fetched"], true);
    assert_eq!(requests(&s), 2);
}

#[test]
fn failed_fetch_keeps_the_last_good_keys() {
    let mut s = setup(&[("JWKS_CACHE_MAX_SECONDS", "60")]);
    s.authorizer.warm_up(s.now).unwrap();
    s.server.0.lock().unwrap().down = true;
    // Expired at +60: the refetch fails, the old keys keep deciding.
    let v = s.authorizer.decide(&event(&s.token), at(&s, 61));
    assert!(v.response.is_some(), "{}", v.log);
    assert_eq!(requests(&s), 2);
    // No retry before the cooldown (30 s), whatever the traffic.
    for i in 0..50 {
        s.authorizer.decide(&event(&s.token), at(&s, 62 + i % 20));
    }
    assert_eq!(requests(&s), 2);
    // A JWKS that is not JSON (a captive portal, an error page) is refused; keys kept too.
    {
        let mut server = s.server.0.lock().unwrap();
        server.down = false;
        server.jwks = b"<html>maintenance</html>".to_vec();
    }
    assert!(s.authorizer.decide(&event(&s.token), at(&s, 95)).response.is_some());
    assert_eq!(requests(&s), 3);
    let logs = s.logs.lock().unwrap();
    assert!(logs.iter().any(|l| l["msg"] == "keys fetch failed"
        && l["failure"] == "jwks_invalid"
        && l["kept_last_good_keys"] == true));
    assert!(logs.iter().any(|l| l["msg"] == "keys fetch failed" && l["failure"] == "http_status"));
}

#[test]
fn log_lines_never_carry_the_token() {
    let mut s = setup(&[]);
    s.authorizer.warm_up(s.now).unwrap();
    s.authorizer.decide(&event(&s.token), s.now);
    s.authorizer.decide(&event(&forged_kid(&s.token, "x")), s.now);
    s.authorizer.decide(b"{not json", s.now);
    let logs = s.logs.lock().unwrap();
    let signature = s.token.rsplit('.').next().unwrap();
    let payload = s.token.split('.').nth(1).unwrap();
    for line in logs.iter() {
        let text = line.to_string();
        assert!(!text.contains(signature) && !text.contains(payload), "{text}");
    }
    // The Node host's line: the same names and units.
    let decision = logs.iter().find(|l| l["msg"] == "authorizer decision").unwrap();
    assert_eq!(
        (decision["level"].as_str(), decision["call"].as_str(), decision["outcome"].as_str()),
        (Some("info"), Some("authorize"), Some("allow"))
    );
    assert_eq!(decision["sub"], "jwtgate-test-client");
    assert_eq!(decision["kid"], "test-key-1");
    assert!(decision["latency_ms"].is_f64(), "{decision}");
    let loaded = logs.iter().find(|l| l["msg"] == "keys loaded").unwrap();
    assert_eq!(
        (loaded["trigger"].as_str(), loaded["url"].as_str()),
        (Some("initial"), Some("https://id.example/jwks")),
        "{loaded}"
    );
}

#[test]
fn the_invocation_names_its_decision_line_as_the_node_host_does() {
    let mut s = setup(&[]);
    s.authorizer.warm_up(s.now).unwrap();
    let traced = InvocationIdentity {
        request_id: "8476a536-e9f4-11e8-9739-2dfe598c3fcd",
        trace_id: Some("Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1"),
    };
    s.authorizer.decide_with(&event(&s.token), s.now, Some(&traced));
    s.authorizer.decide_with(&event(&s.token), s.now, Some(&InvocationIdentity { request_id: "r-2", trace_id: None }));
    s.authorizer.decide(&event(&s.token), s.now);
    let logs = s.logs.lock().unwrap();
    let decisions: Vec<&Value> = logs.iter().filter(|l| l["msg"] == "authorizer decision").collect();
    assert_eq!(decisions.len(), 3);
    assert_eq!(
        (decisions[0]["request_id"].as_str(), decisions[0]["trace_id"].as_str()),
        (Some(traced.request_id), traced.trace_id)
    );
    // No trace id from Lambda: the field is left out, not null (host-node/src/lambda.ts).
    assert_eq!(decisions[1]["request_id"], "r-2");
    assert!(decisions[1].get("trace_id").is_none(), "{}", decisions[1]);
    // No invocation (local mode): neither field.
    assert!(decisions[2].get("request_id").is_none() && decisions[2].get("trace_id").is_none(), "{}", decisions[2]);
}

#[test]
fn a_trap_is_a_logged_denial_and_the_next_request_is_served() {
    let mut s = setup(&[]);
    s.authorizer.warm_up(s.now).unwrap();
    let normal = s.authorizer.engine().limits();
    s.authorizer.engine_mut().set_limits(Limits { authorize_fuel: 50_000, ..normal });
    let v = s.authorizer.decide(&event(&s.token), s.now);
    assert!(v.response.is_none());
    assert_eq!(v.log["reason"], "internal_error", "{}", v.log);
    assert!(v.log["error"].as_str().unwrap().contains("trapped"), "{}", v.log);
    s.authorizer.engine_mut().set_limits(normal);
    let v = s.authorizer.decide(&event(&s.token), s.now);
    assert!(v.response.is_some(), "{}", v.log);
    // The rebuilt instance starts without keys (they lived in the trapped one): one fetch.
    assert_eq!(requests(&s), 2);
}

/// Keys shipped with the deployment: `JWKS_FILE` read by this host's fetcher when the module
/// asks (once), `JWKS` inline with no request at all; both decide from the first request.
#[test]
fn keys_shipped_with_the_deployment_need_no_fetch() {
    let raw: Value = serde_json::from_str(include_str!("fixtures/op-rs256.json")).unwrap();
    let dir = std::env::temp_dir().join(format!("jwtgate-keys-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("jwks.json");
    std::fs::write(&file, raw["jwks"].to_string()).unwrap();
    let now = raw["now"].as_u64().unwrap() * 1000;
    let token = raw["token"].as_str().unwrap();
    let base = [("ISSUER", raw["issuer"].as_str().unwrap()), ("AUDIENCE", raw["audience"].as_str().unwrap())];
    let jwks_text = raw["jwks"].to_string();
    let missing = dir.join("missing.json");
    for (name, value, allowed) in [
        ("JWKS_FILE", file.to_str().unwrap(), true),
        ("JWKS", jwks_text.as_str(), true),
        ("JWKS_FILE", missing.to_str().unwrap(), false),
    ] {
        let env = relevant_env(base.iter().chain(&[(name, value)]).map(|(k, v)| (k.to_string(), v.to_string())));
        let mut engine = Engine::embedded().unwrap();
        let host = settings::from_env(&mut engine, &env).unwrap();
        let logs = Arc::new(Mutex::new(Vec::new()));
        let sink_logs = logs.clone();
        let sink: LogSink = Box::new(move |line: &Value| sink_logs.lock().unwrap().push(line.clone()));
        let mut authorizer =
            Authorizer::new(engine, host, Box::new(jwtgate_lambda::fetch::HttpFetcher::new()), sink).unwrap();
        for _ in 0..3 {
            let v = authorizer.decide(&event(token), now);
            assert_eq!(v.response.is_some(), allowed, "{name}: {}", v.log);
        }
        let logs = logs.lock().unwrap();
        let loads: Vec<&Value> = logs.iter().filter(|l| l["msg"] == "keys loaded").collect();
        let failures: Vec<&Value> = logs.iter().filter(|l| l["msg"] == "keys fetch failed").collect();
        match (name, allowed) {
            ("JWKS_FILE", true) => assert_eq!((loads.len(), loads[0]["url"].as_str()), (1, file.to_str()), "read once"),
            ("JWKS", _) => assert!(loads.is_empty() && failures.is_empty(), "inline keys need no request"),
            _ => assert_eq!(
                (failures.len(), failures[0]["failure"].as_str()),
                (1, Some("network")),
                "an unreadable file, retried after 1 s"
            ),
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
