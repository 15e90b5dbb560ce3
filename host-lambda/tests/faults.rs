//! The fault table (tests/faults/scenarios.json) through this host's `Authorizer` with its real
//! `HttpFetcher`, against the misbehaving OpenID provider tests/faults/server.mjs (node) on
//! 127.0.0.1. The same table runs in the Node host (tests/faults/run-node.mjs); what it encodes
//! is in tests/faults/README.md. The clock is simulated (`decide(event, now)`: real time plus an
//! offset that jumps to each step's `at_s`); the network and the time bounds are real.
//!
//! `#[ignore]`: run with `make test-faults` (or `cargo test -p jwtgate-lambda --test faults --
//! --ignored --nocapture`). Prints one line per scenario and `N passed, N failed`; writes
//! target/faults/lambda.json.

use jwtgate_lambda::authorizer::{Authorizer, LogSink};
use jwtgate_lambda::engine::Engine;
use jwtgate_lambda::fetch::HttpFetcher;
use jwtgate_lambda::settings::{self, relevant_env};
use serde_json::{Map, Value, json};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const METHOD_ARN: &str = "arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/prod/GET/pets";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn real_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as i64
}

// ---- the server ---------------------------------------------------------------------------------

struct Server {
    child: Child,
    base: String,
    agent: ureq::Agent,
}

