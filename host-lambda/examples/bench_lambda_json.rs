//!
//! The wasmtime row of `make bench` (tests/bench): the jwtgate .wasm in wasmtime through
//! host-lambda's `Authorizer` (the same per-decision path as the Lambda), keys served by a
//! static fetcher from the fixture's JWKS. A driver of the benchmark's line protocol
//! (tests/bench/README.md): checks a valid token is allowed and a tampered one refused, then
//! answers `{"op":"round","alg","n"}` with per-decision times in µs and `{"op":"mem"}` with RSS.
//!
//!   cargo run --release -p jwtgate-lambda --example bench_lambda_json -- <fixture.json> [wasm|host]
//!
//! The optional second argument is `SIGNATURES` (host: this host's native provider).

use jwtgate_lambda::authorizer::Authorizer;
use jwtgate_lambda::engine::Engine;
use jwtgate_lambda::fetch::{Fetch, FetchRequest, Reply};
use jwtgate_lambda::settings::{self, relevant_env};
use serde_json::{Value, json};
use std::io::{BufRead, Write};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

struct Static(Vec<u8>);
impl Fetch for Static {
    fn fetch(&self, _: &FetchRequest) -> Reply {
        Reply::Answer { status: 200, location: None, cache_control: Some("max-age=3600".into()), body: self.0.clone() }
    }
}

fn send(msg: Value) {
    let mut out = std::io::stdout().lock();
    writeln!(out, "@@bench {msg}").unwrap();
    out.flush().unwrap();
}

fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0)
        * 1024
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as u64
}

fn event(fx: &Value, token: &str) -> Vec<u8> {
    json!({"type": "TOKEN", "authorizationToken": format!("Bearer {token}"), "methodArn": fx["methodArn"]})
        .to_string()
        .into_bytes()
}

fn allowed(authorizer: &mut Authorizer, event: &[u8]) -> bool {
    let verdict = authorizer.decide(event, now());
    verdict.response.as_ref().is_some_and(|r| r["policyDocument"]["Statement"][0]["Effect"] == "Allow")
}

fn main() {
    let started = Instant::now();
    let path = std::env::args().nth(1).expect("usage: bench_lambda_json <fixture.json> [wasm|host]");
    let fx: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let s = |v: &Value| v.as_str().unwrap().to_owned();
    let algs_csv = fx["algs"].as_array().unwrap().iter().map(&s).collect::<Vec<_>>().join(",");
    let signatures = std::env::args().nth(2).unwrap_or_else(|| "wasm".to_owned());
    let env = relevant_env([
        ("ISSUER".to_owned(), s(&fx["issuer"])),
        ("AUDIENCE".to_owned(), s(&fx["audience"])),
        ("ALGORITHMS".to_owned(), algs_csv),
        ("JWKS_URI".to_owned(), "https://keys.bench.invalid/jwks".to_owned()),
        ("SIGNATURES".to_owned(), signatures),
    ]);
    let mut engine = Engine::embedded().unwrap();
    let host = settings::from_env(&mut engine, &env).unwrap();
    let jwks = fx["jwks"].to_string().into_bytes();
    let mut authorizer = Authorizer::new(engine, host, Box::new(Static(jwks)), Box::new(|_: &Value| {})).unwrap();
    authorizer.warm_up(now()).unwrap();
    let algs: Vec<String> = fx["algs"].as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_owned()).collect();
    let events = |alg: &str| -> Vec<Vec<u8>> {
        fx["tokens"][alg].as_array().unwrap().iter().map(|t| event(&fx, t.as_str().unwrap())).collect()
    };
    let inputs: Vec<(String, Vec<Vec<u8>>)> = algs.iter().map(|a| (a.clone(), events(a))).collect();
    for (alg, list) in &inputs {
        assert!(allowed(&mut authorizer, &list[0]), "{alg}: a valid token was not allowed");
        let tampered = event(&fx, fx["tampered"][alg].as_str().unwrap());
        assert!(!allowed(&mut authorizer, &tampered), "{alg}: a tampered token was allowed");
    }
    send(
        json!({"ready": true, "runtime": if cfg!(debug_assertions) { "wasmtime (debug host)" } else { "wasmtime (host-lambda)" }, "algs": algs, "rss": rss_bytes(),
                "setup_ms": started.elapsed().as_secs_f64() * 1e3}),
    );

    for line in std::io::stdin().lock().lines() {
        let line = line.unwrap();
        if line.trim().is_empty() {
            continue;
        }
        let cmd: Value = serde_json::from_str(&line).unwrap();
        let op = cmd["op"].as_str().unwrap_or("");
        if op == "exit" {
            break;
        }
        let Some((_, list)) = inputs.iter().find(|(a, _)| cmd["alg"] == a.as_str()) else {
            send(json!({"error": format!("algorithm {} not supported by this row", cmd["alg"])}));
            continue;
        };
        let n = cmd["n"].as_u64().unwrap_or(0) as usize;
        let mut bad = 0;
        match op {
            "round" => {
                let mut samples = Vec::with_capacity(n);
                for i in 0..n {
                    let input = &list[i % list.len()];
                    let t = Instant::now();
                    let ok = allowed(&mut authorizer, std::hint::black_box(input));
                    samples.push(t.elapsed().as_secs_f64() * 1e6);
                    bad += usize::from(!ok);
                }
                if bad > 0 {
                    send(json!({"error": format!("{bad} of {n} decisions were not allows")}));
                } else {
                    send(json!({"samples": samples}));
                }
            }
            "mem" => {
                for i in 0..n {
                    bad += usize::from(!allowed(&mut authorizer, &list[i % list.len()]));
                }
                if bad > 0 {
                    send(json!({"error": format!("{bad} of {n} decisions were not allows")}));
                } else {
                    send(json!({"rss": rss_bytes()}));
                }
            }
            other => send(json!({"error": format!("unknown op {other}")})),
        }
    }
}
