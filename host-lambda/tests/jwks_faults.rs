//! The JWKS endpoint misbehaving on command, against a real HTTP server on 127.0.0.1, through
//! the host's real `Authorizer` and `HttpFetcher` (the Node host's matrix,
//! host-node/test/jwks-faults.test.mjs): connection refused, no answer, a dribbling body, 500,
//! 404, invalid JSON, a 50 MiB body (declared and streamed), a redirect loop, rotated keys, an
//! empty key set. For each: every decision ends within the fetch timeout plus slack, the last
//! good keys stay in use, the `jwtgate.jwks` log line names the failure with its code, nothing
//! panics; repeated faults do not grow memory; the penalty box bounds refetches under a flood
//! of unknown kids. The clock is virtual (`decide(event, now)`); the network is real.
//!
//! Keys and tokens come from `support/fault-keys.mjs` (node), as the e2e tests use node.

use jwtgate_lambda::authorizer::{Authorizer, LogSink};
use jwtgate_lambda::engine::Engine;
use jwtgate_lambda::jwks::HttpFetcher;
use jwtgate_lambda::settings::{self, relevant_env};
use serde_json::{Value, json};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

const ISSUER: &str = "https://issuer.test/";
const AUDIENCE: &str = "api";
const NOW: u64 = 1_800_000_000;
const TIMEOUT_MS: u64 = 300;
const COOLDOWN_S: u64 = 30;
const CACHE_S: u64 = 60;
/// Slack on top of JWKS_TIMEOUT_MS for one decision on a loaded 2-core machine.
const SLACK_MS: u64 = 1500;
const MIB: usize = 1024 * 1024;
/// No server connection lives longer than this (a stalled fetch gave up long before).
const HOLD: Duration = Duration::from_secs(10);

// ---- net heap allocation of the calling thread (the authorizer runs on the test's thread) ---

struct Counting;
thread_local! {
    static NET: Cell<isize> = const { Cell::new(0) };
}
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = NET.try_with(|n| n.set(n.get() + layout.size() as isize));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let _ = NET.try_with(|n| n.set(n.get() - layout.size() as isize));
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = NET.try_with(|n| n.set(n.get() + new_size as isize - layout.size() as isize));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}
#[global_allocator]
static ALLOC: Counting = Counting;

fn net_allocated() -> isize {
    NET.with(Cell::get)
}

// ---- keys and tokens --------------------------------------------------------------------------

struct Keys {
    jwks_k1: String,
    jwks_k1_k2: String,
    jwks_k2: String,
    token_k1: String,
    token_k2: String,
    token_stranger: String,
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/fault-keys.mjs");
        let out = std::process::Command::new("timeout")
            .args(["60", "node"])
            .arg(script)
            .args([&NOW.to_string(), ISSUER, AUDIENCE])
            .output()
            .expect("node (for the test keys)");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        let s = |k: &str| doc[k].as_str().unwrap().to_owned();
        Keys {
            jwks_k1: s("jwks_k1"),
            jwks_k1_k2: s("jwks_k1_k2"),
            jwks_k2: s("jwks_k2"),
            token_k1: s("token_k1"),
            token_k2: s("token_k2"),
            token_stranger: s("token_stranger"),
        }
    })
}

/// The same signed token with another `kid` in its header: an unknown kid.
fn forged_kid(token: &str, kid: &str) -> String {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let (header, rest) = token.split_once('.').unwrap();
    let mut h: Value = serde_json::from_slice(&b64.decode(header).unwrap()).unwrap();
    h["kid"] = json!(kid);
    format!("{}.{rest}", b64.encode(h.to_string()))
}

fn event(token: &str) -> Vec<u8> {
    json!({"type":"TOKEN","authorizationToken":format!("Bearer {token}"),
           "methodArn":"arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/prod/GET/pets"})
    .to_string()
    .into_bytes()
}

// ---- the misbehaving server -------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Ok,
    Refused,
    Timeout,
    Dribble,
    Status500,
    Status404,
    InvalidJson,
    HugeDeclared,
    HugeStreamed,
    RedirectLoop,
}

struct State {
    mode: Mode,
    body: String,
    requests: u32,
}

struct FaultServer {
    url: String,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
}

