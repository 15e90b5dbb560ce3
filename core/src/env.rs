//! Settings from environment variables, shared by every host so the names, defaults and
//! validation are the same everywhere. The host reads its environment and passes the map in;
//! this module never reads the process environment itself.
//!
//! Compatible with the original sample (`ISSUER`, `JWKS_URI`, `AUDIENCE`) and its older
//! ancestor (`TOKEN_ISSUER`).

use crate::claim_rule;
use crate::config::{
    self, CacheRules, Config, ConfigError, ConfigInput, Named, PROFILE_MEMBERS, ProfileInput, ProfileMember, Slot,
};
use crate::json::{self, Json};
use crate::json_text;
use crate::limits::Limits;
use crate::profile::{ScopeMatch, TokenUse};
use crate::routes::RulesInput;
use crate::setting::err;
use std::collections::BTreeMap;

/// Who checks signatures (`SIGNATURES`): `host` (the default), the host's native provider
/// (`node:crypto` in Node and bun, native Rust in the wasmtime host) for each algorithm whose
/// known answers it gives at start-up ([`known_answers`](crate::known_answers)), the module's
/// own code for the rest and where the runtime has no provider (edge runtimes); or `wasm`, the
/// module's own pure-Rust code ([`PureRust`]) for every algorithm. Either way the module makes
/// the decision; the provider only answers whether a signature verifies. The one name of this
/// idea: the wasm crate, host-lambda and TypeScript use these names and variants
/// (core/tests/lists_across_languages.rs).
///
/// [`PureRust`]: crate::crypto::PureRust
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Signatures {
    /// `wasm`: the module's own provider ([`PureRust`](crate::PureRust)).
    Wasm,
    /// `host`: the host's native provider, checked against known answers first.
    #[default]
    Host,
}

impl Named for Signatures {
    const NAMES: &'static [(&'static str, Self)] = &[("wasm", Self::Wasm), ("host", Self::Host)];
}

/// Everything a host needs: the configuration (with its key sources and cache rules), who
/// checks signatures, and where its metrics go.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The validated configuration.
    pub config: Config,
    /// The same configuration in its serialisable form (what crosses the wasm boundary).
    pub config_input: ConfigInput,
    /// Who checks signatures.
    pub signatures: Signatures,
    /// The CloudWatch namespace of the metrics the hosts embed in their log lines
    /// (`METRICS_NAMESPACE`, default `jwtgate`); `None` when `METRICS=false`.
    pub metrics_namespace: Option<String>,
}

/// The namespace metrics go to when METRICS_NAMESPACE is not set.
pub const DEFAULT_METRICS_NAMESPACE: &str = "jwtgate";

/// Every variable this module reads, for documentation and for hosts that copy them.
pub const VARIABLES: &[&str] = &[
    "CONFIG_FILE",
    "ISSUERS",
    "ISSUER",
    "TOKEN_ISSUER",
    "COGNITO_USER_POOL_ID",
    "AUDIENCE",
    "ALLOWED_CLIENT_IDS",
    "TOKEN_USE",
    "JWKS_URI",
    "JWKS",
    "JWKS_FILE",
    "ALGORITHMS",
    "LEEWAY_SECONDS",
    "REQUIRED_SCOPES",
    "SCOPE_MATCH",
    "CLAIM_RULES",
    "TOKEN_TYPE",
    "MAX_TOKEN_AGE_SECONDS",
    "POLICY_RESOURCE",
    "CONTEXT_CLAIMS",
    "CONTEXT_PAYLOAD_KEY",
    "USAGE_IDENTIFIER_CLAIM",
    "REQUIRE_CERTIFICATE_BINDING",
    "HTTP_API_RESPONSE",
    "MAX_TOKEN_BYTES",
    "MAX_JWKS_BYTES",
    "MAX_JWKS_KEYS",
    "MAX_EVENT_BYTES",
    "JWKS_TIMEOUT_MS",
    "JWKS_CACHE_MIN_SECONDS",
    "JWKS_CACHE_MAX_SECONDS",
    "JWKS_REFRESH_COOLDOWN_SECONDS",
    "JWKS_ALLOW_HTTP_LOOPBACK",
    "ROUTE_RULES",
    "UNLISTED_ROUTES",
    "TOKEN_SOURCES",
    "SIGNATURES",
    "METRICS",
    "METRICS_NAMESPACE",
];

/// The variables about the host's output, not about what is accepted: allowed beside
/// CONFIG_FILE, which holds the whole configuration.
const HOST_VARIABLES: &[&str] = &["CONFIG_FILE", "SIGNATURES", "METRICS", "METRICS_NAMESPACE"];

