//! The one kind of I/O this host does for the core: perform the request the module names (an
//! HTTPS GET of a discovery document or a key set, or the read of a key set file in the
//! deployment), bounded by the request's time and size, and hand back what came. Which URL,
//! when, redirects, statuses, lifetimes and every other rule are the core's (key_cache.rs).

use serde::Deserialize;
use std::io::Read;
use std::time::Duration;

/// A request from `jwtgate_next_fetch` (wasm/ABI.md, "Keys").
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct FetchRequest {
    pub id: u64,
    /// `discovery` or `jwks` (an HTTP GET), or `file`.
    pub kind: String,
    pub url: String,
    pub timeout_ms: u64,
    pub max_bytes: usize,
}

/// What a request got, as the module reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply {
    Answer {
        status: u16,
        location: Option<String>,
        cache_control: Option<String>,
        body: Vec<u8>,
    },
    /// `failure`: `network`, `timeout` or `too_large`; `detail` is for the log.
    Failed {
        failure: &'static str,
        detail: String,
    },
}

impl Reply {
    /// The reply document for `jwtgate_fetched`, and the body.
    pub fn to_module(&self, id: u64) -> (Vec<u8>, &[u8]) {
        match self {
            Reply::Answer { status, location, cache_control, body } => (
                serde_json::json!({ "id": id, "status": status, "location": location, "cache_control": cache_control })
                    .to_string()
                    .into_bytes(),
                body,
            ),
            Reply::Failed { failure, detail } => {
                (serde_json::json!({ "id": id, "failure": failure, "detail": detail }).to_string().into_bytes(), &[])
            }
        }
    }
}

/// Performs requests. A trait so the authorizer is testable without a network.
pub trait Fetch: Send {
    fn fetch(&self, request: &FetchRequest) -> Reply;
}

/// The blocking HTTPS client (ureq with rustls; the platform verifier trusts the system CA
/// store and honours SSL_CERT_FILE/SSL_CERT_DIR), and file reads.
pub struct HttpFetcher {
    agent: ureq::Agent,
}

impl Default for HttpFetcher {
    fn default() -> Self {
        HttpFetcher::new()
    }
}

impl HttpFetcher {
    pub fn new() -> HttpFetcher {
        let tls = ureq::tls::TlsConfig::builder()
            .provider(ureq::tls::TlsProvider::Rustls)
            .root_certs(ureq::tls::RootCerts::PlatformVerifier)
            .build();
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            // The core follows redirects itself, checking each target before it is contacted.
            .max_redirects(0)
            // The core allows plain http only to loopback (and only when configured); a proxy
            // must not carry such a request elsewhere.
            .proxy(None)
            .user_agent(concat!("jwtgate-lambda/", env!("CARGO_PKG_VERSION")))
            .tls_config(tls)
            .build();
        HttpFetcher { agent: config.into() }
    }

    fn get(&self, request: &FetchRequest) -> Reply {
        let timeout = Duration::from_millis(request.timeout_ms.max(1));
        let failed = |failure: &'static str, detail: String| Reply::Failed { failure, detail };
        let transport = |e: ureq::Error| match e {
            ureq::Error::Timeout(_) => {
                failed("timeout", format!("no complete answer within {} ms", request.timeout_ms))
            }
            ureq::Error::BodyExceedsLimit(_) => failed("too_large", format!("more than {} bytes", request.max_bytes)),
            other => failed("network", other.to_string()),
        };
        let call = self
            .agent
            .get(&request.url)
            .header("accept", "application/json, application/jwk-set+json")
            .config()
            .timeout_global(Some(timeout))
            .build()
            .call();
        let mut response = match call {
            Ok(response) => response,
            Err(e) => return transport(e),
        };
        let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let (location, cache_control) = (header("location"), header("cache-control"));
        // A declared length over the cap fails before any of the body is read (a server
        // announcing 50 MiB and then stalling fails at once, not at the timeout).
        let declared = header("content-length").and_then(|v| v.trim().parse::<u64>().ok());
        if declared.is_some_and(|n| n > request.max_bytes as u64) {
            return failed(
                "too_large",
                format!("Content-Length {} is over {} bytes", declared.unwrap_or(0), request.max_bytes),
            );
        }
        let status = response.status().as_u16();
        if (300..400).contains(&status) {
            // The body of a redirect is never read.
            return Reply::Answer { status, location, cache_control, body: Vec::new() };
        }
        match response.body_mut().with_config().limit(request.max_bytes as u64).read_to_vec() {
            Ok(body) => Reply::Answer { status, location, cache_control, body },
            Err(e) => transport(e),
        }
    }

    fn read_file(request: &FetchRequest) -> Reply {
        let failed = |failure: &'static str, detail: String| Reply::Failed { failure, detail };
        let file = match std::fs::File::open(&request.url) {
            Ok(file) => file,
            Err(e) => return failed("network", format!("{}: {e}", request.url)),
        };
        let mut body = Vec::new();
        match file.take(request.max_bytes as u64 + 1).read_to_end(&mut body) {
            Ok(_) if body.len() > request.max_bytes => {
                failed("too_large", format!("{} is over {} bytes", request.url, request.max_bytes))
            }
            Ok(_) => Reply::Answer { status: 200, location: None, cache_control: None, body },
            Err(e) => failed("network", format!("{}: {e}", request.url)),
        }
    }
}

impl Fetch for HttpFetcher {
    fn fetch(&self, request: &FetchRequest) -> Reply {
        if request.kind == "file" { HttpFetcher::read_file(request) } else { self.get(request) }
    }
}
