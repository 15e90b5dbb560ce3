//! The key cache's rules (the module doc of `core/src/key_cache.rs`), driven through the public
//! API only: a `Gate` built from configuration JSON, tokens signed with the committed test keys,
//! a simulated clock, and this file playing the host and the identity provider's server (no
//! network). Expectations come from the written rules, RFC 9111 (`Cache-Control`) and OpenID
//! Connect Discovery 1.0 section 4.3 (the issuer's exact equality), not from the
//! implementation's branches.

mod support;

use jwtgate_core::alg::Algorithm;
use jwtgate_core::b64;
use jwtgate_core::key_cache::{FetchKind, HostFailure, KeyEvent, MAX_REDIRECTS, RETRY_WITHOUT_KEYS_MS, Reply};
use jwtgate_core::{Config, Decision, FetchRequest, Gate, KeyCache, Outcome, Reason};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Mutex;

/// The simulated clock's start (milliseconds); every `Sim::at` is an offset from it.
const T0: i64 = support::NOW * 1000;
const A: &str = "https://a.example";
const A_JWKS: &str = "https://a.example/jwks";
const B: &str = "https://b.example";
const B_JWKS: &str = "https://b.example/jwks";
/// Two RSA test keys (RS256 is every profile's default algorithm).
const KA: &str = "rsa-2048";
const KB: &str = "rsa-3072";
/// `CacheRules::default()` and `Limits::default()`, as the configuration documents them.
const BUDGET_MS: u64 = 5_000;
const COOLDOWN_MS: i64 = 30_000;
const MIN_SECONDS: i64 = 60;
const MAX_SECONDS: i64 = 3_600;
const MAX_JWKS_BYTES: usize = 512 * 1024;

// ---------------------------------------------------------------------------------------------
// Keys, tokens and the simulated host.

/// A key set publishing test key `key` under `kid`, for each pair.
fn jwks(keys: &[(&str, &str)]) -> Vec<u8> {
    jwks_value(keys).to_string().into_bytes()
}

fn jwks_value(keys: &[(&str, &str)]) -> Value {
    let keys: Vec<Value> = keys
        .iter()
        .map(|(kid, key)| {
            let mut jwk = support::public_jwk(key);
            jwk["kid"] = json!(kid);
            jwk
        })
        .collect();
    json!({ "keys": keys })
}

fn claims(iss: &str) -> Value {
    // Valid for 90 days: the simulated clock moves by days at most.
    json!({ "iss": iss, "aud": "api", "sub": "user-1", "exp": support::NOW + 90 * 86_400, "iat": support::NOW - 10 })
}

/// An RS256 token naming `iss`, with header `kid`, signed by test key `key` (each signed once:
/// the test signer's RSA is slow).
fn token(iss: &str, kid: &str, key: &str) -> String {
    static SIGNED: Mutex<BTreeMap<(String, String, String), String>> = Mutex::new(BTreeMap::new());
    let id = (iss.to_owned(), kid.to_owned(), key.to_owned());
    if let Some(t) = SIGNED.lock().unwrap().get(&id) {
        return t.clone();
    }
    let header = json!({ "alg": "RS256", "typ": "JWT", "kid": kid });
    let t = support::sign_raw(Algorithm::RS256, key, header.to_string().as_bytes(), claims(iss).to_string().as_bytes());
    SIGNED.lock().unwrap().insert(id, t.clone());
    t
}

/// A token whose signature is zeros: enough where the `kid` decides before any signature check.
fn unsigned_token(iss: &str, kid: &str) -> String {
    let header = json!({ "alg": "RS256", "typ": "JWT", "kid": kid });
    format!(
        "{}.{}.{}",
        b64::encode(header.to_string().as_bytes()),
        b64::encode(claims(iss).to_string().as_bytes()),
        b64::encode(&[0u8; 256])
    )
}

fn one_issuer(issuer: &str, jwks_uri: &str) -> Value {
    json!({ "issuers": [{ "issuer": issuer, "audiences": ["api"], "jwks_uri": jwks_uri }] })
}

/// With `extra`'s members added to the top level.
fn with(mut config: Value, extra: Value) -> Value {
    for (k, v) in extra.as_object().unwrap() {
        config[k] = v.clone();
    }
    config
}

/// The gate and the simulated clock: this test is the host.
struct Sim {
    gate: Gate,
    now: i64,
}

impl Sim {
    fn new(config: Value) -> Sim {
        let config = Config::from_json(config.to_string().as_bytes()).unwrap_or_else(|e| panic!("{config}: {e}"));
        Sim { gate: Gate::new(config), now: T0 }
    }

    fn a() -> Sim {
        Sim::new(one_issuer(A, A_JWKS))
    }

    /// Set the clock to `T0 + offset_ms`.
    fn at(&mut self, offset_ms: i64) -> &mut Sim {
        self.now = T0 + offset_ms;
        self
    }

    fn decide(&mut self, token: &str) -> Decision {
        self.gate.authorize(&support::token_event(&format!("Bearer {token}")), self.now)
    }

    /// The outcome and reason code of deciding `token` now.
    fn outcome(&mut self, token: &str) -> (Outcome, Option<&'static str>) {
        let d = self.decide(token);
        (d.outcome, d.reason.map(Reason::code))
    }

    /// `verify`'s answer: Ok, or the reason and whether to fetch.
    fn verify(&mut self, token: &str) -> Result<(), (&'static str, bool)> {
        self.gate.verify(token, self.now).map(|_| ()).map_err(|(f, fetch)| (f.reason.code(), fetch))
    }

    /// Every request due now.
    fn requests(&mut self) -> Vec<FetchRequest> {
        let mut out = Vec::new();
        while let Some(r) = self.gate.next_fetch(self.now) {
            out.push(r);
            assert!(out.len() < 100, "next_fetch never ends");
        }
        out
    }

    /// The one request due now.
    fn request(&mut self) -> FetchRequest {
        let mut all = self.requests();
        assert_eq!(all.len(), 1, "expected exactly one request at +{} ms: {all:?}", self.now - T0);
        all.remove(0)
    }

    fn reply(&mut self, id: u64, reply: Reply<'_>) -> KeyEvent {
        self.gate.fetched(id, self.now, reply)
    }

    fn answer(
        &mut self,
        id: u64,
        status: u16,
        location: Option<&str>,
        cache_control: Option<&str>,
        body: &[u8],
    ) -> KeyEvent {
        self.reply(id, Reply::Answer { status, location, cache_control, body })
    }

    fn fail(&mut self, id: u64, failure: HostFailure, detail: &str) -> KeyEvent {
        self.reply(id, Reply::Failed { failure, detail })
    }

    /// The one request due now, answered 200 with `body`: the keys load; their log line.
    fn load(&mut self, body: &[u8], cache_control: Option<&str>) -> Value {
        let r = self.request();
        loaded(&self.answer(r.id, 200, None, cache_control, body))
    }
}

fn log_of(event: &KeyEvent) -> Value {
    let line = event.log().unwrap_or_else(|| panic!("no log line: {event:?}"));
    serde_json::from_str(line).unwrap_or_else(|e| panic!("log line is not JSON ({e}): {line}"))
}

fn loaded(event: &KeyEvent) -> Value {
    assert!(matches!(event, KeyEvent::Loaded { .. }), "expected keys loaded, got {event:?}");
    let log = log_of(event);
    assert_eq!(log["msg"], "keys loaded", "{log}");
    log
}

/// A failed round with log `failure` code `code`.
fn failed(event: &KeyEvent, code: &str) -> Value {
    match event {
        KeyEvent::Failed { failure, .. } => assert_eq!(failure.code(), code, "{event:?}"),
        other => panic!("expected a `{code}` failure, got {other:?}"),
    }
    let log = log_of(event);
    assert_eq!(
        (log["msg"].as_str(), log["failure"].as_str(), log["level"].as_str()),
        (Some("keys fetch failed"), Some(code), Some("warn")),
        "{log}"
    );
    log
}

const ALLOW: (Outcome, Option<&str>) = (Outcome::Allow, None);
const FETCH: Outcome = Outcome::FetchKeys;
const NO_KEYS: (Outcome, Option<&str>) = (Outcome::Unauthorized, Some("jwks_unavailable"));
const UNKNOWN_KID: (Outcome, Option<&str>) = (Outcome::Unauthorized, Some("unknown_kid"));

// ---------------------------------------------------------------------------------------------
// The first decision.

