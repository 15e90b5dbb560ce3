//! The jwtgate module in wasmtime: one instance, kept across calls so its key cache stays
//! inside it, driven through the module's C ABI (wasm/ABI.md).
//!
//! Every call runs with a fuel budget and the store's memory cap. A trap of any kind (fuel
//! exhausted, memory refused, a panic inside the module) poisons that instance, so it is
//! dropped and a fresh one is built from the saved configuration before the error is
//! returned (its fetched keys are fetched again when next needed). Callers turn every error
//! into `Unauthorized`.

use serde_json::Value;
use std::collections::HashMap;
use std::fmt;
use wasmtime::{Caller, InstancePre, Linker, Memory, Module, Store, StoreLimits, StoreLimitsBuilder, TypedFunc};

include!("wasmtime_config.rs");

/// The module compiled ahead of time by build.rs for this crate's target.
pub static EMBEDDED_CWASM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/jwtgate.cwasm"));

/// The import module name wasm-bindgen gives its JavaScript glue.
const GLUE_MODULE: &str = "./jwtgate_wasm_bg.js";

/// Resource caps for the instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Linear memory the instance may grow to. The module needs a few MiB for a maximal JWKS
    /// (512 KiB) and event (1 MiB); the cap stops a hostile input from taking the Lambda's RAM.
    pub memory_bytes: usize,
    /// Fuel (roughly wasm instructions) for one `authorize`. An RS256 decision takes about
    /// 6 million; the budget leaves room for 8192-bit keys and maximal events.
    pub authorize_fuel: u64,
    /// Fuel for handing the module a fetched key set (up to 256 keys, each checked, e.g. for
    /// ROCA moduli) and for a configuration with inline keys.
    pub keys_fuel: u64,
    /// Fuel for configuration and settings validation.
    pub setup_fuel: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            memory_bytes: 64 << 20,
            authorize_fuel: 1_000_000_000,
            keys_fuel: 20_000_000_000,
            setup_fuel: 100_000_000,
        }
    }
}

/// Who checks signatures for the module (wasm/ABI.md, "The signature seam").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Signatures {
    /// The module's own pure-Rust provider: the default in every host.
    #[default]
    Wasm,
    /// This host's native build of the same pure-Rust provider, through the module's
    /// `hostVerify` import: the same code compiled for the CPU instead of wasm.
    Native,
}

impl Signatures {
    fn code(self) -> i32 {
        match self {
            Signatures::Wasm => 0,
            Signatures::Native => 1,
        }
    }
}

/// Why a call into the module did not produce its document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EngineError {
    /// The `.cwasm` could not be loaded or instantiated (wrong wasmtime or settings).
    Load(String),
    /// The instance trapped (fuel, memory cap, panic); it has been replaced.
    Trap { call: &'static str, trap: String },
    /// `jwtgate_configure` refused the configuration (the module's error JSON).
    Config(String),
    /// A call before `configure`.
    NotConfigured,
    /// The module answered outside its documented ABI.
    Abi(String),
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EngineError::Load(m) => write!(f, "cannot load the jwtgate module: {m}"),
            EngineError::Trap { call, trap } => write!(f, "the jwtgate module trapped in {call}: {trap}"),
            EngineError::Config(m) => write!(f, "configuration refused: {m}"),
            EngineError::NotConfigured => f.write_str("the jwtgate module is not configured"),
            EngineError::Abi(m) => write!(f, "the jwtgate module broke its ABI: {m}"),
        }
    }
}

impl std::error::Error for EngineError {}

/// The decision's outcome, read from the decision document. Anything unexpected is
/// `Unauthorized`: reject by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Allow,
    Deny,
    Unauthorized,
    /// Keys are needed first: drive `next_fetch`/`fetched`, then decide again.
    FetchKeys,
}

/// One decision document from `jwtgate_authorize` (see ABI.md).
#[derive(Clone, Debug, PartialEq)]
pub struct Decision(pub Value);

impl Decision {
    pub fn outcome(&self) -> Outcome {
        match self.0.get("outcome").and_then(Value::as_str) {
            Some("allow") => Outcome::Allow,
            Some("deny") => Outcome::Deny,
            Some("fetch_keys") => Outcome::FetchKeys,
            _ => Outcome::Unauthorized,
        }
    }

    /// The authorizer's return value, or `None`: fail the invocation with `Unauthorized`.
    /// Only allow and deny carry a response, whatever the document says.
    pub fn response(&self) -> Option<&Value> {
        match self.outcome() {
            Outcome::Allow | Outcome::Deny => self.0.get("response").filter(|r| r.is_object()),
            Outcome::Unauthorized | Outcome::FetchKeys => None,
        }
    }

