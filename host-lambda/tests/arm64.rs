//! The arm64 (Graviton) build checked on this machine under qemu user-mode emulation
//! (`make test-arm64`): every case of the conformance table (tests/conformance/vectors.json)
//! decided by the aarch64 engine and its aarch64 `.cwasm`, with each signature provider.
//! Each result must meet the table's expectation (the rules of tests/conformance.rs) and be
//! the very decision this machine's own build makes (outcome, reason and whole response).
//!
//! Needs the arm64 build and qemu, hence `#[ignore]` for plain `cargo test`; `make test-arm64`
//! sets them:
//!   JWTGATE_ARM64_CONFORMANCE   the aarch64 `jwtgate-lambda-conformance` binary
//!   JWTGATE_BOOTSTRAP_RUNNER    the command prefix that runs it (scripts/install-qemu.sh:
//!                               `qemu-aarch64 -cpu neoverse-n1 -L /usr/aarch64-linux-gnu`)
//! (The zip's `bootstrap` itself runs tests/lambda_e2e.rs under the same runner.)

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn vectors() -> PathBuf {
    root().join("tests/conformance/vectors.json")
}

/// `jwtgate-lambda-conformance VECTORS signatures` run through `runner` (empty: directly).
fn decide_all(runner: &[String], binary: &Path, signatures: &str) -> serde_json::Map<String, Value> {
    let (program, prefix) = match runner.split_first() {
        Some((program, rest)) => (PathBuf::from(program), rest.iter().map(String::as_str).collect::<Vec<_>>()),
        None => (binary.to_path_buf(), vec![]),
    };
    let mut cmd = Command::new("timeout");
    cmd.args(["--kill-after=5", "600"]).arg(program).args(prefix);
    if !runner.is_empty() {
        cmd.arg(binary);
    }
    let started = Instant::now();
    let out = cmd.arg(vectors()).arg(signatures).env_clear().output().expect("run jwtgate-lambda-conformance");
    assert!(
        out.status.success(),
        "{runner:?} {} failed ({}): {}",
        binary.display(),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("{} {signatures}: {:.1} s", binary.display(), started.elapsed().as_secs_f64());
    match serde_json::from_slice(&out.stdout) {
        Ok(Value::Object(results)) => results,
        _ => panic!("not a results object: {}", String::from_utf8_lossy(&out.stdout)),
    }
}

/// A case's result against the table's expectation, as tests/conformance.rs judges it.
fn meets_expectation(case: &Value, got: &Value) -> bool {
    let expected = &case["expected"];
    if let Some(want) = expected.get("config_error") {
        return got.get("config_error") == Some(want);
    }
    let (Some(outcome), Some(reason)) = (got.get("outcome"), got.get("reason")) else {
        return false;
    };
    let response = got.get("response").cloned().unwrap_or(Value::Null);
    let context = response.get("context").cloned().unwrap_or(Value::Null);
    let usage = response.get("usageIdentifierKey").cloned().unwrap_or(Value::Null);
    *outcome == expected["outcome"]
        && *reason == expected["reason"]
        && expected.get("context").is_none_or(|want| *want == context)
        && expected.get("usage_identifier").is_none_or(|want| *want == usage)
}

fn check(signatures: &str) {
    let binary = std::env::var_os("JWTGATE_ARM64_CONFORMANCE")
        .map(PathBuf::from)
        .expect("JWTGATE_ARM64_CONFORMANCE names the aarch64 jwtgate-lambda-conformance: make test-arm64");
    assert!(binary.exists(), "{} is missing: make test-arm64 builds it", binary.display());
    let runner: Vec<String> = std::env::var("JWTGATE_BOOTSTRAP_RUNNER")
        .expect("JWTGATE_BOOTSTRAP_RUNNER is the qemu command prefix: make test-arm64")
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    assert!(!runner.is_empty(), "JWTGATE_BOOTSTRAP_RUNNER is empty");

    let doc: Value = serde_json::from_slice(&std::fs::read(vectors()).unwrap()).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    let here = decide_all(&[], Path::new(env!("CARGO_BIN_EXE_jwtgate-lambda-conformance")), signatures);
    let arm64 = decide_all(&runner, &binary, signatures);

    let (mut passed, mut failed) = (0, 0);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let Some(got) = arm64.get(name) else {
            failed += 1;
            println!("FAIL {name}: no result from the arm64 build");
            continue;
        };
        if !meets_expectation(case, got) {
            failed += 1;
            println!("FAIL {name}: arm64 decided {got}, expected {}", case["expected"]);
        } else if here.get(name) != Some(got) {
            failed += 1;
            println!("FAIL {name}: arm64 decided {got}, this machine {}", here.get(name).unwrap_or(&Value::Null));
        } else {
            passed += 1;
        }
    }
    assert_eq!(arm64.len(), cases.len(), "one result per case");
    println!("conformance (arm64 under qemu, {signatures} signatures): {} cases", cases.len());
    println!("{passed} passed, {failed} failed");
    assert!(passed > 0, "no case ran");
    assert_eq!(failed, 0);
}

#[test]
#[ignore = "needs the arm64 build and qemu: make test-arm64"]
fn arm64_conformance_with_the_modules_own_signatures() {
    check("wasm");
}

#[test]
#[ignore = "needs the arm64 build and qemu: make test-arm64"]
fn arm64_conformance_with_native_signatures() {
    check("host");
}
