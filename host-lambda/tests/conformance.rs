//! The conformance table (tests/conformance/vectors.json) decided by the wasm module in wasmtime,
//! through this host's engine, with each signature provider: the module's own (`wasmtime`) and
//! the host's native one (`wasmtime-native`). Writes target/conformance/<host>.json for
//! tests/conformance/compare.mjs.

use jwtgate_lambda::engine::{Engine, Signatures};
use serde_json::{Map, Value, json};
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn run(signatures: Signatures, host: &str) {
    let doc: Value =
        serde_json::from_slice(&std::fs::read(root().join("tests/conformance/vectors.json")).unwrap()).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    let mut engine = Engine::embedded().unwrap();
    engine.set_signatures(signatures);
    let (mut passed, mut failed) = (0, 0);
    let mut results = Map::new();
    for c in cases {
        let name = c["name"].as_str().unwrap();
        // One warm instance for every case, reconfigured per case, as a Lambda is per deploy.
        let configured = engine.configure(c["config"].to_string().as_bytes());
        if let Some(want) = c["expected"].get("config_error") {
            // The setting the refusal names: `invalid configuration: SETTING: problem`.
            let setting = configured.err().map(|e| {
                let text = e.to_string();
                text.split("invalid configuration: ")
                    .nth(1)
                    .and_then(|rest| rest.split(':').next())
                    .map(str::to_owned)
                    .unwrap_or(text)
            });
            if setting.as_deref() == want.as_str() {
                passed += 1;
            } else {
                failed += 1;
                println!("FAIL {name}: configuration refused naming {setting:?}, expected {want}");
            }
            results.insert(name.to_owned(), json!({ "config_error": setting }));
            continue;
        }
        configured.unwrap_or_else(|e| panic!("{name}: {e}"));
        // The keys are inline in the configuration: nothing to fetch.
        let d = engine.authorize(c["event"].to_string().as_bytes(), c["now"].as_i64().unwrap() * 1000).unwrap();
        let (outcome, reason) = (d.0["outcome"].clone(), d.0["reason"].clone());
        let context = d.0["response"].get("context").cloned().unwrap_or(Value::Null);
        let context_ok = c["expected"].get("context").is_none_or(|want| *want == context);
        let usage = d.0["response"].get("usageIdentifierKey").cloned().unwrap_or(Value::Null);
        let context_ok = context_ok && c["expected"].get("usage_identifier").is_none_or(|want| *want == usage);
        if outcome == c["expected"]["outcome"] && reason == c["expected"]["reason"] && context_ok {
            passed += 1;
        } else {
            failed += 1;
            println!("FAIL {name}: got {outcome}/{reason}, expected {}", c["expected"]);
        }
        results.insert(name.to_owned(), json!({ "outcome": outcome, "reason": reason, "response": d.0["response"] }));
    }
    let out = root().join("target/conformance");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join(format!("{host}.json")), serde_json::to_string_pretty(&Value::Object(results)).unwrap())
        .unwrap();
    println!("conformance ({host}: wasm in wasmtime, {signatures:?} signatures): {} cases", cases.len());
    println!("{passed} passed, {failed} failed");
    assert_eq!(failed, 0);
}

#[test]
fn wasmtime_with_the_modules_own_signatures() {
    run(Signatures::Wasm, "wasmtime");
}

#[test]
fn wasmtime_with_native_signatures() {
    run(Signatures::Host, "wasmtime-native");
}
