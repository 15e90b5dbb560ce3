//! The core's only `unsafe` code: its WebAssembly SIMD kernels, one module each, compiled only
//! for `wasm32` with `simd128` (the module wasm/build.sh builds). Each kernel is a safe function
//! whose `unsafe` blocks are single 16-byte loads or stores (`v128_load`, `v128_store`: raw
//! pointers, as `core::arch::wasm32` has no slice form), each with a `SAFETY` argument that it
//! stays within its slice; wasm has no alignment requirement for them. Every other module of
//! the crate is under `#![deny(unsafe_code)]` (lib.rs), which only these files override, and
//! core/tests/unsafe_confined.rs checks the source text for every target (a native build does
//! not compile these files, so the lint alone would not see them). Their callers keep the
//! scalar code that other targets run, and finish what a kernel leaves.
#![cfg(all(target_arch = "wasm32", target_feature = "simd128"))]

/// Base64url decoding, sixteen characters at a time (for b64.rs).
pub mod base64;
/// The search for a byte, sixteen at a time (for scan.rs: a token's dots).
pub mod dot_scan;
/// The dot products of Montgomery multiplication's columns, four limbs at a time (for
/// crypto/bigint.rs).
pub mod montgomery;
