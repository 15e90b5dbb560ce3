//! The jwtgate module in wasmtime: one instance, kept across calls so its key cache stays
//! inside it, driven through the module's C ABI (wasm/ABI.md).
//!
//! Every call runs with a fuel budget and the store's memory cap. A trap of any kind (fuel
//! exhausted, memory refused, a panic inside the module) poisons that instance, so it is
//! dropped and a fresh one is built from the saved configuration before the error is
//! returned (its fetched keys are fetched again when next needed). Callers turn every error
//! into `Unauthorized`.
//!
//! Here: [`Engine`] (the public API, the instance's lifecycle and the replay after a trap),
//! its limits, errors and signature choice. `abi` calls the module's exports and reads their
//! outputs, and links its imports; `native_provider` answers `hostVerify` with this host's
//! native signature checks; `decision` reads a decision document ([`Decision`], [`Outcome`]);
//! `embedded_pages` gives back the embedded module's pages once it is loaded.

mod abi;
mod decision;
mod embedded_pages;
mod native_provider;

pub use decision::{Decision, Outcome};

use abi::{Call, CallError, HostState, Live, glue_linker, parse_document};
use serde_json::Value;
use std::fmt;
use wasmtime::{InstancePre, Module};

include!("../wasmtime_config.rs");

/// The module compiled ahead of time by build.rs for this crate's target.
pub static EMBEDDED_CWASM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/jwtgate.cwasm"));

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

/// Who checks signatures for the module (wasm/ABI.md, "The signature seam"): the setting
/// `SIGNATURES` itself, `host` (the default: this host's native build of the same provider,
/// through the module's `hostVerify` import, `native_provider`, once it gives the known answers)
/// or `wasm` (the module's own pure-Rust provider).
pub use jwtgate_core::env::Signatures;

/// Settings as this host hands them to the module (`Engine::settings_from_env`): the variables
/// it reads, as a JSON object of strings, and the text of the file `CONFIG_FILE` names, when
/// one was read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SettingsInput {
    pub env_json: Vec<u8>,
    pub config_file: Option<Vec<u8>>,
}

/// How the instance was configured: what a fresh instance is configured with after a trap.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Configuration {
    /// `Engine::configure`: the core's configuration JSON, given to the fresh instance as it is.
    Json(Vec<u8>),
    /// `Engine::configure_from_settings`: the settings, validated again by the fresh instance,
    /// which is then configured from what it validated, as the first instance was.
    ///
    /// The settings are replayed, not the configuration JSON the module wrote for them: a
    /// fresh instance then gets its configuration the way the first one did (one validation,
    /// nothing written out and read back), and this host never holds the configuration at all.
    /// `CONFIG_FILE`'s text is the one read at start, kept here, so a replay cannot differ from
    /// it by reading a changed file. A trap is rare, and validating the settings costs about what
    /// reading the configuration JSON would.
    Settings(SettingsInput),
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

/// The jwtgate module, loaded once, with one instance reused across calls.
pub struct Engine {
    engine: wasmtime::Engine,
    pre: InstancePre<HostState>,
    limits: Limits,
    live: Option<Live>,
    /// Replayed into a fresh instance after a trap.
    configuration: Option<Configuration>,
    rebuilds: u64,
    signatures: Signatures,
}

