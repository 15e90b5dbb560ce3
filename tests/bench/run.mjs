// `make bench`: jwtgate and its peers side by side, in one run, on one machine.
//
//   node tests/bench/run.mjs            full run: target/bench/{results.json,ratios.svg},
//                                       tests/bench/RESULTS.md, one table on stdout
//   node tests/bench/run.mjs --smoke    tiny counts, target/bench-smoke/, checks the harness
//   node tests/bench/run.mjs --render   table, RESULTS.md and chart again from target/bench/results.json
//   node tests/bench/run.mjs --instructions   only the instructions-per-decision measure
//                                       (valgrind), printed; no file written
//
// Method (README "Benchmarks"): every row runs in its own process (driver.mjs, or a native
// driver speaking the same line protocol) with the same keys, tokens and JWKS; after warm-up
// rounds, measured rounds are interleaved (each round visits every row and algorithm, in a
// rotating order) so machine noise falls on all rows alike; a row's figure is the median of its
// per-round medians, p99 is over all its measured decisions. Ratios are to raw node:crypto.
import { spawn, execFileSync } from "node:child_process";
import { createServer } from "node:http";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { makeFixture, REPO, ALGS } from "./lib/fixture.mjs";
import { median, quantile } from "./lib/stats.mjs";
import { renderTable, renderMarkdown, renderSvg, renderInstructions } from "./lib/report.mjs";

const HERE = join(REPO, "tests/bench");
const SMOKE = process.argv.includes("--smoke");
const P = SMOKE
  ? { warmup: 1, rounds: 2, firstN: 5, fixedN: 5, cold: 1, compile: 1, memN: 50, out: "target/bench-smoke" }
  : { warmup: 3, rounds: 15, firstN: 20, budgetMs: 120, minN: 20, maxN: 4000, cold: 15, compile: 15, memN: 10_000, out: "target/bench" };
const OUT = join(REPO, P.out);
const BIN = join(REPO, "host-node/node_modules/.bin");
const T0 = performance.now();
const log = (...a) => console.error(`bench [${((performance.now() - T0) / 1000).toFixed(1)} s]:`, ...a);
/** An error's first line, for the table (the whole message stays in results.json). */
const firstLine = (e) => String(e?.message ?? e).split("\n")[0].slice(0, 200);

// ---------------------------------------------------------------------------------------------
// The rows. A row is a driver process: `runtime` picks the command, `module` the variant file
// (variants/*.mjs: `algs` and `setup(fixture, options) -> { prepare?, decide }`), `options`
// are passed to it (`options.config` is spread into createAuthorizer). A signature provider of
// our package is one more row: the default is the host's (node:crypto, native Rust in the
// wasmtime host); see the `signatures: "wasm"` rows below for the module's own.
// ---------------------------------------------------------------------------------------------
const ROWS = [
  { id: "node-crypto", label: "node:crypto verify (floor)", runtime: "node", module: "variants/node-crypto.mjs", floor: true },
  { id: "node-crypto-bun", label: "node:crypto verify in bun (bun's floor)", runtime: "bun", module: "variants/node-crypto.mjs", baseline: true },
  { id: "sample-original", label: "original sample (jose, JWKS per call)", runtime: "node", module: "variants/sample-original.mjs" },
  { id: "jose-local", label: "jose jwtVerify, local JWKS (cached)", runtime: "node", module: "variants/jose-local.mjs" },
  { id: "aws-jwt-verify", label: "aws-jwt-verify (hydrated)", runtime: "node", module: "variants/aws-jwt-verify.mjs" },
  { id: "jsonwebtoken", label: "jsonwebtoken + jwks-rsa (cached)", runtime: "node", module: "variants/jsonwebtoken-jwks-rsa.mjs" },
  { id: "jwtgate-node", label: "jwtgate authorize (Node)", ours: true, runtime: "node", module: "variants/jwtgate-authorize.mjs" },
  { id: "jwtgate-node-wasm", label: "jwtgate authorize, module's own signatures (Node)", ours: true, runtime: "node", module: "variants/jwtgate-authorize.mjs", options: { config: { signatures: "wasm" } } },
  { id: "jwtgate-node-20", label: "jwtgate authorize, 20 issuer profiles (Node)", ours: true, runtime: "node", module: "variants/jwtgate-authorize.mjs", options: { profiles: 20 } },
  {
    id: "jwtgate-node-rules",
    label: "jwtgate authorize, 3 claim rules + context mapping (Node)",
    ours: true,
    runtime: "node",
    module: "variants/jwtgate-authorize.mjs",
    options: {
      config: {
        claimRules: ["contains_any(cognito:groups,admins)", "equals(email_verified,true)", "one_of(tenant.id,acme,globex)"],
        contextClaims: ["sub", "groups=cognito:groups", "tenant=tenant.id", "client_id"],
      },
    },
  },
  { id: "jwtgate-node-vwk", label: "jwtgate verifyWithKeys (Node)", ours: true, runtime: "node", module: "variants/jwtgate-verify-with-keys.mjs" },
  { id: "jwtgate-bun", label: "jwtgate authorize (bun)", ours: true, runtime: "bun", module: "variants/jwtgate-authorize.mjs" },
  { id: "jwtgate-bun-wasm", label: "jwtgate authorize, module's own signatures (bun)", ours: true, runtime: "bun", module: "variants/jwtgate-authorize.mjs", options: { config: { signatures: "wasm" } } },
  { id: "jwtgate-deno", label: "jwtgate authorize (Deno, edge entry)", ours: true, runtime: "deno", module: "variants/jwtgate-authorize.mjs", options: { entry: "edge" } },
  { id: "jwtgate-native", label: "jwtgate-core native (Rust, no wasm)", ours: true, runtime: "native-core" },
  // host-lambda (wasmtime): tests/bench/native's bench-lambda speaks the driver protocol.
  { id: "jwtgate-wasmtime", label: "jwtgate wasm in wasmtime (host-lambda)", ours: true, runtime: "native-lambda" },
  { id: "jwtgate-wasmtime-wasm", label: "jwtgate wasm in wasmtime, module's own signatures (host-lambda)", ours: true, runtime: "native-lambda", options: { signatures: "wasm" } },
];

