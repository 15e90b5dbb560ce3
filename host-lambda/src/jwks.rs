//! Fetching the JWKS over HTTPS: OIDC discovery when no JWKS_URI is set, a timeout, a body
//! cap, no plain http except to loopback when allowed, and the `Cache-Control` lifetime.
//! Caching decisions (when to fetch) live in `authorizer`; this module only fetches.

use crate::settings::JwksRules;
use jwtgate_core::env::check_url;
use serde_json::Value;
use std::fmt;
use std::time::Duration;

/// A fetched JWKS and the lifetime its server gave it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fetched {
    pub body: Vec<u8>,
    pub max_age: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FetchError {
    /// The URL breaks the https-only rule (e.g. a discovered `jwks_uri`).
    UrlRefused(String),
    /// Connection, TLS or protocol failure.
    Transport(String),
    /// No complete answer (headers and body) within JWKS_TIMEOUT_MS.
    Timeout(String),
    /// The server answered something other than 200 (in loopback test mode a redirect too:
    /// none is followed there).
    Status(u16),
    /// More redirects than allowed (3, https only).
    TooManyRedirects,
    /// The body exceeded the size cap.
    TooLarge,
    /// The discovery document is not usable.
    Discovery(String),
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchError::UrlRefused(m) => write!(f, "url refused: {m}"),
            FetchError::Transport(m) => write!(f, "transport: {m}"),
            FetchError::Timeout(m) => write!(f, "timeout: {m}"),
            FetchError::Status(s) => write!(f, "http status {s}"),
            FetchError::TooManyRedirects => f.write_str("too many redirects"),
            FetchError::TooLarge => f.write_str("body over the size cap"),
            FetchError::Discovery(m) => write!(f, "discovery: {m}"),
        }
    }
}

impl std::error::Error for FetchError {}

impl FetchError {
    /// The failure code in the `jwtgate.jwks` log line; the same codes as the Node host.
    pub fn code(&self) -> &'static str {
        match self {
            FetchError::UrlRefused(_) => "insecure_url",
            FetchError::Transport(_) => "network",
            FetchError::Timeout(_) => "timeout",
            FetchError::Status(_) | FetchError::TooManyRedirects => "http_status",
            FetchError::TooLarge => "too_large",
            FetchError::Discovery(_) => "discovery_invalid",
        }
    }
}

fn transport(e: ureq::Error, timeout_ms: u64) -> FetchError {
    match e {
        ureq::Error::Timeout(_) => FetchError::Timeout(format!("no complete answer within {timeout_ms} ms")),
        ureq::Error::TooManyRedirects => FetchError::TooManyRedirects,
        other => FetchError::Transport(other.to_string()),
    }
}

/// One HTTP GET with the rules applied. A trait so the cache logic is testable without a
/// network.
pub trait Fetch: Send {
    fn get(&self, url: &str) -> Result<Fetched, FetchError>;
}

/// `max-age` from a `Cache-Control` value; `no-store`/`no-cache` mean zero (the lower bound
/// applies). Malformed values are ignored.
pub fn max_age(cache_control: &str) -> Option<u64> {
    let mut age = None;
    for directive in cache_control.split(',').map(str::trim) {
        let lower = directive.to_ascii_lowercase();
        if lower == "no-store" || lower == "no-cache" {
            return Some(0);
        }
        if let Some(v) = lower.strip_prefix("max-age=") {
            age = v.trim_matches('"').parse().ok().or(age);
        }
    }
    age
}

/// How long to keep a JWKS: its `max-age` within the configured bounds; the lower bound
/// without one.
pub fn lifetime(max_age: Option<u64>, rules: &JwksRules) -> u64 {
    max_age.unwrap_or(rules.cache_min_seconds).clamp(rules.cache_min_seconds, rules.cache_max_seconds)
}

/// The blocking HTTPS client (ureq with rustls; the platform verifier trusts the system CA
/// store and honours SSL_CERT_FILE/SSL_CERT_DIR).
pub struct HttpFetcher {
    agent: ureq::Agent,
    max_bytes: usize,
    timeout_ms: u64,
    allow_http_loopback: bool,
}

impl HttpFetcher {
    pub fn new(rules: &JwksRules) -> HttpFetcher {
        let tls = ureq::tls::TlsConfig::builder()
            .provider(ureq::tls::TlsProvider::Rustls)
            .root_certs(ureq::tls::RootCerts::PlatformVerifier)
            .build();
        let mut config = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_millis(rules.fetch_timeout_ms)))
            .http_status_as_error(false)
            .user_agent(concat!("jwtgate-lambda/", env!("CARGO_PKG_VERSION")))
            .tls_config(tls);
        config = if rules.allow_http_loopback {
            // Test and demo mode: loopback only, so no proxy and no redirect can leave it.
            config.proxy(None).max_redirects(0)
        } else {
            config.https_only(true).max_redirects(3)
        };
        HttpFetcher {
            agent: config.build().into(),
            max_bytes: rules.max_jwks_bytes,
            timeout_ms: rules.fetch_timeout_ms,
            allow_http_loopback: rules.allow_http_loopback,
        }
    }
}

