//! The core's wasm32 SIMD kernels (`core/src/simd/`) and the core modules that call them
//! (`b64.rs`, `scan.rs`, `crypto/bigint.rs`), compiled from the core's own files into a bare
//! module with plain `extern "C"` exports, so that host-lambda/tests/simd_kernels.rs can run
//! them in wasmtime against the scalar code a native build of the core runs. Test only: built
//! by wasm/build.sh into target/wasm-test/, a dependency of nothing, never shipped.
//!
//! The included files need nothing of the core but `crate::simd`, which is why they can be
//! compiled here under the same module paths. Natively (and for wasm32 without simd128) the
//! crate is empty: the kernels exist only there.
#![cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
// As in the core: `unsafe` only where a file allows it (the kernels, and `exports` for the
// C ABI), each block with its `SAFETY` argument.
#![deny(unsafe_code)]
#![deny(clippy::undocumented_unsafe_blocks)]

// A file loaded by `path` resolves its own `mod`s next to it: this is the core's simd/mod.rs
// with its three kernel files.
#[path = "../../../core/src/simd/mod.rs"]
mod simd;

// The callers, as the module compiles them. Only the functions exported below are used here;
// the rest serve other parts of the core.
#[allow(dead_code)]
#[path = "../../../core/src/b64.rs"]
mod b64;
#[allow(dead_code)]
#[path = "../../../core/src/crypto/bigint.rs"]
mod bigint;
#[allow(dead_code)]
#[path = "../../../core/src/scan.rs"]
mod scan;

mod exports;