/// The configuration's members whose variables are not their names in capitals.
const RENAMED: &[(&str, &str)] = &[
    ("audiences", "AUDIENCE"),
    ("limits.max_token_bytes", "MAX_TOKEN_BYTES"),
    ("limits.max_jwks_bytes", "MAX_JWKS_BYTES"),
    ("limits.max_keys", "MAX_JWKS_KEYS"),
    ("limits.max_event_bytes", "MAX_EVENT_BYTES"),
];

/// The variable a configuration error's setting was read from. `listed`: the profiles came
/// from `ISSUERS` (`issuers[1].jwks_uri` is then `ISSUERS[1].jwks_uri`); else from
/// ISSUER/COGNITO_USER_POOL_ID, whose profiles hold only the issuer, the rest being shared.
fn variable(setting: &str, listed: bool) -> String {
    if let Some(rest) = setting.strip_prefix("issuers") {
        if listed {
            return ["ISSUERS", rest].concat();
        }
        return match rest.rsplit_once('.').map(|(_, member)| member) {
            None | Some("issuer") => "ISSUER".to_owned(),
            Some("cognito_user_pool_id") => "COGNITO_USER_POOL_ID".to_owned(),
            Some(member) => variable(member, listed),
        };
    }
    match RENAMED.iter().find(|(member, _)| *member == setting) {
        Some((_, var)) => (*var).to_owned(),
        None if setting.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') => setting.to_ascii_uppercase(),
        None => setting.to_owned(),
    }
}

struct Env<'a>(&'a BTreeMap<String, String>);

impl Env<'_> {
    fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
    }
    /// A list: a JSON array of strings (what the npm package's array options become), each
    /// element taken as it is, or else comma-separated values, each trimmed (`space_too`: a
    /// space separates them too).
    fn list(&self, name: &str, space_too: bool) -> Result<Option<Vec<String>>, ConfigError> {
        self.list_of(name, name, space_too)
    }
    /// [`Env::list`] of variable `var`, its errors naming `setting`.
    fn list_of(&self, var: &str, setting: &str, space_too: bool) -> Result<Option<Vec<String>>, ConfigError> {
        match self.get(var) {
            None => Ok(None),
            Some(v) if v.starts_with('[') => {
                let value = json::read(v.as_bytes())
                    .map_err(|_| err(setting, "starts with `[` but is not a JSON list of strings"))?;
                config::strings(setting, &value).map(Some)
            }
            Some(v) => {
                let items: Vec<String> = v
                    .split(|c| c == ',' || (space_too && c == ' '))
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect();
                // Only separators (`,`): a value lost on its way, not a list of none (an empty
                // `REQUIRED_SCOPES` list would require nothing).
                if items.is_empty() {
                    return Err(err(setting, "holds only separators; leave it unset, or give `[]` for an empty list"));
                }
                Ok(Some(items))
            }
        }
    }
    fn number<T: TryFrom<u64>>(&self, name: &str) -> Result<Option<T>, ConfigError> {
        self.number_of(name, name)
    }
    /// [`Env::number`] of variable `var`, its errors naming `setting`.
    fn number_of<T: TryFrom<u64>>(&self, var: &str, setting: &str) -> Result<Option<T>, ConfigError> {
        match self.get(var) {
            None => Ok(None),
            Some(v) => json::whole_number(v)
                .and_then(|n| T::try_from(n).ok())
                .map(Some)
                .ok_or_else(|| err(setting, ["`", v, "` is not a whole number"].concat())),
        }
    }
    /// One of a setting's names; unset takes the default.
    fn choice<T: Named + Default>(&self, name: &'static str) -> Result<T, ConfigError> {
        T::from_optional(name, self.get(name))
    }
    /// `true` or `false` (also `1`/`0`, `yes`/`no`); unset takes `default`.
    fn flag_or(&self, name: &str, default: bool) -> Result<bool, ConfigError> {
        self.flag_of(name, name, default)
    }
    fn flag(&self, name: &str) -> Result<bool, ConfigError> {
        self.flag_or(name, false)
    }
    /// [`Env::flag_or`] of variable `var`, its errors naming `setting`.
    fn flag_of(&self, var: &str, setting: &str, default: bool) -> Result<bool, ConfigError> {
        match self.get(var).map(str::to_ascii_lowercase).as_deref() {
            None => Ok(default),
            Some("false" | "0" | "no") => Ok(false),
            Some("true" | "1" | "yes") => Ok(true),
            Some(v) => Err(err(setting, ["`", v, "` is not true or false"].concat())),
        }
    }
    /// Read a profile member from its variable into `profile`; errors name the member
    /// (`from_env` names the variable).
    fn profile_member(&self, member: &ProfileMember, profile: &mut ProfileInput) -> Result<(), ConfigError> {
        let (name, var) = (member.name, variable(member.name, false));
        let Some(text) = self.get(&var) else { return Ok(()) };
        match member.slot {
            Slot::Text(at) => *at(profile) = Some(text.to_owned()),
            Slot::KeySet(at) => match json::read(text.as_bytes()) {
                Ok(value @ Json::Object(_)) => {
                    let mut out = Vec::new();
                    json_text::value(&mut out, &value);
                    *at(profile) = Some(json_text::into_string(out));
                }
                _ => return Err(err(name, "not a JSON key set object {\"keys\": [...]}")),
            },
            Slot::List(at) => *at(profile) = self.list_of(&var, name, false)?,
            Slot::Scopes(at) => *at(profile) = self.list_of(&var, name, true)?,
            Slot::Number(at) => *at(profile) = self.number_of(&var, name)?,
            Slot::Flag(at) => *at(profile) = Some(self.flag_of(&var, name, false)?),
            // Rules separated by white space, or the JSON list form when it starts with `[`.
            Slot::ClaimRules(at) => {
                let rules = if text.starts_with('[') {
                    match json::read(text.as_bytes()) {
                        Ok(Json::Array(items)) => claim_rule::list_from_json(&items),
                        _ => return Err(err(name, "starts with `[` but is not a JSON list of claim rules")),
                    }
                } else {
                    claim_rule::list_from_text(text)
                };
                *at(profile) = Some(rules.map_err(|why| err(name, why))?);
            }
            Slot::TokenUse(at) => *at(profile) = Some(TokenUse::from_setting(name, text)?),
            Slot::ScopeMatch(at) => *at(profile) = Some(ScopeMatch::from_setting(name, text)?),
        }
        Ok(())
    }
    /// METRICS (default true) and METRICS_NAMESPACE: the namespace, or `None` when metrics are
    /// off. The namespace is checked either way, so a typo never waits for the day metrics are
    /// turned on.
    fn metrics_namespace(&self) -> Result<Option<String>, ConfigError> {
        let namespace = self.get("METRICS_NAMESPACE").unwrap_or(DEFAULT_METRICS_NAMESPACE);
        check_metrics_namespace(namespace).map_err(|why| err("METRICS_NAMESPACE", why))?;
        Ok(self.flag_or("METRICS", true)?.then(|| namespace.to_owned()))
    }
}

