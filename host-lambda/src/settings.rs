//! Settings from the process environment, validated by the module itself
//! (`jwtgate_settings_from_env`), so the names, defaults and checks are those of every host.

use crate::engine::{Engine, EngineError, Signatures};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;

/// How this host fetches and caches the JWKS (the `jwks` member of the settings document).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct JwksRules {
    pub jwks_uri: Option<String>,
    pub discovery_url: String,
    pub fetch_timeout_ms: u64,
    pub cache_min_seconds: u64,
    pub cache_max_seconds: u64,
    pub refresh_cooldown_seconds: u64,
    pub max_jwks_bytes: usize,
    pub allow_http_loopback: bool,
}

/// Validated settings: the core's configuration (as the module wants it) and the JWKS rules.
#[derive(Clone, Debug)]
pub struct HostSettings {
    pub config_json: Vec<u8>,
    pub jwks: JwksRules,
    /// `SIGNATURES=host`: signatures checked by this host's native build of the provider.
    pub signatures: Signatures,
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

/// Validate `env` in the module and split the result into the core configuration and rules.
pub fn from_env(engine: &mut Engine, env: &BTreeMap<String, String>) -> Result<HostSettings, SettingsError> {
    let env_json = serde_json::to_vec(env).map_err(|e| SettingsError::Invalid(e.to_string()))?;
    let doc = engine.settings_from_env(&env_json).map_err(SettingsError::Engine)?;
    if doc.get("ok") != Some(&Value::Bool(true)) {
        let message = doc.get("error").and_then(Value::as_str).unwrap_or("invalid configuration");
        return Err(SettingsError::Invalid(message.to_owned()));
    }
    let config = doc.get("config").ok_or_else(|| SettingsError::Invalid("settings without config".into()))?;
    let jwks = doc
        .get("jwks")
        .cloned()
        .ok_or_else(|| SettingsError::Invalid("settings without jwks".into()))
        .and_then(|j| serde_json::from_value(j).map_err(|e| SettingsError::Invalid(format!("jwks settings: {e}"))))?;
    let signatures = match doc.get("signatures").and_then(Value::as_str) {
        Some("host") => Signatures::Native,
        _ => Signatures::Wasm,
    };
    Ok(HostSettings { config_json: config.to_string().into_bytes(), jwks, signatures })
}
