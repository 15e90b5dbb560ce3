//! Measurements for the Lambda host (not a test): module load, warm decision latency, RSS
//! after 10,000 decisions, and cold start of the `bootstrap` binary (process start to its
//! first decision, in local mode against a JWKS served on 127.0.0.1).
//!
//!   cargo build --release -p jwtgate-lambda --bin bootstrap -p jwtgate-bench --bin bench-lambda-engine
//!   target/release/bench-lambda-engine
//!
//! Uses a frozen token and JWKS from the test OpenID Provider with a fixed clock.

use jwtgate_lambda::authorizer::Authorizer;
use jwtgate_lambda::engine::Engine;
use jwtgate_lambda::fetch::{Fetch, FetchRequest, Reply};
use jwtgate_lambda::settings::{self, relevant_env};
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::Command;
use std::time::{Duration, Instant};

const FIXTURE: &str = include_str!("../../../../../host-lambda/tests/fixtures/op-rs256.json");
const INVOCATIONS: usize = 10_000;

struct Static(Vec<u8>);
impl Fetch for Static {
    fn fetch(&self, _: &FetchRequest) -> Reply {
        Reply::Answer { status: 200, location: None, cache_control: Some("max-age=3600".into()), body: self.0.clone() }
    }
}

fn rss_kib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn report(label: &str, mut samples: Vec<Duration>) {
    samples.sort();
    println!(
        "{label}: median {:.1} µs, p99 {:.1} µs, min {:.1} µs (n={})",
        percentile(&samples, 0.5).as_secs_f64() * 1e6,
        percentile(&samples, 0.99).as_secs_f64() * 1e6,
        samples[0].as_secs_f64() * 1e6,
        samples.len()
    );
}

fn main() {
    let fixture: Value = serde_json::from_str(FIXTURE).unwrap();
    let issuer = fixture["issuer"].as_str().unwrap().to_owned();
    let audience = fixture["audience"].as_str().unwrap().to_owned();
    let jwks = fixture["jwks"].to_string().into_bytes();
    let token = fixture["token"].as_str().unwrap().to_owned();
    let now = fixture["now"].as_u64().unwrap();
    let now_ms = now * 1000;
    let event = json!({"type":"TOKEN","authorizationToken":format!("Bearer {token}"),
                       "methodArn":"arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/prod/GET/pets"})
    .to_string()
    .into_bytes();
    let (rss_start, _) = rss_kib();

    // Module load: deserialize the .cwasm, link, instantiate (what a cold start pays).
    let loads: Vec<Duration> = (0..20)
        .map(|_| {
            let t = Instant::now();
            let engine = Engine::embedded().unwrap();
            let d = t.elapsed();
            drop(engine);
            d
        })
        .collect();
    report("module load (deserialize + instantiate)", loads);

    let env = relevant_env([
        ("ISSUER".to_owned(), issuer.clone()),
        ("AUDIENCE".to_owned(), audience.clone()),
        ("JWKS_URI".to_owned(), "https://id.example/jwks".to_owned()),
    ]);
    let mut engine = Engine::embedded().unwrap();
    let host = settings::from_env(&mut engine, &env).unwrap();
    let mut authorizer =
        Authorizer::new(engine, host, Box::new(Static(jwks.clone())), Box::new(|_: &Value| {})).unwrap();
    assert!(authorizer.warm_up(now_ms).unwrap(), "keys load");
    let (rss_warm, _) = rss_kib();

    let mut samples = Vec::with_capacity(INVOCATIONS);
    for _ in 0..INVOCATIONS {
        let t = Instant::now();
        let verdict = authorizer.decide(&event, now_ms);
        samples.push(t.elapsed());
        assert!(verdict.response.is_some(), "{}", verdict.log);
    }
    report("warm decision, RS256 TOKEN event (authorizer.decide)", samples);
    let (rss_after, hwm) = rss_kib();
    println!(
        "RSS: {rss_start} KiB at start, {rss_warm} KiB with the instance and keys, {rss_after} KiB after {INVOCATIONS} decisions (peak {hwm} KiB)"
    );
    println!("instance rebuilds during the run: {}", authorizer.engine().rebuilds());

    cold_start(&issuer, &audience, &jwks, &event, now);
}

/// Spawn `bootstrap local` (next to this binary) 10 times against a JWKS on 127.0.0.1.
fn cold_start(issuer: &str, audience: &str, jwks: &[u8], event: &[u8], now: u64) {
    let bootstrap = std::env::current_exe().unwrap().with_file_name("bootstrap");
    if !bootstrap.exists() {
        println!(
            "cold start: skipped, build the bootstrap binary too (cargo build --release -p jwtgate-lambda --bin bootstrap)"
        );
        return;
    }
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let body = jwks.to_vec();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut stream = stream;
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncache-control: max-age=600\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    let event_path = std::env::temp_dir().join(format!("jwtgate-bench-event-{}.json", std::process::id()));
    std::fs::write(&event_path, event).unwrap();
    let mut walls = Vec::new();
    let mut module_loads = Vec::new();
    let mut inits = Vec::new();
    for _ in 0..10 {
        let t = Instant::now();
        let out = Command::new(&bootstrap)
            .args(["local", "--event"])
            .arg(&event_path)
            .args(["--now", &now.to_string()])
            .env_clear()
            .env("ISSUER", issuer)
            .env("AUDIENCE", audience)
            .env("JWKS_URI", format!("http://127.0.0.1:{port}/jwks"))
            .env("JWKS_ALLOW_HTTP_LOOPBACK", "true")
            .output()
            .unwrap();
        walls.push(t.elapsed());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(r#""outcome":"allow""#), "{stderr}");
        for line in stderr.lines().filter_map(|l| serde_json::from_str::<Value>(l).ok()) {
            if line["msg"] == "authorizer started" {
                module_loads.push(Duration::from_secs_f64(line["module_load_ms"].as_f64().unwrap_or(0.0) / 1000.0));
                inits.push(Duration::from_secs_f64(line["init_ms"].as_f64().unwrap_or(0.0) / 1000.0));
            }
        }
    }
    let _ = std::fs::remove_file(&event_path);
    report("cold start: process spawn to exit after the first decision (wall)", walls);
    report("cold start: module load inside the process", module_loads);
    report("cold start: init (module, settings, JWKS fetch + load)", inits);
}