// ---------------------------------------------------------------------------------------------
function sh(cmd, args, opts = {}) {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], ...opts }).trim();
  } catch (e) {
    return null;
  }
}

function machine() {
  const cpu = (readFileSync("/proc/cpuinfo", "utf8").match(/^model name\s*:\s*(.*)$/m) ?? [])[1] ?? cpus()[0]?.model ?? "unknown";
  const peers = {};
  for (const name of ["jose", "aws-jwt-verify", "jsonwebtoken", "jwks-rsa", "dotenv", "esbuild"]) {
    peers[name] = JSON.parse(readFileSync(join(HERE, "node_modules", name, "package.json"), "utf8")).version;
  }
  return {
    date: new Date().toISOString(),
    cpu,
    cores: cpus().length,
    memory_gib: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    loadavg_at_start: loadavg().map((l) => Math.round(l * 100) / 100),
    node: process.version,
    bun: sh(join(BIN, "bun"), ["--version"]),
    deno: (sh(join(BIN, "deno"), ["--version"]) ?? "").split("\n")[0] || null,
    rustc: sh("rustc", ["--version"]),
    commit: sh("git", ["-C", REPO, "rev-parse", "--short", "HEAD"]),
    // The run's own outputs (RESULTS.md and the chart, rewritten by the run before) do not count.
    dirty: (sh("git", ["-C", REPO, "status", "--porcelain", "--untracked-files=no", "--", ".", ":!tests/bench/RESULTS.md", ":!tests/bench/ratios.svg"]) ?? "") !== "",
    peers,
    mode: SMOKE ? "smoke" : "full",
    params: P,
  };
}

