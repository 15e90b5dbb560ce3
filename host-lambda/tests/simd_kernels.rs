//! Differential tests of the core's wasm32 SIMD kernels (core/src/simd/, the core's only
//! `unsafe`), which a native build never compiles: the test-only module of tests/simd-kernels
//! (the kernel files and their callers b64.rs, scan.rs and crypto/bigint.rs, compiled by
//! wasm/build.sh for wasm32 with simd128, into target/wasm-test/) runs in wasmtime against the
//! scalar code of the native core, on structured and generated inputs:
//! - each kernel at its own contract (the whole 16-byte blocks it takes, what it reports and
//!   writes; the scalar forms: `b64::decode` on those blocks, the first byte found,
//!   `bigint`'s `dot::columns` sums restated with wrapping arithmetic on any u32 limbs);
//! - each caller end to end (kernel, then the scalar code for what it leaves) against the
//!   native core: `b64::decode`, `scan::find`'s search, `bigint::Modulus::pow_be`.
//!
//! Inputs are placed at every alignment and, for the kernels, also so that one of them ends
//! exactly at the end of linear memory (in pages the test grew, never the allocator's), where
//! a read past it traps; outputs are followed by guard bytes that must stay untouched.
//!
//! The module must be built first (`make wasm`, which `make test-rust` runs): without it the
//! tests fail, saying so. `JWTGATE_SIMD_KERNELS_WASM` names another build of it. Generated
//! cases per test: `PROPTEST_CASES` (a long run: `PROPTEST_CASES=100000`).

use jwtgate_core::crypto::bigint::Modulus;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use wasmtime::{Engine, Instance, Memory, Module, Store, TypedFunc};

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/// Bytes just outside the alphabet's ranges, and the standard alphabet's and padding's.
const NEAR_ALPHABET: &[u8] = b"@[`{/:+=.\x00\x7f\x80\xff ";
/// What output buffers and the bytes after them hold before a call.
const GUARD: u8 = 0xa5;
const GUARD_LEN: usize = 64;
const PAGE: usize = 65536;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The sources the module is built from: a module older than any of them is stale.
const SOURCES: [&str; 8] = [
    "core/src/simd/mod.rs",
    "core/src/simd/base64.rs",
    "core/src/simd/dot_scan.rs",
    "core/src/simd/montgomery.rs",
    "core/src/b64.rs",
    "core/src/scan.rs",
    "core/src/crypto/bigint.rs",
    "tests/simd-kernels/src/exports.rs",
];

/// The module, compiled once for every test.
fn module() -> &'static (Engine, Module) {
    static MODULE: OnceLock<(Engine, Module)> = OnceLock::new();
    MODULE.get_or_init(|| {
        let path = std::env::var_os("JWTGATE_SIMD_KERNELS_WASM")
            .map(PathBuf::from)
            .unwrap_or_else(|| root().join("target/wasm-test/jwtgate_simd_kernels.wasm"));
        let how = "build it with `make wasm` (wasm/build.sh) at the repository root, or point \
                   JWTGATE_SIMD_KERNELS_WASM at a built jwtgate_simd_kernels.wasm";
        let bytes = std::fs::read(&path)
            .unwrap_or_else(|e| panic!("the SIMD kernels' test module {}: {e}; {how}", path.display()));
        let built = modified(&path);
        for source in SOURCES {
            assert!(
                modified(&root().join(source)) <= built,
                "the SIMD kernels' test module {} is older than {source}; {how}",
                path.display()
            );
        }
        let mut config = wasmtime::Config::new();
        config.wasm_simd(true);
        let engine = Engine::new(&config).unwrap();
        let module = Module::new(&engine, bytes).unwrap();
        (engine, module)
    })
}

fn modified(path: &Path) -> std::time::SystemTime {
    std::fs::metadata(path).and_then(|m| m.modified()).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Where an input goes: in the scratch buffer at this offset from a 16-byte boundary, or
/// ending exactly at the end of linear memory.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Place {
    Scratch(usize),
    End,
}

fn place() -> impl Strategy<Value = Place> {
    prop_oneof![3 => (0..16usize).prop_map(Place::Scratch), 1 => Just(Place::End)]
}

type Call<P, R> = TypedFunc<P, R>;