    pub fn field(&self, name: &str) -> Option<&str> {
        self.0.get(name).and_then(Value::as_str)
    }
}

#[derive(Clone, Copy)]
enum Call {
    Configure(Signatures),
    Authorize(i64),
    SettingsFromEnv,
    WarmUp(i64),
    NextFetch(i64),
    Fetched(i64),
}

impl Call {
    fn name(self) -> &'static str {
        match self {
            Call::Configure(_) => "jwtgate_configure_with_provider",
            Call::Authorize(_) => "jwtgate_authorize",
            Call::SettingsFromEnv => "jwtgate_settings_from_env",
            Call::WarmUp(_) => "jwtgate_warm_up",
            Call::NextFetch(_) => "jwtgate_next_fetch",
            Call::Fetched(_) => "jwtgate_fetched",
        }
    }
}

struct HostState {
    limits: StoreLimits,
    /// Keys the native provider has prepared, by the id the module gives each key (the bits
    /// of the float). The store lives exactly as long as its instance, whose ids never repeat.
    native_keys: HashMap<u64, Option<jwtgate_core::Jwk>>,
}

/// One live instance and its typed exports.
struct Live {
    store: Store<HostState>,
    memory: Memory,
    alloc: TypedFunc<i32, i32>,
    free: TypedFunc<(i32, i32), ()>,
    output_ptr: TypedFunc<(), i32>,
    output_len: TypedFunc<(), i32>,
    configure: TypedFunc<(i32, i32, i32), i32>,
    authorize: TypedFunc<(i32, i32, i64), i32>,
    settings_from_env: TypedFunc<(i32, i32, i32, i32), i32>,
    warm_up: TypedFunc<i64, i32>,
    next_fetch: TypedFunc<i64, i32>,
    fetched: TypedFunc<(i32, i32, i32, i32, i64), i32>,
}

/// Either a trap (the instance is unusable) or an ABI violation.
enum CallError {
    Trap(String),
    Abi(String),
}

impl Live {
    fn new(engine: &wasmtime::Engine, pre: &InstancePre<HostState>, limits: &Limits) -> Result<Live, EngineError> {
        let store_limits = StoreLimitsBuilder::new()
            .memory_size(limits.memory_bytes)
            .memories(1)
            .tables(4)
            .instances(1)
            .trap_on_grow_failure(true)
            .build();
        let mut store = Store::new(engine, HostState { limits: store_limits, native_keys: HashMap::new() });
        store.limiter(|state| &mut state.limits);
        let load = |e: wasmtime::Error| EngineError::Load(format!("{e:#}"));
        store.set_fuel(limits.setup_fuel).map_err(load)?;
        let instance = pre.instantiate(&mut store).map_err(load)?;
        let memory =
            instance.get_memory(&mut store, "memory").ok_or_else(|| EngineError::Load("no exported memory".into()))?;
        macro_rules! export {
            ($name:literal) => {
                instance
                    .get_typed_func(&mut store, $name)
                    .map_err(|e| EngineError::Load(format!("{}: {e:#}", $name)))?
            };
        }
        Ok(Live {
            alloc: export!("jwtgate_alloc"),
            free: export!("jwtgate_free"),
            output_ptr: export!("jwtgate_output_ptr"),
            output_len: export!("jwtgate_output_len"),
            configure: export!("jwtgate_configure_with_provider"),
            authorize: export!("jwtgate_authorize"),
            settings_from_env: export!("jwtgate_settings_from_env"),
            warm_up: export!("jwtgate_warm_up"),
            next_fetch: export!("jwtgate_next_fetch"),
            fetched: export!("jwtgate_fetched"),
            store,
            memory,
        })
    }