#[test]
fn first_decision_fetches_then_decides() {
    let mut sim = Sim::a();
    let t = token(A, "a1", KA);
    let d = sim.decide(&t);
    assert_eq!(d.outcome, FETCH);
    assert!(d.response.is_none(), "FetchKeys is never an answer");
    assert_eq!(sim.verify(&t), Err(("jwks_unavailable", true)));

    let r = sim.request();
    assert_eq!(
        (r.kind, r.url.as_str(), r.timeout_ms, r.max_bytes),
        (FetchKind::Jwks, A_JWKS, BUDGET_MS, MAX_JWKS_BYTES)
    );
    let mut text = Vec::new();
    r.write_json(&mut text);
    let written: Value = serde_json::from_slice(&text).unwrap();
    assert_eq!(
        written,
        json!({ "id": r.id, "kind": "jwks", "url": A_JWKS, "timeout_ms": BUDGET_MS, "max_bytes": MAX_JWKS_BYTES })
    );

    // Asked again while the request is with the host: it still waits, and no second request.
    assert_eq!(sim.decide(&t).outcome, FETCH);
    assert!(sim.requests().is_empty());

    sim.at(180);
    let log = loaded(&sim.answer(r.id, 200, None, Some("max-age=300"), &jwks(&[("a1", KA), ("a2", KB)])));
    assert_eq!(log["cache_seconds"], 300);
    assert_eq!(log["kids"], json!(["a1", "a2"]));
    assert_eq!(log["keys"], 2);
    assert_eq!(log["trigger"], "initial");
    assert_eq!(log["url"], A_JWKS);
    assert_eq!(log["level"], "info");

    let d = sim.decide(&t);
    assert_eq!((d.outcome, d.reason), (Outcome::Allow, None));
    assert!(d.response.is_some());
    assert_eq!(sim.verify(&t), Ok(()));
    assert_eq!(sim.outcome(&token(A, "a2", KB)), ALLOW);
    assert!(sim.requests().is_empty(), "nothing more to fetch");
}

#[test]
fn the_log_line_lists_keys_refused() {
    let mut sim = Sim::a();
    let t = token(A, "a1", KA);
    assert_eq!(sim.decide(&t).outcome, FETCH);
    let mut set = jwks_value(&[("a1", KA)]);
    set["keys"].as_array_mut().unwrap().push(json!({ "kty": "RSA", "kid": "broken" }));
    let log = sim.load(set.to_string().as_bytes(), None);
    assert_eq!(
        (log["level"].as_str(), log["keys"].as_i64(), log["kids"].clone()),
        (Some("warn"), Some(1), json!(["a1"])),
        "{log}"
    );
    let refused = log["refused"].as_array().unwrap();
    assert_eq!(
        (refused.len(), refused[0]["index"].as_i64(), refused[0]["kid"].as_str()),
        (1, Some(1), Some("broken")),
        "{log}"
    );
    assert!(refused[0]["problem"].is_string());
    assert_eq!(sim.outcome(&t), ALLOW);
}

#[test]
fn requests_carry_the_configured_budget_and_size() {
    let config =
        with(one_issuer(A, A_JWKS), json!({ "jwks_timeout_ms": 2_500, "limits": { "max_jwks_bytes": 4_096 } }));
    let mut sim = Sim::new(config);
    assert_eq!(sim.decide(&token(A, "a1", KA)).outcome, FETCH);
    let r = sim.request();
    assert_eq!((r.kind, r.timeout_ms, r.max_bytes), (FetchKind::Jwks, 2_500, 4_096));
}

#[test]
fn a_host_start_up_queues_every_source_without_keys() {
    let inline = jwks_value(&[("c1", KA)]);
    let config = json!({ "issuers": [
        { "issuer": A, "audiences": ["api"], "jwks_uri": A_JWKS },
        { "issuer": B, "audiences": ["api"], "jwks_uri": B_JWKS },
        { "issuer": "https://c.example", "audiences": ["api"], "jwks": inline },
    ]});
    let mut sim = Sim::new(config);
    sim.gate.cache_mut().warm_up(sim.now);
    let mut urls: Vec<String> = sim.requests().into_iter().map(|r| r.url).collect();
    urls.sort();
    assert_eq!(urls, [A_JWKS, B_JWKS], "the inline source needs no fetch");
}

/// Inline keys are parsed once, by the configuration's validation: the key cache serves the set
/// `Config::new` parsed (here told apart by host tags given to it after validation, which a set
/// parsed again from the text would not carry), not one of its own from the text.
#[test]
fn inline_keys_are_the_sets_the_configuration_parsed() {
    let config = json!({ "issuers": [A, B], "audiences": ["api"], "jwks": jwks_value(&[("c1", KA), ("c2", KB)]) });
    let mut config = Config::from_json(config.to_string().as_bytes()).unwrap();
    assert_eq!(config.sources.len(), 1, "both issuers share the top level's key set");
    let inline = config.sources[0].inline.as_mut().expect("the inline key set");
    let mut tag = 40;
    std::sync::Arc::make_mut(&mut inline.keys).tag_keys(|| {
        tag += 1;
        tag
    });
    let cache = KeyCache::new(&config);
    let keys = cache.keys(0, T0).expect("inline keys serve at once");
    let served: Vec<(Option<&str>, u64)> = keys.keys().iter().map(|k| (k.kid.as_deref(), k.host_tag)).collect();
    assert_eq!(served, [(Some("c1"), 41), (Some("c2"), 42)]);
}

// ---------------------------------------------------------------------------------------------
// Lifetime: `Cache-Control` max-age clamped to jwks_cache_min_seconds..=jwks_cache_max_seconds.

/// Load `A`'s keys at +50 ms with `cache_control`; the log's `cache_seconds`, after checking the
/// keys decide alone until that lifetime ends and the next decision then fetches (expired).
fn lifetime_of(config: Value, cache_control: Option<&str>) -> i64 {
    let mut sim = Sim::new(config);
    let t = token(A, "a1", KA);
    assert_eq!(sim.decide(&t).outcome, FETCH);
    sim.at(50);
    let log = sim.load(&jwks(&[("a1", KA)]), cache_control);
    let seconds = log["cache_seconds"].as_i64().unwrap_or_else(|| panic!("{cache_control:?}: {log}"));
    sim.at(50 + seconds * 1000 - 1);
    assert_eq!(sim.outcome(&t), ALLOW, "{cache_control:?}: fresh 1 ms before {seconds} s");
    assert!(sim.requests().is_empty(), "{cache_control:?}");
    sim.at(50 + seconds * 1000);
    assert_eq!(sim.decide(&t).outcome, FETCH, "{cache_control:?}: expired after {seconds} s");
    assert_eq!(sim.request().url, A_JWKS);
    seconds
}

#[test]
fn lifetime_follows_max_age_within_the_bounds() {
    let config = one_issuer(A, A_JWKS);
    for (cache_control, seconds) in [
        // Within, at and beyond the bounds (60..=3600 by default).
        (Some("max-age=300"), 300),
        (Some("max-age=60"), 60),
        (Some("max-age=3600"), 3600),
        (Some("max-age=59"), MIN_SECONDS),
        (Some("max-age=10"), MIN_SECONDS),
        (Some("max-age=0"), MIN_SECONDS),
        (Some("max-age=3601"), MAX_SECONDS),
        (Some("max-age=86400"), MAX_SECONDS),
        (Some("public, max-age=900, must-revalidate"), 900),
        // no-store and no-cache count as 0, and win over a max-age beside them (RFC 9111
        // section 4.2.1: the most restrictive directive).
        (Some("no-store"), MIN_SECONDS),
        (Some("no-cache"), MIN_SECONDS),
        (Some("public, max-age=900, no-cache"), MIN_SECONDS),
        (Some("no-store, max-age=900"), MIN_SECONDS),
        // No max-age: 600 s, clamped.
        (None, 600),
        (Some(""), 600),
        (Some("public"), 600),
        (Some("s-maxage=120"), 600),
        // Directive names are case-insensitive (RFC 9111 section 5.2).
        (Some("MAX-AGE=120"), 120),
        (Some("Max-Age=120"), 120),
        (Some("NO-STORE"), MIN_SECONDS),
        (Some("No-Cache"), MIN_SECONDS),
        // Recipients accept the quoted-string form too (RFC 9111 section 5.2).
        (Some("max-age=\"240\""), 240),
        (Some("private, max-age=\"900\""), 900),
        (Some("  max-age=300  "), 300),
        // Garbage: a malformed max-age is ignored (`key_cache::max_age`), so 600 s clamped.
        (Some("max-age=abc"), 600),
        (Some("max-age=-5"), 600),
        (Some("max-age=1.5"), 600),
        (Some("max-age=12abc"), 600),
        (Some("max-age="), 600),
        (Some("max-age"), 600),
        (Some(",,, ;;"), 600),
    ] {
        assert_eq!(lifetime_of(config.clone(), cache_control), seconds, "{cache_control:?}");
    }
    // Two max-ages: the first, or the response is stale (RFC 9111 section 4.2.1).
    let twice = lifetime_of(config.clone(), Some("max-age=100, max-age=2000"));
    assert!(twice == 100 || twice == MIN_SECONDS, "max-age twice: {twice}");
}