// A loopback JWKS server (the identity provider): counts requests, max-age=600 as IdPs do.
async function startJwksServer() {
  const state = { requests: 0, body: "{}" };
  const server = createServer((req, res) => {
    state.requests++;
    res.writeHead(200, { "content-type": "application/json", "cache-control": "max-age=600" });
    res.end(state.body);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { state, url: `http://127.0.0.1:${server.address().port}/.well-known/jwks.json`, port: server.address().port, close: () => { server.closeAllConnections(); server.close(); } };
}

// ---------------------------------------------------------------------------------------------
// How each row's driver runs: a JavaScript runtime with driver.mjs, or a native driver of
// tests/bench/native (cargoBin).
function commandFor(row, fixturePath, jwksPort) {
  const driver = join(HERE, "driver.mjs");
  const variant = row.module && join(HERE, row.module);
  const opts = JSON.stringify(row.options ?? {});
  switch (row.runtime) {
    case "node":
      return [process.execPath, [driver, variant, fixturePath, opts]];
    case "bun":
      return [join(BIN, "bun"), [driver, variant, fixturePath, opts]];
    case "deno":
      return [join(BIN, "deno"), ["run", "--quiet", "--no-prompt", `--allow-read=${REPO}`, `--allow-net=127.0.0.1:${jwksPort}`, driver, variant, fixturePath, opts]];
    case "native-core":
      return [cargoBin("jwtgate-bench", "bench-core"), [fixturePath]];
    case "native-lambda": {
      return [cargoBin("jwtgate-bench", "bench-lambda"), [fixturePath, ...(row.options?.signatures === undefined ? [] : [row.options.signatures])]];
    }
    default:
      throw new Error(`unknown runtime ${row.runtime}`);
  }
}

// One driver process and its line protocol.
class Driver {
  constructor(row, [cmd, args]) {
    this.row = row;
    this.stderr = "";
    this.waiters = [];
    this.inbox = [];
    this.proc = spawn(cmd, args, { cwd: HERE, stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" } });
    let buf = "";
    this.proc.stdout.on("data", (d) => {
      buf += d;
      let i;
      while ((i = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line.startsWith("@@bench ")) this.deliver(JSON.parse(line.slice(8)));
      }
    });
    this.proc.stderr.on("data", (d) => (this.stderr = (this.stderr + d).slice(-4000)));
    this.proc.on("exit", (code) => this.deliver({ error: `driver exited (${code}): ${this.stderr.trim().slice(-1500)}` }));
  }
  deliver(msg) {
    const w = this.waiters.shift();
    if (w) w(msg);
    else this.inbox.push(msg);
  }
  next(timeoutMs = 120_000) {
    if (this.inbox.length) return Promise.resolve(this.inbox.shift());
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ error: `no answer within ${timeoutMs} ms` }), timeoutMs);
      this.waiters.push((m) => {
        clearTimeout(timer);
        resolve(m);
      });
    });
  }
  async ask(cmd, timeoutMs) {
    this.proc.stdin.write(`${JSON.stringify(cmd)}\n`);
    const msg = await this.next(timeoutMs);
    if (msg.error) throw new Error(msg.error);
    return msg;
  }
  close() {
    if (this.proc.exitCode === null) {
      this.proc.stdin.end(`${JSON.stringify({ op: "exit" })}\n`);
      setTimeout(() => this.proc.exitCode === null && this.proc.kill("SIGKILL"), 3000).unref();
    }
  }
}

async function startDriver(row, fixturePath, jwksPort) {
  const driver = new Driver(row, commandFor(row, fixturePath, jwksPort));
  const ready = await driver.next();
  if (ready.error) {
    driver.close();
    throw new Error(ready.error);
  }
  driver.ready = ready;
  return driver;
}

// ---------------------------------------------------------------------------------------------
async function warm(fixturePath, jwksPort) {
  const results = Object.fromEntries(ROWS.map((r) => [r.id, { id: r.id, label: r.label, runtime: r.runtime, ours: !!r.ours, floor: !!r.floor, baseline: !!r.baseline, status: "ok", algs: {} }]));
  const drivers = [];
  for (const row of ROWS) {
    try {
      const d = await startDriver(row, fixturePath, jwksPort);
      results[row.id].runtime_version = d.ready.runtime;
      results[row.id].setup_ms = d.ready.setup_ms;
      for (const alg of d.ready.algs) results[row.id].algs[alg] = { rounds: [], samples: [], n: P.firstN ?? P.fixedN };
      drivers.push(d);
      log(`ready: ${row.id} (${d.ready.runtime}, ${d.ready.algs.join(" ")})`);
    } catch (e) {
      results[row.id].status = e.unavailable ? "unavailable" : "error";
      results[row.id].note = firstLine(e);
      results[row.id].error_detail = e.message;
      log(`${e.unavailable ? "not available" : "FAILED"}: ${row.id}: ${e.message}`);
    }
  }
  const total = P.warmup + P.rounds;
  for (let round = 0; round < total; round++) {
    const measured = round >= P.warmup;
    const order = drivers.map((_, i) => drivers[(i + round) % drivers.length]);
    for (const d of order) {
      const res = results[d.row.id];
      if (res.status !== "ok") continue;
      for (const alg of Object.keys(res.algs)) {
        const slot = res.algs[alg];
        try {
          const { samples } = await d.ask({ op: "round", alg, n: slot.n });
          const m = median(samples);
          if (measured) {
            slot.rounds.push(m);
            for (const s of samples) slot.samples.push(s);
          } else if (!P.fixedN) {
            slot.n = Math.max(P.minN, Math.min(P.maxN, Math.round((P.budgetMs * 1000) / m)));
          }
        } catch (e) {
          res.status = "error";
          res.note = `${alg}: ${firstLine(e)}`;
          res.error_detail = e.message;
          log(`FAILED: ${d.row.id}: ${res.note}`);
          break;
        }
      }
    }
    log(`round ${round + 1}/${total}${measured ? "" : " (warm-up)"}`);
  }
  for (const d of drivers) d.close();
  for (const res of Object.values(results)) {
    for (const [alg, slot] of Object.entries(res.algs)) {
      res.algs[alg] = slot.rounds.length
        ? {
            median_us: median(slot.rounds),
            p99_us: quantile(slot.samples, 0.99),
            min_round_median_us: Math.min(...slot.rounds),
            max_round_median_us: Math.max(...slot.rounds),
            per_second: 1e6 / median(slot.rounds),
            decisions: slot.samples.length,
            rounds: slot.rounds.length,
          }
        : { error: res.note ?? "no measurement" };
    }
  }
  const floor = results[ROWS.find((r) => r.floor).id];
  for (const res of Object.values(results)) {
    for (const [alg, m] of Object.entries(res.algs)) {
      const f = floor.algs[alg]?.median_us;
      if (m.median_us && f) m.ratio = m.median_us / f;
    }
  }
  return results;
}

