//! Processes for the end-to-end tests: the OpenID Provider (Node), cargo-lambda's Runtime API
//! emulator and the `bootstrap` binary. Every child is wrapped in `timeout` (so nothing
//! outlives a killed test run) and killed when its guard drops.

#![allow(dead_code)]

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

/// The longest any helper process may live.
const CHILD_LIFETIME: &str = "300";

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The venv bin directory of `scripts/install-tools.sh`.
pub fn tools_bin() -> PathBuf {
    std::env::var_os("JWTGATE_TOOLS_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target/host-lambda-tools/bin"))
}

pub fn require(path: &std::path::Path, how: &str) {
    assert!(path.exists(), "{} is missing: run {how} (or `make test-lambda`)", path.display());
}

/// A child process killed (and reaped) on drop.
pub struct Guard {
    pub child: Child,
    _stdin: Option<ChildStdin>,
}

impl Drop for Guard {
    fn drop(&mut self) {
        // The child is `timeout`, which passes SIGTERM on to the real process (a SIGKILL
        // would orphan it); SIGKILL only if it has not gone after a grace period.
        let _ = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn bounded(program: &std::path::Path) -> Command {
    let mut cmd = Command::new("timeout");
    cmd.arg("--kill-after=5").arg(CHILD_LIFETIME).arg(program);
    cmd
}

/// The `bootstrap` under test, as a command line: this build's, or `JWTGATE_BOOTSTRAP` (another
/// build of it, e.g. the arm64 zip's) run through `JWTGATE_BOOTSTRAP_RUNNER`, a command prefix
/// such as `qemu-aarch64 -cpu neoverse-n1 -L /usr/aarch64-linux-gnu` (`make test-arm64`).
pub fn bootstrap_argv() -> Vec<std::ffi::OsString> {
    let runner = std::env::var("JWTGATE_BOOTSTRAP_RUNNER").unwrap_or_default();
    let mut argv: Vec<std::ffi::OsString> = runner.split_whitespace().map(Into::into).collect();
    argv.push(std::env::var_os("JWTGATE_BOOTSTRAP").unwrap_or_else(|| env!("CARGO_BIN_EXE_bootstrap").into()));
    argv
}

/// `bootstrap_argv()` as a command.
pub fn bootstrap() -> Command {
    let argv = bootstrap_argv();
    let mut cmd = Command::new(&argv[0]);
    cmd.args(&argv[1..]);
    cmd
}

/// A free port on 127.0.0.1 (bound then released; the emulator binds it right after).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

pub struct Provider {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    pub audience: String,
    _guard: Guard,
}

impl Provider {
    pub fn start() -> Provider {
        let script = repo_root().join("host-lambda/test-support/oidc-provider.mjs");
        require(
            &repo_root().join("host-lambda/test-support/node_modules/oidc-provider"),
            "scripts/npm-install.sh host-lambda/test-support",
        );
        let mut child = bounded(std::path::Path::new("node"))
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start node");
        let stdin = child.stdin.take();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let guard = Guard { child, _stdin: stdin };
        let info: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("provider said {line:?}: {e}"));
        let s = |k: &str| info[k].as_str().unwrap().to_owned();
        Provider {
            issuer: s("issuer"),
            client_id: s("client_id"),
            client_secret: s("client_secret"),
            audience: s("audience"),
            _guard: guard,
        }
    }

    /// A JWT access token from the provider's real /token endpoint (client_credentials).
    pub fn token(&self, scope: &str) -> String {
        use base64::Engine as _;
        let basic =
            base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", self.client_id, self.client_secret));
        let body = format!("grant_type=client_credentials&scope={scope}");
        let mut resp = agent()
            .post(&format!("{}/token", self.issuer))
            .header("authorization", &format!("Basic {basic}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .send(body.as_bytes())
            .unwrap();
        let doc: Value = serde_json::from_slice(&resp.body_mut().read_to_vec().unwrap()).unwrap();
        doc["access_token"].as_str().unwrap_or_else(|| panic!("no token: {doc}")).to_owned()
    }

    pub fn control(&self, what: &str) -> Value {
        let mut resp = agent().post(&format!("{}/__control/{what}", self.issuer)).send_empty().unwrap();
        serde_json::from_slice(&resp.body_mut().read_to_vec().unwrap()).unwrap()
    }

    /// (JWKS requests, discovery requests) seen by the provider so far.
    pub fn requests(&self) -> (u64, u64) {
        let mut resp = agent().get(&format!("{}/__control/stats", self.issuer)).call().unwrap();
        let doc: Value = serde_json::from_slice(&resp.body_mut().read_to_vec().unwrap()).unwrap();
        (doc["jwks"].as_u64().unwrap(), doc["discovery"].as_u64().unwrap())
    }
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(20)))
        .http_status_as_error(false)
        .proxy(None)
        .build()
        .into()
}

/// cargo-lambda's Lambda emulator (`cargo lambda watch --only-lambda-apis`): the Runtime API
/// the function polls and the Invoke API the test calls.
pub struct Emulator {
    pub port: u16,
    _guard: Guard,
}

impl Emulator {
    pub fn start() -> Emulator {
        let cargo_lambda = tools_bin().join("cargo-lambda");
        require(&cargo_lambda, "host-lambda/scripts/install-tools.sh");
        for _ in 0..5 {
            let port = free_port();
            let child = bounded(&cargo_lambda)
                .args(["lambda", "watch", "--only-lambda-apis", "-A", "127.0.0.1", "-P", &port.to_string()])
                .current_dir(repo_root().join("host-lambda"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("start cargo lambda watch");
            let guard = Guard { child, _stdin: None };
            let deadline = Instant::now() + Duration::from_secs(20);
            while Instant::now() < deadline {
                if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return Emulator { port, _guard: guard };
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        panic!("cargo lambda watch did not start");
    }

    /// Invoke the function through the emulator's Invoke API: Ok(response) or Err(error doc).
    pub fn invoke(&self, event: &[u8]) -> Result<Value, Value> {
        let url = format!("http://127.0.0.1:{}/2015-03-31/functions/_/invocations", self.port);
        let mut resp = agent().post(&url).send(event).unwrap();
        let status = resp.status().as_u16();
        let body = resp.body_mut().read_to_vec().unwrap();
        let doc: Value =
            serde_json::from_slice(&body).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into()));
        if status == 200 { Ok(doc) } else { Err(doc) }
    }

    /// The `bootstrap` binary connected to this emulator, with `env` on top of a clean one.
    pub fn start_function(&self, env: &[(&str, String)]) -> Function {
        let argv = bootstrap_argv();
        let mut cmd = bounded(std::path::Path::new(&argv[0]));
        cmd.args(&argv[1..]);
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("AWS_LAMBDA_RUNTIME_API", format!("http://127.0.0.1:{}/.rt", self.port))
            .env("AWS_LAMBDA_FUNCTION_NAME", "_")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "1")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let log_path =
            std::env::temp_dir().join(format!("jwtgate-lambda-e2e-{}-{}.log", std::process::id(), free_port()));
        let log = std::fs::File::create(&log_path).unwrap();
        let child = cmd.stdin(Stdio::null()).stdout(log.try_clone().unwrap()).stderr(log).spawn().unwrap();
        Function { log_path, _guard: Guard { child, _stdin: None } }
    }
}

pub struct Function {
    pub log_path: PathBuf,
    _guard: Guard,
}

impl Function {
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    pub fn log_lines(&self) -> Vec<Value> {
        self.log().lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
    }
}

impl Drop for Function {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.log_path);
    }
}
