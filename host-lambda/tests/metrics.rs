//! The metrics table (tests/metrics) decided by this host's `Authorizer`: every case of
//! tests/conformance/vectors.json and the key set script tests/metrics/key-sets.json, with a
//! scripted key server. Writes every log line to target/metrics/lambda.json;
//! tests/metrics/check.mjs reads them as CloudWatch would and compares them with the Node
//! host's (tests/metrics/run.mjs), field by field.

use jwtgate_lambda::authorizer::{Authorizer, LogSink};
use jwtgate_lambda::engine::Engine;
use jwtgate_lambda::fetch::{Fetch, FetchRequest, Reply};
use jwtgate_lambda::settings::{self, relevant_env};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, VecDeque};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read_json(path: &str) -> Value {
    serde_json::from_slice(&std::fs::read(root().join(path)).unwrap()).unwrap()
}

/// The scripted key server: each request gets the next reply queued, or fails as the network
/// would when none is left. Counts what it served, and the failures its replies are.
#[derive(Default)]
struct Script {
    queue: VecDeque<Value>,
    fetches: u64,
    failures: BTreeMap<String, u64>,
}

#[derive(Clone)]
struct Scripted {
    script: Arc<Mutex<Script>>,
    cases: Arc<BTreeMap<String, Value>>,
}

impl Fetch for Scripted {
    fn fetch(&self, request: &FetchRequest) -> Reply {
        let mut s = self.script.lock().unwrap();
        s.fetches += 1;
        let reply = s.queue.pop_front().unwrap_or_else(|| json!({ "network": "no reply scripted" }));
        let mut failed = |code: &str| *s.failures.entry(code.to_owned()).or_default() += 1;
        if let Some(detail) = reply.get("network").and_then(Value::as_str) {
            failed("network");
            return Reply::Failed { failure: "network", detail: format!("{}: {detail}", request.url) };
        }
        let status = reply["status"].as_u64().unwrap() as u16;
        let body = match reply.get("jwks_of").and_then(Value::as_str) {
            Some(name) => self.cases[name]["config"]["jwks"].to_string(),
            None => reply.get("body").and_then(Value::as_str).unwrap_or_default().to_owned(),
        };
        if status != 200 {
            failed("http_status");
        } else if reply.get("jwks_of").is_none() {
            failed("jwks_invalid");
        }
        let cache_control = reply.get("cache_control").and_then(Value::as_str).map(str::to_owned);
        Reply::Answer { status, location: None, cache_control, body: body.into_bytes() }
    }
}

#[derive(Default)]
struct Part {
    lines: Arc<Mutex<Vec<Value>>>,
    results: Vec<Value>,
}

/// An authorizer for `config` and `env` (through CONFIG_FILE, as the Lambda reads it) whose
/// log lines go to `part`.
fn authorizer_for(config: &Value, env: &[(&str, &str)], part: &Part, fetcher: Scripted) -> Authorizer {
    let path = root().join("target/metrics/lambda-config.json");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, config.to_string()).unwrap();
    let mut vars = vec![("CONFIG_FILE".to_owned(), path.to_string_lossy().into_owned())];
    vars.extend(env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let mut engine = Engine::embedded().unwrap();
    let host = settings::from_env(&mut engine, &relevant_env(vars)).unwrap();
    let lines = part.lines.clone();
    let sink: LogSink = Box::new(move |line: &Value| lines.lock().unwrap().push(line.clone()));
    Authorizer::new(engine, host, Box::new(fetcher), sink).unwrap()
}

fn decide(authorizer: &mut Authorizer, event: &Value, now_ms: u64) -> Value {
    let verdict = authorizer.decide(event.to_string().as_bytes(), now_ms);
    json!({ "outcome": verdict.log["outcome"], "reason": verdict.log["reason"] })
}

fn finish(part: Part, script: &Arc<Mutex<Script>>) -> Value {
    let s = script.lock().unwrap();
    let lines = part.lines.lock().unwrap().clone();
    json!({ "lines": lines, "results": part.results, "fetches": s.fetches, "failures": s.failures })
}

#[test]
fn metrics_table() {
    let vectors = read_json("tests/conformance/vectors.json");
    let script = read_json("tests/metrics/key-sets.json");
    let cases: BTreeMap<String, Value> = vectors["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap().to_owned(), c.clone()))
        .collect();
    let cases = Arc::new(cases);
    let mut parts = Map::new();

    // Every decidable case of the conformance table, in the order of the table.
    for (name, env, limit) in [
        ("decisions", [("METRICS_NAMESPACE", "jwtgate-test/conformance")], usize::MAX),
        ("plain", [("METRICS", "false")], 40),
    ] {
        let mut part = Part::default();
        let state = Arc::new(Mutex::new(Script::default()));
        for c in vectors["cases"].as_array().unwrap() {
            if c["expected"].get("config_error").is_some() {
                continue;
            }
            if part.results.len() == limit {
                break;
            }
            let fetcher = Scripted { script: state.clone(), cases: cases.clone() };
            let mut authorizer = authorizer_for(&c["config"], &env, &part, fetcher);
            let result = decide(&mut authorizer, &c["event"], c["now"].as_u64().unwrap() * 1000);
            // Still wanting keys after the rounds allowed is answered `unauthorized`.
            let want = c["expected"]["outcome"].as_str().unwrap().replace("fetch_keys", "unauthorized");
            assert_eq!(
                (result["outcome"].as_str(), &result["reason"]),
                (Some(want.as_str()), &c["expected"]["reason"]),
                "{}",
                c["name"]
            );
            part.results.push(result);
        }
        parts.insert(name.to_owned(), finish(part, &state));
    }

    // The key set script, in the default namespace.
    let mut part = Part::default();
    let state = Arc::new(Mutex::new(Script::default()));
    let mut config = cases[script["config_of"].as_str().unwrap()]["config"].clone();
    config.as_object_mut().unwrap().remove("jwks");
    config["jwks_uri"] = script["jwks_uri"].clone();
    let mut authorizer = authorizer_for(&config, &[], &part, Scripted { script: state.clone(), cases: cases.clone() });
    let start = script["start"].as_u64().unwrap();
    for step in script["steps"].as_array().unwrap() {
        if let Some(replies) = step.get("replies").and_then(Value::as_array) {
            state.lock().unwrap().queue.extend(replies.iter().cloned());
        }
        let event = &cases[step["event_of"].as_str().unwrap()]["event"];
        let now_ms = (start + step["at_s"].as_u64().unwrap()) * 1000;
        let result = decide(&mut authorizer, event, now_ms);
        let want = &step["expect"];
        assert_eq!(
            (&result["outcome"], &result["reason"]),
            (&want["outcome"], &want["reason"]),
            "step at {} s",
            step["at_s"]
        );
        part.results.push(result);
    }
    parts.insert("key_sets".to_owned(), finish(part, &state));

    // One line per decision and per fetch round (one request each here), nothing else.
    for (name, p) in &parts {
        let count = |member: &str| p[member].as_array().unwrap().len() as u64;
        assert_eq!(count("lines"), count("results") + p["fetches"].as_u64().unwrap(), "{name}");
    }
    let summary: Vec<String> = parts
        .iter()
        .map(|(name, p)| {
            format!(
                "{name} {} decisions, {} lines",
                p["results"].as_array().unwrap().len(),
                p["lines"].as_array().unwrap().len()
            )
        })
        .collect();
    let out = root().join("target/metrics/lambda.json");
    std::fs::write(&out, json!({ "host": "lambda", "parts": parts }).to_string()).unwrap();
    println!("metrics table (lambda: wasm in wasmtime): {}", summary.join("; "));
}
