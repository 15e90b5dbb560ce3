// The one wasmtime configuration, shared by build.rs (which compiles the module ahead of time
// with Cranelift) and the runtime (which only deserializes it). wasmtime refuses a `.cwasm`
// whose compile-time settings differ from the engine loading it, so both sides must build
// their `Config` from this file; it is `include!`d by both and must stay free of crate paths.

/// The wasmtime settings both sides agree on.
pub fn jwtgate_wasmtime_config() -> wasmtime::Config {
    let mut config = wasmtime::Config::new();
    // Fuel bounds every call: a request cannot run away, whatever its input.
    config.consume_fuel(true);
    // wasm-bindgen's module declares an externref table, a GC type for wasmtime, although the
    // C ABI never stores a reference in it. The null collector is the smallest that accepts
    // it: it never collects, and nothing is ever allocated.
    config.wasm_reference_types(true);
    config.collector(wasmtime::Collector::Null);
    // wasmtime's default memory layout on 64-bit hosts: a 4 GiB virtual reservation plus
    // guard pages per memory, so Cranelift can drop bounds checks (measured here: a decision
    // took 234 µs with a 1 GiB reservation and explicit checks, 158 µs with the default).
    // It is address space, not RAM; the store limiter caps what the module really uses.
    //
    // No CPU features are named here, on purpose: build.rs gives Cranelift the target triple,
    // so it infers none from the build machine and emits baseline code (x86-64 with SSE2;
    // ARMv8-A with NEON, which wasm SIMD needs). The runtime deserializes only a module whose
    // target and flags its CPU supports, so a feature set here that some Lambda CPU lacks
    // (Graviton2, Neoverse N1, ARMv8.2: no pointer authentication, no i8mm) would fail every
    // cold start there; `make test-arm64` runs the arm64 build as a Neoverse N1 under qemu.
    config
}
