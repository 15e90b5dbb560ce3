//! The Lambda Runtime API, version 2018-06-01, as a custom runtime on `provided.al2023` uses it:
//! fetch the next invocation, post its response or its error, and report an init failure.
//! AWS Lambda Developer Guide, "Using the Lambda runtime API for custom runtimes"
//! (<https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html>) and "Building a custom
//! runtime" (<https://docs.aws.amazon.com/lambda/latest/dg/runtimes-custom.html>).
//!
//! A blocking client (ureq, plain HTTP to `AWS_LAMBDA_RUNTIME_API`) and one invocation at a
//! time, which is how a Lambda instance runs an authorizer. It replaces `lambda_runtime`, whose
//! sequential loop calls `std::env::set_var("_X_AMZN_TRACE_ID", ...)` on every invocation: glibc's
//! `setenv` never frees a replaced value, so a warm instance grew by ~155 bytes per invocation.
//! This module never touches the environment: the trace id goes into the decision's log line
//! (host-lambda/README.md, "Runtime API").
//!
//! Whatever the Runtime API answers is input: the event is read up to a cap, the request id must
//! be a safe path segment before it is put in a URL, and a malformed answer is an error, never a
//! panic. The loop ([`serve`]) stops on the first error, and the process exits so Lambda starts
//! a fresh instance (the guide: an unexpected Runtime API answer is not recoverable).

use std::fmt;
use std::io::Read;
use std::time::Duration;
use ureq::unversioned::resolver::DefaultResolver;
use ureq::unversioned::transport::{Buffers, ConnectionDetails, Connector, NextTimeout, TcpConnector, Transport};

/// The most event bytes passed on: Lambda's own cap on a synchronous invocation's payload
/// (6 MB), which is also the ceiling of `MAX_EVENT_BYTES`. One byte more is read, so an event
/// over the cap reaches the core, which refuses it by its size and logs why.
pub const MAX_EVENT_BYTES: usize = jwtgate_core::limits::CEILING.max_event_bytes;

/// The body of the invocation error API Gateway turns into a 401. Exactly these bytes: any
/// other error is a 500 to the caller.
pub const UNAUTHORIZED: &str = r#"{"errorType":"Unauthorized","errorMessage":"Unauthorized"}"#;

/// Request ids are UUIDs in Lambda; anything longer than this is refused.
const MAX_REQUEST_ID_BYTES: usize = 128;
/// An X-Ray trace header (`Root=...;Parent=...;Sampled=...`, maybe `Lineage=...`) is well
/// under this; a longer or non-printable one is dropped from the log line, not fatal.
const MAX_TRACE_ID_BYTES: usize = 1024;
/// A post to the Runtime API is answered at once; one that hangs stops the loop instead of
/// holding the instance forever. The next-invocation poll has no timeout (the guide: the
/// answer may be delayed as long as no invocation comes).
const POST_TIMEOUT: Duration = Duration::from_secs(10);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// cargo-lambda's emulator answers the poll `204 No Content` while no invocation is queued
/// (Lambda never does); poll again after this pause rather than spin.
const NO_CONTENT_PAUSE: Duration = Duration::from_millis(5);

/// What stopped a Runtime API call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuntimeApiError {
    /// `AWS_LAMBDA_RUNTIME_API` is missing or not `host:port` (optionally `http://host:port/path`).
    Endpoint(String),
    /// The connection failed, timed out or carried something that is not HTTP.
    Transport { call: &'static str, detail: String },
    /// An HTTP status the contract does not allow for this call.
    Status { call: &'static str, status: u16 },
    /// An answer the contract does not allow: no request id, or one that is not a safe token.
    Malformed { call: &'static str, detail: String },
}

impl fmt::Display for RuntimeApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RuntimeApiError::Endpoint(detail) => write!(f, "AWS_LAMBDA_RUNTIME_API: {detail}"),
            RuntimeApiError::Transport { call, detail } => write!(f, "{call}: {detail}"),
            RuntimeApiError::Status { call, status } => write!(f, "{call}: unexpected HTTP status {status}"),
            RuntimeApiError::Malformed { call, detail } => write!(f, "{call}: {detail}"),
        }
    }
}

impl std::error::Error for RuntimeApiError {}

/// A request id checked to be a safe URL path segment: 1 to 128 of `A-Z a-z 0-9 - _`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(String);