/// One instance of the module, and the test's buffers in its memory.
#[allow(clippy::type_complexity)] // the exports' signatures
struct Kernels {
    store: Store<()>,
    memory: Memory,
    /// A buffer of `SCRATCH` bytes from the module's allocator, reused by every call.
    scratch: usize,
    bump: usize,
    /// Memory's size when the test last grew it: the pages from `host_end - host_room` up
    /// are the test's (the allocator takes only pages it grew itself).
    host_end: usize,
    host_room: usize,
    /// Whether this call's layout has put a region at the end already (one at most).
    end_used: bool,
    b64_blocks: Call<(u32, u32, u32, u32), u32>,
    b64_decode: Call<(u32, u32, u32, u32), i32>,
    dot_scan_blocks: Call<(u32, u32, u32), i32>,
    scan_find: Call<(u32, u32, u32), i32>,
    montgomery_columns: Call<(u32, u32, u32, u32, u32, u32, u32, u32, u64, u32, u32), ()>,
    modexp: Call<(u32, u32, u32, u32, u32, u32, u32, u32), i32>,
}

const SCRATCH: usize = 256 * 1024;

type Outcome<T> = Result<T, String>;

impl Kernels {
    fn new() -> Kernels {
        let (engine, module) = module();
        let mut store = Store::new(engine, ());
        let instance = Instance::new(&mut store, module, &[]).unwrap();
        let memory = instance.get_memory(&mut store, "memory").unwrap();
        let alloc = instance.get_typed_func::<u32, u32>(&mut store, "alloc").unwrap();
        let scratch = alloc.call(&mut store, SCRATCH as u32).unwrap() as usize;
        macro_rules! func {
            ($name:literal) => {
                instance.get_typed_func(&mut store, $name).unwrap()
            };
        }
        Kernels {
            b64_blocks: func!("b64_blocks"),
            b64_decode: func!("b64_decode"),
            dot_scan_blocks: func!("dot_scan_blocks"),
            scan_find: func!("scan_find"),
            montgomery_columns: func!("montgomery_columns"),
            modexp: func!("modexp"),
            store,
            memory,
            scratch,
            bump: scratch,
            host_end: 0,
            host_room: 0,
            end_used: false,
        }
    }

    /// Starts a call's layout: the scratch buffer is free again.
    fn reset(&mut self) {
        self.bump = self.scratch;
        self.end_used = false;
    }

    /// `len` bytes at `place`, filled with `fill`, followed (in the scratch buffer) by
    /// `GUARD_LEN` guard bytes.
    fn region(&mut self, len: usize, place: Place, fill: &[u8]) -> usize {
        let at = match place {
            Place::Scratch(offset) => {
                let at = self.bump.next_multiple_of(16) + offset;
                assert!(at + len + GUARD_LEN <= self.scratch + SCRATCH, "scratch buffer too small");
                self.bump = at + len + GUARD_LEN;
                self.memory.data_mut(&mut self.store)[at + len..][..GUARD_LEN].fill(GUARD);
                at
            }
            Place::End => {
                assert!(!std::mem::replace(&mut self.end_used, true), "one region at the end per call");
                let size = self.memory.data_size(&self.store);
                if size != self.host_end || len > self.host_room {
                    let pages = len.div_ceil(PAGE).max(1);
                    self.memory.grow(&mut self.store, pages as u64).unwrap();
                    self.host_end = self.memory.data_size(&self.store);
                    self.host_room = pages * PAGE;
                }
                self.host_end - len
            }
        };
        let data = &mut self.memory.data_mut(&mut self.store)[at..][..len];
        if fill.len() == len {
            data.copy_from_slice(fill);
        } else {
            data.fill(GUARD);
        }
        at
    }

    fn input(&mut self, bytes: &[u8], place: Place) -> u32 {
        self.region(bytes.len(), place, bytes) as u32
    }

    fn output(&mut self, len: usize, place: Place) -> u32 {
        self.region(len, place, &[]) as u32
    }

    fn read(&self, at: u32, len: usize) -> Vec<u8> {
        self.memory.data(&self.store)[at as usize..][..len].to_vec()
    }