/// CloudWatch's rule for a namespace: 1 to 255 characters, each a letter, a digit or one of
/// `. - _ / # :` and space; not under `AWS/`, which is AWS's own.
fn check_metrics_namespace(namespace: &str) -> Result<(), &'static str> {
    if namespace.len() > 255 {
        return Err("longer than 255 characters");
    }
    if !namespace.bytes().all(|b| b.is_ascii_alphanumeric() || b".-_/#: ".contains(&b)) {
        return Err("only letters, digits, space and . - _ / # : are allowed");
    }
    if namespace.starts_with("AWS/") {
        return Err("namespaces under `AWS/` are reserved for AWS services");
    }
    Ok(())
}

/// The variables that configure the verifier: none may be set beside CONFIG_FILE, which holds
/// the whole configuration.
fn configuration_variables() -> impl Iterator<Item = &'static str> {
    VARIABLES.iter().copied().filter(|v| !HOST_VARIABLES.contains(v))
}

impl Settings {
    /// Settings from environment variables. `config_file`: the contents of the file
    /// `CONFIG_FILE` names, which the host reads (the core reads no files).
    pub fn from_env(vars: &BTreeMap<String, String>, config_file: Option<&[u8]>) -> Result<Settings, ConfigError> {
        let env = Env(vars);
        let signatures = env.choice("SIGNATURES")?;
        let metrics_namespace = env.metrics_namespace()?;
        if env.get("CONFIG_FILE").is_some() {
            if let Some(other) = configuration_variables().find(|v| env.get(v).is_some()) {
                return Err(err(
                    "CONFIG_FILE",
                    [other, " is set too: with a configuration file, every setting is in the file"].concat(),
                ));
            }
            let bytes = config_file.ok_or_else(|| err("CONFIG_FILE", "the file could not be read"))?;
            let config_input = ConfigInput::from_json(bytes)?;
            let config = Config::new(&config_input)?;
            return Ok(Settings { config, config_input, signatures, metrics_namespace });
        }
        let listed = env.get("ISSUERS").is_some();
        let (config_input, config) =
            Self::read(&env).and_then(|input| Config::new(&input).map(|config| (input, config))).map_err(|e| {
                // Name the environment variable the user wrote.
                ConfigError { setting: variable(&e.setting, listed), problem: e.problem }
            })?;
        Ok(Settings { config, config_input, signatures, metrics_namespace })
    }

