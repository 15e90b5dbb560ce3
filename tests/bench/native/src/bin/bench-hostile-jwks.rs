//! `make bench`'s hostile key-set row, native side (tests/bench/hostile-jwks.mjs writes the
//! fixture and runs this): a fresh key set parsed from the fixture's JWKS and one token
//! decided, `runs` times; prints the median and the worst in milliseconds as JSON.
//!
//!   cargo run --release -p jwtgate-bench --bin bench-hostile-jwks -- <fixture.json> <runs>

use jwtgate_core::{Config, KeySet, Verifier};
use serde_json::{Value, json};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let fx: Value = serde_json::from_slice(&std::fs::read(&args[1]).expect("fixture")).expect("fixture JSON");
    let runs: usize = args[2].parse().expect("runs");
    let config = Config::from_json(fx["config"].to_string().as_bytes()).expect("config");
    let verifier = Verifier::new(config);
    let jwks = fx["jwks"].to_string();
    let token = fx["token"].as_str().expect("token");
    let now = fx["now"].as_i64().expect("now");
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        let keys = KeySet::parse(jwks.as_bytes(), &verifier.config().limits).expect("the key set loads");
        let verified = verifier.verify(&keys, token, now);
        times.push(start.elapsed().as_secs_f64() * 1000.0);
        assert!(verified.is_ok(), "the signer's token must verify: {:?}", verified.err().map(|f| f.reason));
        assert_eq!(keys.keys().len(), fx["jwks"]["keys"].as_array().unwrap().len(), "every key loads");
    }
    times.sort_by(f64::total_cmp);
    println!("{}", json!({ "median_ms": times[times.len() / 2], "max_ms": times[times.len() - 1], "runs": runs }));
}