impl Server {
    fn start() -> Server {
        let mut child = Command::new("node")
            .arg(root().join("tests/faults/server.mjs"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("node (tests/faults/server.mjs)");
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
        let port =
            serde_json::from_str::<Value>(&first).unwrap_or_else(|e| panic!("server.mjs said {first:?}: {e}"))["port"]
                .as_u64()
                .unwrap();
        // The control connection: loopback only, never through a proxy.
        let agent: ureq::Agent =
            ureq::Agent::config_builder().proxy(None).timeout_global(Some(Duration::from_secs(30))).build().into();
        Server { child, base: format!("http://127.0.0.1:{port}"), agent }
    }

    fn control(&self, body: &Value) -> Value {
        let text = self
            .agent
            .post(&format!("{}/control", self.base))
            .header("content-type", "application/json")
            .send(body.to_string())
            .unwrap_or_else(|e| panic!("control {body}: {e}"))
            .body_mut()
            .read_to_string()
            .unwrap();
        serde_json::from_str(&text).unwrap()
    }

    fn get(&self, path_and_query: &str) -> String {
        self.agent
            .get(&format!("{}{path_and_query}", self.base))
            .call()
            .unwrap_or_else(|e| panic!("GET {path_and_query}: {e}"))
            .body_mut()
            .read_to_string()
            .unwrap()
    }

    fn hits(&self) -> Value {
        serde_json::from_str(&self.get("/hits")).unwrap()
    }

    fn mint(&self, issuer: &str, kid: &str, signer: &str, kind: &str) -> String {
        let q = |s: &str| {
            s.replace('%', "%25").replace('&', "%26").replace('=', "%3D").replace('{', "%7B").replace('}', "%7D")
        };
        self.get(&format!("/mint?issuer={}&kid={}&signer={}&kind={}", q(issuer), q(kid), q(signer), q(kind)))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // server.mjs exits when its stdin closes.
        drop(self.child.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---- one scenario -------------------------------------------------------------------------------

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

/// The environment this host reads: the single-issuer variables for one issuer, `ISSUERS`
/// (#17's spec) for several.
fn environment(scenario: &Value, urls: &Value, audience: &str) -> Vec<(String, String)> {
    let st = &scenario["settings"];
    let mut env: Vec<(String, String)> = vec![
        ("JWKS_ALLOW_HTTP_LOOPBACK".into(), "true".into()),
        ("JWKS_TIMEOUT_MS".into(), st["timeout_ms"].to_string()),
        ("JWKS_CACHE_MIN_SECONDS".into(), st["cache_min_s"].to_string()),
        ("JWKS_CACHE_MAX_SECONDS".into(), st["cache_max_s"].to_string()),
        ("JWKS_REFRESH_COOLDOWN_SECONDS".into(), st["cooldown_s"].to_string()),
    ];
    if let Some(max) = st.get("max_jwks_bytes") {
        env.push(("MAX_JWKS_BYTES".into(), max.to_string()));
    }
    let issuers = scenario["issuers"].as_array().unwrap();
    let jwks_uri =
        |i: &Value| (s(&i["key_source"]) == "jwks_uri").then(|| s(&urls[s(&i["name"])]["jwks_uri"]).to_owned());
    if let [only] = issuers.as_slice() {
        env.push(("ISSUER".into(), s(&urls[s(&only["name"])]["issuer"]).to_owned()));
        env.push(("AUDIENCE".into(), audience.to_owned()));
        if let Some(uri) = jwks_uri(only) {
            env.push(("JWKS_URI".into(), uri));
        }
    } else {
        let profiles: Vec<Value> = issuers
            .iter()
            .map(|i| {
                let mut p = json!({"issuer": urls[s(&i["name"])]["issuer"], "audiences": [audience]});
                if let Some(uri) = jwks_uri(i) {
                    p["jwks_uri"] = json!(uri);
                }
                p
            })
            .collect();
        env.push(("ISSUERS".into(), Value::Array(profiles).to_string()));
    }
    env
}

fn event(token: &str) -> Vec<u8> {
    json!({"type": "TOKEN", "authorizationToken": format!("Bearer {token}"), "methodArn": METHOD_ARN})
        .to_string()
        .into_bytes()
}

fn run_scenario(server: &Server, table: &Value, scenario: &Value) -> Vec<String> {
    let issuers: Vec<Value> = scenario["issuers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| json!({"name": i["name"], "cache_control": i.get("cache_control")}))
        .collect();
    let urls = server.control(&json!({"reset": {"issuers": issuers}}))["issuers"].clone();
    // The simulated clock: real time plus an offset that only grows; it starts on a whole second
    // and each step moves it to (start + at_s) unless the real time spent is already past that.
    let real0 = real_ms();
    let start = (real0 / 1000 + 1) * 1000;
    let mut offset = start - real0;
    let clock = |offset: i64| real_ms() + offset;

    let env = environment(scenario, &urls, s(&table["defaults"]["audience"]));
    let mut engine = Engine::embedded().unwrap();
    let host = match settings::from_env(&mut engine, &relevant_env(env)) {
        Ok(host) => host,
        Err(e) => return vec![format!("configuration refused: {e}")],
    };
    let fetcher = HttpFetcher::new();
    let logs = Arc::new(Mutex::new(Vec::<Value>::new()));
    let sink_logs = logs.clone();
    let sink: LogSink = Box::new(move |line: &Value| sink_logs.lock().unwrap().push(line.clone()));
    let mut authorizer = match Authorizer::new(engine, host, Box::new(fetcher), sink) {
        Ok(a) => a,
        Err(e) => return vec![format!("configuration refused: {e}")],
    };

    let timeout_ms = scenario["settings"]["timeout_ms"].as_u64().unwrap();
    let slack_ms = table["defaults"]["slack_ms"].as_u64().unwrap();
    let mut failures = Vec::new();
    let mut minted = Vec::new();
    for (index, step) in scenario["steps"].as_array().unwrap().iter().enumerate() {
        let at_s = step["at_s"].as_i64().unwrap();
        let mut fail = |m: String| failures.push(format!("step {} (at_s {at_s}): {m}", index + 1));
        if let Some(set) = step.get("set") {
            server.control(&json!({"set": set}));
        }
        let target = start + at_s * 1000;
        if target > clock(offset) {
            offset = target - real_ms();
        }
        let log_from = logs.lock().unwrap().len();
        if let Some(r) = step.get("request") {
            let issuer = s(&r["issuer"]);
            let signer = r.get("signer").map(s).unwrap_or(issuer);
            let kind = r.get("token").map(s).unwrap_or("valid");
            let count = r.get("count").and_then(Value::as_u64).unwrap_or(1);
            let tokens: Vec<String> = (0..count)
                .map(|i| {
                    let kid = s(&r["kid"]).replace("{i}", &i.to_string()).replace("{step}", &(index + 1).to_string());
                    server.mint(issuer, &kid, signer, kind)
                })
                .collect();
            minted.extend(tokens.iter().cloned());
            let e = &step["expect"];
            let within = e.get("within_ms").and_then(Value::as_u64).unwrap_or(timeout_ms + slack_ms);
            let (mut wrong, mut first_wrong, mut slowest) = (0, None, Duration::ZERO);
            // One event at a time, as a Lambda instance decides them.
            for token in &tokens {
                let now_ms = clock(offset) as u64;
                let began = Instant::now();
                let verdict = authorizer.decide(&event(token), now_ms);
                slowest = slowest.max(began.elapsed());
                let outcome = s(&verdict.log["outcome"]).to_owned();
                let reason = verdict.log["reason"].as_str().map(str::to_owned);
                let reason_ok = e.get("reason").is_none_or(|want| want.as_str() == reason.as_deref());
                if outcome != s(&e["outcome"]) || !reason_ok {
                    wrong += 1;
                    first_wrong.get_or_insert((outcome, reason));
                }
            }
            if let Some((outcome, reason)) = first_wrong {
                let want_reason = e.get("reason").and_then(Value::as_str).unwrap_or("-");
                fail(format!(
                    "{wrong}/{count} decided {outcome}/{}, expected {}/{want_reason}",
                    reason.as_deref().unwrap_or("-"),
                    s(&e["outcome"])
                ));
            }
            if slowest > Duration::from_millis(within) {
                fail(format!("decided in {} ms, bound {within} ms", slowest.as_millis()));
            }
            if let Some(want) = e.get("fetch_failure") {
                let seen: Vec<String> = logs.lock().unwrap()[log_from..]
                    .iter()
                    .filter_map(|l| l.get("failure").map(|f| s(f).to_owned()))
                    .collect();
                match want.as_str() {
                    None if !seen.is_empty() => {
                        fail(format!("key fetch failures logged: {}; expected none", seen.join(", ")))
                    }
                    Some(code) if !seen.iter().any(|f| f == code) => {
                        fail(format!("key fetch failures logged: [{}]; expected {code}", seen.join(", ")))
                    }
                    _ => {}
                }
            }
        }
        if let Some(want) = step.get("hits").and_then(Value::as_object) {
            let seen = server.hits();
            for (endpoint, count) in want {
                let got = seen.get(endpoint).and_then(Value::as_u64).unwrap_or(0);
                if Some(got) != count.as_u64() {
                    fail(format!("{endpoint} requested {got} times, expected {count}"));
                }
            }
        }
    }
    // Never the token in a log line: neither its payload nor its signature.
    let text = serde_json::to_string(&*logs.lock().unwrap()).unwrap();
    if minted.iter().any(|t| t.split('.').skip(1).any(|part| text.contains(part))) {
        failures.push("a token's payload or signature reached the log".to_owned());
    }
    failures
}

// ---- the table ----------------------------------------------------------------------------------

#[test]
#[ignore = "the fault table against tests/faults/server.mjs: make test-faults"]
fn fault_table() {
    let table: Value =
        serde_json::from_slice(&std::fs::read(root().join("tests/faults/scenarios.json")).unwrap()).unwrap();
    let only: Option<Vec<String>> =
        std::env::var("FAULTS_ONLY").ok().map(|v| v.split(',').map(str::to_owned).collect());
    let server = Server::start();
    let (mut passed, mut failed) = (0, 0);
    let mut results = Map::new();
    let began = Instant::now();
    for scenario in table["scenarios"].as_array().unwrap() {
        let name = s(&scenario["name"]);
        if only.as_ref().is_some_and(|o| !o.iter().any(|n| n == name)) {
            continue;
        }
        let t0 = Instant::now();
        let failures = run_scenario(&server, &table, scenario);
        let ms = t0.elapsed().as_millis();
        if failures.is_empty() {
            passed += 1;
            println!("ok   {name} ({ms} ms)");
        } else {
            failed += 1;
            println!("FAIL {name} ({ms} ms)");
            for f in failures.iter().take(6) {
                println!("     {f}");
            }
            if failures.len() > 6 {
                println!("     ... and {} more", failures.len() - 6);
            }
        }
        results.insert(name.to_owned(), json!({"passed": failures.is_empty(), "failures": failures}));
    }
    let dir = root().join("target/faults");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("lambda.json"), serde_json::to_string_pretty(&results).unwrap() + "\n").unwrap();
    println!("lambda host: table run in {} s", began.elapsed().as_secs());
    println!("{passed} passed, {failed} failed");
    assert_eq!(failed, 0, "{failed} fault scenarios failed (see the lines above)");
}
