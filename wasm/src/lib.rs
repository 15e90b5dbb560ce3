//! The one WebAssembly module built from `jwtgate-core`. It exports two interfaces over the
//! same [`session::Session`]: wasm-bindgen classes and functions for JavaScript hosts, and a
//! plain C ABI (`jwtgate_*`) for wasmtime and other non-JavaScript hosts. ABI.md documents both.

// `unsafe` only in the C ABI (`c_abi`, which allows it: raw pointers from the host); see
// core/tests/unsafe_confined.rs.
#![deny(unsafe_code)]
#![deny(clippy::undocumented_unsafe_blocks)]

pub mod c_abi;
pub mod provider;
pub mod session;

use wasm_bindgen::prelude::*;

/// Talc instead of the standard library's dlmalloc: a decision makes about twenty short-lived
/// allocations, each of which Talc serves in fewer instructions, and its code is smaller. The
/// module is single-threaded (no `atomics`), which this allocator requires.
#[cfg(all(target_family = "wasm", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// An authorizer for JavaScript hosts. Every method takes and returns strings or bytes; results
/// are JSON documents described in ABI.md.
#[wasm_bindgen]
pub struct Authorizer {
    session: session::Session,
    /// The input area of `authorizeTokenAt` (see `inputArea`): reused, so the warm path copies
    /// and allocates nothing to pass its input in.
    input: Vec<u8>,
}

#[wasm_bindgen]
impl Authorizer {
    /// Configure from the core's configuration JSON. Check `error` on the result, then take
    /// the authorizer.
    #[wasm_bindgen(js_name = create)]
    pub fn create(config_json: &str) -> CreateResult {
        Authorizer::create_with(config_json, provider::Signatures::Wasm)
    }

    /// Like `create`, but signatures are checked by the host's verifier registered with
    /// `setHostVerifier` (see `js/host-provider.js`).
    #[wasm_bindgen(js_name = createWithHostProvider)]
    pub fn create_with_host_provider(config_json: &str) -> CreateResult {
        Authorizer::create_with(config_json, provider::Signatures::Host)
    }

    /// Configure from settings `Settings.fromEnv` validated, with the configuration they made:
    /// it is not written out and read again, but taken from `settings` (once: a second call
    /// with them is an error). `signatures` names who checks signatures, as the setting
    /// `SIGNATURES` does: `"wasm"` or `"host"` (the verifier registered with
    /// `setHostVerifier`). Refused settings give their error, as `create` does.
    #[wasm_bindgen(js_name = createFromSettings)]
    pub fn create_from_settings(settings: &mut ValidatedSettings, signatures: &str) -> CreateResult {
        use jwtgate_core::env::Signatures as Named;
        let provider = match jwtgate_core::config::Named::from_setting("signatures", signatures) {
            Ok(Named::Wasm) => provider::Signatures::Wasm,
            Ok(Named::Host) => provider::Signatures::Host,
            Err(e) => return created(Err(session::error_json(&e.message()))),
        };
        match (&settings.settings, settings.config.take()) {
            (Ok(_), Some(config)) => created(session::Session::from_config(config, provider)),
            (Ok(_), None) => created(Err(session::error_json("these settings configured an authorizer already"))),
            (Err(error), _) => created(Err(error.clone())),
        }
    }

    fn create_with(config_json: &str, provider: provider::Signatures) -> CreateResult {
        created(session::Session::new(config_json.as_bytes(), provider))
    }

    /// `nowMs` is milliseconds since the epoch (`Date.now()`): fractions are dropped here
    /// (`as i64`, which also makes NaN 0), and a time outside the core's range (before 2000,
    /// from 2^53 seconds) is decided `invalid_clock` (core/src/clock.rs). `logFields`: the
    /// whole decision document, or (false) the answer only: the response itself when there is
    /// one, else `{message, outcome, reason, response: null}` (a response never has `outcome`).
    /// `fetch_keys`: drive `nextFetch`/`fetched`, then decide again.
    pub fn authorize(&mut self, event_json: &[u8], now_ms: f64, log_fields: bool) -> String {
        self.session.authorize(event_json, now_ms as i64, fields(log_fields))
    }

