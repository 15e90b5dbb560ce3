//! jwtgate's Lambda host: the jwtgate .wasm run by wasmtime (compiled ahead of time), the
//! JWKS fetched and cached here, one decision per API Gateway authorizer event.
//!
//! `engine` is the reusable part (the conformance runner and benchmarks use it directly);
//! `authorizer` adds the JWKS cache and the decision log; `main.rs` wires it to the Lambda
//! Runtime API or to the local mode.

pub mod authorizer;
pub mod engine;
pub mod jwks;
pub mod settings;

use std::time::{SystemTime, UNIX_EPOCH};

/// The wall clock in Unix seconds (0 if the clock is before 1970, which no token survives).
pub fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}