    /// Copy `inputs` into the module (`None`: a null pointer), call `call`, and copy the
    /// output document out.
    fn invoke(&mut self, call: Call, inputs: &[Option<&[u8]>], fuel: u64) -> Result<(i32, Vec<u8>), CallError> {
        let trap = |e: wasmtime::Error| CallError::Trap(format!("{e:#}"));
        self.store.set_fuel(fuel).map_err(trap)?;
        let mut args = Vec::with_capacity(inputs.len());
        for input in inputs {
            let Some(input) = input else {
                args.push((0, 0));
                continue;
            };
            let len = i32::try_from(input.len()).map_err(|_| CallError::Abi("input larger than 2 GiB".into()))?;
            let ptr = self.alloc.call(&mut self.store, len).map_err(trap)?;
            self.memory
                .write(&mut self.store, ptr as u32 as usize, input)
                .map_err(|_| CallError::Abi("jwtgate_alloc returned memory out of bounds".into()))?;
            args.push((ptr, len));
        }
        let arg = |i: usize| args.get(i).copied().unwrap_or((0, 0));
        let ((p0, l0), (p1, l1)) = (arg(0), arg(1));
        let status = match call {
            Call::Configure(signatures) => self.configure.call(&mut self.store, (p0, l0, signatures.code())),
            Call::Authorize(now) => self.authorize.call(&mut self.store, (p0, l0, now)),
            Call::SettingsFromEnv => self.settings_from_env.call(&mut self.store, (p0, l0, p1, l1)),
            Call::WarmUp(now) => self.warm_up.call(&mut self.store, now),
            Call::NextFetch(now) => self.next_fetch.call(&mut self.store, now),
            Call::Fetched(now) => self.fetched.call(&mut self.store, (p0, l0, p1, l1, now)),
        }
        .map_err(trap)?;
        for (ptr, len) in args {
            if ptr != 0 {
                self.free.call(&mut self.store, (ptr, len)).map_err(trap)?;
            }
        }
        let out_ptr = self.output_ptr.call(&mut self.store, ()).map_err(trap)? as u32 as usize;
        let out_len = self.output_len.call(&mut self.store, ()).map_err(trap)? as u32 as usize;
        let output = self
            .memory
            .data(&self.store)
            .get(out_ptr..out_ptr.saturating_add(out_len))
            .ok_or_else(|| CallError::Abi("output buffer out of bounds".into()))?
            .to_vec();
        Ok((status, output))
    }
}

/// The jwtgate module, loaded once, with one instance reused across calls.
pub struct Engine {
    engine: wasmtime::Engine,
    pre: InstancePre<HostState>,
    limits: Limits,
    live: Option<Live>,
    /// Replayed into a fresh instance after a trap.
    config_json: Option<Vec<u8>>,
    rebuilds: u64,
    signatures: Signatures,
}

impl Engine {
    /// The module embedded in this binary by build.rs, with default limits.
    pub fn embedded() -> Result<Engine, EngineError> {
        // SAFETY: EMBEDDED_CWASM is the output of `Engine::precompile_module` in build.rs, made
        // by the same wasmtime version with the same configuration, and never altered.
        unsafe { Engine::new(EMBEDDED_CWASM, Limits::default()) }
    }

    /// Load a module compiled ahead of time.
    ///
    /// # Safety
    /// `cwasm` must be the output of wasmtime's `precompile_module` with
    /// `jwtgate_wasmtime_config()` (it is machine code wasmtime will run without checks);
    /// never bytes from an untrusted source.
    pub unsafe fn new(cwasm: &[u8], limits: Limits) -> Result<Engine, EngineError> {
        let load = |e: wasmtime::Error| EngineError::Load(format!("{e:#}"));
        let engine = wasmtime::Engine::new(&jwtgate_wasmtime_config()).map_err(load)?;
        // SAFETY: forwarded to the caller (see above).
        let module = unsafe { Module::deserialize(&engine, cwasm) }.map_err(load)?;
        let linker = glue_linker(&engine, &module)?;
        let pre = linker.instantiate_pre(&module).map_err(load)?;
        let live = Live::new(&engine, &pre, &limits)?;
        Ok(Engine {
            engine,
            pre,
            limits,
            live: Some(live),
            config_json: None,
            rebuilds: 0,
            signatures: Signatures::Wasm,
        })
    }

    /// Choose the signature provider for the next `configure` (default: the module's own).
    pub fn set_signatures(&mut self, signatures: Signatures) {
        self.signatures = signatures;
    }