    /// Queue the first fetch of every issuer's keys (at start, so the first request finds
    /// them).
    #[wasm_bindgen(js_name = warmUp)]
    pub fn warm_up(&mut self, now_ms: f64) {
        self.session.warm_up(now_ms as i64);
    }

    /// The next request the host must make, `{id, kind, max_bytes, timeout_ms, url}`, or
    /// `undefined` when none is due (call until then; see ABI.md, "Keys").
    #[wasm_bindgen(js_name = nextFetch)]
    pub fn next_fetch(&mut self, now_ms: f64) -> Option<String> {
        self.session.next_fetch(now_ms as i64)
    }

    /// What the host got: `reply` `{id, status, location, cache_control}` with the `body`, or
    /// `{id, failure, detail}`. Returns the log line to write, or `""`.
    pub fn fetched(&mut self, reply_json: &[u8], body: &[u8], now_ms: f64) -> String {
        self.session.fetched(reply_json, body, now_ms as i64)
    }

    /// The address of at least `len` bytes of this authorizer's input area, in the module's
    /// memory, for `authorizeTokenAt`. The area only grows, and moves only when a call asks for
    /// more than it holds. Any call into the module may grow the memory, which detaches
    /// JavaScript's views of it: a view found empty must be taken again (through this method).
    #[wasm_bindgen(js_name = inputArea)]
    pub fn input_area(&mut self, len: usize) -> *mut u8 {
        if self.input.len() < len {
            self.input.resize(len, 0);
        }
        self.input.as_mut_ptr()
    }

    /// The TOKEN event `{type: "TOKEN", authorizationToken, methodArn}` given by its members,
    /// written as UTF-8 straight into the input area: `tokenLen` bytes of `authorizationToken`,
    /// then `arnLen` of `methodArn`. The same decision as `authorize` of the event's JSON, with
    /// no event to serialise and no argument to copy in (the caller encodes with
    /// `TextEncoder.encodeInto`, native, into a view of the area). Members that are not UTF-8 are
    /// an `invalid_event`, as they would be in the event's JSON; lengths beyond the area too.
    #[wasm_bindgen(js_name = authorizeTokenAt)]
    pub fn authorize_token_at(&mut self, token_len: usize, arn_len: usize, now_ms: f64, log_fields: bool) -> String {
        match token_len.checked_add(arn_len).and_then(|end| self.input.get(..end)) {
            Some(members) => {
                let (token, arn) = members.split_at(token_len);
                self.session.authorize_token(token, arn, now_ms as i64, fields(log_fields))
            }
            None => self.session.invalid_event(fields(log_fields)),
        }
    }

    pub fn verify(&mut self, token: &str, now_ms: f64) -> String {
        self.session.verify(token, now_ms as i64)
    }
}

/// What every way of creating an authorizer returns.
fn created(result: Result<session::Session, String>) -> CreateResult {
    match result {
        Ok(session) => CreateResult {
            report: session.configured_json(),
            authorizer: Some(Authorizer { session, input: Vec::new() }),
            error: None,
        },
        Err(error) => CreateResult { authorizer: None, error: Some(error), report: String::new() },
    }
}

fn fields(log_fields: bool) -> session::Fields {
    if log_fields { session::Fields::All } else { session::Fields::Answer }
}

/// The result of `Authorizer.create`: an authorizer, or the configuration error as JSON.
#[wasm_bindgen]
pub struct CreateResult {
    authorizer: Option<Authorizer>,
    error: Option<String>,
    /// The C ABI's configure output on success (`{ok:true}`, and `known_answers_failed`).
    report: String,
}

