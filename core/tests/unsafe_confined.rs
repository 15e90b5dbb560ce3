//! `unsafe` stays where it is (issue #20): in the core, only the wasm32 SIMD kernels
//! (core/src/simd/, one module each); in the wasm crate, only the C ABI (wasm/src/c_abi.rs);
//! in the kernels' test-only module (tests/simd-kernels), only its C ABI (src/exports.rs).
//!
//! The crates deny `unsafe_code` at their root and only those files allow it, but the lint
//! sees only what a build compiles, and the kernels compile only for wasm32 with simd128: a
//! native `cargo test` or `cargo clippy` would not notice `unsafe` added in a wasm-only `cfg`.
//! So the source text is read here, for every target at once:
//! - the token `unsafe` (outside comments and string literals) is only in the allowed files,
//!   and so is any `allow`/`expect` of `unsafe_code`;
//! - the crate roots deny (or forbid) `unsafe_code`;
//! - each `unsafe { .. }` block has a `// SAFETY:` comment on the lines just above the line it
//!   is on, and each `unsafe fn` a `# Safety` section in its documentation.

use std::path::{Path, PathBuf};

/// The files that may hold `unsafe`, from the repository's root.
const ALLOWED: [&str; 5] = [
    "core/src/simd/base64.rs",
    "core/src/simd/dot_scan.rs",
    "core/src/simd/montgomery.rs",
    "wasm/src/c_abi.rs",
    "tests/simd-kernels/src/exports.rs",
];