    /// The configuration's raw form from the variables (errors name configuration members;
    /// `from_env` turns them into variables).
    fn read(env: &Env<'_>) -> Result<ConfigInput, ConfigError> {
        let defaults = Limits::default();
        let limits = Limits {
            max_token_bytes: env.number("MAX_TOKEN_BYTES")?.unwrap_or(defaults.max_token_bytes),
            max_jwks_bytes: env.number("MAX_JWKS_BYTES")?.unwrap_or(defaults.max_jwks_bytes),
            max_keys: env.number("MAX_JWKS_KEYS")?.unwrap_or(defaults.max_keys),
            max_event_bytes: env.number("MAX_EVENT_BYTES")?.unwrap_or(defaults.max_event_bytes),
        };
        let rules = CacheRules::default();
        let cache = CacheRules {
            jwks_timeout_ms: env.number("JWKS_TIMEOUT_MS")?.unwrap_or(rules.jwks_timeout_ms),
            jwks_cache_min_seconds: env.number("JWKS_CACHE_MIN_SECONDS")?.unwrap_or(rules.jwks_cache_min_seconds),
            jwks_cache_max_seconds: env.number("JWKS_CACHE_MAX_SECONDS")?.unwrap_or(rules.jwks_cache_max_seconds),
            jwks_refresh_cooldown_seconds: env
                .number("JWKS_REFRESH_COOLDOWN_SECONDS")?
                .unwrap_or(rules.jwks_refresh_cooldown_seconds),
            jwks_allow_http_loopback: env.flag("JWKS_ALLOW_HTTP_LOOPBACK")?,
        };
        let issuers = match (
            env.get("ISSUERS"),
            env.list("ISSUER", false)?,
            env.list("TOKEN_ISSUER", false)?,
            env.get("COGNITO_USER_POOL_ID"),
        ) {
            (Some(list), None, None, None) => {
                let value =
                    json::read(list.as_bytes()).map_err(|_| err("issuers", "not a JSON list of issuer profiles"))?;
                match value {
                    Json::Array(items) => config::read_profiles("issuers", &items)?,
                    _ => return Err(err("issuers", "not a JSON list of issuer profiles")),
                }
            }
            (Some(_), ..) => return Err(err("issuers", "set ISSUERS, or ISSUER / COGNITO_USER_POOL_ID, not both")),
            (None, Some(a), Some(b), _) if a != b => {
                return Err(err("issuers[0].issuer", "ISSUER and TOKEN_ISSUER are both set and differ"));
            }
            (None, issuer, token_issuer, pool) => {
                let names = issuer.or(token_issuer).unwrap_or_default();
                let mut profiles: Vec<ProfileInput> = names
                    .into_iter()
                    .map(|issuer| ProfileInput { issuer: Some(issuer), ..ProfileInput::default() })
                    .collect();
                if let Some(pool) = pool {
                    profiles
                        .push(ProfileInput { cognito_user_pool_id: Some(pool.to_owned()), ..ProfileInput::default() });
                }
                if profiles.is_empty() {
                    return Err(err(
                        "issuers",
                        "required (the token issuer, exactly as in `iss`; or COGNITO_USER_POOL_ID; or ISSUERS)",
                    ));
                }
                profiles
            }
        };
        let mut profile_defaults = ProfileInput::default();
        for member in PROFILE_MEMBERS.iter().filter(|m| !m.identity) {
            env.profile_member(member, &mut profile_defaults)?;
        }
        // `METHOD /path=scopes; ...`, or the JSON list form when it starts with `[`.
        let route_rules = match env.get("ROUTE_RULES") {
            None => None,
            Some(v) if v.starts_with('[') => Some(config::rules_from_json(v)?),
            Some(v) => Some(RulesInput::Text(v.to_owned())),
        };
        Ok(ConfigInput {
            issuers,
            defaults: profile_defaults,
            policy_resource: env.choice("POLICY_RESOURCE")?,
            http_api_response: env.choice("HTTP_API_RESPONSE")?,
            limits,
            route_rules,
            unlisted_routes: env.choice("UNLISTED_ROUTES")?,
            cache,
            // `cookie:session,authorization`, or a JSON list.
            token_sources: env.list("TOKEN_SOURCES", false)?,
        })
    }
}