#[test]
fn lifetime_bounds_come_from_the_configuration() {
    let config = with(one_issuer(A, A_JWKS), json!({ "jwks_cache_min_seconds": 5, "jwks_cache_max_seconds": 100 }));
    for (cache_control, seconds) in [
        (Some("max-age=1"), 5),
        (Some("max-age=50"), 50),
        (Some("max-age=500"), 100),
        (Some("no-store"), 5),
        (None, 100),
    ] {
        assert_eq!(lifetime_of(config.clone(), cache_control), seconds, "{cache_control:?}");
    }
}

/// RFC 9111 section 1.2.2: a delta-seconds greater than the greatest integer a cache can
/// represent MUST be taken as 2147483648 (2^31), here clamped to the maximum.
#[test]
fn lifetime_of_an_overflowing_max_age_is_the_maximum() {
    assert_eq!(lifetime_of(one_issuer(A, A_JWKS), Some("max-age=99999999999999999999")), MAX_SECONDS);
}

/// A quoted-string needs both quotes (RFC 9110 section 5.6.4): one alone is a malformed value,
/// which `key_cache::max_age` says is ignored (600 s).
#[test]
fn lifetime_ignores_a_value_with_one_quote() {
    for cache_control in ["max-age=\"300", "max-age=300\"", "max-age=\"\"\"300\""] {
        assert_eq!(lifetime_of(one_issuer(A, A_JWKS), Some(cache_control)), 600, "{cache_control}");
    }
}

// ---------------------------------------------------------------------------------------------
// Expiry, failures and retries.

#[test]
fn expired_keys_are_refetched_and_a_failed_refetch_keeps_the_last_good_keys() {
    let mut sim = Sim::a();
    let t1 = token(A, "a1", KA);
    let t2 = token(A, "a2", KB);
    assert_eq!(sim.decide(&t1).outcome, FETCH);
    sim.load(&jwks(&[("a1", KA)]), Some("max-age=300"));

    sim.at(299_999);
    assert_eq!(sim.outcome(&t1), ALLOW);
    assert!(sim.requests().is_empty());

    // Expired: the next decision waits for a refetch.
    sim.at(300_000);
    assert_eq!(sim.decide(&t1).outcome, FETCH);
    assert_eq!(sim.verify(&t1), Err(("jwks_unavailable", true)));
    let r = sim.request();
    assert_eq!((r.kind, r.url.as_str(), r.timeout_ms), (FetchKind::Jwks, A_JWKS, BUDGET_MS));
    sim.at(300_400);
    let log = failed(&sim.fail(r.id, HostFailure::Network, "connection refused"), "network");
    assert_eq!(
        (log["trigger"].as_str(), log["kept_last_good_keys"].as_bool(), log["error"].as_str()),
        (Some("expired"), Some(true), Some("connection refused"))
    );
    assert_eq!(log["url"], A_JWKS);

    // The last good keys decide, and no new fetch before the cooldown.
    assert_eq!(sim.outcome(&t1), ALLOW);
    assert_eq!(sim.verify(&t1), Ok(()));
    assert!(sim.requests().is_empty());
    sim.at(300_400 + COOLDOWN_MS - 1);
    assert_eq!(sim.outcome(&t1), ALLOW);
    assert!(sim.requests().is_empty());

    // After the cooldown: fetched again; a rotated set replaces the old one.
    sim.at(300_400 + COOLDOWN_MS);
    assert_eq!(sim.decide(&t1).outcome, FETCH);
    let log = sim.load(&jwks(&[("a1", KA), ("a2", KB)]), Some("max-age=120"));
    assert_eq!((log["trigger"].as_str(), log["cache_seconds"].as_i64()), (Some("expired"), Some(120)));
    assert_eq!(sim.outcome(&t1), ALLOW);
    assert_eq!(sim.outcome(&t2), ALLOW);
}

#[test]
fn failure_without_keys_refuses_and_retries_after_one_second() {
    assert_eq!(RETRY_WITHOUT_KEYS_MS, 1_000);
    let mut sim = Sim::a();
    let t = token(A, "a1", KA);
    assert_eq!(sim.decide(&t).outcome, FETCH);
    let r = sim.request();
    sim.at(20);
    let log = failed(&sim.fail(r.id, HostFailure::Network, "ECONNREFUSED"), "network");
    assert_eq!((log["trigger"].as_str(), log["kept_last_good_keys"].as_bool()), (Some("initial"), Some(false)));

    // No fetch allowed: the decision is made, and it is a refusal.
    assert_eq!(sim.outcome(&t), NO_KEYS);
    assert_eq!(sim.verify(&t), Err(("jwks_unavailable", false)));
    assert!(sim.requests().is_empty());
    sim.at(20 + 999);
    assert_eq!(sim.outcome(&t), NO_KEYS);
    assert!(sim.requests().is_empty());

    // One second after the failure: a new attempt.
    sim.at(20 + 1_000);
    assert_eq!(sim.decide(&t).outcome, FETCH);
    let r = sim.request();
    assert_eq!((r.url.as_str(), r.timeout_ms), (A_JWKS, BUDGET_MS));
    sim.at(1_500);
    failed(&sim.answer(r.id, 503, None, None, b"busy"), "http_status");
    sim.at(2_499);
    assert_eq!(sim.outcome(&t), NO_KEYS);
    sim.at(2_500);
    assert_eq!(sim.decide(&t).outcome, FETCH);
    let log = sim.load(&jwks(&[("a1", KA)]), None);
    assert_eq!(log["trigger"], "initial");
    assert_eq!(sim.outcome(&t), ALLOW);
}

// ---------------------------------------------------------------------------------------------
// Unknown `kid`: the penalty box.

#[test]
fn unknown_kid_refetches_only_outside_the_cooldown() {
    let mut sim = Sim::a();
    let (t1, t2, t3) = (token(A, "a1", KA), token(A, "a2", KB), token(A, "a3", KB));
    assert_eq!(sim.decide(&t1).outcome, FETCH);
    let r = sim.request();
    sim.at(100);
    loaded(&sim.answer(r.id, 200, None, Some("max-age=3600"), &jwks(&[("a1", KA)])));

    // The initial fetch started at +0: within the cooldown an unknown kid is refused.
    sim.at(1_000);
    assert_eq!(sim.outcome(&t2), UNKNOWN_KID);
    assert_eq!(sim.verify(&t2), Err(("unknown_kid", false)));
    assert!(sim.requests().is_empty());
    sim.at(COOLDOWN_MS - 1);
    assert_eq!(sim.outcome(&t2), UNKNOWN_KID);
    assert!(sim.requests().is_empty());

    // No fetch started within the cooldown: one refetch.
    sim.at(COOLDOWN_MS);
    assert_eq!(sim.decide(&t2).outcome, FETCH);
    let r = sim.request();
    assert_eq!((r.kind, r.url.as_str()), (FetchKind::Jwks, A_JWKS));
    // Fresh keys keep deciding while it is with the host.
    assert_eq!(sim.outcome(&t1), ALLOW);
    sim.at(COOLDOWN_MS + 100);
    let log = loaded(&sim.answer(r.id, 200, None, Some("max-age=3600"), &jwks(&[("a1", KA), ("a2", KB)])));
    assert_eq!(log["trigger"], "unknown_kid");
    assert_eq!(sim.outcome(&t2), ALLOW);
    assert_eq!(sim.outcome(&t1), ALLOW);

    // The box counts from when that fetch started.
    sim.at(2 * COOLDOWN_MS - 1);
    assert_eq!(sim.outcome(&t3), UNKNOWN_KID);
    assert!(sim.requests().is_empty());
    // A failed refetch counts too, and keeps the keys.
    sim.at(2 * COOLDOWN_MS);
    assert_eq!(sim.decide(&t3).outcome, FETCH);
    let r = sim.request();
    sim.at(2 * COOLDOWN_MS + 10);
    let log = failed(&sim.fail(r.id, HostFailure::Timeout, "no answer"), "timeout");
    assert_eq!((log["trigger"].as_str(), log["kept_last_good_keys"].as_bool()), (Some("unknown_kid"), Some(true)));
    assert_eq!(sim.outcome(&t1), ALLOW);
    assert_eq!(sim.outcome(&t2), ALLOW);
    sim.at(3 * COOLDOWN_MS - 1);
    assert_eq!(sim.outcome(&t3), UNKNOWN_KID);
    assert!(sim.requests().is_empty());
    sim.at(3 * COOLDOWN_MS + 10);
    assert_eq!(sim.decide(&t3).outcome, FETCH);
    assert_eq!(sim.request().url, A_JWKS);
}

