//! End to end, against the real Lambda Runtime API contract: the built `bootstrap` binary
//! polls cargo-lambda's emulator; tokens come from a real OpenID Provider (npm
//! oidc-provider) on 127.0.0.1; responses are checked against aws_lambda_events' types.
//!
//! Needs the tools `make test-lambda` installs (cargo-lambda in target/host-lambda-tools,
//! oidc-provider in test-support/node_modules), hence `#[ignore]` for plain `cargo test`.
//! Run: `make test-lambda`, or `cargo test -p jwtgate-lambda -- --include-ignored`. `make
//! test-arm64` runs the same tests with the arm64 `bootstrap` under qemu (JWTGATE_BOOTSTRAP,
//! JWTGATE_BOOTSTRAP_RUNNER: tests/support).

mod support;

use aws_lambda_events::apigw::{
    ApiGatewayCustomAuthorizerRequest, ApiGatewayCustomAuthorizerRequestTypeRequest,
    ApiGatewayCustomAuthorizerResponse, ApiGatewayV2CustomAuthorizerSimpleResponse,
    ApiGatewayV2CustomAuthorizerV2Request,
};
use serde_json::{Value, json};
use std::process::Command;
use std::time::{Duration, Instant};
use support::{Emulator, Provider};

const METHOD_ARN: &str = "arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/prod/GET/pets";
const COOLDOWN: u64 = 3;

fn token_event(token: &str) -> Vec<u8> {
    let event = json!({ "type": "TOKEN", "authorizationToken": format!("Bearer {token}"), "methodArn": METHOD_ARN });
    serde_json::from_value::<ApiGatewayCustomAuthorizerRequest>(event.clone()).expect("a valid TOKEN event");
    event.to_string().into_bytes()
}

/// A REST API REQUEST authorizer event as API Gateway sends it (payload 1.0 shape).
fn request_event(token: &str) -> Vec<u8> {
    let event = json!({
        "type": "REQUEST",
        "methodArn": METHOD_ARN,
        "resource": "/pets",
        "path": "/pets",
        "httpMethod": "GET",
        "headers": { "authorization": format!("Bearer {token}"), "Host": "abcdef1234.execute-api.eu-west-1.amazonaws.com" },
        "multiValueHeaders": { "authorization": [format!("Bearer {token}")] },
        "queryStringParameters": {},
        "pathParameters": {},
        "stageVariables": {},
        "requestContext": {
            "path": "/prod/pets", "accountId": "123456789012", "resourceId": "abc123", "stage": "prod",
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef", "resourcePath": "/pets", "httpMethod": "GET",
            "apiId": "abcdef1234", "identity": { "sourceIp": "203.0.113.7", "userAgent": "curl/8" }
        }
    });
    serde_json::from_value::<ApiGatewayCustomAuthorizerRequestTypeRequest>(event.clone())
        .expect("a valid REQUEST event");
    event.to_string().into_bytes()
}

/// An HTTP API authorizer event, payload format 2.0.
fn http_v2_event(token: &str) -> Vec<u8> {
    let event = json!({
        "version": "2.0",
        "type": "REQUEST",
        "routeArn": "arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/$default/GET/pets",
        "identitySource": [format!("Bearer {token}")],
        "routeKey": "GET /pets",
        "rawPath": "/pets",
        "rawQueryString": "",
        "headers": { "authorization": format!("Bearer {token}"), "host": "abcdef1234.execute-api.eu-west-1.amazonaws.com" },
        "requestContext": {
            "accountId": "123456789012", "apiId": "abcdef1234", "domainName": "abcdef1234.execute-api.eu-west-1.amazonaws.com",
            "domainPrefix": "abcdef1234",
            "http": { "method": "GET", "path": "/pets", "protocol": "HTTP/1.1", "sourceIp": "203.0.113.7", "userAgent": "curl/8" },
            "requestId": "id", "routeKey": "GET /pets", "stage": "$default", "time": "25/Nov/2026:19:00:00 +0000", "timeEpoch": 1795633200000u64
        }
    });
    serde_json::from_value::<ApiGatewayV2CustomAuthorizerV2Request>(event.clone()).expect("a valid HTTP API 2.0 event");
    event.to_string().into_bytes()
}