    /// The guard bytes after an output in the scratch buffer are untouched.
    fn guard_intact(&self, at: u32, len: usize, place: Place) -> bool {
        place == Place::End || self.read(at + len as u32, GUARD_LEN).iter().all(|&b| b == GUARD)
    }

    fn b64_blocks(&mut self, text: &[u8], out_len: usize, places: [Place; 2]) -> Outcome<(usize, bool, Vec<u8>)> {
        self.reset();
        let t = self.input(text, places[0]);
        let o = self.output(out_len, places[1]);
        let r = self.b64_blocks.call(&mut self.store, (t, text.len() as u32, o, out_len as u32)).map_err(trap)?;
        if !self.guard_intact(o, out_len, places[1]) {
            return Err("wrote past its output".into());
        }
        Ok(((r / 2) as usize, r % 2 == 1, self.read(o, out_len)))
    }

    fn b64_decode(&mut self, text: &[u8], place: Place) -> Outcome<Option<Vec<u8>>> {
        self.reset();
        let t = self.input(text, place);
        let cap = text.len() / 4 * 3 + 2;
        let o = self.output(cap, Place::Scratch(0));
        let n = self.b64_decode.call(&mut self.store, (t, text.len() as u32, o, cap as u32)).map_err(trap)?;
        Ok((n >= 0).then(|| self.read(o, n as usize)))
    }

    fn dot_scan_blocks(&mut self, haystack: &[u8], byte: u8, place: Place) -> Outcome<Result<usize, usize>> {
        self.reset();
        let h = self.input(haystack, place);
        let r = self.dot_scan_blocks.call(&mut self.store, (h, haystack.len() as u32, byte.into())).map_err(trap)?;
        Ok(if r >= 0 { Ok(r as usize) } else { Err((-1 - r) as usize) })
    }

    fn scan_find(&mut self, haystack: &[u8], byte: u8, place: Place) -> Outcome<Option<usize>> {
        self.reset();
        let h = self.input(haystack, place);
        let r = self.scan_find.call(&mut self.store, (h, haystack.len() as u32, byte.into())).map_err(trap)?;
        Ok((r >= 0).then_some(r as usize))
    }

    /// `columns::<4>` on the four limb arrays, the one at `at_end` (0-3) ending at the end of
    /// memory and the others at `offset` words past a 16-byte boundary.
    fn montgomery_columns(&mut self, c: &Columns, at_end: Option<usize>, offset: usize) -> Outcome<[u64; 4]> {
        self.reset();
        let mut ptrs = [0u32; 4];
        for (i, limbs) in [&c.a, &c.m, &c.x_rev, &c.n_rev].into_iter().enumerate() {
            let bytes: Vec<u8> = limbs.iter().flat_map(|l| l.to_le_bytes()).collect();
            let place = if at_end == Some(i) { Place::End } else { Place::Scratch(4 * offset) };
            ptrs[i] = self.input(&bytes, place);
        }
        let out = self.output(32, Place::Scratch(0));
        let x_len = c.x_len.iter().rev().fold(0u64, |acc, &x| acc << 16 | x as u64);
        let args = (
            ptrs[0],
            c.a.len() as u32,
            ptrs[1],
            c.m.len() as u32,
            ptrs[2],
            c.x_rev.len() as u32,
            ptrs[3],
            c.n_rev.len() as u32,
            x_len,
            c.len as u32,
            out,
        );
        self.montgomery_columns.call(&mut self.store, args).map_err(trap)?;
        if !self.guard_intact(out, 32, Place::Scratch(0)) {
            return Err("wrote past its output".into());
        }
        let sums = self.read(out, 32);
        Ok(core::array::from_fn(|d| u64::from_le_bytes(sums[8 * d..][..8].try_into().unwrap())))
    }

    fn modexp(&mut self, n: &[u8], base: &[u8], e: &[u8]) -> Outcome<Result<Vec<u8>, i32>> {
        self.reset();
        let (pn, pb, pe) =
            (self.input(n, Place::Scratch(0)), self.input(base, Place::Scratch(3)), self.input(e, Place::End));
        let cap = n.len();
        let o = self.output(cap, Place::Scratch(0));
        let args = (pn, n.len() as u32, pb, base.len() as u32, pe, e.len() as u32, o, cap as u32);
        let r = self.modexp.call(&mut self.store, args).map_err(trap)?;
        if !self.guard_intact(o, cap, Place::Scratch(0)) {
            return Err("wrote past its output".into());
        }
        Ok(if r >= 0 { Ok(self.read(o, r as usize)) } else { Err(r) })
    }
}