#[test]
fn a_flood_of_unknown_kids_costs_one_request_per_cooldown() {
    let mut sim = Sim::a();
    let t1 = token(A, "a1", KA);
    assert_eq!(sim.decide(&t1).outcome, FETCH);
    sim.load(&jwks(&[("a1", KA)]), Some("max-age=3600"));
    let flood: Vec<String> = (0..1000).map(|i| unsigned_token(A, &format!("flood-{i:04}"))).collect();

    // Within the cooldown of the initial fetch: every one refused, not one request.
    sim.at(5_000);
    let mut requests = 0;
    for t in &flood {
        assert_eq!(sim.outcome(t), UNKNOWN_KID);
        requests += sim.requests().len();
    }
    assert_eq!(requests, 0);

    // After the cooldown: exactly one request for all of them.
    sim.at(COOLDOWN_MS + 5_000);
    let mut issued = Vec::new();
    for t in &flood {
        let (outcome, _) = sim.outcome(t);
        assert_ne!(outcome, Outcome::Allow);
        issued.extend(sim.requests());
    }
    assert_eq!(issued.len(), 1, "{issued:?}");
    assert_eq!(sim.decide(&flood[0]).outcome, FETCH, "the first of them asked for the fetch");
    sim.at(COOLDOWN_MS + 5_100);
    loaded(&sim.answer(issued[0].id, 200, None, Some("max-age=3600"), &jwks(&[("a1", KA)])));
    let mut requests = 0;
    for t in &flood {
        assert_eq!(sim.outcome(t), UNKNOWN_KID);
        requests += sim.requests().len();
    }
    assert_eq!(requests, 0);
    assert_eq!(sim.outcome(&t1), ALLOW);
}

// ---------------------------------------------------------------------------------------------
// Answers: statuses, redirects and the URL rule.

#[test]
fn only_status_200_is_a_key_set() {
    let body = jwks(&[("a1", KA)]);
    let t = token(A, "a1", KA);
    for status in [
        201, 202, 203, 204, 206, 226, 300, 301, 302, 303, 304, 307, 308, 400, 401, 403, 404, 410, 429, 500, 502, 503,
        504,
    ] {
        let mut sim = Sim::a();
        assert_eq!(sim.decide(&t).outcome, FETCH);
        let r = sim.request();
        // A 3xx here has no Location.
        let log = failed(&sim.answer(r.id, status, None, Some("max-age=300"), &body), "http_status");
        assert_eq!(log["kept_last_good_keys"], false, "{status}");
        assert_eq!(sim.outcome(&t), NO_KEYS, "{status}");
        assert!(sim.requests().is_empty(), "{status}");
    }
}

#[test]
fn redirects_are_followed_three_hops() {
    assert_eq!(MAX_REDIRECTS, 3);
    let t = token(A, "a1", KA);
    let mut sim = Sim::a();
    assert_eq!(sim.decide(&t).outcome, FETCH);
    let mut r = sim.request();
    for (status, location, then) in [
        (302, "https://cdn.example/k1", "https://cdn.example/k1"),
        (301, "/k2", "https://cdn.example/k2"),
        (307, "//keys.example/k3", "https://keys.example/k3"),
    ] {
        assert_eq!(sim.answer(r.id, status, Some(location), None, b""), KeyEvent::Continue, "{status} {location}");
        r = sim.request();
        assert_eq!((r.kind, r.url.as_str()), (FetchKind::Jwks, then));
    }
    loaded(&sim.answer(r.id, 200, None, None, &jwks(&[("a1", KA)])));
    assert_eq!(sim.outcome(&t), ALLOW);

    for status in [303, 308] {
        let mut sim = Sim::a();
        assert_eq!(sim.decide(&t).outcome, FETCH);
        let r = sim.request();
        assert_eq!(sim.answer(r.id, status, Some("https://keys.example/jwks"), None, b""), KeyEvent::Continue);
        let r = sim.request();
        assert_eq!(r.url, "https://keys.example/jwks");
        loaded(&sim.answer(r.id, 200, None, None, &jwks(&[("a1", KA)])));
    }
}

#[test]
fn the_fourth_redirect_fails_the_fetch() {
    let t = token(A, "a1", KA);
    // A chain of four, and a loop to itself.
    for loop_to_itself in [false, true] {
        let mut sim = Sim::a();
        assert_eq!(sim.decide(&t).outcome, FETCH);
        let mut r = sim.request();
        let mut contacted = vec![r.url.clone()];
        for hop in 1..=MAX_REDIRECTS {
            let location = if loop_to_itself { A_JWKS.to_owned() } else { format!("https://a.example/hop{hop}") };
            assert_eq!(sim.answer(r.id, 302, Some(&location), None, b""), KeyEvent::Continue, "hop {hop}");
            r = sim.request();
            assert_eq!(r.url, location);
            contacted.push(r.url.clone());
        }
        let event = sim.answer(r.id, 302, Some("https://a.example/hop4"), None, b"");
        assert!(matches!(event, KeyEvent::Failed { .. }), "the 4th redirect: {event:?}");
        log_of(&event);
        assert!(sim.requests().is_empty(), "the 4th target is never contacted");
        assert_eq!(contacted.len(), 4);
        assert_eq!(sim.outcome(&t), NO_KEYS);
    }
}

#[test]
fn a_redirect_target_must_pass_the_url_rule() {
    let t = token(A, "a1", KA);
    for location in [
        "http://evil.example/jwks",
        "http://127.0.0.1:8080/jwks", // loopback, but the configuration does not allow http
        "http://localhost/jwks",
        "keys/jwks", // relative paths
        "jwks",
        "../jwks",
        "ftp://a.example/jwks",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "https:///jwks",
    ] {
        let mut sim = Sim::a();
        assert_eq!(sim.decide(&t).outcome, FETCH);
        let r = sim.request();
        failed(&sim.answer(r.id, 302, Some(location), None, b""), "insecure_url");
        assert!(sim.requests().is_empty(), "`{location}` is never contacted");
        assert_eq!(sim.outcome(&t), NO_KEYS, "{location}");
    }
}

#[test]
fn http_to_loopback_only_when_allowed() {
    let t = token(A, "a1", KA);
    let allowing = with(one_issuer(A, A_JWKS), json!({ "jwks_allow_http_loopback": true }));
    for location in
        ["http://127.0.0.1:8080/jwks", "http://localhost:9/jwks", "http://[::1]:9/jwks", "http://127.0.0.2/jwks"]
    {
        let mut sim = Sim::new(allowing.clone());
        assert_eq!(sim.decide(&t).outcome, FETCH);
        let r = sim.request();
        assert_eq!(sim.answer(r.id, 302, Some(location), None, b""), KeyEvent::Continue, "{location}");
        let r = sim.request();
        assert_eq!(r.url, location);
        loaded(&sim.answer(r.id, 200, None, None, &jwks(&[("a1", KA)])));
        assert_eq!(sim.outcome(&t), ALLOW);
    }
    for location in [
        "http://evil.example/jwks",
        "http://127.0.0.1.evil.example/jwks",
        "http://127.0.0.1@evil.example/jwks",
        "http://10.0.0.1/jwks",
    ] {
        let mut sim = Sim::new(allowing.clone());
        assert_eq!(sim.decide(&t).outcome, FETCH);
        let r = sim.request();
        failed(&sim.answer(r.id, 302, Some(location), None, b""), "insecure_url");
        assert!(sim.requests().is_empty(), "{location}");
    }
    // A configured loopback URL: with the flag it is fetched; without it the configuration is refused.
    let mut sim =
        Sim::new(with(one_issuer(A, "http://127.0.0.1:9000/jwks"), json!({ "jwks_allow_http_loopback": true })));
    assert_eq!(sim.decide(&t).outcome, FETCH);
    assert_eq!(sim.request().url, "http://127.0.0.1:9000/jwks");
    let refused = Config::from_json(one_issuer(A, "http://127.0.0.1:9000/jwks").to_string().as_bytes()).unwrap_err();
    assert_eq!(refused.setting, "issuers[0].jwks_uri");
}

// ---------------------------------------------------------------------------------------------
// One budget per round.

fn discovery_config() -> Value {
    json!({ "issuers": [{ "issuer": A, "audiences": ["api"] }] })
}

fn discovery_doc(issuer: &str, jwks_uri: &str) -> Vec<u8> {
    json!({ "issuer": issuer, "jwks_uri": jwks_uri, "authorization_endpoint": "https://a.example/authorize", "id_token_signing_alg_values_supported": ["RS256"] })
        .to_string()
        .into_bytes()
}

const DISCOVERED: &str = "https://keys.a.example/jwks";

