//! The wasmtime row of `make bench`: the jwtgate .wasm in wasmtime through host-lambda's
//! `Authorizer` (the Lambda's per-decision path), keys served by a static fetcher from the
//! fixture's JWKS, as a driver of the benchmark's line protocol (the crate's `serve`).
//!
//!   cargo run --release -p jwtgate-bench --bin bench-lambda -- <fixture.json> [wasm|host]
//!
//! The optional second argument is `SIGNATURES` (host: the Lambda host's native provider).

use jwtgate_lambda::authorizer::Authorizer;
use jwtgate_lambda::engine::Engine;
use jwtgate_lambda::fetch::{Fetch, FetchRequest, Reply};
use jwtgate_lambda::settings::{self, relevant_env};
use serde_json::Value;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

struct Static(Vec<u8>);
impl Fetch for Static {
    fn fetch(&self, _: &FetchRequest) -> Reply {
        Reply::Answer { status: 200, location: None, cache_control: Some("max-age=3600".into()), body: self.0.clone() }
    }
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("a clock after 1970").as_millis() as u64
}

fn main() {
    let started = Instant::now();
    let path = std::env::args().nth(1).expect("usage: bench-lambda <fixture.json> [wasm|host]");
    // Unset SIGNATURES when none is given: the host's default.
    let fx = jwtgate_bench::fixture(&path);
    let text = |v: &Value| v.as_str().expect("a string").to_owned();
    let signatures = std::env::args().nth(2).map(|s| ("SIGNATURES".to_owned(), s));
    let env = relevant_env(
        [
            ("ISSUER".to_owned(), text(&fx["issuer"])),
            ("AUDIENCE".to_owned(), text(&fx["audience"])),
            ("ALGORITHMS".to_owned(), jwtgate_bench::algorithms(&fx).join(",")),
            ("JWKS_URI".to_owned(), "https://keys.bench.invalid/jwks".to_owned()),
        ]
        .into_iter()
        .chain(signatures),
    );
    let mut engine = Engine::embedded().expect("the embedded module loads");
    let host = settings::from_env(&mut engine, &env).expect("valid settings");
    let jwks = fx["jwks"].to_string().into_bytes();
    let mut authorizer =
        Authorizer::new(engine, host, Box::new(Static(jwks)), Box::new(|_: &Value| {})).expect("an authorizer");
    authorizer.warm_up(now()).expect("the keys load");
    let runtime = if cfg!(debug_assertions) { "wasmtime (debug host)" } else { "wasmtime (host-lambda)" };
    jwtgate_bench::serve(&fx, runtime, started, |event| {
        let verdict = authorizer.decide(event, now());
        verdict.response.as_ref().is_some_and(|r| r["policyDocument"]["Statement"][0]["Effect"] == "Allow")
    });
}