fn trap(e: wasmtime::Error) -> String {
    format!("trapped: {e:?}")
}

/// A runner of `default` generated cases (or `PROPTEST_CASES`), with a fresh instance.
fn run<S: Strategy>(default: u32, strategy: S, test: impl Fn(&mut Kernels, S::Value) -> Result<(), TestCaseError>) {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default);
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    let kernels = RefCell::new(Kernels::new());
    if let Err(e) = runner.run(&strategy, |value| test(&mut kernels.borrow_mut(), value)) {
        panic!("{e}");
    }
}

fn fail(e: String) -> TestCaseError {
    TestCaseError::fail(e)
}

// ---- the dot scan ----

/// The kernel's contract: the first `byte` in the whole 16-byte blocks at the start, or how
/// many bytes those blocks hold.
fn dot_scan_contract(haystack: &[u8], byte: u8) -> Result<usize, usize> {
    let whole = haystack.len() / 16 * 16;
    haystack[..whole].iter().position(|&b| b == byte).ok_or(whole)
}

fn check_dot_scan(k: &mut Kernels, haystack: &[u8], byte: u8, place: Place) -> Result<(), String> {
    let blocks = k.dot_scan_blocks(haystack, byte, place)?;
    if blocks != dot_scan_contract(haystack, byte) {
        return Err(format!("dot_scan::find = {blocks:?}, expected {:?}", dot_scan_contract(haystack, byte)));
    }
    // scan::find natively is this search alone (its kernel stand-in takes no block).
    let expected = haystack.iter().position(|&b| b == byte);
    let found = k.scan_find(haystack, byte, place)?;
    if found != expected {
        return Err(format!("scan::find = {found:?}, expected {expected:?}"));
    }
    Ok(())
}

#[test]
fn dot_scan_finds_the_first_byte_at_every_position() {
    let mut k = Kernels::new();
    for byte in [b'.', 0x00, 0x7f, 0x80, 0xff] {
        for len in 0..=80 {
            for at in 0..=len {
                // Another byte in every lane, then `byte` at `at` (none when at == len) and
                // again later, which must not hide the first.
                let mut haystack: Vec<u8> = (0..len).map(|i| byte ^ (1 + (i % 255) as u8)).collect();
                if at < len {
                    haystack[at] = byte;
                    for later in [at + 1, at + 16, len - 1] {
                        if later > at && later < len && (at + later) % 3 == 0 {
                            haystack[later] = byte;
                        }
                    }
                }
                for place in [Place::End, Place::Scratch(at % 16), Place::Scratch(0)] {
                    check_dot_scan(&mut k, &haystack, byte, place)
                        .unwrap_or_else(|e| panic!("byte {byte:#04x}, len {len}, at {at}, {place:?}: {e}"));
                }
            }
        }
    }
}

#[test]
fn dot_scan_agrees_on_generated_haystacks() {
    let byte = prop_oneof![Just(b'.'), any::<u8>()];
    let haystack = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..300),
        // Token-like: base64url characters with a few dots.
        prop::collection::vec(prop_oneof![20 => prop::sample::select(&ALPHABET[..]), 1 => Just(b'.')], 0..300),
    ];
    run(2000, (haystack, byte, place()), |k, (haystack, byte, place)| {
        check_dot_scan(k, &haystack, byte, place).map_err(fail)
    });
}

// ---- base64url ----

