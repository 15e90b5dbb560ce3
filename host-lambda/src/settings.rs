//! Settings from the process environment, validated by the module itself
//! (`jwtgate_settings_from_env`), so the names, defaults and checks are those of every host.

use crate::engine::{Engine, EngineError, SettingsInput, Signatures};
use jwtgate_core::setting::Named;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;

/// Validated settings: what the module validated, who checks signatures, and where metrics go.
#[derive(Clone, Debug)]
pub struct HostSettings {
    /// The settings as the module validated them. The engine configures from the configuration
    /// the module kept of them (`Engine::configure_from_settings`), so the configuration is read
    /// and checked once, and never leaves the module; they are also what a fresh instance is
    /// configured from after a trap (`engine::Configuration::Settings`).
    pub input: SettingsInput,
    /// `SIGNATURES`: `wasm` (the module's own provider) or `host` (this host's native build of it).
    pub signatures: Signatures,
    /// `METRICS_NAMESPACE` (default `jwtgate`): the CloudWatch namespace of the metrics the log
    /// lines carry; `None` with `METRICS=false`.
    pub metrics_namespace: Option<String>,
}

#[derive(Debug)]
pub enum SettingsError {
    /// A setting is missing or wrong; the message names it.
    Invalid(String),
    Engine(EngineError),
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SettingsError::Invalid(m) => f.write_str(m),
            SettingsError::Engine(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for SettingsError {}

/// The variables the settings read, taken from `vars` (e.g. `std::env::vars()`). Others are
/// ignored, so secrets in the environment never reach the module or a log.
pub fn relevant_env(vars: impl IntoIterator<Item = (String, String)>) -> BTreeMap<String, String> {
    vars.into_iter().filter(|(k, _)| jwtgate_core::env::VARIABLES.contains(&k.as_str())).collect()
}

/// The file `CONFIG_FILE` names, read (relative paths from the working directory: the
/// deployment's root in Lambda). `None` when the variable is unset or the file unreadable: the
/// module then refuses the settings naming CONFIG_FILE.
pub fn config_file(env: &BTreeMap<String, String>) -> Option<Vec<u8>> {
    let path = env.get("CONFIG_FILE").map(|p| p.trim()).filter(|p| !p.is_empty())?;
    std::fs::read(path).ok()
}

/// Validate `env` (and the CONFIG_FILE it names) in the module, which keeps the configuration
/// for `Authorizer::new` (with this `engine`).
pub fn from_env(engine: &mut Engine, env: &BTreeMap<String, String>) -> Result<HostSettings, SettingsError> {
    let env_json = serde_json::to_vec(env).map_err(|e| SettingsError::Invalid(e.to_string()))?;
    let file = config_file(env);
    let doc = engine.settings_from_env(&env_json, file.as_deref()).map_err(SettingsError::Engine)?;
    if doc.get("ok") != Some(&Value::Bool(true)) {
        let message = doc.get("error").and_then(Value::as_str).unwrap_or("invalid configuration");
        return Err(SettingsError::Invalid(message.to_owned()));
    }
    // The setting's names are the core's; a name the module never writes is refused, not guessed.
    let signatures = Signatures::from_optional("SIGNATURES", doc.get("signatures").and_then(Value::as_str))
        .map_err(|e| SettingsError::Invalid(e.message()))?;
    let metrics_namespace = doc.get("metrics_namespace").and_then(Value::as_str).map(str::to_owned);
    Ok(HostSettings { input: SettingsInput { env_json, config_file: file }, signatures, metrics_namespace })
}
