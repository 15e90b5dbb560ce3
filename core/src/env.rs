//! Settings from environment variables, shared by every host so the names, defaults and
//! validation are the same everywhere. The host reads its environment and passes the map in;
//! this module never reads the process environment itself.
//!
//! Compatible with the original sample (`ISSUER`, `JWKS_URI`, `AUDIENCE`) and its older
//! ancestor (`TOKEN_ISSUER`).

use crate::config::{self, Config, ConfigError, ConfigInput, Named};
use crate::json;
use crate::json_text::ObjectText;
use crate::limits::Limits;
use crate::routes::RulesInput;
use std::collections::BTreeMap;

/// How a host fetches and caches the JWKS. All I/O stays in the host; these are its rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JwksSettings {
    /// Where the JWKS is. `None`: discover it from `discovery_url`.
    pub jwks_uri: Option<String>,
    /// `ISSUER/.well-known/openid-configuration`, used when `jwks_uri` is not set.
    pub discovery_url: String,
    pub fetch_timeout_ms: u64,
    /// Bounds on the lifetime taken from `Cache-Control: max-age` (and the default without it).
    pub cache_min_seconds: u64,
    pub cache_max_seconds: u64,
    /// At most one refetch for unknown `kid`s per this many seconds (the penalty box).
    pub refresh_cooldown_seconds: u64,
    pub max_jwks_bytes: usize,
    /// Plain `http` is refused except to loopback addresses when this is set (tests, demos).
    pub allow_http_loopback: bool,
}

/// Who checks signatures (`SIGNATURES`): the module's own pure-Rust code, or the host's native
/// provider (`node:crypto` in Node and bun, native Rust in the wasmtime host).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Signatures {
    #[default]
    Wasm,
    Host,
}

impl Named for Signatures {
    const NAMES: &'static [(&'static str, Self)] = &[("wasm", Self::Wasm), ("host", Self::Host)];
}

impl JwksSettings {
    /// The rules as JSON, for hosts outside the module: every member, `jwks_uri` `null` when
    /// it is discovered.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        let mut doc = ObjectText::new(out);
        doc.optional("jwks_uri", self.jwks_uri.as_deref());
        doc.string("discovery_url", &self.discovery_url);
        doc.number("fetch_timeout_ms", self.fetch_timeout_ms);
        doc.number("cache_min_seconds", self.cache_min_seconds);
        doc.number("cache_max_seconds", self.cache_max_seconds);
        doc.number("refresh_cooldown_seconds", self.refresh_cooldown_seconds);
        doc.number("max_jwks_bytes", self.max_jwks_bytes as u64);
        doc.bool("allow_http_loopback", self.allow_http_loopback);
        doc.end();
    }
}

/// Everything a host needs: the verifier's configuration and its JWKS rules.
#[derive(Clone, Debug)]
pub struct Settings {
    pub config: Config,
    /// The same configuration in its serialisable form (what crosses the wasm boundary).
    pub config_input: ConfigInput,
    pub jwks: JwksSettings,
    pub signatures: Signatures,
}

/// Every variable this module reads, for documentation and for hosts that copy them.
pub const VARIABLES: &[&str] = &[
    "ISSUER",
    "TOKEN_ISSUER",
    "AUDIENCE",
    "JWKS_URI",
    "ALGORITHMS",
    "LEEWAY_SECONDS",
    "REQUIRED_SCOPES",
    "ALLOWED_CLIENT_IDS",
    "TOKEN_TYPE",
    "MAX_TOKEN_AGE_SECONDS",
    "POLICY_RESOURCE",
    "CONTEXT_CLAIMS",
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
    "SIGNATURES",
];

fn err(setting: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError { setting, problem: problem.into() }
}

/// The configuration's members and the variables they are read from, for errors.
const CONFIG_MEMBERS: &[(&str, &str)] = &[
    ("issuers", "ISSUER"),
    ("audiences", "AUDIENCE"),
    ("algorithms", "ALGORITHMS"),
    ("leeway_seconds", "LEEWAY_SECONDS"),
    ("required_scopes", "REQUIRED_SCOPES"),
    ("allowed_client_ids", "ALLOWED_CLIENT_IDS"),
    ("token_type", "TOKEN_TYPE"),
    ("max_token_age_seconds", "MAX_TOKEN_AGE_SECONDS"),
    ("context_claims", "CONTEXT_CLAIMS"),
    ("route_rules", "ROUTE_RULES"),
    ("limits.max_token_bytes", "MAX_TOKEN_BYTES"),
    ("limits.max_jwks_bytes", "MAX_JWKS_BYTES"),
    ("limits.max_keys", "MAX_JWKS_KEYS"),
    ("limits.max_event_bytes", "MAX_EVENT_BYTES"),
];