/// Checks `simd::base64::decode` against its contract: whole 16-character blocks while the
/// text and `out_len` (16 bytes of room per block) allow, reported valid exactly when they are
/// all in the alphabet, and then their bytes the native `b64::decode` gives; nothing written
/// past the last block's 16-byte store.
fn check_b64_blocks(k: &mut Kernels, text: &[u8], out_len: usize, places: [Place; 2]) -> Result<(), String> {
    let (read, valid, out) = k.b64_blocks(text, out_len, places)?;
    let blocks = (text.len() / 16).min(if out_len >= 16 { (out_len - 16) / 12 + 1 } else { 0 });
    if read != 16 * blocks {
        return Err(format!("took {read} characters, expected {}", 16 * blocks));
    }
    let taken = &text[..read];
    if valid != taken.iter().all(|b| ALPHABET.contains(b)) {
        return Err(format!("valid = {valid} for {:?}", String::from_utf8_lossy(taken)));
    }
    if valid {
        let expected = jwtgate_core::b64::decode(taken).expect("whole groups of the alphabet decode");
        if out[..expected.len()] != expected[..] {
            return Err(format!("decoded {:?}, expected {expected:?}", &out[..expected.len()]));
        }
    }
    let stored = if blocks == 0 { 0 } else { (12 * blocks + 4).min(out_len) };
    if out[stored..].iter().any(|&b| b != GUARD) {
        return Err(format!("wrote past byte {stored} of its output"));
    }
    Ok(())
}

/// The core's decoder in the module (kernel, then the scalar loop) against the native one.
fn check_b64_decode(k: &mut Kernels, text: &[u8], place: Place) -> Result<(), String> {
    let got = k.b64_decode(text, place)?;
    let expected = jwtgate_core::b64::decode(text);
    if got != expected {
        return Err(format!("b64::decode in wasm = {got:?}, natively {expected:?}"));
    }
    Ok(())
}

/// Text of `len` alphabet characters, each character at each position as `shift` varies.
fn alphabet_text(len: usize, shift: usize) -> Vec<u8> {
    (0..len).map(|i| ALPHABET[(7 * i + shift) % 64]).collect()
}

#[test]
fn base64_blocks_every_byte_in_every_lane() {
    let mut k = Kernels::new();
    for shift in 0..64 {
        let text = alphabet_text(48, shift);
        check_b64_blocks(&mut k, &text, 48, [Place::End, Place::Scratch(0)]).unwrap();
        check_b64_decode(&mut k, &text, Place::End).unwrap();
    }
    for byte in 0..=255u8 {
        for at in 0..48 {
            let mut text = alphabet_text(48, byte as usize);
            text[at] = byte;
            let places =
                if at % 2 == 0 { [Place::End, Place::Scratch(at % 16)] } else { [Place::Scratch(1), Place::End] };
            check_b64_blocks(&mut k, &text, 36 + 4, places).unwrap_or_else(|e| panic!("byte {byte:#04x} at {at}: {e}"));
            check_b64_decode(&mut k, &text, Place::End).unwrap_or_else(|e| panic!("byte {byte:#04x} at {at}: {e}"));
        }
    }
}

#[test]
fn base64_blocks_at_every_length_and_room() {
    let mut k = Kernels::new();
    for len in 0..=70 {
        let text = alphabet_text(len, len);
        for out_len in 0..=60 {
            for places in [[Place::End, Place::Scratch(5)], [Place::Scratch(0), Place::End]] {
                check_b64_blocks(&mut k, &text, out_len, places)
                    .unwrap_or_else(|e| panic!("len {len}, out {out_len}, {places:?}: {e}"));
            }
        }
        for place in [Place::End, Place::Scratch(len % 16)] {
            check_b64_decode(&mut k, &text, place).unwrap_or_else(|e| panic!("len {len}: {e}"));
        }
    }
}

/// Base64url text: encodings of generated bytes, kept or mutated (a byte replaced by any
/// other or one just outside the alphabet, cut, padded, the last character's spare bits set),
/// or arbitrary characters.
fn b64_text() -> impl Strategy<Value = Vec<u8>> {
    let encoded = prop::collection::vec(any::<u8>(), 0..240).prop_map(|b| jwtgate_core::b64::encode(&b).into_bytes());
    let mutation = (0..6u8, any::<prop::sample::Index>(), any::<u8>(), prop::sample::select(NEAR_ALPHABET));
    prop_oneof![
        4 => (encoded, mutation).prop_map(|(mut text, (kind, at, byte, near))| {
            if !text.is_empty() {
                let i = at.index(text.len());
                match kind {
                    0 => text[i] = byte,
                    1 => text[i] = near,
                    2 => text.truncate(i),
                    3 => text.push(b'='),
                    4 => {
                        let last = text.len() - 1;
                        let sextet = ALPHABET.iter().position(|&c| c == text[last]).unwrap();
                        text[last] = ALPHABET[sextet ^ 1];
                    }
                    _ => {}
                }
            }
            text
        }),
        1 => prop::collection::vec(
            prop_oneof![8 => prop::sample::select(&ALPHABET[..]), 1 => prop::sample::select(NEAR_ALPHABET), 1 => any::<u8>()],
            0..200,
        ),
    ]
}