#[test]
fn each_request_gets_what_is_left_of_the_budget() {
    let t = token(A, "a1", KA);
    let mut sim = Sim::new(discovery_config());
    assert_eq!(sim.decide(&t).outcome, FETCH);
    let r = sim.request();
    assert_eq!((r.kind, r.timeout_ms), (FetchKind::Discovery, BUDGET_MS));
    sim.at(1_500);
    assert_eq!(sim.answer(r.id, 200, None, None, &discovery_doc(A, DISCOVERED)), KeyEvent::Continue);
    let r = sim.request();
    assert_eq!((r.kind, r.url.as_str(), r.timeout_ms), (FetchKind::Jwks, DISCOVERED, 3_500));
    sim.at(2_000);
    assert_eq!(sim.answer(r.id, 302, Some("https://cdn.example/jwks"), None, b""), KeyEvent::Continue);
    let r = sim.request();
    assert_eq!((r.url.as_str(), r.timeout_ms), ("https://cdn.example/jwks", 3_000));
    // Reported after the round's deadline: a timeout, whatever the answer.
    sim.at(5_001);
    let log = failed(&sim.answer(r.id, 200, None, None, &jwks(&[("a1", KA)])), "timeout");
    assert_eq!(log["kept_last_good_keys"], false);
    assert_eq!(sim.outcome(&t), NO_KEYS);
    // The next round has the whole budget again.
    sim.at(6_001);
    assert_eq!(sim.decide(&t).outcome, FETCH);
    assert_eq!(sim.request().timeout_ms, BUDGET_MS);
}

#[test]
fn steps_answered_just_under_their_timeouts_fit_the_budget() {
    let t = token(A, "a1", KA);
    let mut sim = Sim::new(discovery_config());
    assert_eq!(sim.decide(&t).outcome, FETCH);
    let r = sim.request();
    sim.at(BUDGET_MS as i64 - 1);
    assert_eq!(sim.answer(r.id, 200, None, None, &discovery_doc(A, DISCOVERED)), KeyEvent::Continue);
    let r = sim.request();
    assert_eq!((r.kind, r.timeout_ms), (FetchKind::Jwks, 1));
    sim.at(BUDGET_MS as i64);
    loaded(&sim.answer(r.id, 200, None, None, &jwks(&[("a1", KA)])));
    assert_eq!(sim.outcome(&t), ALLOW);
}

#[test]
fn a_late_reply_times_out_redirects_and_refreshes_alike() {
    let t = token(A, "a1", KA);
    // A redirect reported late is not followed.
    let mut sim = Sim::a();
    assert_eq!(sim.decide(&t).outcome, FETCH);
    let r = sim.request();
    sim.at(BUDGET_MS as i64 + 1);
    failed(&sim.answer(r.id, 302, Some("https://cdn.example/jwks"), None, b""), "timeout");
    assert!(sim.requests().is_empty());

    // A late refresh keeps the last good keys.
    let mut sim = Sim::a();
    assert_eq!(sim.decide(&t).outcome, FETCH);
    sim.load(&jwks(&[("a1", KA)]), Some("max-age=60"));
    sim.at(60_000);
    assert_eq!(sim.decide(&t).outcome, FETCH);
    let r = sim.request();
    sim.at(60_000 + BUDGET_MS as i64 + 1);
    let log = failed(&sim.answer(r.id, 200, None, None, &jwks(&[("a2", KB)])), "timeout");
    assert_eq!(log["kept_last_good_keys"], true);
    assert_eq!(sim.outcome(&t), ALLOW);
    assert_eq!(sim.outcome(&token(A, "a2", KB)), UNKNOWN_KID, "the late set was not loaded");
}

/// `FetchKeys` tells the host to perform the requests the gate names; once the round's budget
/// is spent (the host never reported, e.g. a lost callback), the gate must name one again or
/// decide, never answer `FetchKeys` with nothing to do.
#[test]
fn a_round_never_reported_does_not_hold_its_source_for_ever() {
    let t = token(A, "a1", KA);
    let mut sim = Sim::a();
    assert_eq!(sim.decide(&t).outcome, FETCH);
    sim.request();
    for offset in [BUDGET_MS as i64 + RETRY_WITHOUT_KEYS_MS + 1, 60_000, 3_600_000] {
        sim.at(offset);
        let outcome = sim.outcome(&t);
        let due = sim.requests();
        assert!(outcome.0 != FETCH || !due.is_empty(), "+{offset} ms: {outcome:?} and no request due");
    }
}

// ---------------------------------------------------------------------------------------------
// Discovery.

#[test]
fn discovery_finds_the_key_set_once() {
    let t = token(A, "a1", KA);
    let mut sim = Sim::new(discovery_config());
    assert_eq!(sim.decide(&t).outcome, FETCH);
    let r = sim.request();
    assert_eq!(
        (r.kind, r.url.as_str(), r.max_bytes),
        (FetchKind::Discovery, "https://a.example/.well-known/openid-configuration", MAX_JWKS_BYTES)
    );
    assert_eq!(sim.answer(r.id, 200, None, Some("max-age=86400"), &discovery_doc(A, DISCOVERED)), KeyEvent::Continue);
    let r = sim.request();
    assert_eq!((r.kind, r.url.as_str()), (FetchKind::Jwks, DISCOVERED));
    let log = loaded(&sim.answer(r.id, 200, None, Some("max-age=60"), &jwks(&[("a1", KA)])));
    assert_eq!((log["cache_seconds"].as_i64(), log["trigger"].as_str()), (Some(60), Some("initial")));
    assert_eq!(sim.outcome(&t), ALLOW);

    // Later refreshes go straight to the discovered key set.
    sim.at(60_000);
    assert_eq!(sim.decide(&t).outcome, FETCH);
    let r = sim.request();
    assert_eq!((r.kind, r.url.as_str()), (FetchKind::Jwks, DISCOVERED));
    loaded(&sim.answer(r.id, 200, None, Some("max-age=3600"), &jwks(&[("a1", KA)])));
    sim.at(60_000 + COOLDOWN_MS);
    assert_eq!(sim.decide(&token(A, "a2", KB)).outcome, FETCH);
    let r = sim.request();
    assert_eq!((r.kind, r.url.as_str()), (FetchKind::Jwks, DISCOVERED));
    loaded(&sim.answer(r.id, 200, None, None, &jwks(&[("a1", KA), ("a2", KB)])));
    assert_eq!(sim.outcome(&token(A, "a2", KB)), ALLOW);
}

/// An issuer may move its key set: once the discovered URL fails, the next round reads the
/// discovery document again and follows it (the keys last had keep deciding meanwhile).
#[test]
fn a_failed_discovered_key_set_is_discovered_again() {
    let t = token(A, "a1", KA);
    let mut sim = Sim::new(discovery_config());
    assert_eq!(sim.decide(&t).outcome, FETCH);
    let r = sim.request();
    assert_eq!(sim.answer(r.id, 200, None, None, &discovery_doc(A, DISCOVERED)), KeyEvent::Continue);
    sim.load(&jwks(&[("a1", KA)]), Some("max-age=60"));
    assert_eq!(sim.outcome(&t), ALLOW);

    // The old URL is gone at the refresh: the fetch fails, the last good keys still decide.
    sim.at(60_000);
    assert_eq!(sim.decide(&t).outcome, FETCH);
    let r = sim.request();
    assert_eq!((r.kind, r.url.as_str()), (FetchKind::Jwks, DISCOVERED));
    failed(&sim.answer(r.id, 404, None, None, b"gone"), "http_status");
    assert_eq!(sim.outcome(&t), ALLOW);

    // The next round starts from the discovery document and follows it to the new URL.
    let moved = "https://keys.a.example/v2/jwks";
    sim.at(60_000 + COOLDOWN_MS);
    assert_eq!(sim.decide(&token(A, "a2", KB)).outcome, FETCH);
    let r = sim.request();
    assert_eq!((r.kind, r.url.as_str()), (FetchKind::Discovery, "https://a.example/.well-known/openid-configuration"));
    assert_eq!(sim.answer(r.id, 200, None, None, &discovery_doc(A, moved)), KeyEvent::Continue);
    let r = sim.request();
    assert_eq!((r.kind, r.url.as_str()), (FetchKind::Jwks, moved));
    loaded(&sim.answer(r.id, 200, None, None, &jwks(&[("a1", KA), ("a2", KB)])));
    assert_eq!(sim.outcome(&token(A, "a2", KB)), ALLOW);
}