struct Env<'a>(&'a BTreeMap<String, String>);

impl Env<'_> {
    fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
    }
    /// A list: a JSON array of strings (what the npm package's array options become), each
    /// element taken as it is, or else comma-separated values, each trimmed (`space_too`: a
    /// space separates them too).
    fn list(&self, name: &'static str, space_too: bool) -> Result<Option<Vec<String>>, ConfigError> {
        match self.get(name) {
            None => Ok(None),
            Some(v) if v.starts_with('[') => {
                let value = json::read(v.as_bytes()).map_err(|_| err(name, "starts with `[` but is not a JSON list of strings"))?;
                config::strings(name, &value).map(Some)
            }
            Some(v) => Ok(Some(v.split(|c| c == ',' || (space_too && c == ' ')).map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect())),
        }
    }
    fn number<T: TryFrom<u64>>(&self, name: &'static str, default: T) -> Result<T, ConfigError> {
        match self.get(name) {
            None => Ok(default),
            Some(v) => json::whole_number(v).and_then(|n| T::try_from(n).ok()).ok_or_else(|| err(name, format!("`{v}` is not a whole number"))),
        }
    }
    /// One of a setting's names; unset takes the default.
    fn choice<T: Named + Default>(&self, name: &'static str) -> Result<T, ConfigError> {
        T::from_optional(name, self.get(name))
    }
    fn flag(&self, name: &'static str) -> Result<bool, ConfigError> {
        match self.get(name).map(str::to_ascii_lowercase).as_deref() {
            None | Some("false" | "0" | "no") => Ok(false),
            Some("true" | "1" | "yes") => Ok(true),
            Some(v) => Err(err(name, format!("`{v}` is not true or false"))),
        }
    }
}

impl Settings {
    pub fn from_env(vars: &BTreeMap<String, String>) -> Result<Settings, ConfigError> {
        let env = Env(vars);
        // The single values first, then the lists: an early error then has nothing to free
        // (each early return otherwise carries its own clean-up code into the module).
        let defaults = Limits::default();
        let limits = Limits {
            max_token_bytes: env.number("MAX_TOKEN_BYTES", defaults.max_token_bytes)?,
            max_jwks_bytes: env.number("MAX_JWKS_BYTES", defaults.max_jwks_bytes)?,
            max_keys: env.number("MAX_JWKS_KEYS", defaults.max_keys)?,
            max_event_bytes: env.number("MAX_EVENT_BYTES", defaults.max_event_bytes)?,
        };
        let policy_resource = env.choice("POLICY_RESOURCE")?;
        let http_api_response = env.choice("HTTP_API_RESPONSE")?;
        let unlisted_routes = env.choice("UNLISTED_ROUTES")?;
        let signatures = env.choice("SIGNATURES")?;
        // Unset: no age rule. Set, it must be a real bound (0 is refused by `Config::new`, never
        // read as "off").
        let max_token_age_seconds = match env.get("MAX_TOKEN_AGE_SECONDS") {
            None => None,
            Some(_) => Some(env.number("MAX_TOKEN_AGE_SECONDS", 0u64)?),
        };
        let leeway_seconds = env.number("LEEWAY_SECONDS", 0)?;
        let allow_http_loopback = env.flag("JWKS_ALLOW_HTTP_LOOPBACK")?;
        let fetch_timeout_ms = env.number("JWKS_TIMEOUT_MS", 5_000)?;
        let cache_min_seconds = env.number("JWKS_CACHE_MIN_SECONDS", 60)?;
        let cache_max_seconds = env.number("JWKS_CACHE_MAX_SECONDS", 3_600)?;
        let refresh_cooldown_seconds = env.number("JWKS_REFRESH_COOLDOWN_SECONDS", 30)?;
        if !(100..=30_000).contains(&fetch_timeout_ms) {
            return Err(err("JWKS_TIMEOUT_MS", "must be between 100 and 30000"));
        }
        // Each at least 1: a zero lifetime or cooldown would let every request (or every forged
        // `kid`) fetch the key set.
        if !(1..=7 * 24 * 3600).contains(&cache_max_seconds) {
            return Err(err("JWKS_CACHE_MAX_SECONDS", "must be between 1 and 604800 (a week)"));
        }
        if cache_min_seconds == 0 || cache_min_seconds > cache_max_seconds {
            return Err(err("JWKS_CACHE_MIN_SECONDS", "must be at least 1 and not exceed JWKS_CACHE_MAX_SECONDS"));
        }
        if !(1..=3_600).contains(&refresh_cooldown_seconds) {
            return Err(err("JWKS_REFRESH_COOLDOWN_SECONDS", "must be between 1 and 3600"));
        }

        let issuers = match (env.list("ISSUER", false)?, env.list("TOKEN_ISSUER", false)?) {
            (Some(a), Some(b)) if a != b => {
                return Err(err("ISSUER", "ISSUER and TOKEN_ISSUER are both set and differ"));
            }
            (Some(a), _) | (None, Some(a)) => a,
            (None, None) => return Err(err("ISSUER", "required (the token issuer, exactly as in `iss`)")),
        };
        let audiences = env.list("AUDIENCE", false)?.ok_or_else(|| err("AUDIENCE", "required"))?;
        // `METHOD /path=scopes; ...`, or the JSON list form when it starts with `[`.
        let route_rules = match env.get("ROUTE_RULES") {
            None => None,
            Some(v) if v.starts_with('[') => {
                Some(config::rules_from_json(v).map_err(|e| ConfigError { setting: "ROUTE_RULES", problem: e.problem })?)
            }
            Some(v) => Some(RulesInput::Text(v.to_owned())),
        };
        let config_input = ConfigInput {
            issuers,
            audiences,
            algorithms: env.list("ALGORITHMS", false)?,
            leeway_seconds,
            required_scopes: env.list("REQUIRED_SCOPES", true)?.unwrap_or_default(),
            allowed_client_ids: env.list("ALLOWED_CLIENT_IDS", false)?,
            token_type: env.get("TOKEN_TYPE").map(str::to_owned),
            max_token_age_seconds,
            policy_resource,
            context_claims: env.list("CONTEXT_CLAIMS", false)?,
            http_api_response,
            limits,
            route_rules,
            unlisted_routes,
        };
        let config = Config::new(config_input.clone()).map_err(|e| {
            // Name the environment variable the user wrote.
            let setting = CONFIG_MEMBERS.iter().find(|(member, _)| *member == e.setting).map_or(e.setting, |(_, var)| *var);
            ConfigError { setting, problem: e.problem }
        })?;
        // After validation: there is at least one issuer.
        let discovery_url =
            format!("{}/.well-known/openid-configuration", config.issuers[0].trim_end_matches('/'));
        let jwks_uri = env.get("JWKS_URI").map(str::to_owned);
        match &jwks_uri {
            Some(uri) => check_url("JWKS_URI", uri, allow_http_loopback)?,
            None => check_url("ISSUER", &discovery_url, allow_http_loopback)?,
        }
        let jwks = JwksSettings {
            jwks_uri,
            discovery_url,
            fetch_timeout_ms,
            cache_min_seconds,
            cache_max_seconds,
            refresh_cooldown_seconds,
            max_jwks_bytes: config.limits.max_jwks_bytes,
            allow_http_loopback,
        };
        Ok(Settings { config, config_input, jwks, signatures })
    }
}