#[wasm_bindgen]
impl CreateResult {
    /// The authorizer (once; later calls return `undefined`).
    #[wasm_bindgen(js_name = takeAuthorizer)]
    pub fn take_authorizer(&mut self) -> Option<Authorizer> {
        self.authorizer.take()
    }

    #[wasm_bindgen(getter)]
    pub fn error(&self) -> Option<String> {
        self.error.clone()
    }

    /// On success, `{ok:true}`, with `known_answers_failed` (a JSON array of algorithm names)
    /// when the host's provider failed their known answers: the module checks those itself, and
    /// the host logs a warning. Empty after an error.
    #[wasm_bindgen(getter)]
    pub fn report(&self) -> String {
        self.report.clone()
    }
}

/// Settings validated by the module, kept with the configuration they make so that
/// `Authorizer.createFromSettings` configures from it without reading it again (JavaScript
/// name `Settings`; free it once the authorizer is created).
#[wasm_bindgen(js_name = Settings)]
pub struct ValidatedSettings {
    /// The settings document, or the document saying why they were refused.
    settings: Result<String, String>,
    /// The configuration they make, until `createFromSettings` takes it.
    config: Option<jwtgate_core::Config>,
}

#[wasm_bindgen(js_class = Settings)]
impl ValidatedSettings {
    /// `settingsFromEnv`, keeping the validated configuration: environment variables (a JSON
    /// object of strings) and, when `CONFIG_FILE` is set, the file's text, which the host reads.
    #[wasm_bindgen(js_name = fromEnv)]
    pub fn from_env(env_json: &str, config_file: Option<String>) -> ValidatedSettings {
        let file = config_file.as_deref().map(str::as_bytes);
        match session::validate_settings(env_json.as_bytes(), file) {
            Ok(validated) => ValidatedSettings { settings: Ok(validated.document), config: Some(validated.config) },
            Err(error) => ValidatedSettings { settings: Err(error), config: None },
        }
    }

    /// The settings document, as `settingsFromEnv` returns it: `{ok:true, config,
    /// metrics_namespace, signatures}` or `{ok:false, error}`.
    #[wasm_bindgen(getter)]
    pub fn document(&self) -> String {
        match &self.settings {
            Ok(document) | Err(document) => document.clone(),
        }
    }
}

/// Settings from environment variables (a JSON object of strings) and, when `CONFIG_FILE` is
/// set, the file's text, which the host reads.
#[wasm_bindgen(js_name = settingsFromEnv)]
pub fn settings_from_env(env_json: &str, config_file: Option<String>) -> String {
    session::settings_from_env(env_json.as_bytes(), config_file.as_deref().map(str::as_bytes)).unwrap_or_else(|e| e)
}

/// Check one raw signature with the module's own pure-Rust provider: `publicJwk` is a public
/// JWK, loaded with the same checks as a JWKS key (a refused key never verifies). For hosts'
/// self-tests and for proving every provider agrees on every vector.
#[wasm_bindgen(js_name = checkSignature)]
pub fn check_signature(alg: &str, public_jwk: &str, message: &[u8], signature: &[u8]) -> bool {
    use jwtgate_core::{Algorithm, CryptoProvider, Jwk, Limits, PureRust};
    let Some(alg) = Algorithm::from_name(alg) else { return false };
    let Ok(key) = Jwk::from_text(public_jwk.as_bytes(), &Limits::default()) else { return false };
    // (One key, from the caller: the selection rules of a token's header do not apply.)
    key.fits(alg) && PureRust.verify(alg, key.provider_key(), message, signature)
}

/// The environment variables the settings read, as a JSON array of names: hosts pass only these
/// into the module (the rest of a process environment may hold credentials).
#[wasm_bindgen]
pub fn variables() -> String {
    let mut out = Vec::new();
    jwtgate_core::json_text::strings(&mut out, jwtgate_core::env::VARIABLES);
    jwtgate_core::json_text::into_string(out)
}

#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
