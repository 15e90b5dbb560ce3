//! The core's only `unsafe` code: its WebAssembly SIMD kernels, one module each, compiled only
//! for `wasm32` with `simd128` (the module wasm/build.sh builds). Each kernel is a safe function
//! whose `unsafe` blocks are single 16-byte loads or stores (`v128_load`, `v128_store`: raw
//! pointers, as `core::arch::wasm32` has no slice form), each with a `SAFETY` argument that it
//! stays within its slice; wasm has no alignment requirement for them. Every other module of
//! the crate is under `#![deny(unsafe_code)]` (lib.rs), which only these files override, and
//! core/tests/unsafe_confined.rs checks the source text for every target (a native build does
//! not compile these files, so the lint alone would not see them). Their callers keep the
//! scalar code that other targets run, and finish what a kernel leaves.
//!
//! Native tests and native fuzzing never compile these files, so they are tested in wasm:
//! wasm/build.sh also builds them, with their callers (b64.rs, scan.rs, crypto/bigint.rs),
//! into a test-only module (tests/simd-kernels), and host-lambda/tests/simd_kernels.rs runs it
//! in wasmtime against the scalar code of a native build, on structured and generated inputs,
//! at each kernel's contract and through its caller (reads past an input placed at the end of
//! linear memory trap there).
#![cfg(all(target_arch = "wasm32", target_feature = "simd128"))]

/// Base64url decoding, sixteen characters at a time (for b64.rs).
pub mod base64;
/// The search for a byte, sixteen at a time (for scan.rs: a token's dots).
pub mod dot_scan;
/// The dot products of Montgomery multiplication's columns, four limbs at a time (for
/// crypto/bigint.rs).
pub mod montgomery;