impl FaultServer {
    fn start() -> FaultServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://127.0.0.1:{}/jwks", listener.local_addr().unwrap().port());
        let state = Arc::new(Mutex::new(State { mode: Mode::Ok, body: keys().jwks_k1.clone(), requests: 0 }));
        let stop = Arc::new(AtomicBool::new(false));
        let (st, stp) = (state.clone(), stop.clone());
        std::thread::spawn(move || {
            // Accept until stopped or refusing; then the listener is dropped: connection refused.
            while !stp.load(Ordering::SeqCst) && st.lock().unwrap().mode != Mode::Refused {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let (st, stp) = (st.clone(), stp.clone());
                        std::thread::spawn(move || serve(stream, &st, &stp));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(2)),
                }
            }
        });
        FaultServer { url, state, stop }
    }

    fn set(&self, mode: Mode) {
        self.state.lock().unwrap().mode = mode;
        if mode == Mode::Refused {
            // Let the accept loop see it and drop the listener.
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn body(&self, body: &str) {
        self.state.lock().unwrap().body = body.to_owned();
    }

    fn requests(&self) -> u32 {
        self.state.lock().unwrap().requests
    }
}

impl Drop for FaultServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

fn serve(mut stream: TcpStream, state: &Mutex<State>, stop: &AtomicBool) {
    stream.set_nonblocking(false).unwrap();
    stream.set_read_timeout(Some(HOLD)).unwrap();
    stream.set_write_timeout(Some(HOLD)).unwrap();
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let path = String::from_utf8_lossy(&head).split_whitespace().nth(1).unwrap_or("/").to_owned();
    let (mode, body) = {
        let mut s = state.lock().unwrap();
        s.requests += 1;
        (s.mode, s.body.clone())
    };
    let started = Instant::now();
    let mut hold = |stream: &mut TcpStream| {
        // Keep the connection open without answering until the client gives up.
        let _ = stream.set_read_timeout(Some(Duration::from_millis(50)));
        while started.elapsed() < HOLD && !stop.load(Ordering::SeqCst) {
            match stream.read(&mut buf) {
                Ok(0) => return,
                _ => continue,
            }
        }
    };
    let simple = |stream: &mut TcpStream, status: &str, headers: &str, body: &str| {
        let _ = stream.write_all(
            format!("HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n{headers}\r\n{body}", body.len()).as_bytes(),
        );
    };
    match mode {
        Mode::Ok => simple(&mut stream, "200 OK", &format!("content-type: application/json\r\ncache-control: max-age={CACHE_S}\r\n"), &body),
        Mode::Refused => {}
        Mode::Timeout => hold(&mut stream),
        Mode::Dribble => {
            // Headers at once, then one byte every 50 ms: only a timeout covering the body stops it.
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n{");
            while started.elapsed() < HOLD && !stop.load(Ordering::SeqCst) {
                if stream.write_all(b" ").is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        Mode::Status500 => simple(&mut stream, "500 Internal Server Error", "content-type: text/plain\r\n", "internal error"),
        Mode::Status404 => simple(&mut stream, "404 Not Found", "content-type: text/plain\r\n", "not found"),
        Mode::InvalidJson => simple(&mut stream, "200 OK", "content-type: application/json\r\n", r#"{"keys":[{"kty":"RSA","#),
        Mode::HugeDeclared => {
            // 50 MiB announced by Content-Length, then a stall: refused before the body is read.
            let _ = stream.write_all(
                format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{{\"keys\":[", 50 * MIB).as_bytes(),
            );
            hold(&mut stream);
        }
        Mode::HugeStreamed => {
            // 50 MiB without Content-Length, as fast as the socket takes it: cut while streaming.
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n{\"keys\":[");
            let chunk = vec![b' '; 64 * 1024];
            let mut sent = 0;
            while sent < 50 * MIB {
                if stream.write_all(&chunk).is_err() {
                    return;
                }
                sent += chunk.len();
            }
            let _ = stream.write_all(b"]}");
        }
        Mode::RedirectLoop => simple(&mut stream, "302 Found", &format!("location: {path}\r\n"), ""),
    }
}

// ---- the authorizer under test ----------------------------------------------------------------

struct Setup {
    authorizer: Authorizer,
    logs: Arc<Mutex<Vec<Value>>>,
}

impl Setup {
    fn new(url: &str, extra_env: &[(&str, &str)]) -> Setup {
        let timeout = TIMEOUT_MS.to_string();
        let cache = CACHE_S.to_string();
        let cooldown = COOLDOWN_S.to_string();
        let mut env: Vec<(String, String)> = [
            ("ISSUER", ISSUER),
            ("AUDIENCE", AUDIENCE),
            ("JWKS_URI", url),
            ("JWKS_ALLOW_HTTP_LOOPBACK", "true"),
            ("JWKS_TIMEOUT_MS", &timeout),
            ("JWKS_CACHE_MIN_SECONDS", &cache),
            ("JWKS_CACHE_MAX_SECONDS", &cache),
            ("JWKS_REFRESH_COOLDOWN_SECONDS", &cooldown),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        for (k, v) in extra_env {
            env.retain(|(name, _)| name != k);
            env.push((k.to_string(), v.to_string()));
        }
        let mut engine = Engine::embedded().unwrap();
        let host = settings::from_env(&mut engine, &relevant_env(env)).unwrap();
        let fetcher = HttpFetcher::new(&host.jwks);
        let logs = Arc::new(Mutex::new(Vec::new()));
        let sink_logs = logs.clone();
        let sink: LogSink = Box::new(move |line: &Value| sink_logs.lock().unwrap().push(line.clone()));
        Setup { authorizer: Authorizer::new(engine, host, Box::new(fetcher), sink).unwrap(), logs }
    }

    /// Decide within the fetch timeout plus slack; (outcome, reason) from the decision's log line.
    fn timed(&mut self, token: &str, now: u64) -> (String, String) {
        self.timed_within(token, now, TIMEOUT_MS + SLACK_MS)
    }

    fn timed_within(&mut self, token: &str, now: u64, bound_ms: u64) -> (String, String) {
        let started = Instant::now();
        let v = self.authorizer.decide(&event(token), now);
        let elapsed = started.elapsed();
        assert!(elapsed < Duration::from_millis(bound_ms), "decision took {elapsed:?} (bound {bound_ms} ms)");
        let outcome = v.log["outcome"].as_str().unwrap().to_owned();
        assert_eq!(outcome == "unauthorized", v.response.is_none(), "{}", v.log);
        (outcome, v.log["reason"].as_str().unwrap_or("").to_owned())
    }

    fn lines(&self, log: &str, event: Option<&str>) -> Vec<Value> {
        let logs = self.logs.lock().unwrap();
        logs.iter().filter(|l| l["log"] == log && event.is_none_or(|e| l["event"] == e)).cloned().collect()
    }

    fn failures(&self) -> Vec<Value> {
        self.lines("jwtgate.jwks", Some("failed"))
    }

    fn assert_no_secrets(&self) {
        let text = serde_json::to_string(&*self.logs.lock().unwrap()).unwrap();
        for t in [&keys().token_k1, &keys().token_k2, &keys().token_stranger] {
            assert!(!text.contains(t.rsplit('.').next().unwrap()), "a signature reached the log");
            assert!(!text.contains(t.split('.').nth(1).unwrap()), "a token payload reached the log");
        }
    }
}

fn allow() -> (String, String) {
    ("allow".into(), String::new())
}

// ---- the matrix -------------------------------------------------------------------------------

/// (mode, failure code in the log line, a word its error names)
const FAULTS: [(Mode, &str, &str); 9] = [
    (Mode::Refused, "network", "onnect"),
    (Mode::Timeout, "timeout", "within 300 ms"),
    (Mode::Dribble, "timeout", "within 300 ms"),
    (Mode::Status500, "http_status", "500"),
    (Mode::Status404, "http_status", "404"),
    (Mode::InvalidJson, "jwks_invalid", "jwks_invalid_json"),
    (Mode::HugeDeclared, "too_large", "size cap"),
    (Mode::HugeStreamed, "too_large", "size cap"),
    // Loopback test mode follows no redirect (the Node host follows 3, then fails the same
    // way): one request, refused with the 302 itself. With https, ureq follows at most 3.
    (Mode::RedirectLoop, "http_status", "302"),
];

fn fault_after_good_keys(mode: Mode) {
    let (_, failure, word) = FAULTS.iter().copied().find(|(m, _, _)| *m == mode).unwrap();
    let server = FaultServer::start();
    let mut s = Setup::new(&server.url, &[]);
    let k = keys();
    s.authorizer.warm_up(NOW).unwrap();
    assert_eq!(s.timed(&k.token_k1, NOW), allow());
    assert_eq!(server.requests(), 1);

    server.set(mode);
    let before = server.requests();
    let mut now = NOW + CACHE_S + 1; // the keys expired: the next decision refetches, and that fails
    assert_eq!(s.timed(&k.token_k1, now), allow(), "{mode:?}: last good keys kept");
    let failures = s.failures();
    assert_eq!(failures.len(), 1, "{mode:?}: one failure line");
    let line = &failures[0];
    assert_eq!(line["failure"], failure, "{mode:?}: {line}");
    assert!(line["error"].as_str().unwrap().contains(word), "{mode:?}: {line}");
    assert_eq!(line["kept_last_good_keys"], true);
    assert_eq!(line["trigger"], "expired");
    let decision = s.lines("jwtgate.decision", None).pop().unwrap();
    assert_eq!((&decision["outcome"], &decision["kid"]), (&json!("allow"), &json!("k1")), "{decision}");
    if mode != Mode::Refused {
        assert_eq!(server.requests() - before, 1, "{mode:?}: exactly one request");
    }

    // Within the cooldown no new attempt, whatever the tokens; the kept keys keep deciding.
    let after_fault = server.requests();
    for _ in 0..5 {
        now += 5;
        assert_eq!(s.timed(&k.token_k1, now), allow());
        assert_eq!(s.timed(&forged_kid(&k.token_k1, "unknown"), now).1, "unknown_kid");
    }
    assert_eq!(server.requests(), after_fault, "{mode:?}: no refetch within the cooldown");
    assert_eq!(s.failures().len(), 1);
    // A token signed by another key under the same kid is still refused: the fault opens nothing.
    assert_eq!(s.timed(&k.token_stranger, now), ("unauthorized".into(), "bad_signature".into()));

    if mode != Mode::Refused {
        // The endpoint recovers: after the cooldown the keys are fetched again.
        server.set(Mode::Ok);
        now = NOW + CACHE_S + 1 + COOLDOWN_S;
        assert_eq!(s.timed(&k.token_k1, now), allow());
        assert_eq!(server.requests(), after_fault + 1);
        assert_eq!(s.lines("jwtgate.jwks", Some("loaded")).len(), 2);
    }
    s.assert_no_secrets();
}

#[test]
fn fault_refused_keeps_last_good_keys() {
    fault_after_good_keys(Mode::Refused);
}
#[test]
fn fault_timeout_keeps_last_good_keys() {
    fault_after_good_keys(Mode::Timeout);
}
#[test]
fn fault_dribbling_body_keeps_last_good_keys() {
    fault_after_good_keys(Mode::Dribble);
}
#[test]
fn fault_500_keeps_last_good_keys() {
    fault_after_good_keys(Mode::Status500);
}
#[test]
fn fault_404_keeps_last_good_keys() {
    fault_after_good_keys(Mode::Status404);
}
#[test]
fn fault_invalid_json_keeps_last_good_keys() {
    fault_after_good_keys(Mode::InvalidJson);
}
#[test]
fn fault_50_mib_declared_keeps_last_good_keys() {
    fault_after_good_keys(Mode::HugeDeclared);
}
#[test]
fn fault_50_mib_streamed_keeps_last_good_keys() {
    fault_after_good_keys(Mode::HugeStreamed);
}
#[test]
fn fault_redirect_loop_keeps_last_good_keys() {
    fault_after_good_keys(Mode::RedirectLoop);
}

#[test]
fn faults_before_any_good_keys_are_unauthorized_jwks_unavailable_within_the_bound() {
    let server = FaultServer::start();
    let k = keys();
    for (mode, failure, _) in FAULTS.iter().copied().filter(|(m, _, _)| *m != Mode::Refused) {
        server.set(mode);
        let mut s = Setup::new(&server.url, &[]);
        let started = Instant::now();
        assert!(s.authorizer.warm_up(NOW).is_err(), "{mode:?}");
        assert!(started.elapsed() < Duration::from_millis(TIMEOUT_MS + SLACK_MS), "{mode:?}: init took {:?}", started.elapsed());
        // The first request retries (init's failure does not delay it), then a second waits.
        assert_eq!(s.timed(&k.token_k1, NOW), ("unauthorized".into(), "jwks_unavailable".into()), "{mode:?}");
        assert_eq!(s.timed(&k.token_k1, NOW), ("unauthorized".into(), "jwks_unavailable".into()), "{mode:?}");
        let failures = s.failures();
        assert_eq!(failures.len(), 2, "{mode:?}: init and the first request tried, the second waited");
        assert_eq!(failures[1]["failure"], failure, "{mode:?}");
        assert_eq!(failures[1]["kept_last_good_keys"], false);
        let decision = s.lines("jwtgate.decision", None).pop().unwrap();
        assert!(decision["error"].is_string(), "{decision}");
        // Keys come back: without any keys the retry comes a second later, not a cooldown.
        server.set(Mode::Ok);
        assert_eq!(s.timed(&k.token_k1, NOW + 1), allow(), "{mode:?}");
        s.assert_no_secrets();
    }
    // Nothing listening at all.
    let closed = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut s = Setup::new(&format!("http://127.0.0.1:{closed}/jwks"), &[]);
    assert!(s.authorizer.warm_up(NOW).is_err());
    assert_eq!(s.timed(&k.token_k1, NOW).1, "jwks_unavailable");
    assert_eq!(s.failures().last().unwrap()["failure"], "network");
}

#[test]
fn keys_rotated_overlap_accepts_both_then_the_old_key_is_refused() {
    let server = FaultServer::start();
    let k = keys();
    let mut s = Setup::new(&server.url, &[]);
    s.authorizer.warm_up(NOW).unwrap();
    assert_eq!(s.timed(&k.token_k1, NOW), allow());
    // The provider publishes the next key beside the current one (the usual rotation).
    server.body(&k.jwks_k1_k2);
    let now = NOW + COOLDOWN_S + 1;
    assert_eq!(s.timed(&k.token_k2, now), allow(), "new kid: one refetch");
    assert_eq!(s.timed(&k.token_k1, now), allow(), "old kid still published");
    assert_eq!(server.requests(), 2);
    // The old key is withdrawn: once the cached set expires it is refused (revocation works).
    server.body(&k.jwks_k2);
    let now = now + CACHE_S + 1;
    assert_eq!(s.timed(&k.token_k1, now), ("unauthorized".into(), "unknown_kid".into()));
    assert_eq!(s.timed(&k.token_k2, now), allow());
    assert_eq!(server.requests(), 3, "the expiry refetch opened the penalty box: no refetch for k1");
    let kids: Vec<Value> = s.lines("jwtgate.jwks", Some("loaded")).iter().map(|l| l["kids"].clone()).collect();
    assert_eq!(kids, vec![json!(["k1"]), json!(["k1", "k2"]), json!(["k2"])]);
    s.assert_no_secrets();
}

#[test]
fn an_empty_key_set_is_loaded_as_published_and_tokens_are_refused_until_keys_return() {
    // An identity provider that withdraws every key must be able to revoke them, so an empty
    // set is not a fault to ride out on old keys.
    let server = FaultServer::start();
    let k = keys();
    let mut s = Setup::new(&server.url, &[]);
    s.authorizer.warm_up(NOW).unwrap();
    assert_eq!(s.timed(&k.token_k1, NOW), allow());
    server.body(r#"{"keys":[]}"#);
    let now = NOW + CACHE_S + 1;
    assert_eq!(s.timed(&k.token_k1, now), ("unauthorized".into(), "unknown_kid".into()));
    let loaded = s.lines("jwtgate.jwks", Some("loaded")).pop().unwrap();
    assert_eq!((&loaded["keys"], &loaded["kids"]), (&json!(0), &json!([])), "{loaded}");
    assert!(s.failures().is_empty());
    // Refetches for the unknown kid stay inside the penalty box.
    let requests = server.requests();
    for i in 0..20 {
        assert_eq!(s.timed(&k.token_k1, now + i).1, "unknown_kid");
    }
    assert_eq!(server.requests(), requests);
    // Keys are published again: after the cooldown the unknown kid triggers one refetch.
    server.body(&k.jwks_k1);
    assert_eq!(s.timed(&k.token_k1, now + COOLDOWN_S), allow());
    assert_eq!(server.requests(), requests + 1);
}

#[test]
fn penalty_box_bounds_refetches_under_a_ten_minute_unknown_kid_flood() {
    let server = FaultServer::start();
    let k = keys();
    let mut s = Setup::new(&server.url, &[("JWKS_CACHE_MIN_SECONDS", "3600"), ("JWKS_CACHE_MAX_SECONDS", "3600")]);
    s.authorizer.warm_up(NOW).unwrap();
    assert_eq!(s.timed(&k.token_k1, NOW), allow());
    let seconds: u64 = 600;
    let mut refused = 0;
    let mut now = NOW;
    // 3,000 forged kids (20 every 4 simulated seconds), genuine tokens in between: allowed.
    for t in (0..seconds).step_by(4) {
        now += 4;
        for i in 0..20 {
            assert_eq!(s.timed(&forged_kid(&k.token_k1, &format!("forged-{t}-{i}")), now), ("unauthorized".into(), "unknown_kid".into()));
            refused += 1;
        }
        assert_eq!(s.timed(&k.token_k1, now), allow());
    }
    assert_eq!(refused, 3000);
    let fetches = (server.requests() - 1) as u64;
    assert!(fetches <= seconds.div_ceil(COOLDOWN_S), "{fetches} fetches for {seconds} s");
    assert!(fetches >= seconds / (COOLDOWN_S + 4) - 1, "the penalty box still lets refreshes through ({fetches})");
    assert_eq!(s.lines("jwtgate.decision", None).iter().filter(|l| l["reason"] == "unknown_kid").count(), 3000);
}

#[test]
fn an_unknown_kid_flood_while_the_endpoint_hangs_costs_one_bounded_fetch() {
    let server = FaultServer::start();
    let k = keys();
    let mut s = Setup::new(&server.url, &[]);
    s.authorizer.warm_up(NOW).unwrap();
    assert_eq!(s.timed(&k.token_k1, NOW), allow());
    server.set(Mode::Timeout);
    let now = NOW + COOLDOWN_S + 1;
    let before = server.requests();
    let started = Instant::now();
    // A Lambda instance decides one event at a time: 200 in a row (API Gateway's burst).
    for i in 0..200 {
        assert_eq!(s.timed(&forged_kid(&k.token_k1, &format!("forged-{i}")), now), ("unauthorized".into(), "unknown_kid".into()));
    }
    let elapsed = started.elapsed();
    assert_eq!(server.requests() - before, 1, "one fetch for 200 forged kids");
    assert!(elapsed < Duration::from_millis(TIMEOUT_MS + SLACK_MS + 2000), "200 decisions took {elapsed:?}");
    assert_eq!(s.failures().last().unwrap()["failure"], "timeout");
    assert_eq!(s.timed(&k.token_k1, now), allow(), "good keys kept");
}

#[test]
fn repeated_faults_do_not_grow_memory() {
    let server = FaultServer::start();
    let k = keys();
    let max = (4 * MIB).to_string();
    let mut s = Setup::new(&server.url, &[("MAX_JWKS_BYTES", &max)]);
    s.authorizer.warm_up(NOW).unwrap();
    let mut now = NOW;
    assert_eq!(s.timed(&k.token_k1, now), allow());
    let modes = [Mode::HugeStreamed, Mode::HugeDeclared, Mode::InvalidJson, Mode::Status500, Mode::RedirectLoop, Mode::Dribble];
    let mut round = |s: &mut Setup| {
        for mode in modes {
            server.set(mode);
            now += CACHE_S + COOLDOWN_S + 1;
            assert_eq!(s.timed_within(&k.token_k1, now, TIMEOUT_MS + SLACK_MS + 1000), allow(), "{mode:?}");
        }
        s.logs.lock().unwrap().clear(); // the test's own log buffer is not the authorizer's memory
    };
    for _ in 0..3 {
        round(&mut s); // warm up
    }
    let start = net_allocated();
    let rss_start = vm_rss();
    let rounds = 15;
    for _ in 0..rounds {
        round(&mut s);
    }
    let growth = net_allocated() - start;
    eprintln!(
        "{} faults: net heap growth {growth} bytes on the deciding thread; process RSS {} -> {} KiB",
        rounds * modes.len(),
        rss_start,
        vm_rss()
    );
    // 90 failed fetches, 15 of them 4 MiB bodies cut while streaming: a leak of even one body
    // per fault would show tens of MiB.
    assert!(growth < (MIB as isize), "heap grew by {growth} bytes over {} faults", rounds * modes.len());
    assert!(server.requests() as usize > rounds * modes.len(), "every round refetched");
}

fn vm_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status.lines().find_map(|l| l.strip_prefix("VmRSS:")).and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok()).unwrap_or(0)
}
