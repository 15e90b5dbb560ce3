//! The HTTP fetcher against a scripted server on 127.0.0.1: timeout, body cap, status,
//! Cache-Control, redirects and the https-only rule.

use jwtgate_lambda::jwks::{Fetch, FetchError, HttpFetcher};
use jwtgate_lambda::settings::JwksRules;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

fn rules(timeout_ms: u64, max_bytes: usize) -> JwksRules {
    JwksRules {
        jwks_uri: None,
        discovery_url: String::new(),
        fetch_timeout_ms: timeout_ms,
        cache_min_seconds: 60,
        cache_max_seconds: 3600,
        refresh_cooldown_seconds: 30,
        max_jwks_bytes: max_bytes,
        allow_http_loopback: true,
    }
}

/// Serve one canned response per connection (or stall if `response` is None).
fn serve(response: Option<String>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut buf = [0u8; 2048];
            let _ = stream.read(&mut buf);
            match &response {
                Some(r) => {
                    let _ = stream.write_all(r.as_bytes());
                }
                None => std::thread::sleep(Duration::from_secs(5)),
            }
        }
    });
    format!("http://127.0.0.1:{port}/jwks")
}

fn ok(headers: &str, body: &str) -> Option<String> {
    Some(format!("HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n{headers}\r\n{body}", body.len()))
}

#[test]
fn fetches_with_its_lifetime() {
    let url = serve(ok("cache-control: public, max-age=900\r\n", r#"{"keys":[]}"#));
    let got = HttpFetcher::new(&rules(2000, 1000)).get(&url).unwrap();
    assert_eq!(got.body, br#"{"keys":[]}"#);
    assert_eq!(got.max_age, Some(900));
}

#[test]
fn a_stalled_server_times_out() {
    let url = serve(None);
    let started = Instant::now();
    let err = HttpFetcher::new(&rules(300, 1000)).get(&url).unwrap_err();
    assert!(matches!(err, FetchError::Timeout(_)), "{err}");
    assert_eq!(err.code(), "timeout");
    assert!(started.elapsed() < Duration::from_secs(3), "took {:?}", started.elapsed());
}

#[test]
fn an_oversized_body_is_refused() {
    let big = "x".repeat(5000);
    let url = serve(ok("", &big));
    assert_eq!(HttpFetcher::new(&rules(2000, 1000)).get(&url).unwrap_err(), FetchError::TooLarge);
}

#[test]
fn errors_and_redirects_are_failures() {
    let url = serve(Some("HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".into()));
    assert_eq!(HttpFetcher::new(&rules(2000, 1000)).get(&url).unwrap_err(), FetchError::Status(503));
    // In loopback mode no redirect is followed, so nothing can lead the fetch off the machine.
    let url = serve(Some(
        "HTTP/1.1 302 Found\r\nlocation: http://example.com/jwks\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".into(),
    ));
    assert_eq!(HttpFetcher::new(&rules(2000, 1000)).get(&url).unwrap_err(), FetchError::Status(302));
}

#[test]
fn plain_http_only_to_loopback_and_only_when_allowed() {
    let fetcher = HttpFetcher::new(&rules(2000, 1000));
    assert!(matches!(fetcher.get("http://example.com/jwks"), Err(FetchError::UrlRefused(_))));
    let strict = HttpFetcher::new(&JwksRules { allow_http_loopback: false, ..rules(2000, 1000) });
    let url = serve(ok("", "{}"));
    assert!(matches!(strict.get(&url), Err(FetchError::UrlRefused(_))));
}
