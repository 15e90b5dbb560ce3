//! `bootstrap`: the jwtgate Lambda authorizer (provided.al2023), or one local decision.
//!
//!   bootstrap                          serve the Lambda Runtime API (AWS_LAMBDA_RUNTIME_API;
//!                                      the client and loop are runtime_api.rs)
//!   bootstrap local --event FILE|- [--now SECS]
//!                                      decide one event with the same settings, print the
//!                                      response (or the Unauthorized error) and the log line;
//!                                      `--now` fixes the clock (replaying a recorded event)
//!
//! Settings come from the environment (README). Invalid settings stop the process at init
//! with the message and exit code 2, so a misconfigured function fails loudly, not open.

use jwtgate_lambda::authorizer::{Authorizer, InvocationIdentity, stderr_sink};
use jwtgate_lambda::engine::Engine;
use jwtgate_lambda::fetch::HttpFetcher;
use jwtgate_lambda::runtime_api::{self, Answer, RuntimeApi, RuntimeApiError};
use jwtgate_lambda::settings::{self, relevant_env};
use jwtgate_lambda::unix_now_ms;
use serde_json::json;
use std::process::ExitCode;
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

/// Why init failed: `error_type` as the Runtime API's init error names it (the Node host's
/// name for invalid settings, `ConfigurationError`), and the message naming the setting.
struct InitFailure {
    error_type: &'static str,
    message: String,
}

/// Load the module, validate the settings and fetch the keys once. Timings are logged.
fn init() -> Result<Authorizer, InitFailure> {
    let started = Instant::now();
    let failure = |error_type| move |e: String| InitFailure { error_type, message: e };
    let mut engine = Engine::embedded().map_err(|e| e.to_string()).map_err(failure("ModuleLoadError"))?;
    let module_load_us = started.elapsed().as_micros() as u64;
    let host = settings::from_env(&mut engine, &relevant_env(std::env::vars()))
        .map_err(|e| e.to_string())
        .map_err(failure("ConfigurationError"))?;
    let mut authorizer = Authorizer::new(engine, host, Box::new(HttpFetcher::new()), stderr_sink())
        .map_err(|e| e.to_string())
        .map_err(failure("ConfigurationError"))?;
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

fn log_init_failure(failure: &InitFailure) {
    eprintln!("{}", json!({ "level": "error", "msg": "authorizer not started", "error": failure.message }));
    eprintln!("jwtgate: {}", failure.message);
}

fn log_runtime_stopped(error: &RuntimeApiError) {
    eprintln!("{}", json!({ "level": "error", "msg": "lambda runtime stopped", "error": error.to_string() }));
}

/// The Lambda loop (runtime_api.rs): one invocation at a time, each decided with its request id
/// and trace id in the log line. Exits when the Runtime API fails or answers outside its
/// contract; Lambda then starts a fresh instance.
fn serve_lambda() -> ExitCode {
    let mut authorizer = match init() {
        Ok(authorizer) => authorizer,
        Err(failure) => {
            log_init_failure(&failure);
            // The guide's init task: report the error to the Runtime API, then exit. Without
            // AWS_LAMBDA_RUNTIME_API (run by hand) there is nobody to report to.
            if let Err(e) = RuntimeApi::from_env().and_then(|api| api.init_error(failure.error_type, &failure.message))
                && !matches!(e, RuntimeApiError::Endpoint(_))
            {
                log_runtime_stopped(&e);
            }
            return ExitCode::from(2);
        }
    };
    let api = match RuntimeApi::from_env() {
        Ok(api) => api,
        Err(e) => {
            log_runtime_stopped(&e);
            return ExitCode::FAILURE;
        }
    };
    let stopped = runtime_api::serve(&api, |invocation| {
        let identity =
            InvocationIdentity { request_id: invocation.request_id.as_str(), trace_id: invocation.trace_id.as_deref() };
        let verdict = authorizer.decide_with(&invocation.event, unix_now_ms(), Some(&identity));
        match verdict.response.map(|response| serde_json::to_vec(&response)) {
            Some(Ok(body)) => Answer::Response(body),
            Some(Err(_)) | None => Answer::Unauthorized,
        }
    });
    log_runtime_stopped(&stopped);
    ExitCode::FAILURE
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
    let mut authorizer = match init() {
        Ok(authorizer) => authorizer,
        Err(failure) => {
            log_init_failure(&failure);
            return ExitCode::from(2);
        }
    };
    // The decision's log line goes to stderr (as in Lambda); the answer to stdout.
    let verdict = authorizer.decide(&event, now.map_or_else(unix_now_ms, |seconds| seconds.saturating_mul(1000)));
    let answer =
        verdict.response.unwrap_or_else(|| json!({ "errorType": "Unauthorized", "errorMessage": "Unauthorized" }));
    println!("{}", serde_json::to_string_pretty(&answer).unwrap_or_default());
    ExitCode::SUCCESS
}
