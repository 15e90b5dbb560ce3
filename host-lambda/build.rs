//! Compiles the jwtgate module (`wasm/pkg/jwtgate_wasm_bg.wasm`, built by `make wasm`) ahead of
//! time into `$OUT_DIR/jwtgate.cwasm`, so the Lambda never runs Cranelift at cold start.

use std::path::PathBuf;

include!("src/wasmtime_config.rs");

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let wasm_path = std::env::var_os("JWTGATE_WASM")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("../wasm/pkg/jwtgate_wasm_bg.wasm"));
    println!("cargo::rerun-if-changed={}", wasm_path.display());
    println!("cargo::rerun-if-changed=src/wasmtime_config.rs");
    println!("cargo::rerun-if-env-changed=JWTGATE_WASM");

    let wasm = match std::fs::read(&wasm_path) {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!(
                "error: cannot read the jwtgate module {}: {e}\n\
                 Build it first with `make wasm` at the repository root \
                 (or point JWTGATE_WASM at a built jwtgate_wasm_bg.wasm).",
                wasm_path.display()
            );
            std::process::exit(1);
        }
    };

    let mut config = jwtgate_wasmtime_config();
    // Compile for the crate's target (cargo lambda cross-compiles for arm64: `make lambda-zip
    // ARCH=arm64`), with full optimisation. Naming the target keeps the build machine's CPU
    // features out of the code (wasmtime_config.rs); Cranelift has the x86_64 and arm64 backends
    // (Cargo.toml's build dependencies).
    let target = std::env::var("TARGET").expect("cargo sets TARGET");
    if let Err(e) = config.target(&target) {
        eprintln!("error: wasmtime cannot compile for target {target}: {e}");
        std::process::exit(1);
    }
    config.cranelift_opt_level(wasmtime::OptLevel::Speed);
    let engine = wasmtime::Engine::new(&config).unwrap_or_else(|e| {
        eprintln!("error: wasmtime engine: {e}");
        std::process::exit(1);
    });
    let cwasm = engine.precompile_module(&wasm).unwrap_or_else(|e| {
        eprintln!("error: compiling {}: {e:?}", wasm_path.display());
        std::process::exit(1);
    });
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("jwtgate.cwasm");
    std::fs::write(&out, cwasm).expect("write jwtgate.cwasm");
}
