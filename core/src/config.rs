//! What the verifier accepts. Built from JSON (the wasm boundary) or from environment
//! variables (see `env`), validated once, then immutable.

use crate::alg::Algorithm;
use crate::limits::{CEILING, Limits};
use crate::routes::{self, RouteRule, RulesInput, UnlistedRoutes};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Where an Allow (or a global Deny) applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum PolicyResource {
    /// `arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/*/*`: one cached policy serves every route.
    #[default]
    Stage,
    /// Only the `methodArn` of this request (the original sample's behaviour).
    Method,
}

/// The response shape for HTTP API payload 2.0 events.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum HttpApiResponse {
    /// `{ "isAuthorized": bool, "context": {...} }` (enableSimpleResponses).
    #[default]
    Simple,
    /// An IAM policy, as for REST APIs.
    Policy,
}

pub const MAX_LEEWAY_SECONDS: u32 = 600;

/// The raw, serialisable form. `Config::new` validates it.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigInput {
    pub issuers: Vec<String>,
    pub audiences: Vec<String>,
    #[serde(default)]
    pub algorithms: Option<Vec<String>>,
    #[serde(default)]
    pub leeway_seconds: u32,
    #[serde(default)]
    pub required_scopes: Vec<String>,
    #[serde(default)]
    pub allowed_client_ids: Option<Vec<String>>,
    #[serde(default)]
    pub token_type: Option<String>,
    #[serde(default)]
    pub max_token_age_seconds: Option<u64>,
    #[serde(default)]
    pub policy_resource: PolicyResource,
    #[serde(default)]
    pub context_claims: Option<Vec<String>>,
    #[serde(default)]
    pub http_api_response: HttpApiResponse,
    #[serde(default)]
    pub limits: Limits,
    /// Per-route scope rules (see `routes`).
    #[serde(default)]
    pub route_rules: Option<RulesInput>,
    #[serde(default)]
    pub unlisted_routes: UnlistedRoutes,
}

/// A validated configuration.
#[derive(Clone, Debug)]
pub struct Config {
    pub issuers: Vec<String>,
    pub audiences: Vec<String>,
    pub algorithms: Vec<Algorithm>,
    pub leeway_seconds: u32,
    pub required_scopes: Vec<String>,
    pub allowed_client_ids: Option<Vec<String>>,
    pub token_type: Option<String>,
    pub max_token_age_seconds: Option<u64>,
    pub policy_resource: PolicyResource,
    pub context_claims: Vec<String>,
    pub http_api_response: HttpApiResponse,
    pub limits: Limits,
    pub route_rules: Vec<RouteRule>,
    pub unlisted_routes: UnlistedRoutes,
}

/// The claims copied into the policy's `context` unless configured otherwise.
pub const DEFAULT_CONTEXT_CLAIMS: &[&str] = &["sub", "iss", "scope", "client_id"];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub setting: &'static str,
    pub problem: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid configuration: {}: {}", self.setting, self.problem)
    }
}

impl std::error::Error for ConfigError {}

fn err(setting: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError { setting, problem: problem.into() }
}

impl Config {
    pub fn from_json(bytes: &[u8]) -> Result<Config, ConfigError> {
        let input: ConfigInput =
            serde_json::from_slice(bytes).map_err(|e| err("config", e.to_string()))?;
        Config::new(input)
    }

    pub fn new(input: ConfigInput) -> Result<Config, ConfigError> {
        let issuers = non_empty_list("issuers", input.issuers)?;
        let audiences = non_empty_list("audiences", input.audiences)?;
        let algorithms = match input.algorithms {
            None => vec![Algorithm::RS256],
            Some(names) => {
                let names = non_empty_list("algorithms", names)?;
                let mut algs = Vec::new();
                for name in &names {
                    let alg = Algorithm::from_name(name).ok_or_else(|| {
                        let upper = name.to_ascii_uppercase();
                        if upper == "NONE" || upper.starts_with("HS") {
                            err("algorithms", format!("`{name}` is never accepted"))
                        } else {
                            err("algorithms", format!("unsupported algorithm `{name}`"))
                        }
                    })?;
                    if !algs.contains(&alg) {
                        algs.push(alg);
                    }
                }
                algs
            }
        };
        if input.leeway_seconds > MAX_LEEWAY_SECONDS {
            return Err(err("leeway_seconds", format!("at most {MAX_LEEWAY_SECONDS}")));
        }
        if input.required_scopes.iter().any(|s| s.is_empty() || s.contains(char::is_whitespace)) {
            return Err(err("required_scopes", "a scope is empty or contains white space"));
        }
        let allowed_client_ids = match input.allowed_client_ids {
            None => None,
            Some(ids) => Some(non_empty_list("allowed_client_ids", ids)?),
        };
        if input.token_type.as_deref().is_some_and(str::is_empty) {
            return Err(err("token_type", "empty"));
        }
        if input.max_token_age_seconds == Some(0) {
            return Err(err("max_token_age_seconds", "must be above zero"));
        }
        let names = match input.context_claims {
            None => DEFAULT_CONTEXT_CLAIMS.iter().map(|s| s.to_string()).collect(),
            Some(names) if names.iter().any(String::is_empty) => {
                return Err(err("context_claims", "empty claim name"));
            }
            Some(names) => names,
        };
        // The context is an object: its members are written in this order, sorted as
        // serde_json's maps keep them, each once. (A handful of names: inserted in place
        // rather than through a general sort's code.)
        let mut context_claims: Vec<String> = Vec::with_capacity(names.len());
        for name in names {
            if let Err(at) = context_claims.binary_search(&name) {
                context_claims.insert(at, name);
            }
        }
        let limits = input.limits;
        for (name, value, ceiling) in [
            ("limits.max_token_bytes", limits.max_token_bytes, CEILING.max_token_bytes),
            ("limits.max_jwks_bytes", limits.max_jwks_bytes, CEILING.max_jwks_bytes),
            ("limits.max_keys", limits.max_keys, CEILING.max_keys),
            ("limits.max_event_bytes", limits.max_event_bytes, CEILING.max_event_bytes),
        ] {
            if value == 0 || value > ceiling {
                return Err(err(name, format!("must be between 1 and {ceiling}")));
            }
        }
        let route_rules = match &input.route_rules {
            None => Vec::new(),
            Some(rules) => routes::parse(rules)?,
        };
        Ok(Config {
            route_rules,
            unlisted_routes: input.unlisted_routes,
            issuers,
            audiences,
            algorithms,
            leeway_seconds: input.leeway_seconds,
            required_scopes: input.required_scopes,
            allowed_client_ids,
            token_type: input.token_type,
            max_token_age_seconds: input.max_token_age_seconds,
            policy_resource: input.policy_resource,
            context_claims,
            http_api_response: input.http_api_response,
            limits,
        })
    }
}

fn non_empty_list(setting: &'static str, items: Vec<String>) -> Result<Vec<String>, ConfigError> {
    if items.is_empty() {
        return Err(err(setting, "at least one value is required"));
    }
    if items.iter().any(|s| s.trim().is_empty()) {
        return Err(err(setting, "empty value"));
    }
    Ok(items)
}