#[test]
fn base64_agrees_on_generated_text() {
    let out_len = prop_oneof![Just(None), (0..200usize).prop_map(Some)];
    run(2000, (b64_text(), out_len, place(), place()), |k, (text, out_len, p0, p1)| {
        // The caller's room (`b64::decode`: the whole groups' bytes) or any other.
        let out_len = out_len.unwrap_or(text.len() / 4 * 3);
        let places = if p0 == Place::End && p1 == Place::End { [p0, Place::Scratch(0)] } else { [p0, p1] };
        check_b64_blocks(k, &text, out_len, places).map_err(fail)?;
        check_b64_decode(k, &text, p0).map_err(fail)
    });
}

// ---- Montgomery multiplication's columns ----

/// The arguments of `montgomery::columns::<4>`, at the lengths it requires: `a` and `m` the
/// groups of four covering `len`, `x_rev` and `n_rev` three more.
#[derive(Clone, Debug)]
struct Columns {
    a: Vec<u32>,
    m: Vec<u32>,
    x_rev: Vec<u32>,
    n_rev: Vec<u32>,
    x_len: [usize; 4],
    len: usize,
}

impl Columns {
    /// `values(i)` fills the arrays; `m` is zero past `len` (its terms past `len` vanish, as
    /// in bigint.rs, where the limbs are followed by zeros), `a` past `x_len` is not (the
    /// kernel masks it).
    fn new(len: usize, x_len: [usize; 4], mut values: impl FnMut(usize) -> u32) -> Columns {
        let end = 4 * len.div_ceil(4);
        let a = (0..end).map(&mut values).collect();
        let m = (0..end).map(|i| if i < len { values(i + 1000) } else { 0 }).collect();
        let x_rev = (0..end + 3).map(|i| values(i + 2000)).collect();
        let n_rev = (0..end + 3).map(|i| values(i + 3000)).collect();
        Columns { a, m, x_rev, n_rev, x_len, len }
    }

    /// bigint.rs's `dot::columns`: for column d,
    /// `a[..x_len[d]] . x_rev[3 - d..][..x_len[d]] + m[..len] . n_rev[3 - d..][..len]`, here
    /// with wrapping sums (the kernel's u64 lanes wrap, and the order of a wrapping sum does
    /// not matter), so that any u32 limbs can be tested, all ones included.
    fn expected(&self) -> [u64; 4] {
        let dot = |p: &[u32], q: &[u32]| p.iter().zip(q).fold(0u64, |s, (&p, &q)| s.wrapping_add(p as u64 * q as u64));
        core::array::from_fn(|d| {
            let off = 3 - d;
            dot(&self.a[..self.x_len[d]], &self.x_rev[off..]).wrapping_add(dot(&self.m[..self.len], &self.n_rev[off..]))
        })
    }
}

fn check_columns(k: &mut Kernels, c: &Columns, at_end: Option<usize>, offset: usize) -> Result<(), String> {
    let got = k.montgomery_columns(c, at_end, offset)?;
    if got != c.expected() {
        return Err(format!("columns = {got:?}, expected {:?}", c.expected()));
    }
    Ok(())
}

#[test]
fn montgomery_columns_every_length_and_mask() {
    let mut k = Kernels::new();
    for len in 1..=24 {
        let choices = [0, 1, len / 2, len - 1, len];
        for code in 0..choices.len().pow(4) {
            let x_len: [usize; 4] =
                core::array::from_fn(|d| choices[code / choices.len().pow(d as u32) % choices.len()]);
            // All ones (the widening multiplies are unsigned), then mixed limbs.
            for (shape, values) in [
                (0, &(|_| u32::MAX) as &dyn Fn(usize) -> u32),
                (1, &|i: usize| (i as u32).wrapping_mul(0x9e37_79b9) ^ (i as u32) << 28),
            ] {
                let c = Columns::new(len, x_len, values);
                let at_end = [None, Some(0), Some(1), Some(2), Some(3)][(code + shape) % 5];
                check_columns(&mut k, &c, at_end, code % 4)
                    .unwrap_or_else(|e| panic!("len {len}, x_len {x_len:?}, shape {shape}, {at_end:?}: {e}"));
            }
        }
    }
}