// RSS in fresh processes: after load (setup done, keys in), and after 10,000 decisions (RS256).
async function memory(fixturePath, jwksPort, warmResults) {
  const out = {};
  for (const row of ROWS) {
    if (warmResults[row.id].status !== "ok") continue;
    let d;
    try {
      d = await startDriver(row, fixturePath, jwksPort);
      const after = await d.ask({ op: "mem", alg: "RS256", n: P.memN }, 600_000);
      out[row.id] = { rss_load_bytes: d.ready.rss, rss_after_bytes: after.rss, decisions: P.memN };
    } catch (e) {
      out[row.id] = { error: firstLine(e) };
    } finally {
      d?.close();
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Cold start: bundle both Lambda handlers the way the samples' `bun run build` does (esbuild,
// node platform, CommonJS), then spawn `node cold-child.cjs` for each in turn.
async function buildHandlers(work) {
  const esbuild = await import("esbuild");
  const bundles = {};
  for (const name of ["original", "ours", "ours-wasm"]) {
    const dir = join(work, name);
    mkdirSync(dir, { recursive: true });
    await esbuild.build({
      entryPoints: [join(HERE, "handlers", name, "index.mjs")],
      bundle: true,
      platform: "node",
      target: "node20",
      format: "cjs",
      outfile: join(dir, "index.cjs"),
      logLevel: "error",
      logOverride: { "empty-import-meta": "silent" },
    });
    const files = ["index.cjs"];
    if (name.startsWith("ours")) {
      copyFileSync(join(REPO, "host-node/package/pkg/jwtgate_wasm_bg.wasm"), join(dir, "jwtgate_wasm_bg.wasm"));
      files.push("jwtgate_wasm_bg.wasm");
    }
    let zipBytes = null;
    if (sh("zip", ["-q", "-X", "token-authorizer.zip", ...files], { cwd: dir }) !== null) zipBytes = statSync(join(dir, "token-authorizer.zip")).size;
    bundles[name] = { path: join(dir, "index.cjs"), bundle_bytes: files.reduce((s, f) => s + statSync(join(dir, f)).size, 0), zip_bytes: zipBytes };
  }
  return bundles;
}

// A native process (the Rust Lambda's local mode): spawn to exit after printing its answer.
function spawnColdNative(cmd, args, env) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const proc = spawn(cmd, args, { cwd: HERE, stdio: ["ignore", "pipe", "pipe"], env });
    let out = "";
    let err = "";
    proc.stdout.on("data", (d) => (out += d));
    proc.stderr.on("data", (d) => (err += d));
    proc.on("exit", (code) => {
      const wall = performance.now() - t0;
      const ok = code === 0 && /"Effect":\s*"Allow"/.test(out);
      // The host's own log lines (stderr): module deserialize time and the decision's latency.
      const lines = err.split("\n").flatMap((l) => { try { return [JSON.parse(l)]; } catch { return []; } });
      const init = lines.find((l) => l.msg === "authorizer started");
      const decision = lines.find((l) => l.msg === "authorizer decision");
      const times = { load_ms: init?.module_load_ms, decision_ms: decision?.latency_ms };
      resolve(ok ? { ok, wall_ms: wall, first_decision_ms: wall, ...times } : { ok: false, error: `exit ${code}: ${(out + err).slice(-800)}` });
    });
  });
}

// Native drivers and binaries, built here (once per run) so a row never measures a stale one.
const built = new Map();
function cargoBin(pkg, bin) {
  if (built.has(bin)) return built.get(bin);
  const profile = SMOKE ? [] : ["--release"];
  log(`cargo build ${profile.join(" ")} -p ${pkg} --bin ${bin}`);
  execFileSync("cargo", ["build", "--quiet", "--locked", ...profile, "-p", pkg, "--bin", bin], { cwd: REPO, stdio: ["ignore", "inherit", "inherit"] });
  const path = join(resolve(REPO, process.env.CARGO_TARGET_DIR ?? "target"), SMOKE ? "debug" : "release", bin);
  built.set(bin, path);
  return path;
}

