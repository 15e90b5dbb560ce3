#!/usr/bin/env node
// Soak: N authorizer decisions through a host, mixed valid and hostile tokens, checking every
// decision against its expected outcome and reporting memory at start and end, errors and
// decisions per second. Fails (exit 1) on any wrong decision, any exception, a heap that grows
// past the bound, or JWKS refetches beyond the penalty box.
//
//   node tests/soak/soak.mjs [--host node|lambda] [--n 200000] [--concurrency 32] [--json]
//                            [--max-growth-mib M] [--max-growth-after-kib K [--growth-from 10000]]
//
// --host node   the npm package built at host-node/package/dist (make node-package)
// --host lambda the release bootstrap (target/release/bootstrap) polling cargo-lambda's Runtime
//               API emulator, each event through the emulator's Invoke API; memory is the
//               bootstrap's RSS (/proc/PID/status VmRSS); one invocation at a time.
import { createServer, Agent, request } from "node:http";
import { createServer as createNetServer, connect } from "node:net";
import { spawn } from "node:child_process";
import { sign } from "node:crypto";
import { generateKeyPair } from "../support/keypair.mjs";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { existsSync, readFileSync } from "node:fs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const args = parseArgs(process.argv.slice(2));
const N = Number(args.n ?? 200_000);
const CONCURRENCY = Number(args.concurrency ?? 32);
const HOST = args.host ?? "node";
const MiB = 1024 * 1024;
/** Heap (plus wasm and buffers) growth from after warm-up to the end, after GC. */
const MAX_GROWTH_MIB = Number(args["max-growth-mib"] ?? (HOST === "lambda" ? 64 : 16));
/**
 * The flat-memory check: growth from the memory at GROWTH_FROM decisions (caches, pools and
 * allocator arenas have settled by then) to the end, at most MAX_GROWTH_AFTER_KIB. Off unless
 * given. A per-invocation leak of 155 bytes over 40,000 decisions is 6 MiB.
 */
const GROWTH_FROM = Number(args["growth-from"] ?? 10_000);
const MAX_GROWTH_AFTER_KIB = args["max-growth-after-kib"] === undefined ? null : Number(args["max-growth-after-kib"]);
if (MAX_GROWTH_AFTER_KIB !== null && !(GROWTH_FROM < N)) throw new Error(`--growth-from ${GROWTH_FROM} must be below --n ${N}`);

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) throw new Error(`unexpected argument ${a}`);
    const [name, inline] = a.slice(2).split("=", 2);
    if (inline !== undefined) out[name] = inline;
    else if (argv[i + 1] !== undefined && !argv[i + 1].startsWith("--")) out[name] = argv[++i];
    else out[name] = true;
  }
  return out;
}

// ---- keys, tokens and the JWKS server ------------------------------------------------------

const ISSUER = "https://issuer.soak/";
const AUDIENCE = "api://soak";
const METHOD_ARN = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/pets/1";
const b64u = (x) => Buffer.from(x).toString("base64url");

function makeKey(alg, kid) {
  const [type, opts] = { RS256: ["rsa", { modulusLength: 2048 }], ES256: ["ec", { namedCurve: "P-256" }], EdDSA: ["ed25519", {}] }[alg];
  const { privateKey, publicKey } = generateKeyPair(type, opts);
  return { alg, kid, privateKey, jwk: { ...publicKey.export({ format: "jwk" }), kid, use: "sig" } };
}

function signToken(key, claims, header = {}) {
  const h = { alg: key.alg, typ: "at+jwt", kid: key.kid, ...header };
  const input = `${b64u(JSON.stringify(h))}.${b64u(JSON.stringify(claims))}`;
  const data = Buffer.from(input);
  const sig =
    key.alg === "RS256" ? sign("sha256", data, key.privateKey)
    : key.alg === "ES256" ? sign("sha256", data, { key: key.privateKey, dsaEncoding: "ieee-p1363" })
    : sign(null, data, key.privateKey);
  return `${input}.${b64u(sig)}`;
}

