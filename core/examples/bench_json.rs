//! The native row of `make bench` (tests/bench): jwtgate-core deciding TOKEN events directly,
//! no wasm. A driver of the benchmark's line protocol (tests/bench/driver.mjs): reads the
//! fixture, checks a valid token is allowed and a tampered one refused, then answers
//! `{"op":"round","alg","n"}` with per-decision times in µs and `{"op":"mem","alg","n"}` with
//! its RSS.
//!
//!   cargo run --release -p jwtgate-core --example bench_json -- <fixture.json>

use jwtgate_core::{Config, KeySet, Outcome, Verifier};
use serde_json::{Value, json};
use std::io::{BufRead, Write};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

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

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
}

fn event(fx: &Value, token: &str) -> Vec<u8> {
    json!({"type": "TOKEN", "authorizationToken": format!("Bearer {token}"), "methodArn": fx["methodArn"]})
        .to_string()
        .into_bytes()
}

fn allowed(verifier: &Verifier, keys: &KeySet, event: &[u8]) -> bool {
    verifier.authorize(keys, event, now()).outcome == Outcome::Allow
}

fn main() {
    let started = Instant::now();
    let path = std::env::args().nth(1).expect("usage: bench_json <fixture.json>");
    let fx: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let config = json!({"issuers": [fx["issuer"]], "audiences": [fx["audience"]], "algorithms": fx["algs"]});
    let verifier = Verifier::new(Config::from_json(config.to_string().as_bytes()).unwrap());
    let keys = verifier.load_keys(fx["jwks"].to_string().as_bytes()).unwrap();
    let algs: Vec<String> = fx["algs"].as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_owned()).collect();
    let events = |alg: &str| -> Vec<Vec<u8>> {
        fx["tokens"][alg].as_array().unwrap().iter().map(|t| event(&fx, t.as_str().unwrap())).collect()
    };
    let inputs: Vec<(String, Vec<Vec<u8>>)> = algs.iter().map(|a| (a.clone(), events(a))).collect();
    for (alg, list) in &inputs {
        assert!(allowed(&verifier, &keys, &list[0]), "{alg}: a valid token was not allowed");
        let tampered = event(&fx, fx["tampered"][alg].as_str().unwrap());
        assert!(!allowed(&verifier, &keys, &tampered), "{alg}: a tampered token was allowed");
    }
    send(
        json!({"ready": true, "runtime": if cfg!(debug_assertions) { "native (rustc, debug)" } else { "native (rustc, release)" }, "algs": algs, "rss": rss_bytes(),
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
                    let ok = allowed(&verifier, &keys, std::hint::black_box(input));
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
                    bad += usize::from(!allowed(&verifier, &keys, &list[i % list.len()]));
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