/// A limb of one of the shapes that matter (all ones, zero, the largest 28-bit and doubled
/// 29-bit limbs, the top bit alone, any u32, any 28-bit limb), drawn by `r`.
fn limb(r: u64) -> u32 {
    let any = (r >> 8) as u32;
    match r % 7 {
        0 => u32::MAX,
        1 => 0,
        2 => (1 << 28) - 1,
        3 => (1 << 29) - 2,
        4 => 1 << 31,
        5 => any,
        _ => any & ((1 << 28) - 1),
    }
}

#[test]
fn montgomery_columns_agree_on_generated_limbs() {
    let args = (1..=160usize).prop_flat_map(|len| {
        (
            Just(len),
            prop::array::uniform4(prop_oneof![Just(len), Just(0), 0..=len]),
            // The limbs from a seed (generating hundreds of limbs one by one is slow): every
            // limb the same shape (all ones, say), or each its own.
            any::<u64>(),
            prop_oneof![Just(None), any::<u64>().prop_map(Some)],
            prop_oneof![Just(None), (0..4usize).prop_map(Some)],
            0..4usize,
        )
    });
    run(1000, args, |k, (len, x_len, seed, same, at_end, offset)| {
        let mut state = seed | 1;
        let c = Columns::new(len, x_len, |_| {
            // xorshift64*
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            limb(same.unwrap_or(state.wrapping_mul(0x2545_f491_4f6c_dd1d)))
        });
        check_columns(k, &c, at_end, offset).map_err(fail)
    });
}

// ---- Montgomery exponentiation, end to end ----

/// Big-endian arithmetic on byte strings, enough to make the moduli and bases.
mod be {
    /// 2^bits - 1.
    pub fn ones(bits: usize) -> Vec<u8> {
        let mut v = vec![0xff; bits.div_ceil(8)];
        if !bits.is_multiple_of(8) {
            v[0] = (1u8 << (bits % 8)) - 1;
        }
        v
    }

    pub fn trim(mut v: Vec<u8>) -> Vec<u8> {
        let zeros = v.iter().take_while(|&&b| b == 0).count();
        v.drain(..zeros);
        v
    }

    /// v - k (v >= k).
    pub fn sub(v: &[u8], mut k: u64) -> Vec<u8> {
        let mut out = v.to_vec();
        for b in out.iter_mut().rev() {
            let (d, borrow) = (*b as u64).overflowing_sub(k & 0xff);
            *b = d as u8;
            k = (k >> 8) + borrow as u64;
        }
        trim(out)
    }

    pub fn add(v: &[u8], k: u64) -> Vec<u8> {
        let mut out = [vec![0], v.to_vec()].concat();
        let mut carry = k;
        for b in out.iter_mut().rev() {
            let s = *b as u64 + (carry & 0xff);
            *b = s as u8;
            carry = (carry >> 8) + (s >> 8);
        }
        trim(out)
    }

    pub fn half(v: &[u8]) -> Vec<u8> {
        let mut out = vec![0u8; v.len()];
        let mut high = 0u8;
        for (o, &b) in out.iter_mut().zip(v) {
            *o = b >> 1 | high << 7;
            high = b & 1;
        }
        trim(out)
    }

    /// The value whose bits `set(i)` says, `bits` long.
    pub fn from_bits(bits: usize, set: impl Fn(usize) -> bool) -> Vec<u8> {
        let mut v = vec![0u8; bits.div_ceil(8)];
        let len = v.len();
        for i in (0..bits).filter(|&i| set(i)) {
            v[len - 1 - i / 8] |= 1 << (i % 8);
        }
        trim(v)
    }
}

/// The limb width bigint.rs uses for a modulus of `bits` bits (28, or 26 above 3,554 bits).
fn limb_bits(bits: usize) -> usize {
    if (bits + 2).div_ceil(28) <= 127 { 28 } else { 26 }
}