#[test]
fn discovery_names_the_configured_issuer_exactly() {
    let t = token(A, "a1", KA);
    for issuer in [
        "https://a.example/",
        "https://A.example",
        "https://a.example/tenant",
        "http://a.example",
        " https://a.example",
        "https://a.example ",
        "",
    ] {
        let mut sim = Sim::new(discovery_config());
        assert_eq!(sim.decide(&t).outcome, FETCH);
        let r = sim.request();
        failed(&sim.answer(r.id, 200, None, None, &discovery_doc(issuer, DISCOVERED)), "discovery_invalid");
        assert!(sim.requests().is_empty(), "`{issuer}`: the key set is never fetched");
        assert_eq!(sim.outcome(&t), NO_KEYS, "{issuer}");
    }
    // The other way round: configured with the trailing slash, the document must have it too.
    let slash = "https://a.example/";
    let t = token(slash, "a1", KA);
    let config = json!({ "issuers": [{ "issuer": slash, "audiences": ["api"] }] });
    let mut sim = Sim::new(config.clone());
    assert_eq!(sim.decide(&t).outcome, FETCH);
    let r = sim.request();
    // OpenID Connect Discovery 1.0 section 4: the terminating `/` is removed before appending.
    assert_eq!(r.url, "https://a.example/.well-known/openid-configuration");
    failed(&sim.answer(r.id, 200, None, None, &discovery_doc(A, DISCOVERED)), "discovery_invalid");
    let mut sim = Sim::new(config);
    assert_eq!(sim.decide(&t).outcome, FETCH);
    let r = sim.request();
    assert_eq!(sim.answer(r.id, 200, None, None, &discovery_doc(slash, DISCOVERED)), KeyEvent::Continue);
    sim.load(&jwks(&[("a1", KA)]), None);
    assert_eq!(sim.outcome(&t), ALLOW);

    // An issuer with a path.
    let tenant = "https://a.example/tenant";
    let mut sim = Sim::new(json!({ "issuers": [{ "issuer": tenant, "audiences": ["api"] }] }));
    assert_eq!(sim.decide(&token(tenant, "a1", KA)).outcome, FETCH);
    assert_eq!(sim.request().url, "https://a.example/tenant/.well-known/openid-configuration");
}

#[test]
fn discovery_and_the_key_set_each_follow_three_redirects() {
    let t = token(A, "a1", KA);
    let mut sim = Sim::new(discovery_config());
    assert_eq!(sim.decide(&t).outcome, FETCH);
    let mut r = sim.request();
    for (kind, body) in [(FetchKind::Discovery, discovery_doc(A, DISCOVERED)), (FetchKind::Jwks, jwks(&[("a1", KA)]))] {
        for hop in 1..=MAX_REDIRECTS {
            assert_eq!(r.kind, kind);
            let location = format!("https://mirror{hop}.example/{}", kind.name());
            assert_eq!(sim.answer(r.id, 302, Some(&location), None, b""), KeyEvent::Continue, "{kind:?} hop {hop}");
            r = sim.request();
            assert_eq!((r.kind, r.url.as_str()), (kind, location.as_str()));
        }
        let event = sim.answer(r.id, 200, None, None, &body);
        if kind == FetchKind::Discovery {
            assert_eq!(event, KeyEvent::Continue);
            r = sim.request();
            assert_eq!(r.url, DISCOVERED);
        } else {
            loaded(&event);
        }
    }
    assert_eq!(sim.outcome(&t), ALLOW);
}

#[test]
fn a_discovered_loopback_key_set_needs_the_flag() {
    let t = token(A, "a1", KA);
    let mut sim = Sim::new(with(discovery_config(), json!({ "jwks_allow_http_loopback": true })));
    assert_eq!(sim.decide(&t).outcome, FETCH);
    let r = sim.request();
    assert_eq!(sim.answer(r.id, 200, None, None, &discovery_doc(A, "http://127.0.0.1:9/jwks")), KeyEvent::Continue);
    assert_eq!(sim.request().url, "http://127.0.0.1:9/jwks");
}

#[test]
fn a_discovery_document_must_be_whole_and_name_an_https_key_set() {
    let t = token(A, "a1", KA);
    let cases: [(Vec<u8>, &str); 9] = [
        (json!({ "jwks_uri": DISCOVERED }).to_string().into_bytes(), "discovery_invalid"),
        (json!({ "issuer": 5, "jwks_uri": DISCOVERED }).to_string().into_bytes(), "discovery_invalid"),
        (json!({ "issuer": A }).to_string().into_bytes(), "discovery_invalid"),
        (json!({ "issuer": A, "jwks_uri": 7 }).to_string().into_bytes(), "discovery_invalid"),
        (b"<html>not json</html>".to_vec(), "discovery_invalid"),
        (json!([{ "issuer": A, "jwks_uri": DISCOVERED }]).to_string().into_bytes(), "discovery_invalid"),
        (discovery_doc(A, "http://keys.a.example/jwks"), "insecure_url"),
        (discovery_doc(A, "http://127.0.0.1:9/jwks"), "insecure_url"),
        (discovery_doc(A, "ftp://keys.a.example/jwks"), "insecure_url"),
    ];
    for (body, code) in cases {
        let mut sim = Sim::new(discovery_config());
        assert_eq!(sim.decide(&t).outcome, FETCH);
        let r = sim.request();
        failed(&sim.answer(r.id, 200, None, None, &body), code);
        assert!(sim.requests().is_empty(), "{}", String::from_utf8_lossy(&body));
    }
    // A discovery answer that is not 200 fails the round as any other.
    let mut sim = Sim::new(discovery_config());
    assert_eq!(sim.decide(&t).outcome, FETCH);
    let r = sim.request();
    failed(&sim.answer(r.id, 404, None, None, &discovery_doc(A, DISCOVERED)), "http_status");
    // Until it has succeeded, each attempt starts with discovery again.
    sim.at(1_000);
    assert_eq!(sim.decide(&t).outcome, FETCH);
    assert_eq!(sim.request().kind, FetchKind::Discovery);
}

// ---------------------------------------------------------------------------------------------
// Isolation between issuers and key sources.

fn two_issuers() -> Value {
    json!({ "issuers": [
        { "issuer": A, "audiences": ["api"], "jwks_uri": A_JWKS },
        { "issuer": B, "audiences": ["api"], "jwks_uri": B_JWKS },
    ]})
}

/// The due requests, by URL.
fn by_url(requests: Vec<FetchRequest>) -> BTreeMap<String, FetchRequest> {
    requests.into_iter().map(|r| (r.url.clone(), r)).collect()
}

#[test]
fn one_issuers_failure_never_touches_another() {
    let mut sim = Sim::new(two_issuers());
    let (ta, tb) = (token(A, "a1", KA), token(B, "b1", KB));
    assert_eq!(sim.decide(&ta).outcome, FETCH);
    assert_eq!(sim.decide(&tb).outcome, FETCH);
    let due = by_url(sim.requests());
    assert_eq!(due.keys().map(String::as_str).collect::<Vec<_>>(), [A_JWKS, B_JWKS], "both sources fetch at once");
    sim.at(40);
    failed(&sim.fail(due[A_JWKS].id, HostFailure::Network, "down"), "network");
    let log = loaded(&sim.answer(due[B_JWKS].id, 200, None, Some("max-age=120"), &jwks(&[("b1", KB)])));
    assert_eq!(log["url"], B_JWKS);
    assert_eq!(sim.outcome(&tb), ALLOW);
    assert_eq!(sim.outcome(&ta), NO_KEYS);
    assert!(sim.requests().is_empty());

    // A's retry (after 1 s) does not involve B; A down again changes nothing for B.
    sim.at(1_040);
    assert_eq!(sim.decide(&ta).outcome, FETCH);
    assert_eq!(sim.outcome(&tb), ALLOW, "B decides while A's fetch is with the host");
    let r = sim.request();
    assert_eq!(r.url, A_JWKS);
    failed(&sim.answer(r.id, 500, None, None, b""), "http_status");
    assert_eq!(sim.outcome(&tb), ALLOW);

    // A loads later; B's expiry refetches B only, and B's failure leaves A alone.
    sim.at(2_040);
    assert_eq!(sim.decide(&ta).outcome, FETCH);
    sim.load(&jwks(&[("a1", KA)]), Some("max-age=3600"));
    sim.at(120_040);
    assert_eq!(sim.outcome(&ta), ALLOW);
    assert_eq!(sim.decide(&tb).outcome, FETCH);
    let r = sim.request();
    assert_eq!(r.url, B_JWKS);
    failed(&sim.fail(r.id, HostFailure::Timeout, "no answer"), "timeout");
    assert_eq!(sim.outcome(&tb), ALLOW, "B's last good keys");
    assert_eq!(sim.outcome(&ta), ALLOW);

    // An unknown kid of A's does not fetch B's keys (nor enters B's penalty box).
    sim.at(200_000);
    assert_eq!(sim.decide(&token(A, "a9", KA)).outcome, FETCH);
    assert_eq!(sim.request().url, A_JWKS);
    assert_eq!(sim.decide(&token(B, "b9", KB)).outcome, FETCH);
    assert_eq!(sim.request().url, B_JWKS);
}