const keys = [makeKey("RS256", "soak-rsa"), makeKey("ES256", "soak-ec"), makeKey("EdDSA", "soak-ed")];
const stranger = makeKey("RS256", "soak-rsa"); // same kid, another key: bad signatures

/** The token mix: [label, weight, token or event builder, expected outcome, expected reason]. */
function mix() {
  const now = Math.floor(Date.now() / 1000);
  const claims = (extra = {}) => ({ iss: ISSUER, aud: AUDIENCE, sub: "user-1", client_id: "c1", scope: "pets:read", iat: now - 5, exp: now + 7200, ...extra });
  const [rsa, ec, ed] = keys;
  const good = signToken(rsa, claims());
  const [h, p, s] = good.split(".");
  const flipped = `${h}.${p}.${s.slice(0, 10)}${s[10] === "A" ? "B" : "A"}${s.slice(11)}`;
  const entries = [
    ["valid RS256", 30, () => signToken(rsa, claims({ sub: `user-${Math.random()}` })), "allow", null, 200],
    ["valid ES256", 10, () => signToken(ec, claims()), "allow", null, 50],
    ["valid EdDSA", 10, () => signToken(ed, claims()), "allow", null, 50],
    ["bad signature (other key)", 8, () => signToken(stranger, claims()), "unauthorized", "bad_signature", 20],
    ["bad signature (flipped)", 4, () => flipped, "unauthorized", "bad_signature", 1],
    ["expired", 6, () => signToken(rsa, claims({ iat: now - 7200, exp: now - 60 })), "unauthorized", "token_expired", 20],
    ["wrong audience", 3, () => signToken(rsa, claims({ aud: "api://other" })), "unauthorized", "audience_mismatch", 5],
    ["malformed (2 segments)", 4, () => `${h}.${p}`, "unauthorized", "malformed_token", 1],
    ["malformed (garbage)", 3, () => "not-a-jwt!!", "unauthorized", "malformed_token", 1],
    ["huge (20 KiB)", 3, () => `${h}.${"A".repeat(20 * 1024)}.${s}`, "unauthorized", "token_too_large", 1],
    ["alg none", 4, () => `${b64u('{"alg":"none","typ":"JWT"}')}.${p}.`, "unauthorized", "algorithm_not_allowed", 1],
    ["alg HS256", 2, () => `${b64u('{"alg":"HS256","kid":"soak-rsa"}')}.${p}.${s}`, "unauthorized", "algorithm_not_allowed", 1],
    ["unknown kid", 8, () => signToken({ ...rsa, kid: `forged-${Math.random()}` }, claims()), "unauthorized", "unknown_kid", 50],
    ["jwk header (embedded key ignored)", 2, () => signToken(stranger, claims(), { jwk: stranger.jwk }), "unauthorized", "bad_signature", 5],
    ["missing token", 2, null, "unauthorized", "missing_token", 1],
  ];
  // Each entry gets a small pool of distinct tokens, reused (signing is not what we measure).
  const table = [];
  for (const [label, weight, build, outcome, reason, pool] of entries) {
    const tokens = build ? Array.from({ length: pool }, build) : [null];
    for (let i = 0; i < weight; i++) table.push({ label, tokens, outcome, reason });
  }
  return table;
}

const EVENT_SHAPES = [
  (t) => ({ type: "TOKEN", authorizationToken: t === null ? "" : `Bearer ${t}`, methodArn: METHOD_ARN }),
  (t) => ({ type: "REQUEST", methodArn: METHOD_ARN, httpMethod: "GET", path: "/pets/1", headers: t === null ? {} : { Authorization: `Bearer ${t}` } }),
  (t) => ({ version: "2.0", type: "REQUEST", routeArn: METHOD_ARN, routeKey: "GET /pets/{id}", headers: t === null ? {} : { authorization: `Bearer ${t}` } }),
];