    /// How many times a trapped instance was replaced.
    pub fn rebuilds(&self) -> u64 {
        self.rebuilds
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Change the caps (e.g. tests that provoke a trap). Applies to later calls.
    pub fn set_limits(&mut self, limits: Limits) {
        self.limits = limits;
        self.live = None;
    }

    /// Validate environment settings (a JSON object of strings) with the text of the file
    /// `CONFIG_FILE` names, when it was read. Returns the settings document
    /// `{ok, config, signatures}` or the module's `{ok:false, error}` document.
    pub fn settings_from_env(&mut self, env_json: &[u8], config_file: Option<&[u8]>) -> Result<Value, EngineError> {
        let (_, out) = self.call(Call::SettingsFromEnv, &[Some(env_json), config_file], self.limits.keys_fuel)?;
        parse_document(&out)
    }

    /// Configure the module (the core's configuration JSON). Drops any fetched keys.
    pub fn configure(&mut self, config_json: &[u8]) -> Result<(), EngineError> {
        let (status, out) = self.call(Call::Configure(self.signatures), &[Some(config_json)], self.limits.keys_fuel)?;
        match status {
            0 => {
                self.config_json = Some(config_json.to_vec());
                Ok(())
            }
            _ => Err(EngineError::Config(String::from_utf8_lossy(&out).into_owned())),
        }
    }

    /// Queue the first fetch of every key source without keys (see `next_fetch`).
    pub fn warm_up(&mut self, now_ms: i64) -> Result<(), EngineError> {
        match self.call(Call::WarmUp(now_ms), &[], self.limits.setup_fuel)?.0 {
            0 => Ok(()),
            2 => Err(EngineError::NotConfigured),
            s => Err(EngineError::Abi(format!("jwtgate_warm_up returned {s}"))),
        }
    }

    /// The next request the module asks for (`{id, kind, max_bytes, timeout_ms, url}`), if any.
    pub fn next_fetch(&mut self, now_ms: i64) -> Result<Option<Value>, EngineError> {
        match self.call(Call::NextFetch(now_ms), &[], self.limits.setup_fuel)? {
            (0, _) => Ok(None),
            (1, out) => parse_document(&out).map(Some),
            (2, _) => Err(EngineError::NotConfigured),
            (s, _) => Err(EngineError::Abi(format!("jwtgate_next_fetch returned {s}"))),
        }
    }

    /// Hand the module what a request got (`reply` JSON, see ABI.md, and the body). Returns the
    /// log line to write, if the module gave one.
    pub fn fetched(&mut self, reply: &[u8], body: &[u8], now_ms: i64) -> Result<Option<Value>, EngineError> {
        match self.call(Call::Fetched(now_ms), &[Some(reply), Some(body)], self.limits.keys_fuel)? {
            (0, out) if out.is_empty() => Ok(None),
            (0, out) => parse_document(&out).map(Some),
            (2, _) => Err(EngineError::NotConfigured),
            (s, _) => Err(EngineError::Abi(format!("jwtgate_fetched returned {s}"))),
        }
    }

    /// Decide an API Gateway event at `now_ms` (milliseconds since the epoch).
    pub fn authorize(&mut self, event: &[u8], now_ms: i64) -> Result<Decision, EngineError> {
        let (status, out) = self.call(Call::Authorize(now_ms), &[Some(event)], self.limits.authorize_fuel)?;
        match status {
            // 3: the clock was outside the core's range; the output is that refusal.
            0 | 3 => parse_document(&out).map(Decision),
            2 => Err(EngineError::NotConfigured),
            s => Err(EngineError::Abi(format!("jwtgate_authorize returned {s}"))),
        }
    }

    fn call(&mut self, call: Call, inputs: &[Option<&[u8]>], fuel: u64) -> Result<(i32, Vec<u8>), EngineError> {
        if self.live.is_none() {
            self.rebuild()?;
        }
        let live = self.live.as_mut().ok_or_else(|| EngineError::Load("no instance".into()))?;
        match live.invoke(call, inputs, fuel) {
            Ok(result) => Ok(result),
            Err(CallError::Abi(m)) => {
                // An instance that broke its ABI is not trusted either.
                self.replace_after_failure();
                Err(EngineError::Abi(m))
            }
            Err(CallError::Trap(trap)) => {
                self.replace_after_failure();
                Err(EngineError::Trap { call: call.name(), trap })
            }
        }
    }

    /// Drop the poisoned instance and build a fresh one now, so the next request does not pay
    /// for it. If that fails, the next call tries again.
    fn replace_after_failure(&mut self) {
        self.live = None;
        let _ = self.rebuild();
    }

    /// A fresh instance with the saved configuration replayed into it.
    fn rebuild(&mut self) -> Result<(), EngineError> {
        self.live = None;
        let mut live = Live::new(&self.engine, &self.pre, &self.limits)?;
        if let Some(config) = &self.config_json {
            let call = Call::Configure(self.signatures);
            match live.invoke(call, &[Some(config)], self.limits.keys_fuel) {
                Ok((0, _)) => {}
                Ok((status, _)) => return Err(EngineError::Abi(format!("{} replay returned {status}", call.name()))),
                Err(CallError::Trap(trap)) => return Err(EngineError::Trap { call: call.name(), trap }),
                Err(CallError::Abi(m)) => return Err(EngineError::Abi(m)),
            }
        }
        self.live = Some(live);
        self.rebuilds += 1;
        Ok(())
    }

    /// Fuel the last call left unused (for measurements).
    pub fn fuel_left(&self) -> Option<u64> {
        self.live.as_ref().and_then(|l| l.store.get_fuel().ok())
    }
}

/// The module's `hostVerify(alg, key_id, public_jwk, message, signature)`: the algorithm's
/// code (`Algorithm::code`), the key's id (one id is one key for the instance's life, so the
/// parsed key is kept by id) and (pointer, length) pairs into its memory; 1 if the signature
/// verifies. Anything out of bounds or unparsable is a refusal, never a trap: the module
/// decides `bad_signature`.
#[allow(clippy::too_many_arguments)]
fn native_verify(
    mut caller: Caller<'_, HostState>,
    alg_code: i32,
    key_id: f64,
    jwk_ptr: i32,
    jwk_len: i32,
    msg_ptr: i32,
    msg_len: i32,
    sig_ptr: i32,
    sig_len: i32,
) -> i32 {
    use jwtgate_core::{Algorithm, CryptoProvider, Jwk, Limits as CoreLimits, PureRust};
    let Some(wasmtime::Extern::Memory(memory)) = caller.get_export("memory") else { return 0 };
    let (data, state) = memory.data_and_store_mut(&mut caller);
    let slice =
        |ptr: i32, len: i32| data.get(ptr as u32 as usize..(ptr as u32 as usize).checked_add(len as u32 as usize)?);
    let (Some(jwk), Some(message), Some(signature)) =
        (slice(jwk_ptr, jwk_len), slice(msg_ptr, msg_len), slice(sig_ptr, sig_len))
    else {
        return 0;
    };
    let Some(alg) = Algorithm::from_code(alg_code as u32) else { return 0 };
    let load = || Jwk::from_text(jwk, &CoreLimits::default()).ok();
    let check = |key: &Option<Jwk>| {
        key.as_ref().is_some_and(|key| key.fits(alg) && PureRust.verify(alg, key.provider_key(), message, signature))
    };
    // Id 0: a key the module did not tag; nothing to keep it by.
    if key_id == 0.0 {
        return check(&load()) as i32;
    }
    let id = key_id.to_bits();
    // A JWKS holds at most a few hundred keys; forget them all rather than grow without bound.
    if state.native_keys.len() >= 1024 && !state.native_keys.contains_key(&id) {
        state.native_keys.clear();
    }
    check(state.native_keys.entry(id).or_insert_with(load)) as i32
}

fn parse_document(out: &[u8]) -> Result<Value, EngineError> {
    serde_json::from_slice(out).map_err(|e| EngineError::Abi(format!("output is not JSON: {e}")))
}

/// wasm-bindgen's glue imports: the externref table initialiser does nothing (the C ABI never
/// passes JavaScript values), `__wbindgen_throw` traps (it is how Rust panics surface), and
/// `hostVerify` is the native signature provider (used only by sessions configured for it).
/// Any other import means the module is not the one this host was written for.
fn glue_linker(engine: &wasmtime::Engine, module: &Module) -> Result<Linker<HostState>, EngineError> {
    let mut linker = Linker::new(engine);
    for import in module.imports() {
        let (module_name, name) = (import.module(), import.name());
        let wasmtime::ExternType::Func(ty) = import.ty() else {
            return Err(EngineError::Load(format!("unexpected non-function import {module_name}::{name}")));
        };
        let define = if module_name == GLUE_MODULE && name == "__wbindgen_init_externref_table" {
            linker.func_new(module_name, name, ty, |_, _, _| Ok(()))
        } else if module_name == GLUE_MODULE && name.starts_with("__wbg___wbindgen_throw_") {
            linker.func_new(module_name, name, ty, |_, _, _| Err(wasmtime::Error::msg("the jwtgate module threw")))
        } else if module_name == GLUE_MODULE && name.starts_with("__wbg_hostVerify_") {
            linker.func_wrap(module_name, name, native_verify)
        } else {
            return Err(EngineError::Load(format!("unexpected import {module_name}::{name}")));
        };
        define.map_err(|e| EngineError::Load(format!("{e:#}")))?;
    }
    Ok(linker)
}
