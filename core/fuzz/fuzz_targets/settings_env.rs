//! Settings from environment variables (`env::Settings::from_env`). Input: text, one
//! `NAME=VALUE` per line; after a line `%%`, the rest is the file `CONFIG_FILE` names (absent
//! without that line). Checks that an error names a setting, and that accepted settings
//! round-trip through the JSON that crosses the wasm boundary and keep the https rule, the
//! documented bounds and the issuer profiles' rules (issue 17).
#![no_main]

use jwtgate_core::Config;
use jwtgate_core::config::ConfigInput;
use jwtgate_core::env::{Settings, VARIABLES, check_url};
use jwtgate_core::limits::CEILING;
use jwtgate_core::profile::TokenUse;
use jwtgate_core_fuzz::cognito_issuer;
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;

/// The configuration file's top-level members (README, issue 17), which its errors name.
const CONFIG_MEMBERS: &[&str] = &[
    "config",
    "issuers",
    "jwks_uri",
    "jwks",
    "jwks_file",
    "audiences",
    "allowed_client_ids",
    "token_use",
    "algorithms",
    "required_scopes",
    "scope_match",
    "claim_rules",
    "token_type",
    "leeway_seconds",
    "max_token_age_seconds",
    "context_claims",
    "context_payload_key",
    "usage_identifier_claim",
    "require_certificate_binding",
    "policy_resource",
    "http_api_response",
    "limits",
    "route_rules",
    "unlisted_routes",
    "jwks_timeout_ms",
    "jwks_cache_min_seconds",
    "jwks_cache_max_seconds",
    "jwks_refresh_cooldown_seconds",
    "jwks_allow_http_loopback",
];

/// A setting's name up to its first index or member (`ISSUERS[1].jwks_uri` -> `ISSUERS`).
fn head(setting: &str) -> &str {
    setting.split(['[', '.']).next().unwrap_or_default()
}

/// What `Settings::from_env` reads: a variable set to something other than white space.
fn set<'v>(vars: &'v BTreeMap<String, String>, name: &str) -> Option<&'v str> {
    vars.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
}

