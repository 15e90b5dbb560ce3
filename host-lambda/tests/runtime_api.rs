//! The Lambda Runtime API client (src/runtime_api.rs) against a scripted HTTP server on
//! 127.0.0.1: what it sends for each call (method, path, headers, body), how it reads the next
//! invocation's headers and event, and what it does with answers outside the contract
//! (garbage, wrong statuses, unsafe request ids, oversized events): an error, never a panic,
//! and never a request built from an unsafe id.

use jwtgate_lambda::runtime_api::{
    Answer, Invocation, MAX_EVENT_BYTES, RequestId, RuntimeApi, RuntimeApiError, UNAUTHORIZED, serve,
};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// One request as the server read it.
#[derive(Debug, Clone)]
struct Seen {
    /// Which connection (0, 1, ...) carried it.
    connection: usize,
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// A server that answers each request with the next scripted reply (raw bytes), on one
/// keep-alive connection or several; after the last reply it closes the connection.
struct Server {
    port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
    stop: Arc<AtomicBool>,
}

impl Server {
    fn start(script: Vec<Vec<u8>>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        std::thread::spawn(move || {
            let mut script = script.into_iter();
            let mut connection = 0;
            'connections: while let Ok((stream, _)) = listener.accept() {
                if stopped.load(Ordering::SeqCst) {
                    break;
                }
                connection += 1;
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut writer = stream;
                loop {
                    let Some(request) = read_request(&mut reader, connection - 1) else { continue 'connections };
                    log.lock().unwrap().push(request);
                    match script.next() {
                        Some(reply) => {
                            if writer.write_all(&reply).is_err() {
                                continue 'connections;
                            }
                        }
                        None => break 'connections,
                    }
                    // The last reply: close, so a client waiting for more of it sees the end.
                    if script.len() == 0 {
                        break 'connections;
                    }
                }
            }
        });
        Server { port, seen, stop }
    }

    fn api(&self) -> RuntimeApi {
        RuntimeApi::new(&format!("127.0.0.1:{}", self.port)).unwrap()
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Wake `accept` so the thread sees the flag and ends.
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn read_request(reader: &mut BufReader<TcpStream>, connection: usize) -> Option<Seen> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next()?.to_owned(), parts.next()?.to_owned());
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (k, v) = line.split_once(':')?;
        headers.push((k.trim().to_owned(), v.trim().to_owned()));
    }
    let length = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .map_or(0, |(_, v)| v.parse().unwrap_or(0));
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Seen { connection, method, path, headers, body })
}

