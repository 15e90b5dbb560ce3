//! Lists the TypeScript and JavaScript side keeps by hand, held equal to the core's:
//! - the reason codes of `CoreReason` (host-node/src/errors.ts) are exactly `Reason::ALL`'s;
//! - the algorithm names the module's `hostVerify` import maps its codes to
//!   (wasm/js/host-provider.js, `ALGORITHMS`) are `Algorithm::ALL`'s names in the same order,
//!   since the code crossing the boundary is the position;
//! - the `node:crypto` provider (host-node/src/node-crypto-verifier.ts, `CHECKS`) has a check
//!   for exactly those algorithms;
//! - who checks signatures has one name everywhere, the setting `SIGNATURES`'s
//!   (`env::Signatures`, `wasm` and `host`): the TypeScript type `Signatures` of the npm package
//!   (host-node/src/settings.ts) and of the CDK construct (deploy/cdk/src/settings.ts), the npm
//!   option `signatures` (host-node/src/authorizer.ts), the wasm crate's enum `Signatures`
//!   (wasm/src/provider.rs), whose variants are the names, and host-lambda's use of the
//!   setting's own type; the ABI codes of both are the names' positions.
//!
//! The files are read as text: each list is the quoted names between two markers.

use jwtgate_core::alg::Algorithm;
use jwtgate_core::env::Signatures;
use jwtgate_core::reason::Reason;
use jwtgate_core::setting::Named;
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

/// The variants of the Rust enum `name` in `text`, lowercased (doc comments and attributes
/// skipped).
fn rust_variants(text: &str, name: &str) -> Vec<String> {
    between(text, &format!("pub enum {name} {{"), "}")
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with("///") && !line.starts_with("#["))
        .map(|line| line.trim_end_matches(',').to_lowercase())
        .collect()
}

/// The ABI code of each variant of `Signatures`, from the lines of `function` that pair a code
/// with a variant (`0 => Some(Signatures::Wasm)` or `Signatures::Wasm => 0`), in code order.
fn abi_codes(text: &str, function: &str) -> Vec<String> {
    let body = between(text, function, "\n    }\n");
    let mut pairs: Vec<(u32, String)> = body
        .lines()
        .filter_map(|line| {
            let (left, right) = line.split_once("=>")?;
            let (code, variant) = if left.contains("Signatures::") { (right, left) } else { (left, right) };
            let variant = variant.split("Signatures::").nth(1)?;
            let variant: String = variant.chars().take_while(char::is_ascii_alphanumeric).collect();
            let code: u32 = code.trim().trim_end_matches(',').parse().ok()?;
            Some((code, variant.to_lowercase()))
        })
        .collect();
    pairs.sort();
    for (position, (code, _)) in pairs.iter().enumerate() {
        assert_eq!(*code as usize, position, "{function}: the codes are 0, 1, ...: {pairs:?}");
    }
    pairs.into_iter().map(|(_, variant)| variant).collect()
}

#[test]
fn signatures_have_one_name_everywhere() {
    let names: Vec<String> = Signatures::NAMES.iter().map(|(n, _)| (*n).to_owned()).collect();
    assert_eq!(names, ["wasm", "host"], "SIGNATURES: wasm and host (the default), in ABI code order");
    assert_eq!(Signatures::default().name(), "host");

    for path in ["host-node/src/settings.ts", "deploy/cdk/src/settings.ts"] {
        let typescript = quoted(between(&source(path), "export type Signatures =", ";"));
        assert_eq!(typescript, names, "{path}: type Signatures");
    }

    // The npm option is the same type; "node-crypto" is only its deprecated alias of "host".
    let authorizer = source("host-node/src/authorizer.ts");
    let option = between(between(&authorizer, "export interface RuntimeOptions", "\n}"), "signatures?:", ";");
    assert_eq!(option.trim(), r#"Signatures | "node-crypto""#, "authorizer.ts: the option `signatures`");
    let imports_signatures = authorizer
        .lines()
        .any(|l| l.starts_with("import") && l.ends_with("from \"./settings.js\";") && l.contains(" Signatures "));
    assert!(imports_signatures, "authorizer.ts imports Signatures from settings.ts");
    let refusal = quoted(between(&authorizer, "` is not ", "`"));
    assert_eq!(refusal, names, "authorizer.ts: the names an unknown `signatures` is told");

    // The wasm crate's provider has the setting's variants; host-lambda uses the setting's type.
    let provider = source("wasm/src/provider.rs");
    assert_eq!(rust_variants(&provider, "Signatures"), names, "wasm/src/provider.rs: enum Signatures");
    assert!(source("host-lambda/src/engine/mod.rs").contains("pub use jwtgate_core::env::Signatures;"));
    for (path, abi) in [("wasm/src/provider.rs", "fn from_code"), ("host-lambda/src/engine/abi.rs", "fn provider_code")]
    {
        assert_eq!(abi_codes(&source(path), abi), names, "{path}: {abi} (the ABI code is the name's position)");
    }
}
