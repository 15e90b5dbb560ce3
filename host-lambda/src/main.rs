//! `bootstrap`: the jwtgate Lambda authorizer (provided.al2023), or one local decision.
//!
//!   bootstrap                          serve the Lambda Runtime API (AWS_LAMBDA_RUNTIME_API)
//!   bootstrap local --event FILE|- [--now SECS]
//!                                      decide one event with the same settings, print the
//!                                      response (or the Unauthorized error) and the log line;
//!                                      `--now` fixes the clock (replaying a recorded event)
//!
//! Settings come from the environment (README). Invalid settings stop the process at init
//! with the message and exit code 2, so a misconfigured function fails loudly, not open.

use jwtgate_lambda::authorizer::{Authorizer, stderr_sink};
use jwtgate_lambda::engine::Engine;
use jwtgate_lambda::fetch::HttpFetcher;
use jwtgate_lambda::settings::{self, relevant_env};
use jwtgate_lambda::unix_now_ms;
use lambda_runtime::{Diagnostic, LambdaEvent, service_fn};
use serde_json::value::RawValue;
use serde_json::{Value, json};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Instant;

const USAGE: &str = "\
usage: bootstrap                    serve API Gateway authorizer events (in AWS Lambda)
       bootstrap local --event FILE|- [--now UNIX_SECONDS]
                                    one decision with the same settings, printed";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        None => serve_lambda(),
        Some("local") => local(&args[1..]),
        Some("-h" | "--help") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Some(other) => {
            eprintln!("unknown argument `{other}`\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

/// Load the module, validate the settings and fetch the keys once. Timings are logged.
fn init() -> Result<Authorizer, String> {
    let started = Instant::now();
    let mut engine = Engine::embedded().map_err(|e| e.to_string())?;
    let module_load_us = started.elapsed().as_micros() as u64;
    let host = settings::from_env(&mut engine, &relevant_env(std::env::vars())).map_err(|e| e.to_string())?;
    let mut authorizer = Authorizer::new(engine, host, Box::new(HttpFetcher::new()), stderr_sink()).map_err(|e| e.to_string())?;
    // A failure is logged by the core's key log line and retried by the first request that
    // needs the keys; not fatal.
    let keys_ready = authorizer.warm_up(unix_now_ms()).unwrap_or(false);
    eprintln!(
        "{}",
        json!({ "level": "info", "msg": "authorizer started", "module_load_ms": module_load_us as f64 / 1000.0,
                "init_ms": started.elapsed().as_micros() as f64 / 1000.0, "keys_ready": keys_ready })
    );
    Ok(authorizer)
}

fn init_or_exit() -> Result<Authorizer, ExitCode> {
    init().map_err(|message| {
        eprintln!("{}", json!({ "level": "error", "msg": "authorizer not started", "error": message }));
        eprintln!("jwtgate: {message}");
        ExitCode::from(2)
    })
}

/// The error API Gateway turns into a 401. Exactly this text: anything else is a 500.
#[derive(Debug)]
struct Unauthorized;

impl From<Unauthorized> for Diagnostic {
    fn from(_: Unauthorized) -> Diagnostic {
        Diagnostic { error_type: "Unauthorized".into(), error_message: "Unauthorized".into() }
    }
}

fn serve_lambda() -> ExitCode {
    let authorizer = match init_or_exit() {
        Ok(a) => Arc::new(Mutex::new(a)),
        Err(code) => return code,
    };
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("jwtgate: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let handler = service_fn(move |event: LambdaEvent<Box<RawValue>>| {
        let authorizer = authorizer.clone();
        async move {
            // The engine and the JWKS fetch block; keep them off the runtime's thread.
            let decided = tokio::task::spawn_blocking(move || {
                let mut authorizer = match authorizer.lock() {
                    Ok(guard) => guard,
                    // A panic while deciding (impossible by design, and release builds abort)
                    // would leave state we cannot trust: stop, Lambda starts a fresh process.
                    Err(_) => std::process::abort(),
                };
                authorizer.decide(event.payload.get().as_bytes(), unix_now_ms()).response
            })
            .await;
            match decided {
                Ok(Some(response)) => Ok::<Value, Unauthorized>(response),
                Ok(None) | Err(_) => Err(Unauthorized),
            }
        }
    });
    match runtime.block_on(lambda_runtime::run(handler)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("jwtgate: Lambda runtime stopped: {e}");
            ExitCode::FAILURE
        }
    }
}

fn local(args: &[String]) -> ExitCode {
    let (path, now) = match args {
        [flag, path] if flag == "--event" => (path, None),
        [flag, path, now_flag, now] if flag == "--event" && now_flag == "--now" => match now.parse::<u64>() {
            Ok(now) => (path, Some(now)),
            Err(_) => {
                eprintln!("jwtgate: --now wants Unix seconds, got `{now}`");
                return ExitCode::from(2);
            }
        },
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let event = if path == "-" {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf).map(|_| buf)
    } else {
        std::fs::read(path)
    };
    let event = match event {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("jwtgate: cannot read the event {path}: {e}");
            return ExitCode::from(2);
        }
    };
    let mut authorizer = match init_or_exit() {
        Ok(a) => a,
        Err(code) => return code,
    };
    // The decision's log line goes to stderr (as in Lambda); the answer to stdout.
    let verdict = authorizer.decide(&event, now.map_or_else(unix_now_ms, |seconds| seconds.saturating_mul(1000)));
    let answer = verdict
        .response
        .unwrap_or_else(|| json!({ "errorType": "Unauthorized", "errorMessage": "Unauthorized" }));
    println!("{}", serde_json::to_string_pretty(&answer).unwrap_or_default());
    ExitCode::SUCCESS
}
