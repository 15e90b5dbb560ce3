//! The plain C ABI for non-JavaScript hosts (wasmtime). Bytes in, bytes out; see ABI.md.
//!
//! The module holds one session (wasm instances are single-threaded). Results are written to
//! an output buffer the host reads with `jwtgate_output_ptr`/`jwtgate_output_len` before its
//! next call.
//!
//! The wasm crate's only `unsafe` (lib.rs denies it elsewhere): the exports are `no_mangle`, and
//! their arguments are raw pointers into the module's memory, which the host filled.
#![allow(unsafe_code)]

use crate::provider::Signatures;
use crate::session::{Fields, Session, validate_settings};
use jwtgate_core::Config;
use std::cell::RefCell;

thread_local! {
    static SESSION: RefCell<Option<Session>> = const { RefCell::new(None) };
    /// The configuration of the last settings `jwtgate_settings_from_env` accepted, until
    /// `jwtgate_configure_from_settings` takes it (`None` after it refused some).
    static SETTINGS: RefCell<Option<Config>> = const { RefCell::new(None) };
    static OUTPUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

fn set_output(bytes: String) {
    OUTPUT.with(|o| *o.borrow_mut() = bytes.into_bytes());
}

/// # Safety
/// `ptr..ptr+len` must be memory the host filled after `jwtgate_alloc(len)`.
unsafe fn input<'a>(ptr: *const u8, len: usize) -> &'a [u8] {
    // SAFETY: the caller's contract: `len` (non-zero here; an empty argument may come with any
    // pointer) initialised bytes at `ptr`, one allocation of `jwtgate_alloc`, which the host
    // leaves alone until the call returns (the module is single-threaded).
    if len == 0 { &[] } else { unsafe { std::slice::from_raw_parts(ptr, len) } }
}

/// Reserve `len` bytes for the host to write an argument into. Free with `jwtgate_free`.
#[unsafe(no_mangle)]
pub extern "C" fn jwtgate_alloc(len: usize) -> *mut u8 {
    let mut buf = Vec::<u8>::with_capacity(len.max(1));
    let ptr = buf.as_mut_ptr();
    std::mem::forget(buf);
    ptr
}

/// # Safety
/// `ptr` and `len` must come from one `jwtgate_alloc(len)` call, freed once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwtgate_free(ptr: *mut u8, len: usize) {
    // SAFETY: the caller's contract: `ptr` is the buffer of the `Vec<u8>` of capacity
    // `len.max(1)` that `jwtgate_alloc(len)` made and forgot, freed once; length 0, so no byte
    // is read or dropped.
    drop(unsafe { Vec::from_raw_parts(ptr, 0, len.max(1)) });
}

#[unsafe(no_mangle)]
pub extern "C" fn jwtgate_output_ptr() -> *const u8 {
    OUTPUT.with(|o| o.borrow().as_ptr())
}

#[unsafe(no_mangle)]
pub extern "C" fn jwtgate_output_len() -> usize {
    OUTPUT.with(|o| o.borrow().len())
}

/// Configure (or reconfigure) the session from the core's configuration JSON. Returns 0 on
/// success (the output holds `{ok:true}`, with `known_answers_failed` when the host's provider
/// failed some algorithms' known answers), 1 on error (the output holds `{ok:false,error}`). Reconfiguring drops the keys
/// (static keys of the configuration are loaded again).
///
/// # Safety
/// See `input`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwtgate_configure(ptr: *const u8, len: usize) -> u32 {
    // SAFETY: the caller's contract, which is this function's (see `input`).
    unsafe { jwtgate_configure_with_provider(ptr, len, 0) }
}

/// `jwtgate_configure` with a signature provider (`Signatures::from_code`): 0 `wasm`, the
/// module's own pure Rust; 1 `host`, the host's imported `hostVerify`. Returns 1 for an unknown
/// provider code.
///
/// # Safety
/// See `input`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwtgate_configure_with_provider(ptr: *const u8, len: usize, provider: u32) -> u32 {
    let Some(provider) = Signatures::from_code(provider) else {
        set_output(r#"{"ok":false,"error":"unknown provider"}"#.to_owned());
        return 1;
    };
    // SAFETY: the caller's contract, which is `input`'s.
    install(Session::new(unsafe { input(ptr, len) }, provider))
}