fn reply(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\ncontent-length: {}\r\n", body.len()).into_bytes();
    for (k, v) in headers {
        out.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    out
}

const REQUEST_ID: &str = "8476a536-e9f4-11e8-9739-2dfe598c3fcd";
const TRACE_ID: &str = "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1";
const EVENT: &[u8] = br#"{"type":"TOKEN","authorizationToken":"Bearer x","methodArn":"arn"}"#;

fn invocation_reply(request_id: &str, event: &[u8]) -> Vec<u8> {
    reply(
        "200 OK",
        &[
            ("Lambda-Runtime-Aws-Request-Id", request_id),
            ("Lambda-Runtime-Trace-Id", TRACE_ID),
            ("Lambda-Runtime-Deadline-Ms", "1542409706888"),
            ("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-2:123456789012:function:custom-runtime"),
            ("content-type", "application/json"),
        ],
        event,
    )
}

fn accepted() -> Vec<u8> {
    reply("202 Accepted", &[("content-type", "application/json")], br#"{"status":"OK"}"#)
}

#[test]
fn next_invocation_reads_the_request_id_trace_id_deadline_and_event() {
    let server = Server::start(vec![invocation_reply(REQUEST_ID, EVENT)]);
    let invocation = server.api().next_invocation().unwrap();
    assert_eq!(invocation.request_id.as_str(), REQUEST_ID);
    assert_eq!(invocation.trace_id.as_deref(), Some(TRACE_ID));
    assert_eq!(invocation.deadline_ms, Some(1_542_409_706_888));
    assert_eq!(invocation.event, EVENT);
    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!((seen[0].method.as_str(), seen[0].path.as_str()), ("GET", "/2018-06-01/runtime/invocation/next"));
    assert!(seen[0].header("user-agent").is_some_and(|ua| ua.starts_with("jwtgate-lambda/")));
}

#[test]
fn header_names_are_case_insensitive_and_the_trace_id_is_optional() {
    let server = Server::start(vec![reply("200 OK", &[("lambda-runtime-aws-request-id", "abc_DEF-123")], b"{}")]);
    let invocation = server.api().next_invocation().unwrap();
    assert_eq!(invocation.request_id.as_str(), "abc_DEF-123");
    assert_eq!(invocation.trace_id, None);
    assert_eq!(invocation.deadline_ms, None);
    assert_eq!(invocation.event, b"{}");
}

#[test]
fn unusable_trace_ids_and_deadlines_are_dropped_not_fatal() {
    let long = format!("Root={}", "a".repeat(2000));
    for (trace, deadline) in [("Root=1 2", "soon"), (long.as_str(), "-1"), ("", "")] {
        let server = Server::start(vec![reply(
            "200 OK",
            &[
                ("Lambda-Runtime-Aws-Request-Id", REQUEST_ID),
                ("Lambda-Runtime-Trace-Id", trace),
                ("Lambda-Runtime-Deadline-Ms", deadline),
            ],
            EVENT,
        )]);
        let invocation = server.api().next_invocation().unwrap();
        assert_eq!((invocation.trace_id, invocation.deadline_ms), (None, None), "{trace:?} {deadline:?}");
    }
    // A header value with a byte outside visible ASCII (obs-text): not a string, dropped.
    let mut raw = reply("200 OK", &[("Lambda-Runtime-Aws-Request-Id", REQUEST_ID)], EVENT);
    let at = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    raw.splice(at..at, b"\r\nLambda-Runtime-Trace-Id: Root=\xe9".iter().copied());
    let server = Server::start(vec![raw]);
    let invocation = server.api().next_invocation().unwrap();
    assert_eq!(invocation.trace_id, None);
    assert_eq!(invocation.event, EVENT);
}

#[test]
fn the_endpoint_may_carry_a_scheme_and_a_base_path() {
    let server = Server::start(vec![invocation_reply(REQUEST_ID, EVENT), accepted()]);
    let api = RuntimeApi::new(&format!("http://127.0.0.1:{}/.rt/", server.port)).unwrap();
    let invocation = api.next_invocation().unwrap();
    api.answer(&invocation.request_id, &Answer::Unauthorized).unwrap();
    let paths: Vec<String> = server.seen().into_iter().map(|s| s.path).collect();
    assert_eq!(
        paths,
        ["/.rt/2018-06-01/runtime/invocation/next", &format!("/.rt/2018-06-01/runtime/invocation/{REQUEST_ID}/error")]
    );
}

#[test]
fn endpoints_that_are_not_plain_http_host_port_are_refused() {
    for endpoint in [
        "",
        "http://",
        "https://127.0.0.1:9001",
        "ftp://x",
        "127.0.0.1:9001?x=1",
        "user@127.0.0.1:9001",
        "127.0.0.1 :9001",
        "/path",
    ] {
        assert!(matches!(RuntimeApi::new(endpoint), Err(RuntimeApiError::Endpoint(_))), "{endpoint:?}");
    }
    assert!(RuntimeApi::new("127.0.0.1:9001").is_ok());
    assert!(RuntimeApi::new("http://127.0.0.1:9001/.rt").is_ok());
}

#[test]
fn a_response_is_posted_to_the_invocations_response_path() {
    let server = Server::start(vec![accepted()]);
    let id = RequestId::parse(REQUEST_ID).unwrap();
    let body = br#"{"principalId":"user","policyDocument":{}}"#.to_vec();
    server.api().answer(&id, &Answer::Response(body.clone())).unwrap();
    let seen = server.seen();
    assert_eq!(
        (seen[0].method.as_str(), seen[0].path.as_str()),
        ("POST", &*format!("/2018-06-01/runtime/invocation/{REQUEST_ID}/response"))
    );
    assert_eq!(seen[0].body, body);
    assert_eq!(seen[0].header("content-type"), Some("application/json"));
    assert_eq!(seen[0].header("lambda-runtime-function-error-type"), None);
}

#[test]
fn unauthorized_is_the_exact_error_body_api_gateway_turns_into_a_401() {
    let server = Server::start(vec![accepted()]);
    let id = RequestId::parse(REQUEST_ID).unwrap();
    server.api().answer(&id, &Answer::Unauthorized).unwrap();
    let seen = server.seen();
    assert_eq!(
        (seen[0].method.as_str(), seen[0].path.as_str()),
        ("POST", &*format!("/2018-06-01/runtime/invocation/{REQUEST_ID}/error"))
    );
    assert_eq!(seen[0].body, br#"{"errorType":"Unauthorized","errorMessage":"Unauthorized"}"#);
    assert_eq!(UNAUTHORIZED.as_bytes(), seen[0].body);
    assert_eq!(seen[0].header("lambda-runtime-function-error-type"), Some("Unauthorized"));
}

#[test]
fn an_init_error_is_posted_with_its_type_and_message() {
    let server = Server::start(vec![accepted()]);
    server.api().init_error("ConfigurationError", "AUDIENCE is required \"quoted\"").unwrap();
    let seen = server.seen();
    assert_eq!((seen[0].method.as_str(), seen[0].path.as_str()), ("POST", "/2018-06-01/runtime/init/error"));
    let body: serde_json::Value = serde_json::from_slice(&seen[0].body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({ "errorType": "ConfigurationError", "errorMessage": "AUDIENCE is required \"quoted\"" })
    );
    assert_eq!(seen[0].header("lambda-runtime-function-error-type"), Some("ConfigurationError"));
}

#[test]
fn request_ids_must_be_safe_path_segments() {
    for good in [REQUEST_ID, "a", "A_b-9", &"x".repeat(128)] {
        assert_eq!(RequestId::parse(good).map(|id| id.as_str().to_owned()), Some(good.to_owned()));
    }
    for bad in ["", "..", "../init/error", "a/b", "a%2Fb", "a b", "a?b", "a#b", "a.b", "a\r\nb", "é", &"x".repeat(129)]
    {
        assert_eq!(RequestId::parse(bad), None, "{bad:?}");
    }
}

#[test]
fn an_unsafe_or_missing_request_id_is_malformed_and_nothing_is_posted_for_it() {
    for headers in [
        vec![("Lambda-Runtime-Aws-Request-Id", "../../init/error")],
        vec![("Lambda-Runtime-Aws-Request-Id", "a.b")],
        vec![],
    ] {
        let server = Server::start(vec![reply("200 OK", &headers, EVENT), accepted()]);
        let api = server.api();
        let stopped = serve(&api, |_| panic!("no invocation to decide"));
        assert!(matches!(stopped, RuntimeApiError::Malformed { .. }), "{headers:?}: {stopped}");
        assert_eq!(server.seen().len(), 1, "only the poll, no post");
    }
}

#[test]
fn garbage_from_the_runtime_api_is_an_error_not_a_panic() {
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("not http", b"garbage\r\n\r\n".to_vec()),
        ("binary", vec![0, 159, 146, 150, 255, 13, 10, 13, 10]),
        ("bad status line", b"HTTP/1.1 OK fine\r\n\r\n".to_vec()),
        (
            "body shorter than its length",
            b"HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: abc\r\ncontent-length: 100\r\n\r\n{\"a\"".to_vec(),
        ),
        (
            "bad chunked body",
            b"HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: abc\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n"
                .to_vec(),
        ),
    ];
    for (what, raw) in cases {
        let server = Server::start(vec![raw]);
        let result = server.api().next_invocation();
        assert!(matches!(result, Err(RuntimeApiError::Transport { .. })), "{what}: {result:?}");
    }
    // The connection closed with no answer at all.
    let server = Server::start(vec![]);
    assert!(matches!(server.api().next_invocation(), Err(RuntimeApiError::Transport { .. })));
}

#[test]
fn statuses_outside_the_contract_stop_the_loop() {
    for status in ["500 Internal Server Error", "403 Forbidden", "404 Not Found", "302 Found"] {
        let server = Server::start(vec![reply(status, &[("location", "http://127.0.0.1:1/")], b"{}")]);
        assert!(matches!(server.api().next_invocation(), Err(RuntimeApiError::Status { .. })), "{status}");
    }
    for status in ["400 Bad Request", "413 Payload Too Large", "500 Internal Server Error"] {
        let server = Server::start(vec![reply(status, &[], b"{\"errorType\":\"x\"}")]);
        let id = RequestId::parse(REQUEST_ID).unwrap();
        let code: u16 = status[..3].parse().unwrap();
        assert_eq!(
            server.api().answer(&id, &Answer::Unauthorized),
            Err(RuntimeApiError::Status { call: "invocation error", status: code }),
            "{status}"
        );
    }
}

#[test]
fn no_content_means_no_invocation_yet_and_the_poll_continues() {
    let empty = reply("204 No Content", &[("Lambda-Runtime-Aws-Request-Id", "unused")], b"");
    let server = Server::start(vec![empty.clone(), empty, invocation_reply(REQUEST_ID, EVENT)]);
    let invocation = server.api().next_invocation().unwrap();
    assert_eq!(invocation.event, EVENT);
    assert_eq!(server.seen().len(), 3);
}

#[test]
fn an_event_over_the_cap_is_cut_one_byte_past_it() {
    let big = vec![b'a'; MAX_EVENT_BYTES + 4096];
    let server = Server::start(vec![invocation_reply(REQUEST_ID, &big)]);
    let invocation = server.api().next_invocation().unwrap();
    assert_eq!(invocation.event.len(), MAX_EVENT_BYTES + 1);
    let at_cap = vec![b'a'; MAX_EVENT_BYTES];
    let server = Server::start(vec![invocation_reply(REQUEST_ID, &at_cap)]);
    assert_eq!(server.api().next_invocation().unwrap().event.len(), MAX_EVENT_BYTES);
}

#[test]
fn the_loop_answers_each_invocation_in_order_on_one_connection() {
    let server = Server::start(vec![
        invocation_reply("id-1", b"[1]"),
        accepted(),
        invocation_reply("id-2", b"[2]"),
        accepted(),
        reply("500 Internal Server Error", &[], b""),
    ]);
    let api = server.api();
    let mut decided: Vec<Invocation> = Vec::new();
    let stopped = serve(&api, |invocation| {
        decided.push(invocation.clone());
        if invocation.event == b"[1]" {
            Answer::Response(b"{\"isAuthorized\":true}".to_vec())
        } else {
            Answer::Unauthorized
        }
    });
    assert_eq!(stopped, RuntimeApiError::Status { call: "next invocation", status: 500 });
    assert_eq!(decided.iter().map(|i| i.request_id.as_str()).collect::<Vec<_>>(), ["id-1", "id-2"]);
    let seen = server.seen();
    let calls: Vec<(&str, &str)> = seen.iter().map(|s| (s.method.as_str(), s.path.as_str())).collect();
    assert_eq!(
        calls,
        [
            ("GET", "/2018-06-01/runtime/invocation/next"),
            ("POST", "/2018-06-01/runtime/invocation/id-1/response"),
            ("GET", "/2018-06-01/runtime/invocation/next"),
            ("POST", "/2018-06-01/runtime/invocation/id-2/error"),
            ("GET", "/2018-06-01/runtime/invocation/next"),
        ]
    );
    assert!(seen.iter().all(|s| s.connection == 0), "one keep-alive connection: {seen:?}");
    assert_eq!(seen[1].body, b"{\"isAuthorized\":true}");
    assert_eq!(seen[3].body, UNAUTHORIZED.as_bytes());
}

#[test]
fn nothing_listening_is_a_transport_error() {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let api = RuntimeApi::new(&format!("127.0.0.1:{port}")).unwrap();
    assert!(matches!(api.next_invocation(), Err(RuntimeApiError::Transport { .. })));
}
