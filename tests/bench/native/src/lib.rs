//! The benchmark's line protocol for a native driver (tests/bench/README.md, `driver.mjs`):
//! one place for the core's and the Lambda host's rows, which differ only in how a decision is
//! made.
//!
//! A driver reads the fixture, checks that a valid token is allowed and a tampered one refused
//! for every algorithm, says `ready`, then answers `{"op":"round","alg","n"}` with per-decision
//! times in µs and `{"op":"mem","alg","n"}` with its RSS after `n` decisions, until
//! `{"op":"exit"}` or the end of its input. Every line it writes starts with `@@bench `.

use serde_json::{Value, json};
use std::io::{BufRead, Write};
use std::time::Instant;

/// The fixture (tests/bench/run.mjs writes it): issuer, audience, algorithms, JWKS, tokens.
pub fn fixture(path: &str) -> Value {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_slice(&bytes).expect("the fixture is JSON")
}

/// The fixture's algorithms.
pub fn algorithms(fx: &Value) -> Vec<String> {
    fx["algs"].as_array().expect("algs").iter().map(|a| a.as_str().expect("an algorithm").to_owned()).collect()
}

/// A TOKEN authorizer event carrying `token` for the fixture's method ARN.
pub fn token_event(fx: &Value, token: &str) -> Vec<u8> {
    json!({"type": "TOKEN", "authorizationToken": format!("Bearer {token}"), "methodArn": fx["methodArn"]})
        .to_string()
        .into_bytes()
}

/// The resident set size of this process, in bytes.
pub fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0)
        * 1024
}

fn send(msg: Value) {
    let mut out = std::io::stdout().lock();
    writeln!(out, "@@bench {msg}").expect("stdout");
    out.flush().expect("stdout");
}

/// Check the fixture's tokens with `allowed`, say ready as `runtime`, and answer the driver's
/// commands until it says exit. `started` is when the process began its setup.
pub fn serve(fx: &Value, runtime: &str, started: Instant, mut allowed: impl FnMut(&[u8]) -> bool) {
    let algs = algorithms(fx);
    let inputs: Vec<(String, Vec<Vec<u8>>)> = algs
        .iter()
        .map(|alg| {
            let tokens = fx["tokens"][alg].as_array().expect("tokens");
            (alg.clone(), tokens.iter().map(|t| token_event(fx, t.as_str().expect("a token"))).collect())
        })
        .collect();
    for (alg, list) in &inputs {
        assert!(allowed(&list[0]), "{alg}: a valid token was not allowed");
        let tampered = token_event(fx, fx["tampered"][alg].as_str().expect("a tampered token"));
        assert!(!allowed(&tampered), "{alg}: a tampered token was allowed");
    }
    send(json!({"ready": true, "runtime": runtime, "algs": algs, "rss": rss_bytes(),
                "setup_ms": started.elapsed().as_secs_f64() * 1e3}));

    for line in std::io::stdin().lock().lines() {
        let line = line.expect("stdin");
        if line.trim().is_empty() {
            continue;
        }
        let cmd: Value = serde_json::from_str(&line).expect("a command is JSON");
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
        let reply = match op {
            "round" => {
                let mut samples = Vec::with_capacity(n);
                for i in 0..n {
                    let input = &list[i % list.len()];
                    let t = Instant::now();
                    let ok = allowed(std::hint::black_box(input));
                    samples.push(t.elapsed().as_secs_f64() * 1e6);
                    bad += usize::from(!ok);
                }
                json!({"samples": samples})
            }
            "mem" => {
                for i in 0..n {
                    bad += usize::from(!allowed(&list[i % list.len()]));
                }
                json!({"rss": rss_bytes()})
            }
            other => json!({"error": format!("unknown op {other}")}),
        };
        if bad > 0 {
            send(json!({"error": format!("{bad} of {n} decisions were not allows")}));
        } else {
            send(reply);
        }
    }
}
