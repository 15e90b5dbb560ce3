//! One decision per event. The module decides, and keeps the keys: when it needs keys it
//! answers `fetch_keys`, and this host performs the requests it names (`fetch`), hands back
//! what came, and asks again. Every rule about keys is the core's (core/src/key_cache.rs), the
//! same in every host.

use crate::engine::{Decision, Engine, EngineError, Outcome};
use crate::fetch::{Fetch, FetchRequest};
use crate::metrics::Metrics;
use crate::settings::HostSettings;
use serde_json::{Value, json};
use std::time::Instant;

/// What the host answers: the authorizer response, or `None` for the error `Unauthorized`;
/// and the decision's log line (never the token), which is also its metric record (EMF)
/// unless metrics are off.
#[derive(Debug)]
pub struct Verdict {
    pub response: Option<Value>,
    pub log: Value,
}

/// Which Lambda invocation a decision answers: written into its log line as `request_id` and
/// `trace_id` (the X-Ray tracing header, left out when Lambda sent none, as the Node host does).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvocationIdentity<'a> {
    pub request_id: &'a str,
    pub trace_id: Option<&'a str>,
}

/// Where log lines go (stderr in the Lambda; tests collect them).
pub type LogSink = Box<dyn Fn(&Value) + Send>;

pub fn stderr_sink() -> LogSink {
    Box::new(|line: &Value| eprintln!("{line}"))
}

/// How many times one event waits for fetches: a first round for missing or expired keys,
/// and one for an unknown `kid` in the keys it brought. The core's rules end every round
/// (a source fetched once is not due again within the cooldown), so a third would never run.
const FETCH_ROUNDS: usize = 2;

pub struct Authorizer {
    engine: Engine,
    fetcher: Box<dyn Fetch>,
    log: LogSink,
    /// `None`: `METRICS=false`, plain log lines.
    metrics: Option<Metrics>,
}

impl Authorizer {
    /// Configure the engine from settings it validated (`settings::from_env`): from the
    /// configuration the module kept of them, not read again. Does not fetch: call `warm_up`.
    pub fn new(
        mut engine: Engine,
        settings: HostSettings,
        fetcher: Box<dyn Fetch>,
        log: LogSink,
    ) -> Result<Authorizer, EngineError> {
        engine.set_signatures(settings.signatures);
        let failed = engine.configure_from_settings(&settings.input)?;
        if !failed.is_empty() {
            log(&serde_json::json!({
                "level": "warn",
                "msg": "the host's signature provider failed its known answers; the module checks these algorithms itself",
                "algorithms": failed,
            }));
        }
        let metrics = settings.metrics_namespace.map(Metrics::new);
        Ok(Authorizer { engine, fetcher, log, metrics })
    }

    /// The first fetch of every issuer's keys, at init, so the first request usually finds
    /// them. Failures are logged (by the core's log lines) and retried when keys are needed.
    /// Returns whether every fetch loaded keys.
    pub fn warm_up(&mut self, now_ms: u64) -> Result<bool, EngineError> {
        self.engine.warm_up(now_ms as i64)?;
        self.drive(now_ms, Instant::now())
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// For tests and measurements (e.g. tighter limits).
    pub fn engine_mut(&mut self) -> &mut Engine {
        &mut self.engine
    }

    /// Decide one event at `now_ms` (milliseconds since the epoch).
    pub fn decide(&mut self, event: &[u8], now_ms: u64) -> Verdict {
        self.decide_with(event, now_ms, None)
    }

    /// `decide`, with the invocation's identity in the log line when there is one.
    pub fn decide_with(&mut self, event: &[u8], now_ms: u64, identity: Option<&InvocationIdentity>) -> Verdict {
        let started = Instant::now();
        let now = |started: Instant| now_ms.saturating_add(started.elapsed().as_millis() as u64) as i64;
        let mut fetched = false;
        let mut decision = self.engine.authorize(event, now_ms as i64);
        for _ in 0..FETCH_ROUNDS {
            if !matches!(&decision, Ok(d) if d.outcome() == Outcome::FetchKeys) {
                break;
            }
            if let Err(e) = self.drive(now_ms, started) {
                decision = Err(e);
                break;
            }
            fetched = true;
            decision = self.engine.authorize(event, now(started));
        }
        let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
        let mut verdict = verdict(decision, (latency_ms * 1000.0).round() / 1000.0, fetched);
        if let (Some(identity), Some(line)) = (identity, verdict.log.as_object_mut()) {
            line.insert("request_id".into(), json!(identity.request_id));
            if let Some(trace_id) = identity.trace_id {
                line.insert("trace_id".into(), json!(trace_id));
            }
        }
        if let (Some(metrics), Value::Object(line)) = (&self.metrics, &mut verdict.log) {
            metrics.decision(line, now(started) as u64);
        }
        (self.log)(&verdict.log);
        verdict
    }

    /// Perform every request the module names until none is due; write its log lines (with
    /// their metrics).
    /// Returns whether every round ended with keys loaded.
    fn drive(&mut self, now_ms: u64, started: Instant) -> Result<bool, EngineError> {
        let now = || now_ms.saturating_add(started.elapsed().as_millis() as u64) as i64;
        let mut all_loaded = true;
        while let Some(request) = self.engine.next_fetch(now())? {
            let request: FetchRequest =
                serde_json::from_value(request).map_err(|e| EngineError::Abi(format!("fetch request: {e}")))?;
            let reply = self.fetcher.fetch(&request);
            let (reply, body) = reply.to_module(request.id);
            if let Some(mut line) = self.engine.fetched(&reply, body, now())? {
                all_loaded &= line.get("msg").and_then(Value::as_str) == Some("keys loaded");
                if let (Some(metrics), Value::Object(line)) = (&self.metrics, &mut line) {
                    metrics.key_set(line, now() as u64);
                }
                (self.log)(&line);
            }
        }
        Ok(all_loaded)
    }
}

/// The response and log line for a decision, or for an engine failure (a denial). The same
/// fields, names and units as the Node host's line.
fn verdict(decision: Result<Decision, EngineError>, latency_ms: f64, fetched: bool) -> Verdict {
    match decision {
        Ok(d) => {
            let field = |name: &str| d.0.get(name).cloned().unwrap_or(Value::Null);
            let outcome = outcome_name(d.outcome());
            let log = json!({
                "level": if outcome == "unauthorized" { "warn" } else { "info" },
                "msg": "authorizer decision",
                "call": "authorize",
                "outcome": outcome,
                "reason": field("reason"),
                "event": field("event"),
                "alg": field("alg"),
                "kid": field("kid"),
                "iss": field("iss"),
                "sub": field("sub"),
                "client_id": field("client_id"),
                "latency_ms": latency_ms,
                "keys_fetched": fetched,
            });
            Verdict { response: d.response().cloned(), log }
        }
        Err(e) => Verdict {
            response: None,
            log: json!({
                "level": "warn",
                "msg": "authorizer decision",
                "call": "authorize",
                "outcome": "unauthorized",
                "reason": "internal_error",
                "error": e.to_string(),
                "latency_ms": latency_ms,
                "keys_fetched": fetched,
            }),
        },
    }
}

fn outcome_name(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Allow => "allow",
        Outcome::Deny => "deny",
        // Still wanting keys after the rounds allowed: answered `Unauthorized` with its reason.
        Outcome::FetchKeys | Outcome::Unauthorized => "unauthorized",
    }
}