impl RequestId {
    pub fn parse(text: &str) -> Option<RequestId> {
        let safe = !text.is_empty()
            && text.len() <= MAX_REQUEST_ID_BYTES
            && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        safe.then(|| RequestId(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One invocation from `GET /runtime/invocation/next`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    /// `Lambda-Runtime-Aws-Request-Id`.
    pub request_id: RequestId,
    /// `Lambda-Runtime-Trace-Id` (the X-Ray tracing header), if present and printable.
    pub trace_id: Option<String>,
    /// `Lambda-Runtime-Deadline-Ms`: when Lambda times the invocation out (Unix ms), if a number.
    pub deadline_ms: Option<u64>,
    /// The event, byte for byte (at most [`MAX_EVENT_BYTES`] + 1 bytes).
    pub event: Vec<u8>,
}

/// What the function answers one invocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// `POST /runtime/invocation/{id}/response` with this JSON body.
    Response(Vec<u8>),
    /// `POST /runtime/invocation/{id}/error` with [`UNAUTHORIZED`].
    Unauthorized,
}

/// The Runtime API client.
pub struct RuntimeApi {
    agent: ureq::Agent,
    /// `http://host:port` plus the optional base path, without a trailing `/`.
    base: String,
}

impl RuntimeApi {
    /// The client for `AWS_LAMBDA_RUNTIME_API`.
    pub fn from_env() -> Result<RuntimeApi, RuntimeApiError> {
        match std::env::var("AWS_LAMBDA_RUNTIME_API") {
            Ok(endpoint) => RuntimeApi::new(&endpoint),
            Err(_) => Err(RuntimeApiError::Endpoint(
                "not set (this mode runs inside AWS Lambda; `bootstrap local` decides one event)".into(),
            )),
        }
    }

    /// `endpoint` is `host:port` as Lambda sets it, or `http://host:port[/base]` (emulators
    /// such as cargo-lambda's serve the API under a path). Plain HTTP only: the Runtime API is
    /// local to the execution environment.
    pub fn new(endpoint: &str) -> Result<RuntimeApi, RuntimeApiError> {
        let rest = match endpoint.split_once("://") {
            None => endpoint,
            Some(("http", rest)) => rest,
            Some((scheme, _)) => {
                return Err(RuntimeApiError::Endpoint(format!("scheme `{scheme}` (the Runtime API is plain http)")));
            }
        };
        let rest = rest.trim_end_matches('/');
        let authority = rest.split('/').next().unwrap_or("");
        let printable = rest.bytes().all(|b| b.is_ascii_graphic() && !matches!(b, b'?' | b'#' | b'@' | b'\\'));
        if authority.is_empty() || !printable {
            return Err(RuntimeApiError::Endpoint(format!("`{endpoint}` is not host:port")));
        }
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            // The Runtime API is in the execution environment; never through a proxy.
            .proxy(None)
            .timeout_connect(Some(CONNECT_TIMEOUT))
            .user_agent(concat!("jwtgate-lambda/", env!("CARGO_PKG_VERSION")))
            .build();
        let agent =
            ureq::Agent::with_parts(config, TcpConnector::default().chain(OneWrite), DefaultResolver::default());
        Ok(RuntimeApi { agent, base: format!("http://{rest}") })
    }

    fn url(&self, path: &str) -> String {
        format!("{}/2018-06-01/runtime/{path}", self.base)
    }

    /// Wait for the next invocation (no timeout: the call returns when one comes).
    pub fn next_invocation(&self) -> Result<Invocation, RuntimeApiError> {
        const CALL: &str = "next invocation";
        loop {
            let mut response = self
                .agent
                .get(&self.url("invocation/next"))
                .call()
                .map_err(|e| RuntimeApiError::Transport { call: CALL, detail: e.to_string() })?;
            let status = response.status().as_u16();
            if status == 204 {
                std::thread::sleep(NO_CONTENT_PAUSE);
                continue;
            }
            if status != 200 {
                return Err(RuntimeApiError::Status { call: CALL, status });
            }
            let header = |name: &str| response.headers().get(name).map(|v| v.to_str().map_err(|_| ()));
            let request_id = match header("lambda-runtime-aws-request-id") {
                None => {
                    return Err(RuntimeApiError::Malformed {
                        call: CALL,
                        detail: "no Lambda-Runtime-Aws-Request-Id".into(),
                    });
                }
                Some(value) => value.ok().and_then(RequestId::parse).ok_or_else(|| RuntimeApiError::Malformed {
                    call: CALL,
                    detail: "Lambda-Runtime-Aws-Request-Id is not a safe token".into(),
                })?,
            };
            let trace_id = header("lambda-runtime-trace-id")
                .and_then(Result::ok)
                .filter(|t| !t.is_empty() && t.len() <= MAX_TRACE_ID_BYTES && t.bytes().all(|b| b.is_ascii_graphic()))
                .map(str::to_owned);
            let deadline_ms =
                header("lambda-runtime-deadline-ms").and_then(Result::ok).and_then(|d| d.trim().parse::<u64>().ok());
            let mut event = Vec::new();
            response
                .body_mut()
                .with_config()
                .limit(u64::MAX)
                .reader()
                .take(MAX_EVENT_BYTES as u64 + 1)
                .read_to_end(&mut event)
                .map_err(|e| RuntimeApiError::Transport { call: CALL, detail: format!("reading the event: {e}") })?;
            return Ok(Invocation { request_id, trace_id, deadline_ms, event });
        }
    }

    /// Post the answer to one invocation.
    pub fn answer(&self, request_id: &RequestId, answer: &Answer) -> Result<(), RuntimeApiError> {
        let id = request_id.as_str();
        match answer {
            Answer::Response(body) => {
                self.post("invocation response", &format!("invocation/{id}/response"), None, body)
            }
            Answer::Unauthorized => self.post(
                "invocation error",
                &format!("invocation/{id}/error"),
                Some("Unauthorized"),
                UNAUTHORIZED.as_bytes(),
            ),
        }
    }

    /// Report a failed init (`POST /runtime/init/error`); the caller then exits.
    pub fn init_error(&self, error_type: &str, message: &str) -> Result<(), RuntimeApiError> {
        let body = serde_json::json!({ "errorType": error_type, "errorMessage": message }).to_string();
        self.post("init error", "init/error", Some(error_type), body.as_bytes())
    }

    fn post(
        &self,
        call: &'static str,
        path: &str,
        error_type: Option<&str>,
        body: &[u8],
    ) -> Result<(), RuntimeApiError> {
        let mut request = self
            .agent
            .post(&self.url(path))
            .header("content-type", "application/json")
            .config()
            .timeout_global(Some(POST_TIMEOUT))
            .build();
        if let Some(error_type) = error_type {
            request = request.header("lambda-runtime-function-error-type", error_type);
        }
        let mut response =
            request.send(body).map_err(|e| RuntimeApiError::Transport { call, detail: e.to_string() })?;
        // Read the (empty or short) answer to the end so the connection is reused.
        let _ = response.body_mut().with_config().limit(64 * 1024).read_to_vec();
        match response.status().as_u16() {
            200..=299 => Ok(()),
            status => Err(RuntimeApiError::Status { call, status }),
        }
    }
}

/// The runtime loop: take each invocation, `decide` it, post the answer. Returns only the
/// error that stopped it.
pub fn serve(api: &RuntimeApi, mut decide: impl FnMut(&Invocation) -> Answer) -> RuntimeApiError {
    loop {
        let invocation = match api.next_invocation() {
            Ok(invocation) => invocation,
            Err(e) => return e,
        };
        let answer = decide(&invocation);
        if let Err(e) = api.answer(&invocation.request_id, &answer) {
            return e;
        }
    }
}

/// Sends each request in one write: ureq transmits a request's head and its body separately,
/// and a Runtime API that streams the body on (cargo-lambda's emulator forwards a response
/// body to the waiting invoker as it arrives) then sends the invoker the head alone; Nagle's
/// algorithm on that connection holds the body back until the invoker's delayed ACK, about
/// 40 ms per invocation. Buffering the writes until the first read of the answer keeps the
/// request whole, as lambda_runtime's hyper client sent it. (ureq's `unversioned` transport
/// API: Cargo.lock pins ureq, and a change there fails the build, not the behaviour.)
#[derive(Debug)]
struct OneWrite;

impl<In: Transport> Connector<In> for OneWrite {
    type Out = OneWriteTransport<In>;

    fn connect(&self, _: &ConnectionDetails, chained: Option<In>) -> Result<Option<Self::Out>, ureq::Error> {
        Ok(chained.map(|inner| OneWriteTransport { inner, pending: Vec::new() }))
    }
}

#[derive(Debug)]
struct OneWriteTransport<T> {
    inner: T,
    pending: Vec<u8>,
}

/// Past this many pending bytes (a large response), they are sent without waiting for a read.
const ONE_WRITE_MAX: usize = 64 * 1024;

impl<T: Transport> OneWriteTransport<T> {
    fn flush(&mut self, timeout: NextTimeout) -> Result<(), ureq::Error> {
        let mut sent = 0;
        while sent < self.pending.len() {
            let output = self.inner.buffers().output();
            let n = output.len().min(self.pending.len() - sent);
            if n == 0 {
                return Err(ureq::Error::Io(std::io::Error::other("transport without an output buffer")));
            }
            output[..n].copy_from_slice(&self.pending[sent..sent + n]);
            self.inner.transmit_output(n, timeout)?;
            sent += n;
        }
        self.pending.clear();
        Ok(())
    }
}

impl<T: Transport> Transport for OneWriteTransport<T> {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.inner.buffers()
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        let output = self.inner.buffers().output();
        self.pending.extend_from_slice(&output[..amount.min(output.len())]);
        if self.pending.len() > ONE_WRITE_MAX { self.flush(timeout) } else { Ok(()) }
    }

    fn maybe_await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        self.flush(timeout)?;
        self.inner.maybe_await_input(timeout)
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        self.flush(timeout)?;
        self.inner.await_input(timeout)
    }

    fn is_open(&mut self) -> bool {
        self.inner.is_open()
    }
}