/// `https://...`, or `http://` to a loopback host when explicitly allowed.
pub fn check_url(setting: &'static str, url: &str, allow_http_loopback: bool) -> Result<(), ConfigError> {
    if let Some(rest) = url.strip_prefix("https://") {
        if rest.is_empty() || rest.starts_with('/') {
            return Err(err(setting, format!("`{url}` has no host")));
        }
        return Ok(());
    }
    if let Some(rest) = url.strip_prefix("http://") {
        if allow_http_loopback && is_loopback_authority(rest) {
            return Ok(());
        }
        return Err(err(
            setting,
            format!("`{url}` is not https (plain http is allowed only to loopback with JWKS_ALLOW_HTTP_LOOPBACK=true)"),
        ));
    }
    Err(err(setting, format!("`{url}` is not an https URL")))
}

/// Whether the authority at the start of `rest` (after `http://`) is a loopback address.
pub fn is_loopback_authority(rest: &str) -> bool {
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.contains('@') {
        return false;
    }
    let host = if let Some(v6) = authority.strip_prefix('[') {
        match v6.split_once(']') {
            Some((h, _)) => h,
            None => return false,
        }
    } else {
        authority.split(':').next().unwrap_or("")
    };
    if host == "localhost" || host == "::1" {
        return true;
    }
    let octets: Vec<&str> = host.split('.').collect();
    octets.len() == 4
        && octets[0] == "127"
        && octets.iter().all(|o| !o.is_empty() && o.len() <= 3 && o.parse::<u8>().is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn sample_variables_are_enough() {
        let s = Settings::from_env(&vars(&[
            ("ISSUER", "https://id.example.com/"),
            ("AUDIENCE", "api"),
            ("JWKS_URI", "https://id.example.com/.well-known/jwks.json"),
        ]))
        .unwrap();
        assert_eq!(s.config.issuers, vec!["https://id.example.com/"]);
        assert_eq!(s.config.algorithms, vec![crate::Algorithm::RS256]);
        assert_eq!(s.jwks.discovery_url, "https://id.example.com/.well-known/openid-configuration");
        assert_eq!(s.config.policy_resource, crate::config::PolicyResource::Stage);
    }

    #[test]
    fn errors_name_the_setting() {
        let e = Settings::from_env(&vars(&[("AUDIENCE", "a")])).unwrap_err();
        assert_eq!(e.setting, "ISSUER");
        let e = Settings::from_env(&vars(&[("ISSUER", "https://i"), ("AUDIENCE", "a"), ("ALGORITHMS", "HS256")])).unwrap_err();
        assert_eq!(e.setting, "ALGORITHMS");
        let e = Settings::from_env(&vars(&[("ISSUER", "https://i"), ("AUDIENCE", "a"), ("JWKS_URI", "http://evil.example/jwks")])).unwrap_err();
        assert_eq!(e.setting, "JWKS_URI");
        let e = Settings::from_env(&vars(&[("ISSUER", "https://i"), ("AUDIENCE", "a"), ("LEEWAY_SECONDS", "ten")])).unwrap_err();
        assert_eq!(e.setting, "LEEWAY_SECONDS");
        // Set, but no value in the list (a fuzzing find: the discovery URL was built from the
        // first issuer before the list was checked).
        let e = Settings::from_env(&vars(&[("ISSUER", ","), ("AUDIENCE", ",")])).unwrap_err();
        assert_eq!(e.setting, "ISSUER");
    }

    /// Every numeric variable through 0, negative, fractional, huge and non-numeric values:
    /// each refused naming the variable, and 0 accepted only where it is a documented value.
    #[test]
    fn every_numeric_setting_has_a_range() {
        let base = [("ISSUER", "https://i"), ("AUDIENCE", "a")];
        let with = |name: &str, value: &str| {
            let mut v = vars(&base);
            v.insert(name.to_owned(), value.to_owned());
            Settings::from_env(&v)
        };
        // (variable, whether 0 is accepted, an accepted value)
        let numeric = [
            ("LEEWAY_SECONDS", true, "600"),
            ("MAX_TOKEN_AGE_SECONDS", false, "31536000"),
            ("MAX_TOKEN_BYTES", false, "1048576"),
            ("MAX_JWKS_BYTES", false, "16777216"),
            ("MAX_JWKS_KEYS", false, "4096"),
            ("MAX_EVENT_BYTES", false, "6291456"),
            ("JWKS_TIMEOUT_MS", false, "30000"),
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
        assert_eq!(Settings::from_env(&vars(&base)).unwrap().config.max_token_age_seconds, None);
    }

    /// Lists: comma-separated from the environment, exact elements from a JSON list (what the
    /// npm package's array options become): a comma inside an element is never a separator.
    #[test]
    fn lists_from_text_and_from_json() {
        let with = |issuer: &str, audience: &str| Settings::from_env(&vars(&[("ISSUER", issuer), ("AUDIENCE", audience)]));
        let s = with("https://a.example/, https://b.example/", "x,y").unwrap();
        assert_eq!(s.config.issuers, ["https://a.example/", "https://b.example/"]);
        assert_eq!(s.config.audiences, ["x", "y"]);
        let s = with(r#"["https://a.example/,https://evil.example/"]"#, r#"["api://pets,admin"]"#).unwrap();
        assert_eq!(s.config.issuers, ["https://a.example/,https://evil.example/"]);
        assert_eq!(s.config.audiences, ["api://pets,admin"]);
        let s = Settings::from_env(&vars(&[("ISSUER", "https://i"), ("AUDIENCE", "a"), ("REQUIRED_SCOPES", r#"["a b"]"#)]));
        assert_eq!(s.unwrap_err().setting, "REQUIRED_SCOPES", "a scope with white space is still refused");
        for bad in ["[1]", "[", r#"{"a":1}"#] {
            assert_eq!(with(bad, "a").unwrap_err().setting, "ISSUER", "{bad}");
        }
    }

    #[test]
    fn loopback_http_needs_the_flag() {
        assert!(check_url("X", "http://127.0.0.1:8080/jwks", true).is_ok());
        assert!(check_url("X", "http://localhost/jwks", true).is_ok());
        assert!(check_url("X", "http://[::1]:9/jwks", true).is_ok());
        assert!(check_url("X", "http://127.0.0.1:8080/jwks", false).is_err());
        assert!(check_url("X", "http://127.0.0.1.evil.com/jwks", true).is_err());
        assert!(check_url("X", "http://127.0.0.1@evil.com/jwks", true).is_err());
        assert!(check_url("X", "ftp://x", true).is_err());
    }
}
