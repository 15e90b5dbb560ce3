//! One decision per event: the engine decides, this module keeps its keys fresh.
//!
//! JWKS rules (DESIGN.md): fetched once per warm instance and kept for the `Cache-Control`
//! lifetime within bounds; an unknown `kid` triggers a refetch only when no fetch (of any
//! kind, successful or not) happened within the cooldown (the penalty box, so forged kids
//! cannot flood the identity provider), then one more decision; a failed fetch or a refused
//! JWKS keeps the last good keys. Without any keys a decision is `Unauthorized`
//! (`jwks_unavailable`). The same rules as the Node host.

use crate::engine::{Decision, Engine, EngineError, Outcome};
use crate::jwks::{Fetch, FetchError, JwksSource, lifetime};
use crate::settings::HostSettings;
use serde_json::{Value, json};
use std::time::Instant;

/// What the host answers: the authorizer response, or `None` for the error `Unauthorized`;
/// and the decision's log line (never the token).
#[derive(Debug)]
pub struct Verdict {
    pub response: Option<Value>,
    pub log: Value,
}

/// Why keys were (re)fetched; logged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    Initial,
    Expired,
    UnknownKid,
}

impl Trigger {
    fn name(self) -> &'static str {
        match self {
            Trigger::Initial => "initial",
            Trigger::Expired => "expired",
            Trigger::UnknownKid => "unknown_kid",
        }
    }
}

#[derive(Debug)]
pub enum RefreshError {
    Fetch(FetchError),
    Engine(EngineError),
}

impl RefreshError {
    /// The failure code in the log line (the Node host's codes): the fetch's, or
    /// `jwks_invalid` for a body the module refused (not JSON, not a JWKS, over the limits).
    pub fn code(&self) -> &'static str {
        match self {
            RefreshError::Fetch(e) => e.code(),
            RefreshError::Engine(_) => "jwks_invalid",
        }
    }
}

impl std::fmt::Display for RefreshError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RefreshError::Fetch(e) => write!(f, "fetch failed: {e}"),
            RefreshError::Engine(e) => write!(f, "{e}"),
        }
    }
}

/// Without any keys, the next fetch after a failure waits this long (with keys: the cooldown).
const RETRY_WITHOUT_KEYS_SECONDS: u64 = 1;

/// Key freshness, in Unix seconds.
#[derive(Debug, Default)]
struct KeyClock {
    loaded: bool,
    expires_at: u64,
    /// After a failed scheduled fetch, none before this time.
    retry_at: u64,
    /// The last fetch of any kind (successful or not): the penalty box. An unknown kid
    /// refetches only a cooldown after it, as in the Node host.
    last_fetch: Option<u64>,
    /// The last fetch failure, for the `jwks_unavailable` log line.
    last_failure: Option<String>,
}

/// Where log lines go (stderr in the Lambda; tests collect them).
pub type LogSink = Box<dyn Fn(&Value) + Send>;

pub fn stderr_sink() -> LogSink {
    Box::new(|line: &Value| eprintln!("{line}"))
}

pub struct Authorizer {
    engine: Engine,
    source: JwksSource,
    clock: KeyClock,
    log: LogSink,
}

impl Authorizer {
    /// Configure the engine from validated settings. Does not fetch: call `warm_up`.
    pub fn new(mut engine: Engine, settings: HostSettings, fetcher: Box<dyn Fetch>, log: LogSink) -> Result<Authorizer, EngineError> {
        engine.set_signatures(settings.signatures);
        engine.configure(&settings.config_json)?;
        let issuers = serde_json::from_slice::<Value>(&settings.config_json)
            .ok()
            .and_then(|c| c.get("issuers").cloned())
            .and_then(|v| serde_json::from_value::<Vec<String>>(v).ok())
            .unwrap_or_default();
        let source = JwksSource::new(settings.jwks, issuers, fetcher);
        Ok(Authorizer { engine, source, clock: KeyClock::default(), log })
    }