fuzz_target!(|data: &[u8]| {
    let (env, file) = match data.windows(4).position(|w| w == b"\n%%\n") {
        Some(at) => (&data[..at], Some(&data[at + 4..])),
        None => (data, None),
    };
    let text = String::from_utf8_lossy(env);
    let vars: BTreeMap<String, String> =
        text.split('\n').filter_map(|line| line.split_once('=')).map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
    let with_file = set(&vars, "CONFIG_FILE").is_some();
    let listed = set(&vars, "ISSUERS").is_some();
    match Settings::from_env(&vars, file) {
        Err(e) => {
            assert!(!e.setting.is_empty() && !e.problem.is_empty());
            assert!(e.to_string().starts_with("invalid configuration: "));
            // The error names what the user wrote: a variable (or a path in `ISSUERS`), or with
            // a configuration file, a member of the file.
            let h = head(&e.setting);
            // Beside CONFIG_FILE the host's own settings stay variables (README: SIGNATURES,
            // METRICS and METRICS_NAMESPACE); everything else is a member of the file.
            let host_setting =
                ["CONFIG_FILE", "SIGNATURES", "METRICS", "METRICS_NAMESPACE"].contains(&e.setting.as_str());
            let named = if with_file && !host_setting { CONFIG_MEMBERS.contains(&h) } else { VARIABLES.contains(&h) };
            assert!(named, "error names {:?}: {e}", e.setting);
            if h == "ISSUERS" {
                assert!(listed, "{e}");
            }
        }
        Ok(s) => {
            // The host passes `config_input` to the module as JSON: it must load there.
            let mut json = Vec::new();
            s.config_input.write_json(&mut json);
            let json = String::from_utf8(json).expect("config JSON is UTF-8");
            let input = ConfigInput::from_json(json.as_bytes()).expect("written config reads back");
            assert_eq!(input, s.config_input, "config JSON round trip\n{json}");
            let again = Config::from_json(json.as_bytes())
                .unwrap_or_else(|e| panic!("settings accepted, config refused: {e}\n{json}"));
            assert_eq!(format!("{:?}", again.profiles), format!("{:?}", s.config.profiles));
            assert_eq!(format!("{:?}", again.sources), format!("{:?}", s.config.sources));
            assert_eq!(again.algorithms, s.config.algorithms);
            assert_eq!(again.route_rules, s.config.route_rules);
            assert_eq!(again.limits, s.config.limits);
            assert_eq!(again.cache, s.config.cache);
            if with_file {
                // Every setting is in the file.
                assert_eq!(
                    Some(s.config_input.clone()),
                    file.and_then(|f| ConfigInput::from_json(f).ok()),
                    "CONFIG_FILE: the file is the configuration"
                );
            }

            let limits = &s.config.limits;
            assert!(limits.max_token_bytes >= 1 && limits.max_token_bytes <= CEILING.max_token_bytes);
            assert!(limits.max_jwks_bytes >= 1 && limits.max_jwks_bytes <= CEILING.max_jwks_bytes);
            assert!(limits.max_keys >= 1 && limits.max_keys <= CEILING.max_keys);
            assert!(limits.max_event_bytes >= 1 && limits.max_event_bytes <= CEILING.max_event_bytes);
            let c = &s.config.cache;
            assert!((100..=30_000).contains(&c.jwks_timeout_ms));
            assert!(
                1 <= c.jwks_cache_min_seconds
                    && c.jwks_cache_min_seconds <= c.jwks_cache_max_seconds
                    && c.jwks_cache_max_seconds <= 7 * 24 * 3600
            );
            assert!(
                (1..=3_600).contains(&c.jwks_refresh_cooldown_seconds),
                "a cooldown of {}",
                c.jwks_refresh_cooldown_seconds
            );

            // 1 to 20 profiles, one per issuer; each accepts some audience or client, never any.
            let profiles = &s.config.profiles;
            assert!((1..=20).contains(&profiles.len()), "{} profiles", profiles.len());
            for (i, p) in profiles.iter().enumerate() {
                assert!(profiles[i + 1..].iter().all(|q| q.issuer != p.issuer), "issuer {:?} twice", p.issuer);
                assert!(!p.issuer.trim().is_empty());
                assert!(p.audiences.iter().all(|a| !a.trim().is_empty()), "{:?}: an empty audience", p.issuer);
                let clients = p.allowed_client_ids.as_ref();
                assert!(
                    clients.is_none_or(|ids| !ids.is_empty() && ids.iter().all(|c| !c.trim().is_empty())),
                    "{:?}: client ids {clients:?}",
                    p.issuer
                );
                assert!(!p.audiences.is_empty() || clients.is_some(), "{:?} accepts any audience", p.issuer);
                assert!(!p.algorithms.is_empty());
                assert!(p.leeway_seconds <= 600);
                assert!(p.max_token_age_seconds.is_none_or(|a| (1..=365 * 24 * 3600).contains(&a)));
                assert!(p.required_scopes.iter().all(|r| !r.is_empty() && !r.contains(char::is_whitespace)));
                // Claim rules within README's bounds: 20 rules, 50 values of 1 to 256 bytes each.
                assert!(p.claim_rules.len() <= 20, "{} claim rules", p.claim_rules.len());
                for rule in &p.claim_rules {
                    let values = rule.test.values();
                    assert!(
                        values.len() <= 50 && values.iter().all(|v| !v.text().is_empty() && v.text().len() <= 256),
                        "{rule:?}"
                    );
                    assert!(!rule.path.names().is_empty() && rule.path.names().len() <= 8);
                }
                // Its key source: an https URL (or loopback http only when allowed), discovery
                // from the issuer, or keys shipped with the deployment.
                let source = s.config.sources.get(p.source).expect("a profile's key source exists");
                let urls = source.jwks_uri.iter().chain(source.discovery.as_ref().map(|d| &d.url));
                for url in urls {
                    assert!(check_url("fuzz", url, c.jwks_allow_http_loopback).is_ok(), "fetch URL {url:?} accepted");
                    if !c.jwks_allow_http_loopback {
                        assert!(url.starts_with("https://"), "non-https fetch URL {url:?} accepted");
                    }
                }
                assert!(
                    source.jwks_uri.is_some()
                        || source.discovery.is_some()
                        || source.file.is_some()
                        || source.inline.is_some(),
                    "{:?}: no keys anywhere",
                    p.issuer
                );
                if let Some(d) = &source.discovery {
                    assert!(source.jwks_uri.is_none());
                    assert_eq!(d.issuer, p.issuer, "discovery for another issuer");
                    assert_eq!(d.url, format!("{}/.well-known/openid-configuration", d.issuer.trim_end_matches('/')));
                }
            }
            if !with_file && !listed {
                // The single-issuer variables: every profile takes them.
                let age = set(&vars, "MAX_TOKEN_AGE_SECONDS");
                let token_use = set(&vars, "TOKEN_USE");
                for p in profiles {
                    assert_eq!(p.max_token_age_seconds.is_some(), age.is_some(), "MAX_TOKEN_AGE_SECONDS {age:?}");
                    let named = p.token_use.map(|t| match t {
                        TokenUse::Access => "access",
                        TokenUse::Id => "id",
                    });
                    assert_eq!(named, token_use, "TOKEN_USE");
                }
                // A user pool names its issuer and its key set.
                if let Some(pool) = set(&vars, "COGNITO_USER_POOL_ID") {
                    let issuer = cognito_issuer(pool);
                    let p = profiles
                        .iter()
                        .find(|p| p.issuer == issuer)
                        .unwrap_or_else(|| panic!("pool {pool:?}: no profile for {issuer:?}"));
                    let uri = format!("{issuer}/.well-known/jwks.json");
                    assert_eq!(s.config.sources[p.source].jwks_uri.as_deref(), Some(uri.as_str()));
                }
            }
            // Only documented variables matter: dropping every other name changes nothing.
            let known: BTreeMap<String, String> = vars
                .iter()
                .filter(|(k, _)| VARIABLES.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            let s2 = Settings::from_env(&known, file).expect("documented variables alone are accepted");
            assert_eq!(s2.config_input, s.config_input);
            assert_eq!(s2.signatures, s.signatures);
        }
    }
});