impl Fetch for HttpFetcher {
    fn get(&self, url: &str) -> Result<Fetched, FetchError> {
        check_url("url", url, self.allow_http_loopback).map_err(|e| FetchError::UrlRefused(e.problem))?;
        let mut response = self
            .agent
            .get(url)
            .header("accept", "application/json, application/jwk-set+json")
            .call()
            .map_err(|e| transport(e, self.timeout_ms))?;
        let status = response.status().as_u16();
        if status != 200 {
            return Err(FetchError::Status(status));
        }
        // A declared length over the cap is refused before any of the body is read (a server
        // announcing 50 MiB and then stalling fails at once, not at the timeout).
        let declared = response.headers().get("content-length").and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<u64>().ok());
        if declared.is_some_and(|n| n > self.max_bytes as u64) {
            return Err(FetchError::TooLarge);
        }
        let max_age = response.headers().get("cache-control").and_then(|v| v.to_str().ok()).and_then(max_age);
        let body = response
            .body_mut()
            .with_config()
            .limit(self.max_bytes as u64)
            .read_to_vec()
            .map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(_) => FetchError::TooLarge,
                other => transport(other, self.timeout_ms),
            })?;
        Ok(Fetched { body, max_age })
    }
}

/// Where the JWKS is: the configured JWKS_URI, or the one discovery names (looked up once per
/// warm instance, then kept).
pub struct JwksSource {
    rules: JwksRules,
    issuers: Vec<String>,
    fetcher: Box<dyn Fetch>,
    discovered_uri: Option<String>,
}

impl JwksSource {
    pub fn new(rules: JwksRules, issuers: Vec<String>, fetcher: Box<dyn Fetch>) -> JwksSource {
        JwksSource { rules, issuers, fetcher, discovered_uri: None }
    }

    pub fn rules(&self) -> &JwksRules {
        &self.rules
    }

    pub fn fetch(&mut self) -> Result<Fetched, FetchError> {
        let uri = match (&self.rules.jwks_uri, &self.discovered_uri) {
            (Some(uri), _) | (None, Some(uri)) => uri.clone(),
            (None, None) => {
                let uri = self.discover()?;
                self.discovered_uri = Some(uri.clone());
                uri
            }
        };
        self.fetcher.get(&uri)
    }

    /// OIDC discovery: the document's `issuer` must be one we accept (OpenID Connect Discovery
    /// 1.0 section 4.3) and its `jwks_uri` must pass the same https rule as JWKS_URI.
    fn discover(&self) -> Result<String, FetchError> {
        let fetched = self.fetcher.get(&self.rules.discovery_url)?;
        let doc: Value = serde_json::from_slice(&fetched.body).map_err(|e| FetchError::Discovery(format!("not JSON: {e}")))?;
        let issuer = doc.get("issuer").and_then(Value::as_str).unwrap_or_default();
        let matches = |accepted: &String| accepted.trim_end_matches('/') == issuer.trim_end_matches('/');
        if !self.issuers.iter().any(matches) {
            return Err(FetchError::Discovery(format!("issuer `{issuer}` is not a configured ISSUER")));
        }
        let uri = doc
            .get("jwks_uri")
            .and_then(Value::as_str)
            .ok_or_else(|| FetchError::Discovery("no jwks_uri".into()))?;
        check_url("jwks_uri", uri, self.rules.allow_http_loopback).map_err(|e| FetchError::UrlRefused(e.problem))?;
        Ok(uri.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> JwksRules {
        JwksRules {
            jwks_uri: None,
            discovery_url: "https://id.example/.well-known/openid-configuration".into(),
            fetch_timeout_ms: 1000,
            cache_min_seconds: 60,
            cache_max_seconds: 3600,
            refresh_cooldown_seconds: 30,
            max_jwks_bytes: 1000,
            allow_http_loopback: false,
        }
    }

    #[test]
    fn cache_control_max_age() {
        assert_eq!(max_age("public, max-age=600"), Some(600));
        assert_eq!(max_age("Max-Age=5, must-revalidate"), Some(5));
        assert_eq!(max_age("no-store"), Some(0));
        assert_eq!(max_age("max-age=ten"), None);
        assert_eq!(max_age("private"), None);
    }

    #[test]
    fn lifetime_is_bounded() {
        let r = rules();
        assert_eq!(lifetime(Some(600), &r), 600);
        assert_eq!(lifetime(Some(1), &r), 60);
        assert_eq!(lifetime(Some(1 << 40), &r), 3600);
        assert_eq!(lifetime(None, &r), 60);
    }

    struct Canned(Vec<(String, Result<Fetched, FetchError>)>);
    impl Fetch for Canned {
        fn get(&self, url: &str) -> Result<Fetched, FetchError> {
            self.0.iter().find(|(u, _)| u == url).map(|(_, r)| r.clone()).unwrap_or(Err(FetchError::Status(404)))
        }
    }
    fn ok(body: &str) -> Result<Fetched, FetchError> {
        Ok(Fetched { body: body.as_bytes().to_vec(), max_age: None })
    }

    #[test]
    fn discovery_checks_issuer_and_https() {
        let url = "https://id.example/.well-known/openid-configuration".to_owned();
        let cases = [
            (r#"{"issuer":"https://id.example/","jwks_uri":"https://id.example/jwks"}"#, Ok(())),
            (r#"{"issuer":"https://evil.example","jwks_uri":"https://id.example/jwks"}"#, Err("issuer")),
            (r#"{"issuer":"https://id.example","jwks_uri":"http://id.example/jwks"}"#, Err("https")),
            (r#"{"issuer":"https://id.example"}"#, Err("jwks_uri")),
            ("<html>", Err("JSON")),
        ];
        for (doc, want) in cases {
            let fetcher = Canned(vec![(url.clone(), ok(doc)), ("https://id.example/jwks".into(), ok(r#"{"keys":[]}"#))]);
            let mut source = JwksSource::new(rules(), vec!["https://id.example/".into()], Box::new(fetcher));
            match (source.fetch(), want) {
                (Ok(f), Ok(())) => assert_eq!(f.body, br#"{"keys":[]}"#),
                (Err(e), Err(word)) => assert!(e.to_string().contains(word), "{doc}: {e}"),
                (got, want) => panic!("{doc}: got {got:?}, want {want:?}"),
            }
        }
    }
}