async function serveJwks() {
  const counter = { requests: 0 };
  const body = JSON.stringify({ keys: keys.map((k) => k.jwk) });
  const server = createServer((req, res) => {
    counter.requests += 1;
    res.writeHead(200, { "content-type": "application/json", "cache-control": "max-age=3600" }).end(body);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${server.address().port}/jwks`, counter, close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }) };
}

// ---- hosts ---------------------------------------------------------------------------------

const ENV = (jwksUri) => ({
  ISSUER,
  AUDIENCE,
  JWKS_URI: jwksUri,
  JWKS_ALLOW_HTTP_LOOPBACK: "true",
  ALGORITHMS: "RS256,ES256,EdDSA",
  JWKS_REFRESH_COOLDOWN_SECONDS: "30",
});

/** A host adapter: `decide(event) -> {outcome, reason}` (outcome allow|deny|unauthorized). */
async function nodeHost(jwksUri, counts) {
  const dist = join(root, "host-node", "package", "dist", "index.js");
  if (!existsSync(dist)) throw new Error(`${dist} not built: run make node-package`);
  const { createAuthorizer } = await import(dist);
  const a = await createAuthorizer({
    env: ENV(jwksUri),
    // Count log lines instead of keeping them: a soak must not measure its own log buffer.
    log: (line) => {
      counts.logLines += 1;
      if (line.msg === "keys fetch failed") counts.jwksFailures += 1;
      if (JSON.stringify(line).includes(".ey")) counts.tokenInLog += 1;
    },
  });
  // The module's linear memory: initSync returns the instance's exports once initialised.
  const pkg = await import(join(root, "host-node", "package", "pkg", "jwtgate_wasm.js"));
  const exports = pkg.initSync({ module: new Uint8Array(0) });
  return {
    name: "node",
    wasmBytes: () => exports.memory.buffer.byteLength,
    decide: async (event) => {
      const d = await a.decide(event);
      return { outcome: d.outcome, reason: d.reason, response: d.response };
    },
    close: async () => {},
  };
}

/**
 * The Rust Lambda host: the release `bootstrap` polling cargo-lambda's Runtime API emulator
 * (`cargo lambda watch --only-lambda-apis`, as host-lambda/tests/lambda_e2e.rs runs it), each
 * event POSTed to the emulator's Invoke API. One invocation at a time: a Lambda instance
 * handles one event at a time, and the decision's reason is read from its log line (stderr),
 * which must therefore pair with the response in order.
 */
async function lambdaHost(jwksUri, counts) {
  const bootstrap = process.env.JWTGATE_BOOTSTRAP ?? join(root, "target", "release", "bootstrap");
  const cargoLambda = join(process.env.JWTGATE_TOOLS_BIN ?? join(root, "target", "host-lambda-tools", "bin"), "cargo-lambda");
  if (!existsSync(bootstrap)) throw new Error(`${bootstrap} not built: cargo build --release -p jwtgate-lambda --bin bootstrap (make test-soak does)`);
  if (!existsSync(cargoLambda)) throw new Error(`${cargoLambda} missing: run host-lambda/scripts/install-tools.sh`);
  // Children are wrapped in `timeout` so nothing outlives a killed soak; killed on close/exit.
  const lifetime = String(Math.max(600, Math.ceil(N / 200) + 300));
  const children = [];
  const killAll = () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGTERM");
  };
  process.once("exit", killAll);
  for (const sig of ["SIGINT", "SIGTERM"]) process.once(sig, () => { killAll(); process.exit(130); });

  const port = await freePort();
  const emulator = spawn("timeout", ["--kill-after=5", lifetime, cargoLambda, "lambda", "watch", "--only-lambda-apis", "-A", "127.0.0.1", "-P", String(port)], {
    cwd: join(root, "host-lambda"),
    stdio: ["ignore", "ignore", "ignore"],
  });
  children.push(emulator);
  await waitFor("the emulator", () => canConnect(port), 30_000);

  const env = {
    PATH: process.env.PATH,
    AWS_LAMBDA_RUNTIME_API: `http://127.0.0.1:${port}/.rt`,
    AWS_LAMBDA_FUNCTION_NAME: "_",
    AWS_LAMBDA_FUNCTION_VERSION: "1",
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "128",
    ...ENV(jwksUri),
  };
  const fn = spawn("timeout", ["--kill-after=5", lifetime, bootstrap], { env, stdio: ["ignore", "pipe", "pipe"] });
  children.push(fn);
  // The bootstrap's own pid (the child of `timeout`), for /proc/PID/status.
  let pid = null;
  await waitFor("the bootstrap process", () => {
    try {
      const kids = readFileSync(`/proc/${fn.pid}/task/${fn.pid}/children`, "utf8").trim();
      pid = kids ? Number(kids.split(/\s+/)[0]) : null;
    } catch {
      pid = null;
    }
    return pid !== null;
  }, 10_000);

  // Log lines: JSON on stderr (the host's); anything else on either stream is reported.
  const decisions = [];
  let waiter = null;
  let initSeen = false;
  let lastRequestId = null;
  const other = [];
  const onLine = (line) => {
    let doc;
    try {
      doc = JSON.parse(line);
    } catch {
      if (line.trim() && other.length < 20) other.push(line);
      return;
    }
    // The host's lines: the Node host's names (msg, level), the key lines written by the core.
    const ours = ["authorizer started", "authorizer not started", "authorizer decision", "keys loaded", "keys fetch failed"];
    if (!ours.includes(doc?.msg)) {
      if (other.length < 20) other.push(line);
      return;
    }
    if (line.includes(".ey")) counts.tokenInLog += 1;
    if (doc.msg === "authorizer started" || doc.msg === "authorizer not started") {
      initSeen = true;
      if (doc.error) counts.initError = doc.error;
      return; // not a decision nor a key load
    }
    counts.logLines += 1;
    if (doc.msg === "keys fetch failed") counts.jwksFailures += 1;
    if (doc.msg === "authorizer decision") {
      // Each decision names its invocation (the Runtime API's request id, and the trace id the
      // emulator sends); consecutive invocations never share a request id.
      if (typeof doc.request_id !== "string" || doc.request_id === lastRequestId || typeof doc.trace_id !== "string") counts.missingIdentity += 1;
      lastRequestId = doc.request_id;
      decisions.push(doc);
      if (waiter) waiter();
    }
  };
  for (const stream of [fn.stdout, fn.stderr]) {
    let buf = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk) => {
      buf += chunk;
      let nl;
      while ((nl = buf.indexOf("\n")) >= 0) {
        onLine(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
      }
    });
  }
  await waitFor("the function's init", () => initSeen || fn.exitCode !== null, 30_000);
  if (counts.initError || fn.exitCode !== null) throw new Error(`bootstrap did not start: ${counts.initError ?? `exit ${fn.exitCode}`} ${other.join("\n")}`);

  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const invoke = (body) =>
    new Promise((resolve, reject) => {
      const req = request(
        { host: "127.0.0.1", port, method: "POST", path: "/2015-03-31/functions/_/invocations", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } },
        (res) => {
          const parts = [];
          res.on("data", (c) => parts.push(c));
          res.on("end", () => resolve({ status: res.statusCode, body: Buffer.concat(parts).toString("utf8") }));
          res.on("error", reject);
        },
      );
      req.setTimeout(30_000, () => req.destroy(new Error("invoke timed out after 30 s")));
      req.on("error", reject);
      req.end(body);
    });
  const nextDecision = async () => {
    const deadline = Date.now() + 10_000;
    while (decisions.length === 0) {
      if (Date.now() > deadline) throw new Error("no decision log line within 10 s of the response");
      await new Promise((resolve) => {
        waiter = resolve;
        setTimeout(resolve, 50);
      });
      waiter = null;
    }
    return decisions.shift();
  };
  let busy = Promise.resolve();
  const decideOne = async (event) => {
    const { status, body } = await invoke(JSON.stringify(event));
    const doc = JSON.parse(body);
    const line = await nextDecision();
    let outcome;
    let response = null;
    if (status === 200) {
      response = doc;
      if (typeof doc.isAuthorized === "boolean") outcome = doc.isAuthorized ? "allow" : "deny";
      else {
        const glob = (r) => new RegExp(`^${r.split("*").map((x) => x.replace(/[.+?^${}()|[\]\\/]/g, "\\$&")).join(".*")}$`);
        const effects = (doc.policyDocument?.Statement ?? []).filter((st) => [st.Resource].flat().some((r) => glob(r).test(METHOD_ARN)));
        outcome = effects.some((st) => st.Effect === "Deny") ? "deny" : effects.some((st) => st.Effect === "Allow") ? "allow" : "deny";
      }
    } else if (doc.errorType === "Unauthorized" && doc.errorMessage === "Unauthorized") {
      outcome = "unauthorized";
    } else {
      throw new Error(`invoke answered ${status} ${body.slice(0, 200)}`);
    }
    if (line.outcome !== outcome) throw new Error(`response says ${outcome}, log line says ${line.outcome} (${line.reason})`);
    return { outcome, reason: line.reason ?? null, response };
  };
  // VmRSS, and its anonymous part (heap, the instance's linear memory: where a leak shows) and
  // file-backed part (the binary's pages, mapped in as code runs for the first time).
  const rss = () => {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kib = (name) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)[1]) * 1024;
    return { rss: kib("VmRSS"), anon: kib("RssAnon"), file: kib("RssFile") };
  };
  return {
    name: "lambda",
    processRss: rss,
    extraReport: () => ({ bootstrap_pid: pid, non_jwtgate_output: other.slice(0, 5) }),
    decide: (event) => {
      // Serialise: one invocation in flight, so responses and log lines pair in order.
      const p = busy.then(() => decideOne(event));
      busy = p.catch(() => {});
      return p;
    },
    close: async () => {
      agent.destroy();
      killAll();
      await Promise.all(children.map((c) => (c.exitCode !== null || c.signalCode !== null ? null : new Promise((r) => c.once("exit", r)))));
    },
  };
}

