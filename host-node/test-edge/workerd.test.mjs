// The same package in a real edge runtime: Cloudflare's workerd (npm `workerd`) on 127.0.0.1.
// The worker is bundled with esbuild the way Wrangler does (the `workerd` export condition picks
// the package's edge entry point; the .wasm stays a module of its own). Tokens come from the
// OpenID Provider on loopback; the worker fetches its JWKS there, or is handed keys.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFile } from "node:child_process";
import { cp, mkdtemp, mkdir, rm, symlink, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startProvider, AUDIENCE, OTHER_AUDIENCE } from "../test/support/oidc.mjs";

const hostNode = fileURLToPath(new URL("..", import.meta.url));
const bin = join(hostNode, "node_modules", ".bin");

let op;
let work;
let workerd;
let base;
let workerdLog = "";

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function exec(command, args, cwd) {
  return new Promise((resolve, reject) =>
    execFile(command, args, { cwd, timeout: 60_000 }, (e, stdout, stderr) => (e ? reject(new Error(`${e.message}\n${stderr}`)) : resolve(stdout))),
  );
}

const capnp = (port, env) => `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    # Outbound fetches may reach loopback (the provider); nothing else is reachable in the test.
    (name = "internet", network = (allow = ["local"])),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);

const worker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.bundle.js"),
    (name = "jwtgate_wasm_bg.wasm", wasm = embed "jwtgate_wasm_bg.wasm"),
  ],
  compatibilityDate = "2025-06-01",
  bindings = [
${Object.entries(env).map(([k, v]) => `    (name = "${k}", text = ${JSON.stringify(v)}),`).join("\n")}
  ],
);
`;

async function waitForWorkerd(url, deadline = Date.now() + 20_000) {
  for (;;) {
    try {
      // Each probe is bounded: a connection workerd accepts but never answers must not hang
      // the suite past the deadline.
      await fetch(url, { method: "POST", body: "{}", signal: AbortSignal.timeout(2_000) });
      return;
    } catch {
      if (Date.now() > deadline || workerd.exitCode !== null) throw new Error(`workerd did not start:\n${workerdLog}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

before(async () => {
  op = await startProvider();
  work = await mkdtemp(join(tmpdir(), "jwtgate-workerd-"));
  // The worker project: the package installed as a dependency, the worker source, the .wasm.
  await mkdir(join(work, "node_modules"));
  await symlink(join(hostNode, "package"), join(work, "node_modules", "jwtgate"), "dir");
  await cp(join(hostNode, "test-edge", "worker.js"), join(work, "worker.js"));
  await cp(join(hostNode, "package", "pkg", "jwtgate_wasm_bg.wasm"), join(work, "jwtgate_wasm_bg.wasm"));
  await exec(join(bin, "esbuild"), [
    "worker.js", "--bundle", "--format=esm", "--platform=neutral", "--conditions=workerd,worker,browser",
    "--external:./jwtgate_wasm_bg.wasm", "--outfile=worker.bundle.js", "--log-level=warning",
  ], work);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  await writeFile(join(work, "config.capnp"), capnp(port, { ISSUER: op.issuer, AUDIENCE, JWKS_URI: op.jwksUri }));
  workerd = spawn(join(bin, "workerd"), ["serve", "config.capnp"], { cwd: work, stdio: ["ignore", "pipe", "pipe"] });
  workerd.stdout.on("data", (d) => (workerdLog += d));
  workerd.stderr.on("data", (d) => (workerdLog += d));
  await waitForWorkerd(`${base}/ready`);
});

after(async () => {
  if (workerd && workerd.exitCode === null) {
    const exited = new Promise((r) => workerd.once("exit", r));
    workerd.kill("SIGTERM");
    const timer = setTimeout(() => workerd.kill("SIGKILL"), 3000);
    await exited;
    clearTimeout(timer);
  }
  await op?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

const post = async (path, body) => {
  const r = await fetch(`${base}${path}`, { method: "POST", body: JSON.stringify(body), signal: AbortSignal.timeout(30_000) }).catch((e) => {
    throw new Error(`${path}: ${e.message}\n${workerdLog}`);
  });
  assert.equal(r.status, 200, `${path}: ${await r.clone().text()}\n${workerdLog}`);
  return r.json();
};
const event = (token) => ({ type: "TOKEN", authorizationToken: `Bearer ${token}`, methodArn: "arn:aws:execute-api:eu-west-1:1:api/prod/GET/pets" });

test("workerd: provider tokens decided inside the worker, JWKS fetched once and cached", async () => {
  const before = op.state.jwksRequests;
  for (const alg of ["RS256", "ES256", "EdDSA"]) {
    const d = await post("/authorize", { event: event(await op.token(alg)) });
    assert.equal(d.outcome, "allow", JSON.stringify(d));
    assert.equal(d.alg, alg);
    assert.equal(d.response.principalId, "svc-client");
    assert.equal(d.response.policyDocument.Statement[0].Resource, "arn:aws:execute-api:eu-west-1:1:api/prod/*/*");
  }
  assert.equal(op.state.jwksRequests - before, 1);
  const wrong = await post("/authorize", { event: event(await op.token("RS256", OTHER_AUDIENCE)) });
  assert.deepEqual([wrong.outcome, wrong.reason, wrong.response], ["unauthorized", "audience_mismatch", null]);
  const token = await op.token();
  const tampered = await post("/authorize", { event: event(`${token.slice(0, -6)}AAAAAA`) });
  assert.equal(tampered.reason, "bad_signature");
});

test("workerd: verifyWithKeys with keys passed in", async () => {
  const token = await op.token("ES256");
  const jwks = await (await fetch(op.jwksUri)).json();
  const now = Math.floor(Date.now() / 1000);
  const ok = await post("/verify-with-keys", { token, jwks, now });
  assert.equal(ok.ok, true, JSON.stringify(ok));
  assert.equal(ok.claims.client_id, "svc-client");
  const expired = await post("/verify-with-keys", { token, jwks, now: now + 3600 });
  assert.deepEqual([expired.ok, expired.reason], [false, "token_expired"]);
});
