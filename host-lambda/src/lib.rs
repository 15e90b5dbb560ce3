//! jwtgate's Lambda host: the jwtgate .wasm run by wasmtime (compiled ahead of time), the
//! JWKS fetched and cached here, one decision per API Gateway authorizer event.

pub mod engine;
