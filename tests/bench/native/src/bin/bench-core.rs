//! The native row of `make bench`: jwtgate-core deciding TOKEN events directly, no wasm, as a
//! driver of the benchmark's line protocol (the crate's `serve`).
//!
//!   cargo run --release -p jwtgate-bench --bin bench-core -- <fixture.json>

use jwtgate_core::{Config, Outcome, Verifier};
use serde_json::json;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

fn main() {
    let started = Instant::now();
    let path = std::env::args().nth(1).expect("usage: bench-core <fixture.json>");
    let fx = jwtgate_bench::fixture(&path);
    let config = json!({"issuers": [fx["issuer"]], "audiences": [fx["audience"]], "algorithms": fx["algs"]});
    let verifier = Verifier::new(Config::from_json(config.to_string().as_bytes()).expect("a valid configuration"));
    let keys = verifier.load_keys(fx["jwks"].to_string().as_bytes()).expect("the fixture's keys load");
    let now = || SystemTime::now().duration_since(UNIX_EPOCH).expect("a clock after 1970").as_secs() as i64;
    let runtime = if cfg!(debug_assertions) { "native (rustc, debug)" } else { "native (rustc, release)" };
    jwtgate_bench::serve(&fx, runtime, started, |event| {
        verifier.authorize(&keys, event, now()).outcome == Outcome::Allow
    });
}