// Timed to the child's report line, but resolved only once the child has exited: a child still
// tearing down takes a core from the next one's start (on 2 cores that added 2 to 6 ms to the
// start of whichever row came next in the rotation, nearly always the same row).
function spawnCold(args, env, cmd = process.execPath) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const proc = spawn(cmd, args, { cwd: HERE, stdio: ["ignore", "pipe", "pipe"], env });
    let buf = "";
    let err = "";
    let report = null;
    proc.stdout.on("data", (d) => {
      buf += d;
      const line = buf.split("\n").find((l) => l.startsWith("@@bench "));
      if (line && report === null) report = { wall_ms: performance.now() - t0, ...JSON.parse(line.slice(8)) };
    });
    proc.stderr.on("data", (d) => (err += d));
    proc.on("exit", (code) => resolve(report ?? { ok: false, error: `exit ${code}: ${err.slice(-800)}` }));
  });
}

async function coldStart(fx, jwksUrl, work) {
  const bundles = await buildHandlers(work);
  const eventPath = join(work, "event.json");
  writeFileSync(eventPath, JSON.stringify({ type: "TOKEN", authorizationToken: `Bearer ${fx.tokens.RS256[0]}`, methodArn: fx.methodArn }));
  const base = { PATH: process.env.PATH, ISSUER: fx.issuer, AUDIENCE: fx.audience, JWKS_URI: jwksUrl };
  const kinds = {
    floor: { label: "node:crypto (fetch JWKS, import key, verify)", args: ["cold-child.cjs", "floor", eventPath], env: base, floor: true },
    original: { label: "original sample handler (jose, bundled)", args: ["cold-child.cjs", bundles.original.path, eventPath], env: base },
    ours: { label: "jwtgate drop-in handler (bundled + .wasm)", args: ["cold-child.cjs", bundles.ours.path, eventPath], env: { ...base, JWKS_ALLOW_HTTP_LOOPBACK: "true" }, ours: true },
    ours_wasm: { label: "jwtgate drop-in, module's own signatures", args: ["cold-child.cjs", bundles["ours-wasm"].path, eventPath], env: { ...base, JWKS_ALLOW_HTTP_LOOPBACK: "true" }, ours: true },
    // The Rust Lambda (wasmtime, module compiled ahead of time), its local mode: the same
    // settings, JWKS fetch, engine and decision as under the Lambda runtime.
    lambda: { label: "jwtgate Rust Lambda (wasmtime), local mode", native: [cargoBin("jwtgate-lambda", "bootstrap"), ["local", "--event", eventPath]], env: { ...base, JWKS_ALLOW_HTTP_LOOPBACK: "true" }, ours: true },
  };
  const samples = Object.fromEntries(Object.keys(kinds).map((k) => [k, []]));
  const compile = {};
  const wasmPath = join(REPO, "host-node/package/pkg/jwtgate_wasm_bg.wasm");
  for (let i = 0; i < P.cold; i++) {
    const order = Object.keys(kinds);
    for (let j = 0; j < i % order.length; j++) order.push(order.shift());
    for (const k of order) {
      const kind = kinds[k];
      const r = kind.native ? await spawnColdNative(kind.native[0], kind.native[1], kind.env) : await spawnCold(kind.args, kind.env);
      if (!r.ok) throw new Error(`cold start ${k}: ${r.error ?? "the decision was not an allow"}`);
      samples[k].push(r);
    }
  }
  const compilers = {
    node: [process.execPath, ["compile-child.mjs", wasmPath]],
    bun: [join(BIN, "bun"), ["compile-child.mjs", wasmPath]],
    deno: [join(BIN, "deno"), ["run", "--quiet", "--no-prompt", `--allow-read=${REPO}`, "compile-child.mjs", wasmPath]],
  };
  for (let i = 0; i < P.compile; i++) {
    for (const [runtime, [cmd, args]] of Object.entries(compilers)) {
      const r = await spawnCold(args, { PATH: process.env.PATH }, cmd);
      if (r.compile_ms === undefined) throw new Error(`compile in ${runtime}: ${r.error}`);
      (compile[runtime] ??= []).push(r.compile_ms);
    }
  }
  const out = {};
  for (const [k, kind] of Object.entries(kinds)) {
    const s = samples[k];
    out[k] = {
      label: kind.label,
      ours: !!kind.ours,
      floor: !!kind.floor,
      native: !!kind.native,
      runs: s.length,
      wall_median_ms: median(s.map((x) => x.wall_ms)),
      wall_p99_ms: quantile(s.map((x) => x.wall_ms), 0.99),
      first_decision_median_ms: median(s.map((x) => x.first_decision_ms)),
      load_median_ms: median(s.map((x) => x.load_ms)),
      decision_median_ms: median(s.map((x) => x.decision_ms)),
    };
  }
  for (const v of Object.values(out)) v.ratio = v.wall_median_ms / out.floor.wall_median_ms;
  return {
    cold: out,
    compile: Object.fromEntries(
      Object.entries(compile).map(([runtime, s]) => [runtime, { runs: s.length, median_ms: median(s), p99_ms: quantile(s, 0.99) }]),
    ),
    bundles,
  };
}

