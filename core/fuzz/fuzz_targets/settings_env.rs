//! Settings from environment variables (`env::Settings::from_env`). Input: text, one
//! `NAME=VALUE` per line. Checks that accepted settings round-trip through the JSON that
//! crosses the wasm boundary and keep the https rule and the documented bounds.
#![no_main]

use jwtgate_core::env::{Settings, VARIABLES, check_url};
use jwtgate_core::limits::CEILING;
use jwtgate_core::Config;
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let vars: BTreeMap<String, String> = text
        .split('\n')
        .filter_map(|line| line.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    match Settings::from_env(&vars) {
        Err(e) => {
            assert!(!e.setting.is_empty() && !e.problem.is_empty());
            assert!(e.to_string().starts_with("invalid configuration: "));
        }
        Ok(s) => {
            // The host passes `config_input` to the module as JSON: it must load there.
            let mut json = Vec::new();
            s.config_input.write_json(&mut json);
            let json = String::from_utf8(json).expect("config JSON is UTF-8");
            let input = jwtgate_core::config::ConfigInput::from_json(json.as_bytes()).expect("written config reads back");
            assert_eq!(input, s.config_input, "config JSON round trip\n{json}");
            let again = Config::from_json(json.as_bytes()).unwrap_or_else(|e| panic!("settings accepted, config refused: {e}\n{json}"));
            assert_eq!(again.issuers, s.config.issuers);
            assert_eq!(again.audiences, s.config.audiences);
            assert_eq!(again.algorithms, s.config.algorithms);
            assert_eq!(again.route_rules, s.config.route_rules);
            assert_eq!(again.limits, s.config.limits);
            assert!(!s.config.issuers.is_empty() && !s.config.audiences.is_empty());
            let limits = &s.config.limits;
            assert!(limits.max_token_bytes >= 1 && limits.max_token_bytes <= CEILING.max_token_bytes);
            assert!(limits.max_jwks_bytes >= 1 && limits.max_jwks_bytes <= CEILING.max_jwks_bytes);
            assert!(limits.max_keys >= 1 && limits.max_keys <= CEILING.max_keys);
            assert!(limits.max_event_bytes >= 1 && limits.max_event_bytes <= CEILING.max_event_bytes);
            let j = &s.jwks;
            assert!((100..=30_000).contains(&j.fetch_timeout_ms));
            assert!(1 <= j.cache_min_seconds && j.cache_min_seconds <= j.cache_max_seconds && j.cache_max_seconds <= 7 * 24 * 3600);
            assert!((1..=3_600).contains(&j.refresh_cooldown_seconds), "a cooldown of {}", j.refresh_cooldown_seconds);
            assert_eq!(j.max_jwks_bytes, limits.max_jwks_bytes);
            // The URL the host will fetch: https, or loopback http only when allowed.
            let url = j.jwks_uri.as_deref().unwrap_or(&j.discovery_url);
            assert!(check_url("fuzz", url, j.allow_http_loopback).is_ok(), "fetch URL {url:?} accepted");
            if !j.allow_http_loopback {
                assert!(url.starts_with("https://"), "non-https fetch URL {url:?} accepted");
            }
            assert!(s.config.leeway_seconds <= 600);
            // A maximum age is a real bound, or unset: never 0 read as "off".
            let age = vars.get("MAX_TOKEN_AGE_SECONDS").map(|v| v.trim()).filter(|v| !v.is_empty());
            assert_eq!(s.config.max_token_age_seconds.is_some(), age.is_some(), "MAX_TOKEN_AGE_SECONDS {age:?}");
            assert!(s.config.max_token_age_seconds.is_none_or(|a| (1..=365 * 24 * 3600).contains(&a)));
            // Only documented variables matter: dropping every other name changes nothing.
            let known: BTreeMap<String, String> =
                vars.iter().filter(|(k, _)| VARIABLES.contains(&k.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect();
            let s2 = Settings::from_env(&known).expect("documented variables alone are accepted");
            assert_eq!(s2.jwks, s.jwks);
        }
    }
});
