//! The conformance table (tests/conformance/vectors.json) decided in one process by this
//! build's engine, case by case as tests/conformance.rs decides it: one warm instance
//! reconfigured per case, the keys inline, the case's clock. It exists for builds whose tests
//! cannot be compiled here: the arm64 build runs it under qemu (tests/arm64.rs), which checks
//! every result against the table and against this machine's own decisions.
//!
//!   jwtgate-lambda-conformance VECTORS_JSON wasm|host
//!
//! The second argument is the setting `SIGNATURES`: `wasm`, the module's own signature checks;
//! `host`, this host's native ones.
//! Prints one JSON object, case name to result: `{"outcome","reason","response"}`,
//! `{"config_error": SETTING}` (the setting a refused configuration names), or `{"error": ...}`
//! when the engine failed; the documents tests/conformance.rs writes to target/conformance/.

use jwtgate_core::setting::Named;
use jwtgate_lambda::engine::Engine;
use serde_json::{Map, Value, json};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (path, signatures) = match args.as_slice() {
        [path, s] => match jwtgate_lambda::engine::Signatures::from_setting("SIGNATURES", s) {
            Ok(signatures) => (path, signatures),
            Err(e) => {
                eprintln!("jwtgate-lambda-conformance: {}", e.message());
                return ExitCode::from(2);
            }
        },
        _ => {
            eprintln!("usage: jwtgate-lambda-conformance VECTORS_JSON wasm|host");
            return ExitCode::from(2);
        }
    };
    let doc: Value = match std::fs::read(path)
        .map_err(|e| e.to_string())
        .and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string()))
    {
        Ok(doc) => doc,
        Err(e) => {
            eprintln!("jwtgate-lambda-conformance: {path}: {e}");
            return ExitCode::from(2);
        }
    };
    let Some(cases) = doc.get("cases").and_then(Value::as_array) else {
        eprintln!("jwtgate-lambda-conformance: {path} has no `cases` list");
        return ExitCode::from(2);
    };
    let mut engine = match Engine::embedded() {
        Ok(engine) => engine,
        Err(e) => {
            eprintln!("jwtgate-lambda-conformance: the module does not load: {e}");
            return ExitCode::FAILURE;
        }
    };
    engine.set_signatures(signatures);
    let mut results = Map::new();
    for c in cases {
        let name = c["name"].as_str().unwrap_or_default().to_owned();
        results.insert(name, decide(&mut engine, c));
    }
    println!("{}", Value::Object(results));
    ExitCode::SUCCESS
}

/// One case's result, as tests/conformance.rs records it.
fn decide(engine: &mut Engine, c: &Value) -> Value {
    if let Err(e) = engine.configure(c["config"].to_string().as_bytes()) {
        // The setting the refusal names: `invalid configuration: SETTING: problem`.
        let text = e.to_string();
        let setting =
            text.split("invalid configuration: ").nth(1).and_then(|rest| rest.split(':').next()).map(str::to_owned);
        return match setting {
            Some(setting) => json!({ "config_error": setting }),
            None => json!({ "error": text }),
        };
    }
    if c["expected"].get("config_error").is_some() {
        return json!({ "config_error": null });
    }
    let Some(now) = c["now"].as_i64() else {
        return json!({ "error": "the case has no `now`" });
    };
    match engine.authorize(c["event"].to_string().as_bytes(), now * 1000) {
        Ok(d) => json!({ "outcome": d.0["outcome"], "reason": d.0["reason"], "response": d.0["response"] }),
        Err(e) => json!({ "error": e.to_string() }),
    }
}