fn unauthorized() -> Value {
    json!({ "errorType": "Unauthorized", "errorMessage": "Unauthorized" })
}

fn policy(response: Value) -> ApiGatewayCustomAuthorizerResponse {
    serde_json::from_value(response.clone()).unwrap_or_else(|e| panic!("not a policy response {response}: {e}"))
}

fn effect(response: &Value) -> String {
    let p = policy(response.clone());
    assert_eq!(p.policy_document.statement.len(), 1);
    format!("{:?}", p.policy_document.statement[0].effect)
}

/// Same signature, a kid the provider never issued: what a flood of forged tokens looks like.
fn forged_kid(token: &str, kid: &str) -> String {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let (header, rest) = token.split_once('.').unwrap();
    let mut h: Value = serde_json::from_slice(&b64.decode(header).unwrap()).unwrap();
    h["kid"] = json!(kid);
    format!("{}.{rest}", b64.encode(h.to_string()))
}

fn wait_until(what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !ready() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
#[ignore = "needs cargo-lambda and oidc-provider: make test-lambda"]
fn lambda_runtime_api_end_to_end() {
    let provider = Provider::start();
    let emulator = Emulator::start();
    let function = emulator.start_function(&[
        // No JWKS_URI: OIDC discovery from ISSUER.
        ("ISSUER", provider.issuer.clone()),
        ("AUDIENCE", provider.audience.clone()),
        ("TOKEN_TYPE", "at+jwt".into()),
        ("REQUIRED_SCOPES", "read".into()),
        ("JWKS_ALLOW_HTTP_LOOPBACK", "true".into()),
        ("JWKS_REFRESH_COOLDOWN_SECONDS", COOLDOWN.to_string()),
    ]);
    wait_until("the function's init", || function.log().contains("authorizer started"));
    assert_eq!(provider.requests(), (1, 1), "init: one discovery, one JWKS fetch\n{}", function.log());

    // --- the three event kinds with a valid token
    let token = provider.token("read");
    let allow = emulator.invoke(&token_event(&token)).expect("TOKEN allowed");
    assert_eq!(effect(&allow), "Allow");
    assert_eq!(allow["principalId"], provider.client_id);
    assert_eq!(
        allow["policyDocument"]["Statement"][0]["Resource"],
        "arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/prod/*/*"
    );
    assert_eq!(allow["context"]["scope"], "read");

    let allow = emulator.invoke(&request_event(&token)).expect("REQUEST allowed");
    assert_eq!(effect(&allow), "Allow");

    let simple = emulator.invoke(&http_v2_event(&token)).expect("HTTP API allowed");
    let simple: ApiGatewayV2CustomAuthorizerSimpleResponse =
        serde_json::from_value(simple.clone()).unwrap_or_else(|e| panic!("{simple}: {e}"));
    assert!(simple.is_authorized);

    // --- valid token without the required scope: Deny (403), not Unauthorized
    let write_only = provider.token("write");
    let deny = emulator.invoke(&token_event(&write_only)).expect("a Deny policy");
    assert_eq!(effect(&deny), "Deny");

    // --- invalid tokens and malformed events: exactly `Unauthorized`
    let mut tampered = token.clone();
    tampered.replace_range(tampered.len() - 6.., "AAAAAA");
    for event in [
        token_event(&tampered),
        token_event(""),
        http_v2_event("not.a.jwt"),
        b"[1,2,3]".to_vec(),
        b"\"TOKEN\"".to_vec(),
        br#"{"type":"TOKEN","methodArn":"arn"}"#.to_vec(),
        br#"{"type":"REQUEST","headers":{"Authorization":"Bearer a","authorization":"Bearer b"}}"#.to_vec(),
    ] {
        assert_eq!(emulator.invoke(&event), Err(unauthorized()), "{}", String::from_utf8_lossy(&event));
    }
    assert_eq!(provider.requests(), (1, 1), "keys fetched once per warm instance");

    // --- key rotation: the new kid is unknown, one refetch finds it (once the cooldown after
    // the initial fetch has passed: any fetch opens the penalty box)
    std::thread::sleep(Duration::from_secs(COOLDOWN));
    let rotated = provider.control("rotate");
    assert_eq!(rotated["kid"], "test-key-2");
    let new_token = provider.token("read");
    assert_eq!(effect(&emulator.invoke(&token_event(&new_token)).expect("rotated key accepted")), "Allow");
    assert_eq!(provider.requests().0, 2);
    // The old key is gone from the JWKS: its tokens are now unknown, and the penalty box
    // (cooldown just started) forbids another fetch.
    assert_eq!(emulator.invoke(&token_event(&token)), Err(unauthorized()));
    assert_eq!(provider.requests().0, 2);

    // --- unknown-kid flood: JWKS requests bounded by the cooldown
    std::thread::sleep(Duration::from_secs(COOLDOWN));
    let before = provider.requests().0;
    let started = Instant::now();
    let flood = 200;
    for i in 0..flood {
        assert_eq!(emulator.invoke(&token_event(&forged_kid(&new_token, &format!("forged-{i}")))), Err(unauthorized()));
    }
    // The host's clock has whole seconds: the flood spans at most ceil(elapsed) + 1 of them.
    let elapsed = started.elapsed().as_secs_f64();
    let fetched = provider.requests().0 - before;
    let bound = 1 + (elapsed.ceil() as u64 + 1) / COOLDOWN;
    eprintln!("unknown-kid flood: {flood} requests in {elapsed:.1} s caused {fetched} JWKS fetches (bound {bound})");
    assert!(fetched >= 1 && fetched <= bound, "{fetched} fetches for {flood} forged kids in {elapsed:.1} s");

    // --- JWKS endpoint down after the first success: last good keys keep deciding
    std::thread::sleep(Duration::from_secs(COOLDOWN));
    provider.control("jwks/down");
    let before = provider.requests().0;
    assert_eq!(emulator.invoke(&token_event(&forged_kid(&new_token, "after-outage"))), Err(unauthorized()));
    assert_eq!(provider.requests().0, before + 1, "a refetch was tried and failed");
    assert_eq!(effect(&emulator.invoke(&token_event(&new_token)).expect("kept keys")), "Allow");
    provider.control("jwks/up");

    // --- one JSON log line per decision, never the token
    let lines = function.log_lines();
    let decisions: Vec<&Value> = lines.iter().filter(|l| l["msg"] == "authorizer decision").collect();
    assert_eq!(decisions.len(), 3 + 1 + 7 + 2 + flood + 2);
    assert!(lines.iter().any(|l| l["msg"] == "keys fetch failed" && l["kept_last_good_keys"] == true));
    let log = function.log();
    for t in [&token, &new_token, &write_only] {
        let signature = t.rsplit('.').next().unwrap();
        assert!(!log.contains(signature), "a token leaked into the log");
    }
    let first = decisions[0];
    for field in
        ["level", "outcome", "reason", "kid", "iss", "sub", "latency_ms", "keys_fetched", "request_id", "trace_id"]
    {
        assert!(first.get(field).is_some(), "log line lacks {field}: {first}");
    }
    // Each decision names its invocation: the request id and X-Ray trace header the emulator
    // sent with it (`Lambda-Runtime-Aws-Request-Id`, `Lambda-Runtime-Trace-Id`), a new pair each
    // time.
    let mut request_ids = std::collections::HashSet::new();
    let mut trace_ids = std::collections::HashSet::new();
    for line in &decisions {
        let request_id = line["request_id"].as_str().unwrap_or_else(|| panic!("no request_id: {line}"));
        assert!(jwtgate_lambda::runtime_api::RequestId::parse(request_id).is_some(), "{request_id}");
        request_ids.insert(request_id.to_owned());
        let trace_id = line["trace_id"].as_str().unwrap_or_else(|| panic!("no trace_id: {line}"));
        assert!(trace_id.starts_with("Root=1-"), "{trace_id}");
        trace_ids.insert(trace_id.to_owned());
    }
    assert_eq!(request_ids.len(), decisions.len(), "one request id per invocation");
    assert_eq!(trace_ids.len(), decisions.len(), "one trace id per invocation");

    // --- the cargo-lambda CLI path gives the same answers
    let event_file = std::env::temp_dir().join(format!("jwtgate-e2e-event-{}.json", std::process::id()));
    std::fs::write(&event_file, token_event(&new_token)).unwrap();
    let out = Command::new(support::tools_bin().join("cargo-lambda"))
        .args(["lambda", "invoke", "_", "-A", "127.0.0.1", "-P", &emulator.port.to_string(), "--data-file"])
        .arg(&event_file)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&event_file);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let via_cli: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(effect(&via_cli), "Allow");
}