impl Engine {
    /// The module embedded in this binary by build.rs, with default limits.
    pub fn embedded() -> Result<Engine, EngineError> {
        // SAFETY: EMBEDDED_CWASM is the output of `Engine::precompile_module` in build.rs, made
        // by the same wasmtime version with the same configuration, and never altered.
        let engine = unsafe { Engine::new(EMBEDDED_CWASM, Limits::default()) }?;
        // The module now runs from wasmtime's copy.
        embedded_pages::release(EMBEDDED_CWASM);
        Ok(engine)
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
            configuration: None,
            rebuilds: 0,
            signatures: Signatures::default(),
        })
    }

    /// Choose the signature provider for the next `configure` (default: the host's, `host`).
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
    /// `{ok, config, signatures}` or the module's `{ok:false, error}` document. The instance
    /// keeps the configuration of settings it accepts, for `configure_from_settings`.
    pub fn settings_from_env(&mut self, env_json: &[u8], config_file: Option<&[u8]>) -> Result<Value, EngineError> {
        let (status, out) = self.call(Call::SettingsFromEnv, &[Some(env_json), config_file], self.limits.keys_fuel)?;
        if let Some(live) = self.live.as_mut() {
            live.validated = (status == 0)
                .then(|| SettingsInput { env_json: env_json.to_vec(), config_file: config_file.map(<[u8]>::to_vec) });
        }
        parse_document(&out)
    }

    /// Configure the module (the core's configuration JSON). Drops any fetched keys. Returns the
    /// algorithms whose known answers the host's provider failed (`known_answers_failed`, see
    /// ABI.md): the module checks those itself, and the caller logs a warning.
    pub fn configure(&mut self, config_json: &[u8]) -> Result<Vec<String>, EngineError> {
        let answer = self.call(Call::Configure(self.signatures), &[Some(config_json)], self.limits.keys_fuel)?;
        self.configured(answer, Configuration::Json(config_json.to_vec()))
    }

    /// Configure the module from `settings`, which it validated (`settings_from_env`): from
    /// the configuration it kept of them, which is not read again. Settings the instance has
    /// not accepted (others validated since, or a fresh instance) are validated first. Drops
    /// any fetched keys.
    /// Returns what [`Engine::configure`] returns.
    pub fn configure_from_settings(&mut self, settings: &SettingsInput) -> Result<Vec<String>, EngineError> {
        if self.live.as_ref().and_then(|live| live.validated.as_ref()) != Some(settings) {
            let doc = self.settings_from_env(&settings.env_json, settings.config_file.as_deref())?;
            if doc.get("ok") != Some(&Value::Bool(true)) {
                return Err(EngineError::Config(doc.to_string()));
            }
        }
        let answer = self.call(Call::ConfigureFromSettings(self.signatures), &[], self.limits.keys_fuel)?;
        // Whatever the answer, the settings are validated again before configuring again: the
        // module gives up the configuration it kept when it configures from it.
        if let Some(live) = self.live.as_mut() {
            live.validated = None;
        }
        self.configured(answer, Configuration::Settings(settings.clone()))
    }

    /// A configure call's answer: on status 0 the instance runs `configuration` (replayed
    /// after a trap), and the algorithms whose known answers the host's provider failed come
    /// back; otherwise the module's error.
    fn configured(
        &mut self,
        (status, out): (i32, Vec<u8>),
        configuration: Configuration,
    ) -> Result<Vec<String>, EngineError> {
        if status != 0 {
            return Err(EngineError::Config(String::from_utf8_lossy(&out).into_owned()));
        }
        self.configuration = Some(configuration);
        known_answers_failed(&out)
    }

    /// How the instance was configured (the last configuration the module accepted), which a
    /// fresh instance is given after a trap; `None` before any.
    pub fn configuration(&self) -> Option<&Configuration> {
        self.configuration.as_ref()
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

    /// A fresh instance with the saved configuration replayed into it (see `Configuration`).
    fn rebuild(&mut self) -> Result<(), EngineError> {
        self.live = None;
        let mut live = Live::new(&self.engine, &self.pre, &self.limits)?;
        let fuel = self.limits.keys_fuel;
        let replay = |live: &mut Live, call: Call, inputs: &[Option<&[u8]>]| match live.invoke(call, inputs, fuel) {
            Ok((0, _)) => Ok(()),
            Ok((status, _)) => Err(EngineError::Abi(format!("{} replay returned {status}", call.name()))),
            Err(CallError::Trap(trap)) => Err(EngineError::Trap { call: call.name(), trap }),
            Err(CallError::Abi(m)) => Err(EngineError::Abi(m)),
        };
        match &self.configuration {
            None => {}
            Some(Configuration::Json(config)) => replay(&mut live, Call::Configure(self.signatures), &[Some(config)])?,
            Some(Configuration::Settings(settings)) => {
                let inputs = [Some(settings.env_json.as_slice()), settings.config_file.as_deref()];
                replay(&mut live, Call::SettingsFromEnv, &inputs)?;
                replay(&mut live, Call::ConfigureFromSettings(self.signatures), &[])?;
            }
        }
        self.live = Some(live);
        self.rebuilds += 1;
        Ok(())
    }

    /// Fuel the last call left unused (for measurements).
    pub fn fuel_left(&self) -> Option<u64> {
        self.live.as_ref().and_then(Live::fuel_left)
    }
}

/// The algorithms a configure call's output names as `known_answers_failed` (ABI.md): the
/// host's provider got their known answers wrong, and the module checks them itself.
fn known_answers_failed(out: &[u8]) -> Result<Vec<String>, EngineError> {
    let report = parse_document(out)?;
    let failed = report.get("known_answers_failed").and_then(Value::as_array);
    Ok(failed.into_iter().flatten().filter_map(Value::as_str).map(str::to_owned).collect())
}
