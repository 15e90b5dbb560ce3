//! Lists the TypeScript and JavaScript side keeps by hand, held equal to the core's:
//! - the reason codes of `CoreReason` (host-node/src/errors.ts) are exactly `Reason::ALL`'s;
//! - the algorithm names the module's `hostVerify` import maps its codes to
//!   (wasm/js/host-provider.js, `ALGORITHMS`) are `Algorithm::ALL`'s names in the same order,
//!   since the code crossing the boundary is the position;
//! - the `node:crypto` provider (host-node/src/node-crypto-verifier.ts, `CHECKS`) has a check
//!   for exactly those algorithms.
//!
//! The files are read as text: each list is the quoted names between two markers.

use jwtgate_core::alg::Algorithm;
use jwtgate_core::reason::Reason;
use std::collections::BTreeSet;

fn source(path: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The text from `start` up to the first `end` after it.
fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text.find(start).unwrap_or_else(|| panic!("no {start:?}")) + start.len();
    let len = text[from..].find(end).unwrap_or_else(|| panic!("no {end:?} after {start:?}"));
    &text[from..from + len]
}

/// Every double-quoted string in `text`, in order.
fn quoted(text: &str) -> Vec<String> {
    text.split('"').skip(1).step_by(2).map(str::to_owned).collect()
}

#[test]
fn core_reasons_in_typescript_are_the_cores() {
    let errors = source("host-node/src/errors.ts");
    let typescript = quoted(between(&errors, "export type CoreReason =", ";"));
    let unique: BTreeSet<&str> = typescript.iter().map(String::as_str).collect();
    assert_eq!(unique.len(), typescript.len(), "a reason listed twice in errors.ts: {typescript:?}");
    let core: BTreeSet<&str> = Reason::ALL.iter().map(|r| r.code()).collect();
    assert_eq!(core.len(), Reason::ALL.len());
    let missing: Vec<_> = core.difference(&unique).collect();
    let extra: Vec<_> = unique.difference(&core).collect();
    assert!(missing.is_empty() && extra.is_empty(), "errors.ts lacks {missing:?}, has unknown {extra:?}");
}

#[test]
fn host_verify_names_algorithms_in_the_cores_order() {
    let provider = source("wasm/js/host-provider.js");
    let names = quoted(between(&provider, "const ALGORITHMS = [", "]"));
    let core: Vec<&str> = Algorithm::ALL.iter().map(|a| a.name()).collect();
    assert_eq!(names, core, "wasm/js/host-provider.js ALGORITHMS must follow Algorithm::ALL");
    for (position, alg) in Algorithm::ALL.iter().enumerate() {
        assert_eq!(alg.code() as usize, position, "{alg:?}: the code is the position");
    }
}

#[test]
fn node_crypto_checks_every_algorithm_and_no_other() {
    let verifier = source("host-node/src/node-crypto-verifier.ts");
    let table = between(&verifier, "const CHECKS = new Map<string, Check>([", "]);");
    // Each entry opens with `["NAME",`; the hash names inside the entries are not names.
    let names: BTreeSet<String> =
        table.split("[\"").skip(1).map(|entry| entry.split('"').next().unwrap().to_owned()).collect();
    let core: BTreeSet<String> = Algorithm::ALL.iter().map(|a| a.name().to_owned()).collect();
    assert_eq!(names, core, "node-crypto-verifier.ts CHECKS");
}