pub use crate::url::{check_url, is_loopback_authority};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_signature_provider_name_reads_back_as_its_value() {
        crate::setting::assert_names_read_back::<Signatures>();
    }

    fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn from(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        Settings::from_env(&vars(pairs), None)
    }

    fn issuers(s: &Settings) -> Vec<&str> {
        let mut by_index: Vec<_> = s.config.profiles.iter().collect();
        by_index.sort_by_key(|p| p.index);
        by_index.iter().map(|p| p.issuer.as_str()).collect()
    }

    #[test]
    fn sample_variables_are_enough() {
        let s = from(&[
            ("ISSUER", "https://id.example.com/"),
            ("AUDIENCE", "api"),
            ("JWKS_URI", "https://id.example.com/.well-known/jwks.json"),
        ])
        .unwrap();
        assert_eq!(issuers(&s), ["https://id.example.com/"]);
        assert_eq!(s.config.profiles[0].algorithms, vec![crate::Algorithm::RS256]);
        assert_eq!(s.config.sources[0].jwks_uri.as_deref(), Some("https://id.example.com/.well-known/jwks.json"));
        assert_eq!(s.config.policy_resource, crate::config::PolicyResource::Stage);
        let s = from(&[("ISSUER", "https://id.example.com/"), ("AUDIENCE", "api")]).unwrap();
        assert_eq!(
            s.config.sources[0].discovery.as_ref().unwrap().url,
            "https://id.example.com/.well-known/openid-configuration"
        );
    }

    #[test]
    fn errors_name_the_variable() {
        for (pairs, setting) in [
            (&[("AUDIENCE", "a")][..], "ISSUER"),
            (&[("ISSUER", "https://i"), ("AUDIENCE", "a"), ("ALGORITHMS", "HS256")], "ALGORITHMS"),
            (&[("ISSUER", "https://i"), ("AUDIENCE", "a"), ("JWKS_URI", "http://evil.example/jwks")], "JWKS_URI"),
            (&[("ISSUER", "https://i"), ("AUDIENCE", "a"), ("LEEWAY_SECONDS", "ten")], "LEEWAY_SECONDS"),
            (&[("ISSUER", "http://i"), ("AUDIENCE", "a")], "ISSUER"),
            (&[("ISSUER", "https://i")], "AUDIENCE"),
            (&[("ISSUER", "https://i"), ("AUDIENCE", "a"), ("TOKEN_USE", "refresh")], "TOKEN_USE"),
            (&[("COGNITO_USER_POOL_ID", "pool"), ("ALLOWED_CLIENT_IDS", "c")], "COGNITO_USER_POOL_ID"),
            (&[("ISSUER", "https://i"), ("AUDIENCE", "a"), ("JWKS", "[1]")], "JWKS"),
            (&[("ISSUER", "https://i"), ("AUDIENCE", "a"), ("JWKS", r#"{"keys":1}"#)], "JWKS"),
            (
                &[("ISSUER", "https://i"), ("AUDIENCE", "a"), ("JWKS_FILE", "f"), ("JWKS", r#"{"keys":[]}"#)],
                "JWKS_FILE",
            ),
            (
                &[(
                    "ISSUERS",
                    r#"[{"issuer":"https://i","audiences":["a"]},{"issuer":"https://j","jwks_uri":"http://x"}]"#,
                )],
                "ISSUERS[1].jwks_uri",
            ),
            (
                &[("ISSUERS", r#"[{"issuer":"https://i","audiences":["a"]},{"issuer":"https://j"}]"#)],
                "ISSUERS[1].audiences",
            ),
            (&[("ISSUERS", r#"[{"issuer":"https://i","audience":["a"]}]"#)], "ISSUERS[0]"),
            (&[("ISSUERS", r#"{"issuer":"https://i"}"#)], "ISSUERS"),
            (&[("ISSUERS", r#"[{"issuer":"https://i","audiences":["a"]}]"#), ("ISSUER", "https://j")], "ISSUERS"),
            (&[("ISSUER", "https://i"), ("TOKEN_ISSUER", "https://j"), ("AUDIENCE", "a")], "ISSUER"),
            (&[("CONFIG_FILE", "c.json"), ("ISSUER", "https://j")], "CONFIG_FILE"),
            (&[("CONFIG_FILE", "c.json")], "CONFIG_FILE"),
            // Set, but no value in the list (a fuzzing find: the discovery URL was built from the
            // first issuer before the list was checked).
            (&[("ISSUER", ","), ("AUDIENCE", ",")], "ISSUER"),
            // Only separators would be a list of none: for REQUIRED_SCOPES, no scope required.
            (&[("ISSUER", "https://i"), ("AUDIENCE", "a"), ("REQUIRED_SCOPES", ",")], "REQUIRED_SCOPES"),
            (&[("ISSUER", "https://i"), ("AUDIENCE", "a"), ("REQUIRED_SCOPES", " , ,")], "REQUIRED_SCOPES"),
            (&[("ISSUER", "https://i"), ("AUDIENCE", "a"), ("CONTEXT_CLAIMS", ",")], "CONTEXT_CLAIMS"),
            (&[("ISSUER", "https://i"), ("AUDIENCE", "a"), ("CLAIM_RULES", "has(groups,admin)")], "CLAIM_RULES"),
            (&[("ISSUER", "https://i"), ("AUDIENCE", "a"), ("CLAIM_RULES", "present(a) present(b")], "CLAIM_RULES"),
            (&[("ISSUER", "https://i"), ("AUDIENCE", "a"), ("CLAIM_RULES", "[present(a)]")], "CLAIM_RULES"),
            (&[("ISSUER", "https://i"), ("AUDIENCE", "a"), ("CLAIM_RULES", r#"[{"claim":"a"}]"#)], "CLAIM_RULES"),
            (&[("ISSUER", "https://i"), ("AUDIENCE", "a"), ("SCOPE_MATCH", "Any")], "SCOPE_MATCH"),
            (
                &[("ISSUERS", r#"[{"issuer":"https://i","audiences":["a"],"claim_rules":["equals(a)"]}]"#)],
                "ISSUERS[0].claim_rules",
            ),
            (
                &[("ISSUERS", r#"[{"issuer":"https://i","audiences":["a"],"scope_match":"one"}]"#)],
                "ISSUERS[0].scope_match",
            ),
        ] {
            let e = from(pairs).expect_err(&format!("{pairs:?} accepted"));
            assert_eq!(e.setting, setting, "{pairs:?}: {e}");
        }
        // An empty list said as one: `[]`.
        let s = from(&[("ISSUER", "https://i"), ("AUDIENCE", "a"), ("CONTEXT_CLAIMS", "[]")]).unwrap();
        assert!(s.config.profiles[0].context.claims.is_empty());
    }

    #[test]
    fn several_issuers_cognito_and_files() {
        // AUDIENCE is optional with ALLOWED_CLIENT_IDS: Cognito access tokens carry no `aud`.
        let s = from(&[
            ("COGNITO_USER_POOL_ID", "eu-west-1_AbCd123"),
            ("ALLOWED_CLIENT_IDS", "c1"),
            ("TOKEN_USE", "access"),
        ])
        .unwrap();
        assert_eq!(issuers(&s), ["https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCd123"]);
        assert_eq!(s.config.profiles[0].token_use, Some(TokenUse::Access));
        let s = from(&[
            ("ISSUERS", r#"[{"issuer":"https://a","audiences":["x"]},{"cognito_user_pool_id":"us-east-1_P","allowed_client_ids":["c"]}]"#),
            ("LEEWAY_SECONDS", "7"),
        ])
        .unwrap();
        assert_eq!(s.config.profiles.len(), 2);
        assert!(s.config.profiles.iter().all(|p| p.leeway_seconds == 7));
        let file = br#"{"issuers":[{"issuer":"https://f","audiences":["a"],"jwks_file":"keys.json"}]}"#;
        let s =
            Settings::from_env(&vars(&[("CONFIG_FILE", "config.json"), ("SIGNATURES", "host")]), Some(file)).unwrap();
        assert_eq!((s.config.sources[0].file.as_deref(), s.signatures), (Some("keys.json"), Signatures::Host));
        let e = Settings::from_env(
            &vars(&[("CONFIG_FILE", "config.json")]),
            Some(br#"{"issuers":[{"issuer":"https://f"}]}"#),
        )
        .unwrap_err();
        assert_eq!(e.setting, "issuers[0].audiences");
    }

    /// Every numeric variable through 0, negative, fractional, huge and non-numeric values:
    /// each refused naming the variable, and 0 accepted only where it is a documented value.
    #[test]
    fn every_numeric_setting_has_a_range() {
        let base = [("ISSUER", "https://i"), ("AUDIENCE", "a")];
        let with = |name: &str, value: &str| {
            let mut v = vars(&base);
            v.insert(name.to_owned(), value.to_owned());
            Settings::from_env(&v, None)
        };
        // (variable, whether 0 is accepted, an accepted value)
        let numeric = [
            ("LEEWAY_SECONDS", true, "600"),
            ("MAX_TOKEN_AGE_SECONDS", false, "31536000"),
            ("MAX_TOKEN_BYTES", false, "1048576"),
            ("MAX_JWKS_BYTES", false, "16777216"),
            ("MAX_JWKS_KEYS", false, "4096"),
            ("MAX_EVENT_BYTES", false, "6291456"),
            ("JWKS_TIMEOUT_MS", false, "9000"),
            ("JWKS_CACHE_MIN_SECONDS", false, "60"),
            ("JWKS_CACHE_MAX_SECONDS", false, "604800"),
            ("JWKS_REFRESH_COOLDOWN_SECONDS", false, "3600"),
        ];
        for (name, zero_ok, good) in numeric {
            assert!(with(name, good).is_ok(), "{name}={good}");
            for bad in ["-1", "1.5", "0.0", "99999999999999999999999", "1e3", "0x10", "abc", "NaN", "Infinity", "+5"] {
                let e = with(name, bad).expect_err(&format!("{name}={bad} accepted"));
                assert_eq!(e.setting, name, "{name}={bad}: {e}");
            }
            match with(name, "0") {
                Ok(_) => assert!(zero_ok, "{name}=0 accepted"),
                Err(e) => {
                    assert!(!zero_ok, "{name}=0 refused: {e}");
                    assert_eq!(e.setting, name);
                }
            }
            // One above the largest accepted value.
            let above = (good.parse::<u64>().unwrap() + 1).to_string();
            if name != "JWKS_CACHE_MIN_SECONDS" {
                assert_eq!(with(name, &above).expect_err(&format!("{name}={above} accepted")).setting, name);
            }
        }
        // 0 for MAX_TOKEN_AGE_SECONDS is refused, never "no age rule" (that is leaving it unset).
        assert!(with("MAX_TOKEN_AGE_SECONDS", "0").unwrap_err().problem.contains("between 1"));
        assert_eq!(from(&base).unwrap().config.profiles[0].max_token_age_seconds, None);
    }

    /// Lists: comma-separated from the environment, exact elements from a JSON list (what the
    /// npm package's array options become): a comma inside an element is never a separator.
    #[test]
    fn lists_from_text_and_from_json() {
        let with = |issuer: &str, audience: &str| from(&[("ISSUER", issuer), ("AUDIENCE", audience)]);
        let s = with("https://a.example/, https://b.example/", "x,y").unwrap();
        assert_eq!(issuers(&s), ["https://a.example/", "https://b.example/"]);
        assert_eq!(s.config.profiles[0].audiences, ["x", "y"]);
        let s = with(r#"["https://a.example/,https://evil.example/"]"#, r#"["api://pets,admin"]"#).unwrap();
        assert_eq!(issuers(&s), ["https://a.example/,https://evil.example/"]);
        assert_eq!(s.config.profiles[0].audiences, ["api://pets,admin"]);
        let s = from(&[("ISSUER", "https://i"), ("AUDIENCE", "a"), ("REQUIRED_SCOPES", r#"["a b"]"#)]);
        assert_eq!(s.unwrap_err().setting, "REQUIRED_SCOPES", "a scope with white space is still refused");
        for bad in ["[1]", "[", r#"{"a":1}"#] {
            assert_eq!(with(bad, "a").unwrap_err().setting, "ISSUER", "{bad}");
        }
    }

    #[test]
    fn token_sources_from_text_or_json() {
        use crate::token_source::TokenSource;
        let base = [("ISSUER", "https://i"), ("AUDIENCE", "a")];
        let with = |value: &str| {
            let mut v = vars(&base);
            v.insert("TOKEN_SOURCES".into(), value.into());
            Settings::from_env(&v, None)
        };
        let s = from(&base).unwrap();
        assert_eq!(
            (s.config.token_sources.as_slice(), s.config_input.token_sources.as_ref()),
            (&[TokenSource::Authorization][..], None)
        );
        let s = with(" cookie:__Host-at , query:access_token,header:X-Token:Token, authorization ").unwrap();
        let expected = [
            TokenSource::Cookie("__Host-at".into()),
            TokenSource::Query("access_token".into()),
            TokenSource::Header { name: "X-Token".into(), scheme: Some("Token".into()) },
            TokenSource::Authorization,
        ];
        assert_eq!(s.config.token_sources, expected);
        assert_eq!(
            s.config_input.token_sources.as_deref(),
            Some(
                &["cookie:__Host-at", "query:access_token", "header:X-Token:Token", "authorization"].map(String::from)
                    [..]
            )
        );
        // The JSON list form (what the npm package's `tokenSources` becomes) says the same.
        let json = with(r#"["cookie:__Host-at","query:access_token","header:X-Token:Token","authorization"]"#).unwrap();
        assert_eq!((json.config.token_sources, json.config_input), (s.config.token_sources, s.config_input));
        for bad in [
            ",",
            "bearer",
            "cookie:",
            "cookie:a b",
            "header:X Token",
            "header:X:",
            "query:a=b",
            "query:a&b",
            "[1]",
            "[]",
            &["authorization"; 9].join(","),
        ] {
            let e = with(bad).expect_err(&format!("TOKEN_SOURCES={bad} accepted"));
            assert_eq!(e.setting, "TOKEN_SOURCES", "{bad}: {e}");
        }
        let e =
            Settings::from_env(&vars(&[("CONFIG_FILE", "c.json"), ("TOKEN_SOURCES", "authorization")]), Some(b"{}"))
                .unwrap_err();
        assert_eq!(e.setting, "CONFIG_FILE");
    }

    #[test]
    fn claim_rules_and_scope_match_from_the_environment() {
        let with = |pairs: &[(&str, &str)]| {
            let mut all = vec![("ISSUER", "https://i"), ("AUDIENCE", "a")];
            all.extend_from_slice(pairs);
            from(&all).unwrap().config.profiles.remove(0)
        };
        let p = with(&[(
            "CLAIM_RULES",
            "contains_any(cognito:groups, admin, ops)\nequals(email_verified,true)  present(\"https://example.com/tenant\")",
        )]);
        assert_eq!(
            p.claim_rules.iter().map(|r| r.test.operator()).collect::<Vec<_>>(),
            ["contains_any", "equals", "present"]
        );
        assert_eq!(p.claim_rules[2].path.names(), ["https://example.com/tenant"]);
        let p = with(&[
            ("CLAIM_RULES", r#"[{"claim":"realm_access.roles","contains_all":["admin"]},"present(tenant)"]"#),
            ("SCOPE_MATCH", "any"),
        ]);
        assert_eq!((p.claim_rules.len(), p.scope_match), (2, ScopeMatch::Any));
        let p = with(&[]);
        assert_eq!((p.claim_rules.len(), p.scope_match), (0, ScopeMatch::All));
        // What the environment gave reads back the same from the configuration it writes.
        let s = from(&[
            ("ISSUER", "https://i"),
            ("AUDIENCE", "a"),
            ("CLAIM_RULES", "one_of(tier,1.0,\"a b\") contains_all(r,x)"),
            ("SCOPE_MATCH", "any"),
        ])
        .unwrap();
        let mut out = Vec::new();
        s.config_input.write_json(&mut out);
        assert_eq!(ConfigInput::from_json(&out).unwrap(), s.config_input);
    }

    #[test]
    fn metrics_on_by_default_in_a_namespace_checked_at_start() {
        let base = [("ISSUER", "https://id.example/"), ("AUDIENCE", "api")];
        let with = |extra: &[(&str, &str)]| from(&[&base[..], extra].concat());
        assert_eq!(with(&[]).unwrap().metrics_namespace.as_deref(), Some("jwtgate"));
        assert_eq!(
            with(&[("METRICS_NAMESPACE", "Shop/auth #1:eu")]).unwrap().metrics_namespace.as_deref(),
            Some("Shop/auth #1:eu")
        );
        assert_eq!(with(&[("METRICS", "false")]).unwrap().metrics_namespace, None);
        assert_eq!(
            with(&[("METRICS", "true"), ("METRICS_NAMESPACE", "x")]).unwrap().metrics_namespace.as_deref(),
            Some("x")
        );
        let long = "n".repeat(256);
        for (name, value) in [
            ("METRICS", "sometimes"),
            ("METRICS_NAMESPACE", "AWS/Lambda"),
            ("METRICS_NAMESPACE", "jwt\"gate"),
            ("METRICS_NAMESPACE", "jwtgate\u{e9}"),
            ("METRICS_NAMESPACE", long.as_str()),
        ] {
            let e = with(&[(name, value)]).unwrap_err();
            assert_eq!(e.setting, name, "{value}: {e}");
        }
        // Checked even when metrics are off.
        assert_eq!(
            with(&[("METRICS", "false"), ("METRICS_NAMESPACE", "AWS/x")]).unwrap_err().setting,
            "METRICS_NAMESPACE"
        );
        // Output settings, allowed beside CONFIG_FILE.
        let file = br#"{"issuers":["https://id.example/"],"audiences":["api"]}"#;
        let s = Settings::from_env(
            &vars(&[("CONFIG_FILE", "c.json"), ("METRICS", "false"), ("METRICS_NAMESPACE", "a")]),
            Some(file),
        )
        .unwrap();
        assert_eq!(s.metrics_namespace, None);
    }

    #[test]
    fn every_variable_is_documented_once() {
        let mut sorted = VARIABLES.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), VARIABLES.len());
    }

    /// Every profile member has its variable, read by the one schema (`PROFILE_MEMBERS`).
    #[test]
    fn every_profile_member_has_a_variable() {
        for member in &PROFILE_MEMBERS {
            let var = variable(member.name, false);
            assert!(VARIABLES.contains(&var.as_str()), "{} has no variable {var}", member.name);
        }
        // Read through the schema: each shared member's variable sets it.
        let s = Settings::from_env(
            &vars(&[
                ("ISSUER", "https://i"),
                ("AUDIENCE", "a, b"),
                ("REQUIRED_SCOPES", "read write"),
                ("LEEWAY_SECONDS", "7"),
                ("REQUIRE_CERTIFICATE_BINDING", "yes"),
                ("TOKEN_USE", "access"),
            ]),
            None,
        )
        .unwrap();
        let d = &s.config_input.defaults;
        assert_eq!(d.audiences.as_deref(), Some(&["a".to_owned(), "b".to_owned()][..]));
        assert_eq!(d.required_scopes.as_deref(), Some(&["read".to_owned(), "write".to_owned()][..]));
        assert_eq!(
            (d.leeway_seconds, d.require_certificate_binding, d.token_use),
            (Some(7), Some(true), Some(TokenUse::Access))
        );
    }
}