#[test]
fn a_key_of_one_issuer_never_verifies_a_token_naming_another() {
    let mut sim = Sim::new(two_issuers());
    // Both publish a key under `shared`: A's is KA, B's is KB. B alone has `b-only`.
    assert_eq!(sim.decide(&token(A, "shared", KA)).outcome, FETCH);
    assert_eq!(sim.decide(&token(B, "shared", KB)).outcome, FETCH);
    let due = by_url(sim.requests());
    loaded(&sim.answer(due[A_JWKS].id, 200, None, Some("max-age=3600"), &jwks(&[("shared", KA)])));
    loaded(&sim.answer(due[B_JWKS].id, 200, None, Some("max-age=3600"), &jwks(&[("shared", KB), ("b-only", KB)])));
    assert_eq!(sim.outcome(&token(A, "shared", KA)), ALLOW);
    assert_eq!(sim.outcome(&token(B, "shared", KB)), ALLOW);
    assert_eq!(sim.outcome(&token(B, "b-only", KB)), ALLOW);

    // Naming A, signed by B's key under A's kid: only A's keys are tried.
    let forged = token(A, "shared", KB);
    assert_eq!(sim.outcome(&forged), (Outcome::Unauthorized, Some("bad_signature")));
    assert_eq!(sim.verify(&forged), Err(("bad_signature", false)));
    // And the reverse.
    assert_eq!(sim.outcome(&token(B, "shared", KA)), (Outcome::Unauthorized, Some("bad_signature")));
    // Naming A with a kid only B publishes: unknown in A's set (A's penalty box: no fetch yet).
    let borrowed = token(A, "b-only", KB);
    assert_eq!(sim.outcome(&borrowed), UNKNOWN_KID);
    // After the cooldown it refetches A's set (never B's), and stays refused.
    sim.at(COOLDOWN_MS + 1);
    assert_eq!(sim.decide(&borrowed).outcome, FETCH);
    let r = sim.request();
    assert_eq!(r.url, A_JWKS);
    loaded(&sim.answer(r.id, 200, None, Some("max-age=3600"), &jwks(&[("shared", KA)])));
    assert_eq!(sim.outcome(&borrowed), UNKNOWN_KID);

    // While A has no usable keys at all, B's keys still never serve for A.
    let mut sim = Sim::new(two_issuers());
    assert_eq!(sim.decide(&token(B, "shared", KB)).outcome, FETCH);
    assert_eq!(sim.decide(&token(A, "shared", KB)).outcome, FETCH);
    let due = by_url(sim.requests());
    failed(&sim.fail(due[A_JWKS].id, HostFailure::Network, "down"), "network");
    loaded(&sim.answer(due[B_JWKS].id, 200, None, None, &jwks(&[("shared", KB)])));
    assert_eq!(sim.outcome(&token(A, "shared", KB)), NO_KEYS);
}

#[test]
fn profiles_sharing_a_key_url_share_one_fetch() {
    let shared = "https://shared.example/jwks";
    let config = json!({ "issuers": [
        { "issuer": A, "audiences": ["api"], "jwks_uri": shared },
        { "issuer": B, "audiences": ["api"], "jwks_uri": shared },
    ]});
    let mut sim = Sim::new(config);
    let (ta, tb) = (token(A, "k1", KA), token(B, "k1", KA));
    assert_eq!(sim.decide(&ta).outcome, FETCH);
    assert_eq!(sim.decide(&tb).outcome, FETCH);
    let r = sim.request();
    assert_eq!(r.url, shared);
    assert_eq!(sim.decide(&ta).outcome, FETCH);
    assert_eq!(sim.decide(&tb).outcome, FETCH);
    assert!(sim.requests().is_empty(), "one fetch for both");
    sim.at(50);
    loaded(&sim.answer(r.id, 200, None, Some("max-age=300"), &jwks(&[("k1", KA)])));
    assert_eq!(sim.outcome(&ta), ALLOW);
    assert_eq!(sim.outcome(&tb), ALLOW);
    // One penalty box: the shared fetch started within the cooldown.
    sim.at(1_000);
    assert_eq!(sim.outcome(&token(B, "k2", KB)), UNKNOWN_KID);
    assert!(sim.requests().is_empty());
    // One expiry: one refetch for both.
    sim.at(300_050);
    assert_eq!(sim.decide(&ta).outcome, FETCH);
    assert_eq!(sim.decide(&tb).outcome, FETCH);
    assert_eq!(sim.requests().len(), 1);
}

// ---------------------------------------------------------------------------------------------
// Static keys: inline and files.

#[test]
fn inline_keys_decide_without_any_fetch() {
    let config = json!({ "issuers": [{ "issuer": A, "audiences": ["api"], "jwks": jwks_value(&[("a1", KA)]) }] });
    let mut sim = Sim::new(config);
    let t = token(A, "a1", KA);
    assert_eq!(sim.outcome(&t), ALLOW);
    assert!(sim.requests().is_empty());
    // They never expire.
    sim.at(60 * 86_400 * 1000);
    assert_eq!(sim.outcome(&t), ALLOW);
    assert!(sim.requests().is_empty());
    // Nothing to fetch from: an unknown kid is refused at once.
    let other = token(A, "a2", KB);
    assert_eq!(sim.outcome(&other), UNKNOWN_KID);
    assert_eq!(sim.verify(&other), Err(("unknown_kid", false)));
    assert!(sim.requests().is_empty());
}

#[test]
fn inline_keys_with_a_url_fetch_it_for_an_unknown_kid() {
    let config = json!({ "issuers": [{ "issuer": A, "audiences": ["api"], "jwks": jwks_value(&[("a1", KA)]), "jwks_uri": A_JWKS }] });
    let mut sim = Sim::new(config);
    let (t1, t2) = (token(A, "a1", KA), token(A, "a2", KB));
    assert_eq!(sim.outcome(&t1), ALLOW);
    assert!(sim.requests().is_empty(), "inline keys serve from the start");
    // No fetch has ever started: the first unknown kid fetches the URL.
    assert_eq!(sim.decide(&t2).outcome, FETCH);
    assert_eq!(sim.verify(&t2), Err(("unknown_kid", true)));
    let r = sim.request();
    assert_eq!((r.kind, r.url.as_str()), (FetchKind::Jwks, A_JWKS));
    assert_eq!(sim.outcome(&t1), ALLOW, "inline keys decide while it is with the host");
    sim.at(100);
    let log = loaded(&sim.answer(r.id, 200, None, Some("max-age=300"), &jwks(&[("a1", KA), ("a2", KB)])));
    assert_eq!(log["trigger"], "unknown_kid");
    assert_eq!(sim.outcome(&t2), ALLOW);
    assert_eq!(sim.outcome(&t1), ALLOW);
}

fn file_config(extra: Value) -> Value {
    let mut profile = json!({ "issuer": A, "audiences": ["api"], "jwks_file": "keys/a.json" });
    for (k, v) in extra.as_object().unwrap() {
        profile[k] = v.clone();
    }
    json!({ "issuers": [profile] })
}

#[test]
fn a_key_file_is_read_once() {
    let mut sim = Sim::new(file_config(json!({})));
    let t = token(A, "a1", KA);
    assert_eq!(sim.decide(&t).outcome, FETCH);
    let r = sim.request();
    assert_eq!(
        (r.kind, r.url.as_str(), r.timeout_ms, r.max_bytes),
        (FetchKind::File, "keys/a.json", BUDGET_MS, MAX_JWKS_BYTES)
    );
    let mut text = Vec::new();
    r.write_json(&mut text);
    assert_eq!(serde_json::from_slice::<Value>(&text).unwrap()["kind"], "file");
    sim.at(3);
    let log = loaded(&sim.answer(r.id, 200, None, None, &jwks(&[("a1", KA)])));
    assert_eq!(
        (log["cache_seconds"].clone(), log["kids"].clone()),
        (Value::Null, json!(["a1"])),
        "a file never expires: {log}"
    );
    assert_eq!(sim.outcome(&t), ALLOW);

    // Never again: not on expiry (there is none), not for an unknown kid.
    for offset in [COOLDOWN_MS + 10, 3_600_000 + 10, 30 * 86_400 * 1000] {
        sim.at(offset);
        assert_eq!(sim.outcome(&t), ALLOW);
        let other = token(A, "a2", KB);
        assert_eq!(sim.outcome(&other), UNKNOWN_KID);
        assert_eq!(sim.verify(&other), Err(("unknown_kid", false)));
        assert!(sim.requests().is_empty());
    }
}