function sizes(bundles, work) {
  const wasm = readFileSync(join(REPO, "host-node/package/pkg/jwtgate_wasm_bg.wasm"));
  const out = {
    wasm_bytes: wasm.length,
    wasm_gzip_bytes: gzipSync(wasm, { level: 9 }).length,
    npm_tarball_bytes: null,
    npm_unpacked_bytes: null,
    lambda_zip_original_bytes: bundles.original.zip_bytes,
    lambda_zip_ours_node_bytes: bundles.ours.zip_bytes,
    lambda_zip_wasmtime_bytes: null,
    lambda_zip_wasmtime_note: "not built (make lambda-zip)",
  };
  const packDir = join(work, "pack");
  mkdirSync(packDir, { recursive: true });
  const packed = sh("npm", ["pack", "--json", "--pack-destination", packDir], { cwd: join(REPO, "host-node/package") });
  if (packed) {
    const info = JSON.parse(packed)[0];
    out.npm_tarball_bytes = info.size;
    out.npm_unpacked_bytes = info.unpackedSize;
    out.npm_files = info.entryCount;
  }
  for (const z of ["target/lambda/bootstrap/bootstrap.zip", "host-lambda/target/lambda/bootstrap/bootstrap.zip"]) {
    if (existsSync(join(REPO, z))) {
      out.lambda_zip_wasmtime_bytes = statSync(join(REPO, z)).size;
      out.lambda_zip_wasmtime_note = z;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Instructions per decision (full runs): wall-clock medians on a shared machine move by tens of
// percent, the instructions a decision executes do not. Each driver of INSTR_ROWS runs under
// valgrind's callgrind twice per algorithm, in a fresh process that sets up, makes `n`
// untimed decisions (the protocol's "mem" op) and exits; the difference of the two processes'
// total instruction counts (Ir), divided by the difference of their `n`, is one decision's
// instructions, set-up and sanity checks cancelling out. `n` is a whole number of passes over
// the tokens, so every token weighs the same. ES256 and EdDSA verification work depends a
// little on each signature (fresh tokens moved the figures by up to 0.1% from run to run), so
// the measure has a repeatable fixture of its own: the same INSTR_TOKENS tokens every run
// (lib/fixture.mjs). Counts do not depend on load, so two processes run at a time. Wasmtime's
// compiled code is loaded from memory, not a file, hence --smc-check=all-non-file (amd64's
// default; not arm64's).
const INSTR_ROWS = ["jwtgate-native", "jwtgate-wasmtime", "jwtgate-wasmtime-wasm"];
const INSTR_ALGS = ["RS256", "ES256", "EdDSA"];
const INSTR_TOKENS = 128;
const INSTR_PASSES = [1, 2];

/** One driver process under callgrind: `n` decisions of `alg`, its total instruction count. */
function callgrindRun([cmd, args], alg, n, outFile) {
  const vgArgs = ["--tool=callgrind", "--smc-check=all-non-file", `--callgrind-out-file=${outFile}`, cmd, ...args];
  return new Promise((resolveRun, reject) => {
    const proc = spawn("valgrind", vgArgs, { cwd: HERE, stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
    let out = "";
    let err = "";
    const timer = setTimeout(() => proc.kill("SIGKILL"), 300_000);
    proc.stdout.on("data", (d) => (out += d));
    proc.stderr.on("data", (d) => (err = (err + d).slice(-4000)));
    proc.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    proc.on("exit", (code, signal) => {
      clearTimeout(timer);
      const msgs = out.split("\n").filter((l) => l.startsWith("@@bench ")).map((l) => JSON.parse(l.slice(8)));
      const failed = msgs.find((m) => m.error);
      if (code !== 0 || failed || msgs.length < 2 || !msgs[0].ready) {
        return reject(new Error(`callgrind ${alg} n=${n}: exit ${code ?? signal}: ${failed?.error ?? err.trim().slice(-800)}`));
      }
      const text = existsSync(outFile) ? readFileSync(outFile, "utf8") : "";
      const total = (text.match(/^totals:\s+(\d+)/m) ?? text.match(/^summary:\s+(\d+)/m) ?? [])[1];
      if (total === undefined) return reject(new Error(`callgrind ${alg} n=${n}: no totals in ${outFile}`));
      resolveRun(Number(total));
    });
    proc.stdin.end(`${JSON.stringify({ op: "mem", alg, n })}\n${JSON.stringify({ op: "exit" })}\n`);
  });
}

async function instructions(jwksUri, work) {
  const started = performance.now();
  const version = sh("valgrind", ["--version"]);
  if (!version) return { skipped: "valgrind not found; install it for this measure" };
  const dir = mkdtempSync(join(work, "callgrind-"));
  const fx = makeFixture(jwksUri, { tokensPerAlg: INSTR_TOKENS, repeatable: true });
  const fixturePath = join(dir, "fixture.json");
  writeFileSync(fixturePath, JSON.stringify(fx));
  const jobs = [];
  const out = { valgrind: version, tokens_per_alg: INSTR_TOKENS, rows: {} };
  for (const id of INSTR_ROWS) {
    const row = ROWS.find((r) => r.id === id);
    const entry = { label: row.label, algs: {} };
    out.rows[id] = entry;
    let command;
    try {
      command = commandFor(row, fixturePath, 0);
    } catch (e) {
      entry.error = firstLine(e);
      continue;
    }
    for (const alg of INSTR_ALGS) {
      const ns = INSTR_PASSES.map((p) => p * fx.tokens[alg].length);
      const slot = { n: ns, ir: [] };
      entry.algs[alg] = slot;
      for (const [i, n] of ns.entries()) {
        jobs.push({ entry, slot, i, run: () => callgrindRun(command, alg, n, join(dir, `${id}.${alg}.${n}.out`)) });
      }
    }
  }
  const queue = [...jobs];
  const worker = async () => {
    while (queue.length) {
      const job = queue.shift();
      if (job.entry.error) continue;
      try {
        job.slot.ir[job.i] = await job.run();
      } catch (e) {
        job.entry.error = firstLine(e);
        job.entry.error_detail = e.message;
        log(`FAILED: instructions: ${e.message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(2, cpus().length)) }, worker));
  for (const entry of Object.values(out.rows)) {
    for (const slot of Object.values(entry.algs)) {
      if (slot.ir.length === 2 && slot.ir.every((v) => v !== undefined)) slot.per_decision = (slot.ir[1] - slot.ir[0]) / (slot.n[1] - slot.n[0]);
    }
  }
  const native = out.rows["jwtgate-native"];
  for (const [id, entry] of Object.entries(out.rows)) {
    if (id === "jwtgate-native") continue;
    for (const [alg, slot] of Object.entries(entry.algs)) {
      const base = native?.algs[alg]?.per_decision;
      if (slot.per_decision && base) slot.ratio_to_native = slot.per_decision / base;
    }
  }
  out.elapsed_s = (performance.now() - started) / 1000;
  rmSync(dir, { recursive: true, force: true });
  return out;
}

// ---------------------------------------------------------------------------------------------
// The peers at the exact versions of package-lock.json, installed by the benchmark itself
// (`npm ci`, again only when the lock file changed since the last install).
function installPeers() {
  const stamp = join(HERE, "node_modules/.installed-lock");
  const lock = readFileSync(join(HERE, "package-lock.json"));
  if (existsSync(stamp) && readFileSync(stamp).equals(lock)) return;
  log("npm ci (tests/bench)");
  execFileSync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: HERE, stdio: ["ignore", "inherit", "inherit"] });
  writeFileSync(stamp, lock);
}

async function main() {
  const started = performance.now();
  installPeers();
  const info = machine();
  log(`${info.mode} run on ${info.cpu} (${info.cores} cores), node ${info.node}, load ${info.loadavg_at_start.join(" ")}`);
  for (const f of ["host-node/package/dist/index.js", "host-node/package/pkg/jwtgate_wasm_bg.wasm"]) {
    if (!existsSync(join(REPO, f))) throw new Error(`${f} is missing: run \`make node-package\` first`);
  }
  mkdirSync(OUT, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), "jwtgate-bench-"));
  const jwksServer = await startJwksServer();
  try {
    const fx = makeFixture(jwksServer.url);
    jwksServer.state.body = JSON.stringify(fx.jwks);
    const fixturePath = join(OUT, "fixture.json");
    writeFileSync(fixturePath, JSON.stringify(fx));

    // Native drivers are built before any driver starts, so no row waits on a compiler.
    for (const row of ROWS) {
      try {
        commandFor(row, fixturePath, jwksServer.port);
      } catch {
        // reported by warm() for this row
      }
    }
    const warmResults = await warm(fixturePath, jwksServer.port);
    log("memory");
    const mem = await memory(fixturePath, jwksServer.port, warmResults);
    log("cold start and compile");
    const cold = await coldStart(fx, jwksServer.url, work);
    const size = sizes(cold.bundles, work);
    log("hostile key set");
    const native = cargoBin("jwtgate-bench", "bench-hostile-jwks");
    const hostile = JSON.parse(
      execFileSync("node", [join(HERE, "hostile-jwks.mjs"), ...(SMOKE ? ["--smoke"] : []), "--native", native], { cwd: REPO, encoding: "utf8" }),
    );

    let instr;
    if (!SMOKE) {
      log("instructions per decision (callgrind)");
      try {
        instr = await instructions(jwksServer.url, work);
      } catch (e) {
        instr = { skipped: `failed: ${firstLine(e)}` }; // never fails the run
      }
      log(instr.skipped ? `instructions: skipped: ${instr.skipped}` : `instructions: ${instr.elapsed_s.toFixed(1)} s`);
    }

    const results = {
      machine: info,
      method: {
        warm: `each row in its own process; ${P.warmup} warm-up + ${P.rounds} measured rounds, interleaved in rotating order; per-row figure = median of per-round medians; p99 over all measured decisions; ${ALGS.length} algorithms, 16 distinct tokens each, one JWKS (${ALGS.length} keys) for all`,
        memory: `fresh process per row: RSS after setup (module loaded, keys in, sanity check), then after ${P.memN} RS256 decisions`,
        cold: `spawn node, require the bundled handler, first decision of one RS256 TOKEN event (JWKS from 127.0.0.1); ${P.cold} runs each, interleaved; wall = spawn to the decision line`,
        hostile_jwks: "tests/bench/hostile-jwks.mjs: 255 unused RSA-8192 keys beside the signer's, loaded afresh and one token decided per run; median and worst of the runs",
        ...(instr && {
          instructions: `valgrind --tool=callgrind --smc-check=all-non-file, a fresh driver process per row, algorithm and count; (Ir(n2) - Ir(n1)) / (n2 - n1) with n = ${INSTR_PASSES.join(" and ")} passes over ${INSTR_TOKENS} distinct tokens, the same every run (untimed "mem" decisions), so set-up cancels out`,
        }),
      },
      warm: warmResults,
      memory: mem,
      cold: cold.cold,
      compile: cold.compile,
      sizes: size,
      hostile_jwks: hostile,
      ...(instr && { instructions: instr }),
      jwks_requests: jwksServer.state.requests,
      elapsed_s: (performance.now() - started) / 1000,
    };
    writeFileSync(join(OUT, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(join(OUT, "ratios.svg"), renderSvg(results));
    const md = renderMarkdown(results);
    writeFileSync(join(OUT, "RESULTS.md"), md);
    if (!SMOKE) {
      writeFileSync(join(HERE, "RESULTS.md"), md);
      copyFileSync(join(OUT, "ratios.svg"), join(HERE, "ratios.svg"));
    }
    console.log(renderTable(results));
    if (instr) console.log(renderInstructions(instr));
    for (const [id, v] of Object.entries(hostile.rows)) {
      console.log(`hostile key set (${hostile.keys} keys, ${hostile.jwks_bytes} bytes), ${id}: median ${v.median_ms.toFixed(2)} ms, worst ${v.max_ms.toFixed(2)} ms`);
    }
    log(`wrote ${P.out}/results.json, ${P.out}/ratios.svg${SMOKE ? "" : ", tests/bench/RESULTS.md and ratios.svg"} in ${results.elapsed_s.toFixed(1)} s`);

    const failed = Object.values(warmResults).filter((r) => r.status === "error");
    if (failed.length) {
      for (const f of failed) log(`row ${f.id} failed: ${f.note}`);
      process.exitCode = 1;
    }
  } finally {
    jwksServer.close();
    rmSync(work, { recursive: true, force: true });
  }
}

// `--render`: the table, RESULTS.md and the chart again from a saved run.
function render() {
  const r = JSON.parse(readFileSync(join(OUT, "results.json"), "utf8"));
  writeFileSync(join(OUT, "ratios.svg"), renderSvg(r));
  if (r.machine.mode === "full") {
    writeFileSync(join(HERE, "RESULTS.md"), renderMarkdown(r));
    copyFileSync(join(OUT, "ratios.svg"), join(HERE, "ratios.svg"));
  }
  console.log(renderTable(r));
}

// `--instructions`: only the instructions-per-decision measure, printed (no file written).
async function instructionsOnly() {
  const work = mkdtempSync(join(tmpdir(), "jwtgate-bench-"));
  try {
    for (const id of INSTR_ROWS) commandFor(ROWS.find((r) => r.id === id), "", 0); // builds
    const instr = await instructions("http://127.0.0.1:9/.well-known/jwks.json", work);
    console.log(renderInstructions(instr));
    console.log(JSON.stringify(instr, null, 2));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const mode = process.argv.includes("--render") ? render : process.argv.includes("--instructions") ? instructionsOnly : main;
Promise.resolve().then(mode).catch((e) => {
  console.error("bench: failed:", e?.stack ?? e);
  process.exit(1);
});