async function freePort() {
  const probe = createNetServer();
  await new Promise((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

function canConnect(port) {
  return new Promise((resolve) => {
    const s = connect(port, "127.0.0.1");
    s.once("connect", () => { s.destroy(); resolve(true); });
    s.once("error", () => resolve(false));
  });
}

async function waitFor(what, ready, ms) {
  const deadline = Date.now() + ms;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// ---- the run -------------------------------------------------------------------------------

function memory(gc, host) {
  gc();
  const m = process.memoryUsage();
  // The Lambda host: the bootstrap process's RSS (VmRSS); the rest is this driver's.
  if (host?.processRss) return { ...host.processRss(), heapUsed: 0, external: 0, arrayBuffers: 0, wasm: 0 };
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, wasm: host?.wasmBytes?.() ?? 0 };
}
const mib = (b) => Math.round((b / MiB) * 10) / 10;

async function main() {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc");
  let startMem = memory(gc);
  const jwksServer = await serveJwks();
  const counts = { logLines: 0, jwksFailures: 0, tokenInLog: 0, missingIdentity: 0 };
  let host;
  try {
    host = HOST === "node" ? await nodeHost(jwksServer.url, counts) : HOST === "lambda" ? await lambdaHost(jwksServer.url, counts) : null;
    if (!host) throw new Error(`unknown --host ${HOST} (node|lambda)`);
  } catch (e) {
    await host?.close?.();
    await jwksServer.close();
    throw e;
  }
  if (host.processRss) startMem = memory(gc, host); // the bootstrap after init
  const table = mix();
  const byLabel = new Map();
  const outcomes = { allow: 0, deny: 0, unauthorized: 0 };
  const wrong = [];
  let exceptions = 0;
  let i = 0;

  async function one(k) {
    const entry = table[k % table.length];
    const token = entry.tokens[Math.floor(k / table.length) % entry.tokens.length];
    const event = EVENT_SHAPES[k % EVENT_SHAPES.length](token);
    try {
      const d = await host.decide(event);
      outcomes[d.outcome] = (outcomes[d.outcome] ?? 0) + 1;
      const stat = byLabel.get(entry.label) ?? { n: 0, wrong: 0 };
      stat.n += 1;
      const ok = d.outcome === entry.outcome && (entry.reason === null || d.reason === entry.reason) && (d.outcome === "unauthorized") === (d.response == null);
      if (!ok) {
        stat.wrong += 1;
        if (wrong.length < 10) wrong.push({ label: entry.label, shape: k % EVENT_SHAPES.length, got: { outcome: d.outcome, reason: d.reason } });
      }
      byLabel.set(entry.label, stat);
    } catch (e) {
      exceptions += 1;
      if (wrong.length < 10) wrong.push({ label: entry.label, exception: String(e) });
    }
  }

  async function run(count) {
    const end = i + count;
    while (i < end) {
      const batch = [];
      for (let c = 0; c < CONCURRENCY && i < end; c++) batch.push(one(i++));
      await Promise.all(batch);
    }
  }

  const warm = Math.min(2000, Math.floor(N / 10));
  await run(warm);
  const warmMem = memory(gc, host);
  // The memory at GROWTH_FROM decisions, the base of the flat-memory check.
  let settledMem = GROWTH_FROM <= warm ? warmMem : null;
  const runUpTo = async (end) => {
    if (settledMem === null && GROWTH_FROM <= end) {
      await run(GROWTH_FROM - i);
      settledMem = memory(gc, host);
    }
    await run(end - i);
  };
  const started = performance.now();
  // RSS after GC at each tenth of the run, to tell a plateau from a leak.
  const rssSamples = [];
  const partSamples = { anon: [], file: [] };
  const tenth = Math.ceil((N - warm) / 10);
  while (i < N) {
    await runUpTo(Math.min(i + tenth, N));
    const m = memory(gc, host);
    rssSamples.push(mib(m.rss));
    if (host.processRss) for (const part of ["anon", "file"]) partSamples[part].push(mib(m[part]));
  }
  const seconds = (performance.now() - started) / 1000;
  const endMem = memory(gc, host);
  await host.close();
  await jwksServer.close();

  // Node: heap, buffers and wasm after GC. Lambda: the bootstrap's RSS (it includes the wasm
  // instance's linear memory).
  const total = (m) => (host.processRss ? m.rss : m.heapUsed + m.external + m.arrayBuffers + m.wasm);
  const growth = total(endMem) - total(warmMem);
  const settledGrowth = settledMem ? total(endMem) - total(settledMem) : null;
  const wrongDecisions = [...byLabel.values()].reduce((s, v) => s + v.wrong, 0);
  // Penalty box: the first fetch plus at most one per 30 s cooldown of the run.
  const maxFetches = 1 + Math.ceil((seconds + 1) / 30) + 1;
  const report = {
    host: host.name,
    decisions: N,
    decisions_per_second: Math.round((N - warm) / seconds),
    seconds: Math.round(seconds * 10) / 10,
    outcomes,
    wrong_decisions: wrongDecisions,
    exceptions,
    jwks_fetches: jwksServer.counter.requests,
    jwks_fetch_bound: maxFetches,
    jwks_failures: counts.jwksFailures,
    log_lines: counts.logLines,
    token_in_log: counts.tokenInLog,
    rss_mib: { start: mib(startMem.rss), after_warmup: mib(warmMem.rss), [`after_${GROWTH_FROM}`]: settledMem ? mib(settledMem.rss) : null, end: mib(endMem.rss), each_tenth: rssSamples },
    ...(host.processRss
      ? { rss_anon_mib_each_tenth: partSamples.anon, rss_file_mib_each_tenth: partSamples.file }
      : {
          heap_used_mib: { start: mib(startMem.heapUsed), after_warmup: mib(warmMem.heapUsed), end: mib(endMem.heapUsed) },
          external_and_buffers_mib: { after_warmup: mib(warmMem.external + warmMem.arrayBuffers), end: mib(endMem.external + endMem.arrayBuffers) },
          wasm_memory_mib: { after_warmup: mib(warmMem.wasm), end: mib(endMem.wasm) },
        }),
    growth_after_warmup_mib: mib(growth),
    growth_bytes_per_decision: Math.round(growth / Math.max(1, N - warm)),
    ...(settledGrowth === null
      ? {}
      : {
          [`growth_after_${GROWTH_FROM}_kib`]: Math.round(settledGrowth / 1024),
          [`growth_bytes_per_decision_after_${GROWTH_FROM}`]: Math.round((settledGrowth / Math.max(1, N - GROWTH_FROM)) * 10) / 10,
          growth_after_bound_kib: MAX_GROWTH_AFTER_KIB,
        }),
    ...(HOST === "lambda" ? { decisions_without_invocation_ids: counts.missingIdentity } : {}),
    ...(host.extraReport?.() ?? {}),
    by_kind: Object.fromEntries([...byLabel.entries()].map(([k, v]) => [k, v.n])),
    first_wrong: wrong,
  };
  const failures = [];
  if (wrongDecisions > 0) failures.push(`${wrongDecisions} wrong decisions`);
  if (exceptions > 0) failures.push(`${exceptions} exceptions`);
  if (growth > MAX_GROWTH_MIB * MiB) failures.push(`memory grew by ${mib(growth)} MiB after warm-up (bound ${MAX_GROWTH_MIB})`);
  if (MAX_GROWTH_AFTER_KIB !== null && settledGrowth > MAX_GROWTH_AFTER_KIB * 1024)
    failures.push(`memory grew by ${Math.round(settledGrowth / 1024)} KiB after ${GROWTH_FROM} decisions (bound ${MAX_GROWTH_AFTER_KIB} KiB)`);
  if (counts.missingIdentity > 0) failures.push(`${counts.missingIdentity} decision log lines without their invocation's request_id and trace_id`);
  if (jwksServer.counter.requests > maxFetches) failures.push(`${jwksServer.counter.requests} JWKS fetches (bound ${maxFetches})`);
  if (counts.tokenInLog > 0) failures.push(`${counts.tokenInLog} log lines contain a token`);
  if (counts.logLines !== N + jwksServer.counter.requests) failures.push(`${counts.logLines} log lines for ${N} decisions and ${jwksServer.counter.requests} fetches`);
  if (outcomes.allow === 0 || outcomes.unauthorized === 0) failures.push("the mix did not exercise both allow and unauthorized");
  report.result = failures.length ? `FAILED: ${failures.join("; ")}` : "ok";

  if (args.json) console.log(JSON.stringify(report, null, 2));
  else {
    console.log(
      `soak (${report.host}): ${N} decisions in ${report.seconds} s after warm-up, ${report.decisions_per_second}/s; ` +
        `allow ${outcomes.allow}, deny ${outcomes.deny}, unauthorized ${outcomes.unauthorized}; wrong ${wrongDecisions}, exceptions ${exceptions}; ` +
        `JWKS fetches ${report.jwks_fetches} (bound ${maxFetches}); RSS ${report.rss_mib.start} -> ${report.rss_mib.after_warmup} -> ${report.rss_mib.end} MiB; ` +
        (host.processRss ? "" : `wasm memory ${report.wasm_memory_mib.after_warmup} -> ${report.wasm_memory_mib.end} MiB; `) +
        `${host.processRss ? "bootstrap RSS" : "heap+wasm+buffers"} growth after warm-up ${report.growth_after_warmup_mib} MiB ` +
        `(${report.growth_bytes_per_decision} B/decision); ` +
        (settledGrowth === null
          ? ""
          : `growth after ${GROWTH_FROM} decisions ${Math.round(settledGrowth / 1024)} KiB (RSS ${mib(settledMem.rss)} -> ${mib(endMem.rss)} MiB, ` +
            `${report[`growth_bytes_per_decision_after_${GROWTH_FROM}`]} B/decision${MAX_GROWTH_AFTER_KIB === null ? "" : `, bound ${MAX_GROWTH_AFTER_KIB} KiB`}); `) +
        `RSS each tenth ${rssSamples.join(", ")} MiB` +
        (host.processRss ? ` (anonymous ${partSamples.anon.join(", ")}; file-backed ${partSamples.file.join(", ")})` : "") +
        `; ${report.result}`,
    );
    if (wrong.length) console.log(JSON.stringify(wrong, null, 2));
  }
  process.exitCode = failures.length ? 1 : 0;
}

main().catch((e) => {
  console.error(`soak: ${e.message}`);
  process.exitCode = e.exitCode ?? 1;
});