#[test]
#[ignore = "needs oidc-provider: make test-lambda"]
fn local_mode_decides_one_event() {
    let provider = Provider::start();
    let token = provider.token("read");
    let dir = std::env::temp_dir().join(format!("jwtgate-local-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let event = dir.join("event.json");
    std::fs::write(&event, token_event(&token)).unwrap();
    let run = |event: &std::path::Path| {
        support::bootstrap()
            .args(["local", "--event"])
            .arg(event)
            .env_clear()
            .env("ISSUER", &provider.issuer)
            .env("AUDIENCE", &provider.audience)
            .env("JWKS_URI", format!("{}/jwks", provider.issuer))
            .env("JWKS_ALLOW_HTTP_LOOPBACK", "true")
            .output()
            .unwrap()
    };
    let out = run(&event);
    assert!(out.status.success());
    let response: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(effect(&response), "Allow");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(r#""msg":"authorizer decision""#) && stderr.contains(r#""outcome":"allow""#), "{stderr}");
    assert!(!stderr.contains(token.rsplit('.').next().unwrap()));

    std::fs::write(&event, b"{ not json").unwrap();
    let out = run(&event);
    assert!(out.status.success());
    assert_eq!(serde_json::from_slice::<Value>(&out.stdout).unwrap(), unauthorized());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn invalid_settings_stop_the_process_with_the_reason() {
    let out = support::bootstrap()
        .env_clear()
        .env("ISSUER", "https://id.example/")
        .env("JWKS_URI", "http://id.example/jwks")
        .env("AUDIENCE", "api")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("JWKS_URI") && stderr.contains("not https"), "{stderr}");

    let out = support::bootstrap().env_clear().env("ISSUER", "https://id.example/").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("AUDIENCE"));
}

/// In Lambda, an init failure is also posted to the Runtime API's init error before the exit.
#[test]
fn invalid_settings_are_reported_to_the_runtime_api() {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let recorder = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut head = Vec::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if line.trim_end().is_empty() {
                break;
            }
            head.push(line.trim_end().to_owned());
        }
        let length = head.iter().find_map(|h| {
            h.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse::<usize>().unwrap())
        });
        let mut body = vec![0; length.unwrap_or(0)];
        reader.read_exact(&mut body).unwrap();
        (&stream).write_all(b"HTTP/1.1 202 Accepted\r\ncontent-length: 0\r\n\r\n").unwrap();
        (head, body)
    });
    let out = support::bootstrap()
        .env_clear()
        .env("AWS_LAMBDA_RUNTIME_API", format!("127.0.0.1:{port}"))
        .env("ISSUER", "https://id.example/")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    let (head, body) = recorder.join().unwrap();
    assert_eq!(head[0], "POST /2018-06-01/runtime/init/error HTTP/1.1");
    assert!(
        head.iter().any(|h| h.eq_ignore_ascii_case("lambda-runtime-function-error-type: ConfigurationError")),
        "{head:?}"
    );
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["errorType"], "ConfigurationError");
    assert!(body["errorMessage"].as_str().unwrap().contains("AUDIENCE"), "{body}");
}
