//! The conformance table (tests/conformance/vectors.json) decided by the native core. Writes
//! each decision to target/conformance/native.json, which tests/conformance/compare.mjs
//! compares with every other host's; and checks that every reason code has a case.

use jwtgate_core::{Config, Gate, Reason};
use serde_json::{Map, Value, json};
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn native_core_decides_every_case_as_expected() {
    let doc: Value =
        serde_json::from_slice(&std::fs::read(root().join("tests/conformance/vectors.json")).unwrap()).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    let (mut passed, mut failed) = (0, 0);
    let mut results = Map::new();
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let config = Config::from_json(c["config"].to_string().as_bytes());
        if let Some(want) = c["expected"].get("config_error") {
            let setting = config.err().map(|e| e.setting);
            if setting.as_deref() == want.as_str() {
                passed += 1;
            } else {
                failed += 1;
                println!("FAIL {name}: configuration refused naming {setting:?}, expected {want}");
            }
            results.insert(name.to_owned(), json!({ "config_error": setting }));
            continue;
        }
        let config = config.unwrap_or_else(|e| panic!("{name}: {e}"));
        // Keys travel inside the configuration (inline key sets), so no fetch is ever due.
        let d = Gate::new(config).authorize(c["event"].to_string().as_bytes(), c["now"].as_i64().unwrap() * 1000);
        let got = (d.outcome.name(), d.reason.map(Reason::code));
        let want = (c["expected"]["outcome"].as_str().unwrap(), c["expected"]["reason"].as_str());
        let response = d.response.as_ref().map(jwtgate_core::Response::to_value);
        let context = response.as_ref().and_then(|r| r.get("context")).cloned().unwrap_or(Value::Null);
        let context_ok = c["expected"].get("context").is_none_or(|want| *want == context);
        let usage = response.as_ref().and_then(|r| r.get("usageIdentifierKey")).cloned().unwrap_or(Value::Null);
        let usage_ok = c["expected"].get("usage_identifier").is_none_or(|want| *want == usage);
        if got == want && context_ok && usage_ok {
            passed += 1;
        } else {
            failed += 1;
            println!(
                "FAIL {name}: got {got:?} (context {context}, usage identifier {usage}), expected {want:?} (context {})",
                c["expected"].get("context").unwrap_or(&Value::Null)
            );
        }
        results.insert(name.to_owned(), json!({ "outcome": got.0, "reason": got.1, "response": response }));
    }
    let out = root().join("target/conformance");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("native.json"), serde_json::to_string_pretty(&Value::Object(results)).unwrap()).unwrap();
    println!("conformance (native core): {} cases", cases.len());
    println!("{passed} passed, {failed} failed");
    assert_eq!(failed, 0);

    let covered: Vec<&str> = cases.iter().filter_map(|c| c["expected"]["reason"].as_str()).collect();
    let missing: Vec<&str> = Reason::ALL.iter().map(|r| r.code()).filter(|code| !covered.contains(code)).collect();
    assert!(missing.is_empty(), "reason codes without a conformance case: {missing:?}");
}
