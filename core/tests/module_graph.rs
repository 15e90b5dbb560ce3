//! The core's layout holds its rules: `lib.rs` is the public façade only (module declarations
//! and re-exports), and no module reaches back into one that reaches it (no import loops), so
//! each rule can be read, and changed, from its own module outwards.
//!
//! The graph is read from the source text: every `crate::` path in a module's code (tests
//! left out) is an edge to the module it names.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Each module's path (`keys`, `crypto::rsa`; `crypto` for `crypto/mod.rs`) and its code
/// without comments and without its `#[cfg(test)]` module.
fn modules() -> BTreeMap<String, String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = BTreeMap::new();
    let mut dirs = vec![src.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("core/src is readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let relative = path.strip_prefix(&src).expect("under src").with_extension("");
            let mut parts: Vec<String> =
                relative.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
            if parts.last().is_some_and(|p| p == "mod") {
                parts.pop();
            }
            let text = std::fs::read_to_string(&path).expect("a source file");
            out.insert(parts.join("::"), code_of(&text));
        }
    }
    out
}

/// The text without `//` comments and without the unit tests' module.
fn code_of(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => &text[..at],
        None => text,
    };
    text.lines().map(|line| line.split("//").next().unwrap_or_default()).collect::<Vec<_>>().join("\n")
}

/// The paths named after each `crate::` in `code`, braces expanded: `crate::{a, b::C}` names
/// `a` and `b::C`.
fn crate_paths(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            out.extend(group[..end].split(',').map(|item| path_at(item.trim())).filter(|p| !p.is_empty()));
        } else {
            out.push(path_at(rest));
        }
    }
    out
}

/// The `a::b::c` path at the start of `text`.
fn path_at(text: &str) -> String {
    let end = text.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')).unwrap_or(text.len());
    text[..end].trim_end_matches(':').to_owned()
}

/// The module a path names: its longest prefix that is a module.
fn module_named<'m>(path: &str, modules: &'m BTreeMap<String, String>) -> Option<&'m str> {
    let segments: Vec<&str> = path.split("::").collect();
    (1..=segments.len())
        .rev()
        .map(|n| segments[..n].join("::"))
        .find_map(|prefix| modules.get_key_value(&prefix).map(|(name, _)| name.as_str()))
}

#[test]
fn lib_is_the_facade_only() {
    let modules = modules();
    let lib = &modules["lib"];
    for line in lib.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let facade = line.starts_with("//")
            || line.starts_with("#!")
            || line.starts_with("mod ")
            || line.starts_with("pub mod ")
            || line.starts_with("pub use ");
        assert!(facade, "core/src/lib.rs holds more than declarations and re-exports: {line:?}");
    }
    // Every module imports from the module that defines a name, never through the façade.
    for (name, code) in &modules {
        for path in crate_paths(code) {
            assert!(
                module_named(&path, &modules).is_some_and(|m| m != "lib"),
                "{name} imports `crate::{path}`, which is no module's path (a re-export of lib.rs?)"
            );
        }
    }
}

#[test]
fn no_module_imports_one_that_imports_it() {
    let modules = modules();
    let mut edges: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (name, code) in &modules {
        for path in crate_paths(code) {
            if let Some(target) = module_named(&path, &modules) {
                // A module's own items, and a parent's own children, are not loops.
                if target != name && !target.starts_with(&format!("{name}::")) {
                    edges.entry(name.as_str()).or_default().insert(target);
                }
            }
        }
    }
    // Depth-first search; a module met again on the current path closes a loop.
    fn visit<'m>(
        module: &'m str,
        edges: &BTreeMap<&'m str, BTreeSet<&'m str>>,
        path: &mut Vec<&'m str>,
        done: &mut BTreeSet<&'m str>,
        loops: &mut Vec<String>,
    ) {
        if let Some(at) = path.iter().position(|m| *m == module) {
            loops.push([&path[at..], &[module]].concat().join(" -> "));
            return;
        }
        if !done.insert(module) {
            return;
        }
        path.push(module);
        for next in edges.get(module).into_iter().flatten() {
            visit(next, edges, path, done, loops);
        }
        path.pop();
    }
    let mut loops = Vec::new();
    let mut done = BTreeSet::new();
    for module in modules.keys() {
        visit(module, &edges, &mut Vec::new(), &mut done, &mut loops);
    }
    assert!(loops.is_empty(), "import loops in the core:\n{}", loops.join("\n"));
    // The graph was read at all: the verifier reaches the key selection, which reaches keys.
    assert!(edges["verifier"].contains("key_selection") && edges["key_selection"].contains("keys"));
}