#[test]
fn an_unreadable_key_file_is_read_again_after_a_second() {
    let mut sim = Sim::new(file_config(json!({})));
    let t = token(A, "a1", KA);
    assert_eq!(sim.decide(&t).outcome, FETCH);
    let r = sim.request();
    failed(&sim.fail(r.id, HostFailure::Network, "ENOENT"), "network");
    assert_eq!(sim.outcome(&t), NO_KEYS);
    sim.at(999);
    assert_eq!(sim.outcome(&t), NO_KEYS);
    sim.at(1_000);
    assert_eq!(sim.decide(&t).outcome, FETCH);
    let r = sim.request();
    assert_eq!(r.kind, FetchKind::File);
    loaded(&sim.answer(r.id, 200, None, None, &jwks(&[("a1", KA)])));
    assert_eq!(sim.outcome(&t), ALLOW);
}

#[test]
fn a_key_file_with_a_url_reads_the_file_then_fetches_the_url() {
    let mut sim = Sim::new(file_config(json!({ "jwks_uri": A_JWKS })));
    let (t1, t2) = (token(A, "a1", KA), token(A, "a2", KB));
    assert_eq!(sim.decide(&t1).outcome, FETCH);
    let r = sim.request();
    assert_eq!(r.kind, FetchKind::File);
    loaded(&sim.answer(r.id, 200, None, None, &jwks(&[("a1", KA)])));
    assert_eq!(sim.outcome(&t1), ALLOW);
    // Outside any cooldown: an unknown kid fetches the URL, never the file again.
    sim.at(COOLDOWN_MS + 1);
    assert_eq!(sim.decide(&t2).outcome, FETCH);
    let r = sim.request();
    assert_eq!((r.kind, r.url.as_str()), (FetchKind::Jwks, A_JWKS));
    loaded(&sim.answer(r.id, 200, None, Some("max-age=300"), &jwks(&[("a1", KA), ("a2", KB)])));
    assert_eq!(sim.outcome(&t2), ALLOW);
}

// ---------------------------------------------------------------------------------------------
// Replies: stale ids, size, invalid key sets, host failures.

#[test]
fn replies_under_a_stale_or_unknown_id_are_ignored() {
    let mut sim = Sim::a();
    let (t1, t2) = (token(A, "a1", KA), token(A, "a2", KB));
    assert_eq!(sim.decide(&t1).outcome, FETCH);
    let first = sim.request();
    // An id never given out.
    assert_eq!(sim.answer(first.id + 1_000, 200, None, None, &jwks(&[("a1", KA)])), KeyEvent::Continue);
    assert_eq!(sim.answer(0, 200, None, None, &jwks(&[("a1", KA)])), KeyEvent::Continue);
    assert_eq!(sim.decide(&t1).outcome, FETCH, "still waiting for the real answer");
    assert!(sim.requests().is_empty());
    failed(&sim.fail(first.id, HostFailure::Network, "down"), "network");
    // The failed request answered again, late and well: ignored.
    assert_eq!(sim.answer(first.id, 200, None, None, &jwks(&[("a1", KA)])), KeyEvent::Continue);
    assert_eq!(sim.outcome(&t1), NO_KEYS);

    sim.at(1_000);
    assert_eq!(sim.decide(&t1).outcome, FETCH);
    let second = sim.request();
    assert_ne!(second.id, first.id);
    // The old id while the new one is with the host: ignored, the new one still awaited.
    assert_eq!(sim.answer(first.id, 200, None, None, &jwks(&[("a1", KA), ("a2", KB)])), KeyEvent::Continue);
    assert_eq!(sim.decide(&t1).outcome, FETCH);
    loaded(&sim.answer(second.id, 200, None, Some("max-age=300"), &jwks(&[("a1", KA)])));
    assert_eq!(sim.outcome(&t1), ALLOW);
    assert_eq!(sim.outcome(&t2), UNKNOWN_KID, "the stale body was never loaded");
    // The answered id again, with another set or a failure: ignored.
    assert_eq!(sim.answer(second.id, 200, None, None, &jwks(&[("a2", KB)])), KeyEvent::Continue);
    assert_eq!(sim.fail(second.id, HostFailure::Network, "x"), KeyEvent::Continue);
    assert_eq!(sim.outcome(&t1), ALLOW);
    assert_eq!(sim.outcome(&t2), UNKNOWN_KID);
}

#[test]
fn a_body_over_max_jwks_bytes_fails_too_large() {
    let max = 2_048;
    let config = with(one_issuer(A, A_JWKS), json!({ "limits": { "max_jwks_bytes": max } }));
    let t = token(A, "a1", KA);
    let body = jwks(&[("a1", KA)]);
    assert!(body.len() < max);
    // Valid JSON padded with white space to the size wanted.
    let padded = |len: usize| {
        let mut b = body.clone();
        b.resize(len, b' ');
        b
    };
    let mut sim = Sim::new(config.clone());
    assert_eq!(sim.decide(&t).outcome, FETCH);
    let r = sim.request();
    assert_eq!(r.max_bytes, max);
    let log = failed(&sim.answer(r.id, 200, None, None, &padded(max + 1)), "too_large");
    assert_eq!(log["kept_last_good_keys"], false);
    assert_eq!(sim.outcome(&t), NO_KEYS);
    // Exactly the limit loads.
    let mut sim = Sim::new(config.clone());
    assert_eq!(sim.decide(&t).outcome, FETCH);
    sim.load(&padded(max), None);
    assert_eq!(sim.outcome(&t), ALLOW);
    // A too-large refresh keeps the last good keys.
    sim.at(600_000);
    assert_eq!(sim.decide(&t).outcome, FETCH);
    let r = sim.request();
    let log = failed(&sim.answer(r.id, 200, None, None, &padded(10 * max)), "too_large");
    assert_eq!(log["kept_last_good_keys"], true);
    assert_eq!(sim.outcome(&t), ALLOW);
}

#[test]
fn an_invalid_key_set_fails_and_keeps_the_last_good_keys() {
    let t = token(A, "a1", KA);
    for body in [&b"not json"[..], b"", b"[]", b"{}", b"{\"keys\":5}", b"{\"keys\":[{\"kty\":\"RSA\"}]", b"\xff\xfe"] {
        // Without keys: refused.
        let mut sim = Sim::a();
        assert_eq!(sim.decide(&t).outcome, FETCH);
        let r = sim.request();
        let log = failed(&sim.answer(r.id, 200, None, None, body), "jwks_invalid");
        assert_eq!(log["kept_last_good_keys"], false);
        assert_eq!(sim.outcome(&t), NO_KEYS, "{}", String::from_utf8_lossy(body));

        // With keys: an expired set refetched and answered badly keeps deciding.
        let mut sim = Sim::a();
        assert_eq!(sim.decide(&t).outcome, FETCH);
        sim.load(&jwks(&[("a1", KA)]), Some("max-age=60"));
        sim.at(60_000);
        assert_eq!(sim.decide(&t).outcome, FETCH);
        let r = sim.request();
        sim.at(60_010);
        let log = failed(&sim.answer(r.id, 200, None, Some("max-age=3600"), body), "jwks_invalid");
        assert_eq!((log["kept_last_good_keys"].as_bool(), log["trigger"].as_str()), (Some(true), Some("expired")));
        assert_eq!(sim.outcome(&t), ALLOW);
        assert!(sim.requests().is_empty());
        sim.at(60_010 + COOLDOWN_MS);
        assert_eq!(sim.decide(&t).outcome, FETCH, "retried after the cooldown");
    }
}

#[test]
fn each_host_failure_maps_to_its_log_code() {
    let t = token(A, "a1", KA);
    for (failure, code) in
        [(HostFailure::Network, "network"), (HostFailure::Timeout, "timeout"), (HostFailure::TooLarge, "too_large")]
    {
        assert_eq!(HostFailure::from_name(code), Some(failure));
        let mut sim = Sim::a();
        assert_eq!(sim.decide(&t).outcome, FETCH);
        let r = sim.request();
        let detail = format!("the host's words for {code}");
        let log = failed(&sim.fail(r.id, failure, &detail), code);
        assert_eq!(
            (log["error"].as_str(), log["url"].as_str(), log["trigger"].as_str()),
            (Some(detail.as_str()), Some(A_JWKS), Some("initial"))
        );
        assert_eq!(sim.outcome(&t), NO_KEYS);
        // The same for a file.
        let mut sim = Sim::new(file_config(json!({})));
        assert_eq!(sim.decide(&t).outcome, FETCH);
        let r = sim.request();
        failed(&sim.fail(r.id, failure, "x"), code);
        // And during discovery.
        let mut sim = Sim::new(discovery_config());
        assert_eq!(sim.decide(&t).outcome, FETCH);
        let r = sim.request();
        failed(&sim.fail(r.id, failure, "x"), code);
    }
    assert_eq!(HostFailure::from_name("dns"), None);
}