/// Configure (or reconfigure) the session from the settings `jwtgate_settings_from_env` last
/// accepted, with a signature provider as `jwtgate_configure_with_provider`'s: the
/// configuration they validated is used as it is, never written out and read again, and taken
/// (once: to configure again, validate again). Returns 0 on success, 1 for an unknown provider
/// code, 2 when there are no settings to take (none accepted since the last time); the output
/// as `jwtgate_configure`'s.
#[unsafe(no_mangle)]
pub extern "C" fn jwtgate_configure_from_settings(provider: u32) -> u32 {
    let Some(provider) = Signatures::from_code(provider) else {
        set_output(r#"{"ok":false,"error":"unknown provider"}"#.to_owned());
        return 1;
    };
    let Some(config) = SETTINGS.with(|s| s.borrow_mut().take()) else {
        set_output(r#"{"ok":false,"error":"no settings: call jwtgate_settings_from_env first"}"#.to_owned());
        return 2;
    };
    install(Session::from_config(config, provider))
}

/// The session configured (0), or the configuration's error document (1, the session before it
/// kept).
fn install(result: Result<Session, String>) -> u32 {
    let (status, out) = match result {
        Ok(session) => {
            let out = session.configured_json();
            SESSION.with(|s| *s.borrow_mut() = Some(session));
            (0, out)
        }
        Err(e) => (1, e),
    };
    set_output(out);
    status
}

/// Decide an API Gateway event at `now_ms` (milliseconds since the epoch). Returns 0 (the
/// output is the decision JSON), 2 if not configured, or 3 if `now_ms` is outside the core's
/// range (before 2000, from 2^53 seconds: core/src/clock.rs); the output is then the decision
/// `unauthorized`/`invalid_clock`. The outcome `fetch_keys`: drive `jwtgate_next_fetch` and
/// `jwtgate_fetched`, then decide again.
///
/// # Safety
/// See `input`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwtgate_authorize(ptr: *const u8, len: usize, now_ms: i64) -> u32 {
    // SAFETY: the caller's contract, which is `input`'s.
    let event = unsafe { input(ptr, len) };
    let out = SESSION.with(|s| s.borrow_mut().as_mut().map(|session| session.authorize(event, now_ms, Fields::All)));
    match out {
        Some(decision) => {
            set_output(decision);
            if jwtgate_core::clock::whole(now_ms.div_euclid(1000)).is_some() { 0 } else { 3 }
        }
        None => not_configured(),
    }
}

/// Queue the first fetch of every key source without keys. Returns 0, or 2 if not configured.
#[unsafe(no_mangle)]
pub extern "C" fn jwtgate_warm_up(now_ms: i64) -> u32 {
    match SESSION.with(|s| s.borrow_mut().as_mut().map(|session| session.warm_up(now_ms))) {
        Some(()) => 0,
        None => not_configured(),
    }
}

/// The next request the host must make: 1 with the request in the output
/// (`{id, kind, max_bytes, timeout_ms, url}`), 0 when none is due, 2 if not configured.
#[unsafe(no_mangle)]
pub extern "C" fn jwtgate_next_fetch(now_ms: i64) -> u32 {
    match SESSION.with(|s| s.borrow_mut().as_mut().map(|session| session.next_fetch(now_ms))) {
        Some(Some(request)) => {
            set_output(request);
            1
        }
        Some(None) => {
            set_output(String::new());
            0
        }
        None => not_configured(),
    }
}

/// What the host got for a request: `reply` (JSON `{id, status, location, cache_control}` or
/// `{id, failure, detail}`) and the body. Returns 0 with the log line to write in the output
/// (empty while the round goes on), or 2 if not configured.
///
/// # Safety
/// See `input`, for both ranges.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwtgate_fetched(
    reply_ptr: *const u8,
    reply_len: usize,
    body_ptr: *const u8,
    body_len: usize,
    now_ms: i64,
) -> u32 {
    // SAFETY: the caller's contract, which is `input`'s for each range.
    let (reply, body) = unsafe { (input(reply_ptr, reply_len), input(body_ptr, body_len)) };
    match SESSION.with(|s| s.borrow_mut().as_mut().map(|session| session.fetched(reply, body, now_ms))) {
        Some(log) => {
            set_output(log);
            0
        }
        None => not_configured(),
    }
}

/// Validate environment settings (a JSON object of strings) with the contents of the file
/// `CONFIG_FILE` names (`file_ptr` 0: no file was read). Returns 0 or 1; the output holds
/// `{ok, config, signatures}` or `{ok:false, error}`. Accepted settings are kept for
/// `jwtgate_configure_from_settings` (refused ones leave none).
///
/// # Safety
/// See `input`, for both ranges.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwtgate_settings_from_env(
    ptr: *const u8,
    len: usize,
    file_ptr: *const u8,
    file_len: usize,
) -> u32 {
    // SAFETY: the caller's contract, which is `input`'s for a file's range that is not null.
    let file = if file_ptr.is_null() { None } else { Some(unsafe { input(file_ptr, file_len) }) };
    // SAFETY: the caller's contract, which is `input`'s.
    let result = validate_settings(unsafe { input(ptr, len) }, file);
    let (config, result) = match result {
        Ok(settings) => (Some(settings.config), Ok(settings.document)),
        Err(e) => (None, Err(e)),
    };
    SETTINGS.with(|s| *s.borrow_mut() = config);
    status_output(result)
}

fn status_output(result: Result<String, String>) -> u32 {
    match result {
        Ok(out) => {
            set_output(out);
            0
        }
        Err(out) => {
            set_output(out);
            1
        }
    }
}

fn not_configured() -> u32 {
    set_output(r#"{"ok":false,"error":"not configured"}"#.to_owned());
    2
}
