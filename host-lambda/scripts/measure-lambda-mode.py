"""Measure the release `bootstrap` in Lambda mode (not a test): cold start (process start to the
first decision returned through cargo-lambda's Runtime API emulator), RSS after N warm
invocations, in-function decision latency. Tokens come from test-support's OpenID Provider.

  make wasm && cargo build --release -p jwtgate-lambda
  host-lambda/scripts/install-tools.sh && host-lambda/test-support/install-deps.sh
  python3 host-lambda/scripts/measure-lambda-mode.py [INVOCATIONS]     (default 10000)
"""
import base64
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
N = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def post(url, data, headers=None):
    return DIRECT.open(urllib.request.Request(url, data=data, headers=headers or {}), timeout=20).read()


def rss_kib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def main():
    procs = []
    try:
        op = subprocess.Popen(["node", ROOT / "host-lambda/test-support/oidc-provider.mjs"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        procs.append(op)
        info = json.loads(op.stdout.readline())
        port = free_port()
        emulator = subprocess.Popen([ROOT / "target/host-lambda-tools/bin/cargo-lambda", "lambda", "watch",
                                     "--only-lambda-apis", "-A", "127.0.0.1", "-P", str(port)],
                                    cwd=ROOT / "host-lambda", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(emulator)
        for _ in range(400):
            try:
                socket.create_connection(("127.0.0.1", port)).close()
                break
            except OSError:
                time.sleep(0.05)
        basic = base64.b64encode(f'{info["client_id"]}:{info["client_secret"]}'.encode()).decode()
        token = json.loads(post(info["issuer"] + "/token", b"grant_type=client_credentials&scope=read",
                                {"authorization": "Basic " + basic,
                                 "content-type": "application/x-www-form-urlencoded"}))["access_token"]
        event = json.dumps({"type": "TOKEN", "authorizationToken": "Bearer " + token,
                            "methodArn": "arn:aws:execute-api:eu-west-1:123456789012:abc/prod/GET/pets"}).encode()
        env = {"PATH": os.environ["PATH"], "AWS_LAMBDA_RUNTIME_API": f"http://127.0.0.1:{port}/.rt",
               "AWS_LAMBDA_FUNCTION_NAME": "_", "AWS_LAMBDA_FUNCTION_VERSION": "1",
               "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128", "ISSUER": info["issuer"], "AUDIENCE": info["audience"],
               "JWKS_ALLOW_HTTP_LOOPBACK": "true"}
        invoke_url = f"http://127.0.0.1:{port}/2015-03-31/functions/_/invocations"
        log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)
        started = time.perf_counter()
        function = subprocess.Popen([ROOT / "target/release/bootstrap"], env=env,
                                    stdout=subprocess.DEVNULL, stderr=log)
        procs.append(function)
        first = post(invoke_url, event)
        cold_ms = (time.perf_counter() - started) * 1000
        assert b"Allow" in first, first
        rss_first = rss_kib(function.pid)
        for _ in range(N):
            post(invoke_url, event)
        rss_after = rss_kib(function.pid)
        lines = [json.loads(l) for l in open(log.name) if l.startswith("{")]
        os.unlink(log.name)
        init = next(l for l in lines if l.get("log") == "jwtgate.init")
        us = sorted(l["latency_us"] for l in lines if l.get("log") == "jwtgate.decision")
        print(f"cold start, process start to first decision returned by the emulator: {cold_ms:.1f} ms "
              f"(module load {init['module_load_us']} µs, init incl. discovery + JWKS {init['init_us']} µs)")
        print(f"decision latency inside the function: median {us[len(us) // 2]} µs, "
              f"p99 {us[int(len(us) * 0.99)]} µs (n={len(us)})")
        print(f"RSS: {rss_first} KiB after the first invocation, {rss_after} KiB after {N} more "
              f"({(rss_after - rss_first) * 1024 / max(N, 1):.0f} bytes per invocation)")
    finally:
        for p in reversed(procs):
            p.terminate()
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()


if __name__ == "__main__":
    main()