    /// The first fetch, at init, so the first request usually finds keys. A failure here is
    /// logged, not fatal, and does not delay the next attempt (the first request retries).
    pub fn warm_up(&mut self, now: u64) -> Result<(), RefreshError> {
        let result = self.refresh(now, Trigger::Initial);
        if result.is_err() {
            self.clock.retry_at = 0;
        }
        result
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// For tests and measurements (e.g. tighter limits).
    pub fn engine_mut(&mut self) -> &mut Engine {
        &mut self.engine
    }

    /// Decide one event at `now` (Unix seconds).
    pub fn decide(&mut self, event: &[u8], now: u64) -> Verdict {
        let started = Instant::now();
        let mut refetched = false;
        let stale = !self.clock.loaded || now >= self.clock.expires_at;
        if stale && now >= self.clock.retry_at {
            let trigger = if self.clock.loaded { Trigger::Expired } else { Trigger::Initial };
            refetched = self.refresh(now, trigger).is_ok();
        }
        if !self.clock.loaded {
            // No keys were ever loaded (the endpoint has failed since init): nothing can be
            // verified. `Unauthorized` with the reason, as the Node host answers.
            let log = json!({
                "log": "jwtgate.decision", "outcome": "unauthorized", "reason": "jwks_unavailable",
                "error": self.clock.last_failure.clone(),
                "latency_us": started.elapsed().as_micros() as u64, "keys_refetched": false,
            });
            (self.log)(&log);
            return Verdict { response: None, log };
        }
        let mut decision = self.engine.authorize(event, now as i64);
        if matches!(&decision, Ok(d) if d.outcome() == Outcome::RefreshKeys) && self.kid_refresh_allowed(now) {
            if self.refresh(now, Trigger::UnknownKid).is_ok() {
                refetched = true;
                decision = self.engine.authorize(event, now as i64);
            }
        }
        let latency_us = started.elapsed().as_micros() as u64;
        let verdict = verdict(decision, latency_us, refetched);
        (self.log)(&verdict.log);
        verdict
    }

    fn kid_refresh_allowed(&self, now: u64) -> bool {
        match self.clock.last_fetch {
            None => true,
            Some(last) => now >= last.saturating_add(self.source.rules().refresh_cooldown_seconds),
        }
    }

    /// Fetch and load the JWKS; on any failure the last good keys stay and a scheduled retry
    /// waits for the cooldown.
    pub fn refresh(&mut self, now: u64, trigger: Trigger) -> Result<(), RefreshError> {
        let started = Instant::now();
        self.clock.last_fetch = Some(now);
        let result = self
            .source
            .fetch()
            .map_err(RefreshError::Fetch)
            .and_then(|fetched| self.engine.set_keys(&fetched.body).map(|report| (fetched, report)).map_err(RefreshError::Engine));
        let fetch_ms = started.elapsed().as_millis() as u64;
        match result {
            Ok((fetched, report)) => {
                let ttl = lifetime(fetched.max_age, self.source.rules());
                self.clock.loaded = true;
                self.clock.expires_at = now.saturating_add(ttl);
                (self.log)(&json!({
                    "log": "jwtgate.jwks", "event": "loaded", "trigger": trigger.name(),
                    "keys": report.get("keys"), "kids": report.get("kids"), "refused": report.get("refused"),
                    "ttl_s": ttl, "fetch_ms": fetch_ms,
                }));
                Ok(())
            }
            Err(e) => {
                // With last good keys, no retry before the cooldown; without any keys every
                // request is refused anyway, so retry after a second (as the Node host does).
                let wait = if self.clock.loaded { self.source.rules().refresh_cooldown_seconds } else { RETRY_WITHOUT_KEYS_SECONDS };
                self.clock.retry_at = now.saturating_add(wait);
                self.clock.last_failure = Some(e.to_string());
                (self.log)(&json!({
                    "log": "jwtgate.jwks", "event": "failed", "trigger": trigger.name(),
                    "failure": e.code(), "error": e.to_string(), "kept_last_good_keys": self.clock.loaded, "fetch_ms": fetch_ms,
                }));
                Err(e)
            }
        }
    }
}

/// The response and log line for a decision, or for an engine failure (a denial).
fn verdict(decision: Result<Decision, EngineError>, latency_us: u64, refetched: bool) -> Verdict {
    match decision {
        Ok(d) => {
            let field = |name: &str| d.0.get(name).cloned().unwrap_or(Value::Null);
            let log = json!({
                "log": "jwtgate.decision",
                "outcome": outcome_name(d.outcome()),
                "reason": field("reason"),
                "event": field("event"),
                "alg": field("alg"),
                "kid": field("kid"),
                "iss": field("iss"),
                "sub": field("sub"),
                "client_id": field("client_id"),
                "latency_us": latency_us,
                "keys_refetched": refetched,
            });
            Verdict { response: d.response().cloned(), log }
        }
        Err(e) => Verdict {
            response: None,
            log: json!({
                "log": "jwtgate.decision",
                "outcome": "unauthorized",
                "reason": "host_error",
                "error": e.to_string(),
                "latency_us": latency_us,
                "keys_refetched": refetched,
            }),
        },
    }
}

fn outcome_name(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Allow => "allow",
        Outcome::Deny => "deny",
        // Still unknown after the allowed refetch: answered `Unauthorized` (reason unknown_kid).
        Outcome::RefreshKeys | Outcome::Unauthorized => "unauthorized",
    }
}