/// The source trees checked, and their crate roots.
const TREES: [(&str, &str); 3] = [
    ("core/src", "core/src/lib.rs"),
    ("wasm/src", "wasm/src/lib.rs"),
    ("tests/simd-kernels/src", "tests/simd-kernels/src/lib.rs"),
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every `.rs` file under `dir`, as paths from the repository's root (`/`-separated).
fn rust_files(dir: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(root().join(&dir)).unwrap_or_else(|e| panic!("{dir}: {e}")) {
            let entry = entry.unwrap();
            let name = entry.file_name().into_string().unwrap();
            let path = format!("{dir}/{name}");
            if entry.file_type().unwrap().is_dir() {
                pending.push(path);
            } else if name.ends_with(".rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// `text` with its comments, string literals and character literals blanked out (newlines
/// kept, so lines keep their numbers): what is left is code. Enough of Rust's lexer for this
/// repository's sources: nested block comments, escapes, raw strings, lifetimes.
fn code_only(text: &str) -> String {
    let s = text.as_bytes();
    let mut out = s.to_vec();
    let blank = |out: &mut Vec<u8>, from: usize, to: usize| {
        for b in &mut out[from..to] {
            if *b != b'\n' {
                *b = b' ';
            }
        }
    };
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut i = 0;
    while i < s.len() {
        let rest = &s[i..];
        if rest.starts_with(b"//") {
            let end = rest.iter().position(|&b| b == b'\n').map_or(s.len(), |n| i + n);
            blank(&mut out, i, end);
            i = end;
        } else if rest.starts_with(b"/*") {
            let (mut depth, mut j) = (0, i);
            while j < s.len() {
                if s[j..].starts_with(b"/*") {
                    depth += 1;
                    j += 2;
                } else if s[j..].starts_with(b"*/") {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            blank(&mut out, i, j);
            i = j;
        } else if (s[i] == b'r' || rest.starts_with(b"br"))
            && (i == 0 || !ident(s[i - 1]))
            && raw_string_hashes(&s[i + usize::from(s[i] == b'b') + 1..]).is_some()
        {
            let start = i + usize::from(s[i] == b'b') + 1;
            let hashes = raw_string_hashes(&s[start..]).unwrap();
            let mut close = vec![b'"'];
            close.extend(std::iter::repeat_n(b'#', hashes));
            let body = start + hashes + 1;
            let end =
                s[body..].windows(close.len()).position(|w| w == close).map_or(s.len(), |n| body + n + close.len());
            blank(&mut out, i, end);
            i = end;
        } else if s[i] == b'"' {
            let mut j = i + 1;
            while j < s.len() && s[j] != b'"' {
                j += if s[j] == b'\\' { 2 } else { 1 };
            }
            blank(&mut out, i, (j + 1).min(s.len()));
            i = j + 1;
        } else if s[i] == b'\'' {
            // A character literal ('x', '\n', '\u{..}', a multi-byte character), else a lifetime.
            let len = if rest.get(1) == Some(&b'\\') {
                rest.get(3..).and_then(|r| r.iter().position(|&b| b == b'\'')).map(|n| n + 4)
            } else {
                let c = text[i + 1..].chars().next().map_or(1, char::len_utf8);
                (rest.get(1 + c) == Some(&b'\'')).then_some(c + 2)
            };
            if let Some(len) = len {
                blank(&mut out, i, i + len);
                i += len;
            } else {
                i += 1;
            }
        } else {
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// For text just after a raw string's `r`: how many `#` open it, if it is one.
fn raw_string_hashes(s: &[u8]) -> Option<usize> {
    let hashes = s.iter().take_while(|&&b| b == b'#').count();
    (s.get(hashes) == Some(&b'"')).then_some(hashes)
}

/// The `unsafe` tokens of `code` (from `code_only`): (line index, what follows the token).
fn unsafe_tokens(code: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (n, line) in code.lines().enumerate() {
        let bytes = line.as_bytes();
        for (at, _) in line.match_indices("unsafe") {
            let before = at.checked_sub(1).map(|i| bytes[i]);
            let after = bytes.get(at + 6).copied();
            let ident = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_');
            if !ident(before) && !ident(after) {
                found.push((n, line[at + 6..].trim_start().to_owned()));
            }
        }
    }
    found
}

/// The comment lines (`//`, `///`, `//!`) just above line `n` of `lines`, past attributes.
fn comments_above<'a>(lines: &[&'a str], n: usize) -> Vec<&'a str> {
    lines[..n]
        .iter()
        .rev()
        .map(|l| l.trim_start())
        .take_while(|l| l.starts_with("//") || l.starts_with("#["))
        .filter(|l| l.starts_with("//"))
        .collect()
}

#[test]
fn unsafe_is_only_in_the_simd_kernels_and_the_c_abi() {
    let mut misplaced = Vec::new();
    for (tree, _) in TREES {
        for file in rust_files(tree) {
            let code = code_only(&read(&root().join(&file)));
            let tokens = unsafe_tokens(&code);
            let lint_allowed = ["allow(unsafe_code", "expect(unsafe_code"]
                .iter()
                .any(|a| code.replace(char::is_whitespace, "").contains(a));
            if !ALLOWED.contains(&file.as_str()) {
                misplaced.extend(tokens.iter().map(|(n, _)| format!("{file}:{}: unsafe", n + 1)));
                if lint_allowed {
                    misplaced.push(format!("{file}: allows unsafe_code"));
                }
            }
        }
    }
    assert!(misplaced.is_empty(), "unsafe outside {ALLOWED:?}:\n{}", misplaced.join("\n"));
}

#[test]
fn each_allowed_file_exists_allows_the_lint_and_holds_unsafe() {
    for file in ALLOWED {
        let code = code_only(&read(&root().join(file)));
        assert!(code.contains("#![allow(unsafe_code)]"), "{file}: no #![allow(unsafe_code)]");
        // A file that no longer needs it leaves the list.
        assert!(!unsafe_tokens(&code).is_empty(), "{file}: no unsafe left; take it off the list");
    }
}

#[test]
fn the_crate_roots_deny_unsafe_code() {
    for (_, lib) in TREES {
        let code = code_only(&read(&root().join(lib)));
        assert!(
            code.contains("#![deny(unsafe_code)]") || code.contains("#![forbid(unsafe_code)]"),
            "{lib}: neither #![deny(unsafe_code)] nor #![forbid(unsafe_code)]"
        );
    }
}

/// The kernels are compiled for wasm32 with simd128 only: elsewhere the scalar code runs alone.
#[test]
fn the_simd_kernels_are_wasm32_simd128_only() {
    let text = read(&root().join("core/src/simd/mod.rs"));
    let gate = r#"#![cfg(all(target_arch = "wasm32", target_feature = "simd128"))]"#;
    assert!(text.lines().any(|l| l.trim() == gate), "core/src/simd/mod.rs: not gated by {gate}");
}

#[test]
fn each_unsafe_block_argues_its_safety() {
    let mut undocumented = Vec::new();
    for file in ALLOWED {
        let text = read(&root().join(file));
        let lines: Vec<&str> = text.lines().collect();
        for (n, follows) in unsafe_tokens(&code_only(&text)) {
            let above = comments_above(&lines, n);
            let argued = if follows.starts_with('{') || follows.starts_with("impl") {
                above.iter().any(|l| l.starts_with("// SAFETY:"))
            } else if follows.starts_with("fn") || follows.starts_with("extern") {
                above.iter().any(|l| l.trim_start_matches('/').trim() == "# Safety")
            } else {
                // An unsafe attribute (`#[unsafe(no_mangle)]`): nothing to argue.
                true
            };
            if !argued {
                undocumented.push(format!("{file}:{}: {}", n + 1, lines[n].trim()));
            }
        }
    }
    assert!(
        undocumented.is_empty(),
        "unsafe blocks without a `// SAFETY:` comment just above, or unsafe fns without `# Safety`:\n{}",
        undocumented.join("\n")
    );
}

/// The reader above, on text made to trip it.
#[test]
fn the_reader_sees_unsafe_in_code_only() {
    let text = r##"
// unsafe in a comment
/* unsafe /* nested */ unsafe */
/// unsafe in documentation
let a = "unsafe \" unsafe";
let b = r#"unsafe " unsafe"#;
let c = '"'; let d = '\''; fn e<'a>(x: &'a u8) {}
let not_unsafe_name = unsafe_code; let f = b"unsafe";
let g = unsafe { h() };
"##;
    let found = unsafe_tokens(&code_only(text));
    assert_eq!(found, vec![(8, "{ h() };".to_owned())]);
    let lines: Vec<&str> = "// SAFETY: why\n#[inline]\nunsafe { x }".lines().collect();
    assert_eq!(comments_above(&lines, 2), vec!["// SAFETY: why"]);
}