/// Moduli of `bits` bits: all ones, just above a power of two, every other limb full, and
/// mixed bits.
fn moduli(bits: usize) -> Vec<Vec<u8>> {
    let w = limb_bits(bits);
    let odd_top = |v: Vec<u8>| be::from_bits(bits, |i| i == 0 || i == bits - 1 || bit(&v, i));
    vec![
        be::ones(bits),
        be::from_bits(bits, |i| i == 0 || i == bits - 1),
        odd_top(be::from_bits(bits, |i| (i / w).is_multiple_of(2))),
        odd_top(be::from_bits(bits, |i| (i * 0x9e37_79b9usize).rotate_left(7).is_multiple_of(3))),
    ]
}

fn bit(v: &[u8], i: usize) -> bool {
    i / 8 < v.len() && v[v.len() - 1 - i / 8] >> (i % 8) & 1 == 1
}

/// Bases for `n`: 0, 1, 2, n - 1, n - 2, n / 2, all ones in the low limbs (a carry across
/// every limb boundary), a power of two at a limb boundary, n itself and n + 1 (refused).
fn bases(n: &[u8], bits: usize) -> Vec<Vec<u8>> {
    let w = limb_bits(bits);
    let mut out = vec![vec![], vec![1], vec![2], be::sub(n, 1), be::sub(n, 2), be::half(n)];
    for limbs in [1, (bits - 1) / w] {
        if limbs >= 1 && limbs * w < bits {
            out.push(be::ones(limbs * w));
            out.push(be::from_bits(limbs * w + 1, |i| i == limbs * w));
        }
    }
    out.push(n.to_vec());
    out.push(be::add(n, 1));
    out
}

fn check_modexp(k: &mut Kernels, n: &[u8], base: &[u8], e: &[u8]) -> Result<(), String> {
    let got = k.modexp(n, base, e)?;
    let expected = match Modulus::new(n) {
        None => Err(-1),
        Some(modulus) => modulus.pow_be(base, e).ok_or(-2),
    };
    if got != expected {
        return Err(format!("modexp in wasm = {got:?}, natively {expected:?}"));
    }
    Ok(())
}

#[test]
fn montgomery_exponentiation_on_edge_values() {
    let mut k = Kernels::new();
    let sizes = [
        2, 3, 8, 27, 28, 29, 30, 31, 55, 56, 57, 58, 64, 100, 112, 113, 255, 256, 512, 1024, 2047, 2048, 2049, 3072,
        3553, 3554, 3555, 3556, 4096, 8192,
    ];
    let exponents: [&[u8]; 6] = [&[1], &[2], &[3], &[1, 0, 1], &[0, 0, 5], &[0]];
    for bits in sizes {
        // Fewer exponents for the largest moduli (R^2 mod n alone is 16,000 steps at 8,192 bits).
        let exponents = if bits <= 2048 {
            &exponents[..]
        } else if bits <= 4096 {
            &exponents[2..]
        } else {
            &exponents[3..4]
        };
        for n in moduli(bits) {
            for base in bases(&n, bits) {
                for &e in exponents {
                    check_modexp(&mut k, &n, &base, e).unwrap_or_else(|err| panic!("{bits} bits, e {e:?}: {err}"));
                }
            }
        }
    }
    // An even modulus, and 1, are refused alike.
    check_modexp(&mut k, &[0x10, 0x00], &[3], &[3]).unwrap();
    check_modexp(&mut k, &[1], &[0], &[3]).unwrap();
}

#[test]
fn montgomery_exponentiation_agrees_on_generated_values() {
    let args = (2..=4200usize).prop_flat_map(|bits| {
        let len = bits.div_ceil(8);
        (
            Just(bits),
            prop::collection::vec(any::<u8>(), len),
            prop::collection::vec(any::<u8>(), len),
            prop::collection::vec(any::<u8>(), 0..=if bits > 2500 { 4 } else { 32 }),
        )
    });
    run(48, args, |k, (bits, n, base, e)| {
        let n = be::from_bits(bits, |i| i == 0 || i == bits - 1 || bit(&n, i));
        // Below n (the top bit cleared), or any bytes.
        let base = if base[0] & 1 == 0 { be::from_bits(bits - 1, |i| bit(&base, i)) } else { be::trim(base) };
        check_modexp(k, &n, &base, &e).map_err(fail)
    });
}
