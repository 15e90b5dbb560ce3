//! jwtgate's Lambda host: the jwtgate .wasm run by wasmtime (compiled ahead of time), one
//! decision per API Gateway authorizer event, and the key fetches the module asks for.
//!
//! `engine` is the reusable part (the conformance runner and benchmarks use it directly);
//! `authorizer` drives the module's key fetches and writes the decision log; `fetch` performs
//! them; `metrics` makes log lines CloudWatch metric records; `runtime_api` is the Lambda
//! Runtime API client and loop; `main.rs` wires the authorizer to it or to the local mode.

pub mod authorizer;
pub mod engine;
pub mod fetch;
pub mod metrics;
pub mod runtime_api;
pub mod settings;

use std::time::{SystemTime, UNIX_EPOCH};

/// The wall clock in milliseconds since the epoch (0 if the clock is before 1970, which the
/// core refuses as `invalid_clock`).
pub fn unix_now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}
