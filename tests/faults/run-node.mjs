// The fault table (scenarios.json) through the npm package's public API, against server.mjs.
// Needs `make node-package`. Usage: node tests/faults/run-node.mjs [--only NAME[,NAME]] [--verbose]
// Prints one line per scenario, then `N passed, N failed`; exits 1 on any failure. Writes
// target/faults/node.json ({scenario: {passed, failures}}).
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";

const root = new URL("../../", import.meta.url);
const table = JSON.parse(readFileSync(new URL("tests/faults/scenarios.json", root), "utf8"));
const { createAuthorizer } = await import(new URL("host-node/package/dist/index.js", root));

const args = process.argv.slice(2);
const only = args.includes("--only") ? args[args.indexOf("--only") + 1].split(",") : null;
const verbose = args.includes("--verbose");
/** No decision may take longer than this, whatever the host does (a hung host fails, not the run). */
const HARD_CAP_MS = 30_000;
const METHOD_ARN = "arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/prod/GET/pets";

// ---- the server ---------------------------------------------------------------------------------

const server = spawn(process.execPath, [new URL("tests/faults/server.mjs", root).pathname], { stdio: ["pipe", "pipe", "inherit"] });
const port = await new Promise((resolve, reject) => {
  const lines = createInterface({ input: server.stdout });
  lines.once("line", (line) => resolve(JSON.parse(line).port));
  server.once("exit", (code) => reject(new Error(`server.mjs exited (${code})`)));
});
const base = `http://127.0.0.1:${port}`;

async function call(path, body) {
  const res = await fetch(`${base}${path}`, body === undefined ? {} : { method: "POST", body: JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`server ${path}: ${res.status} ${text}`);
  return text;
}
const control = async (body) => JSON.parse(await call("/control", body));
const hits = async () => JSON.parse(await call("/hits"));
const mint = (r, kid) =>
  call(`/mint?${new URLSearchParams({ issuer: r.issuer, kid, signer: r.signer ?? r.issuer, kind: r.token ?? "valid" })}`);

// ---- one scenario -------------------------------------------------------------------------------

function options(scenario, urls, clock, log) {
  const s = scenario.settings;
  const common = {
    jwksAllowHttpLoopback: true,
    jwksTimeoutMs: s.timeout_ms,
    jwksCacheMinSeconds: s.cache_min_s,
    jwksCacheMaxSeconds: s.cache_max_s,
    jwksRefreshCooldownSeconds: s.cooldown_s,
    ...(s.max_jwks_bytes === undefined ? {} : { maxJwksBytes: s.max_jwks_bytes }),
    now: clock,
    log,
  };
  const jwksUri = (i) => (i.key_source === "jwks_uri" ? { jwksUri: urls[i.name].jwks_uri } : {});
  if (scenario.issuers.length === 1) {
    const i = scenario.issuers[0];
    return { ...common, issuer: urls[i.name].issuer, audience: table.defaults.audience, ...jwksUri(i) };
  }
  // Several issuers: the multi-issuer option of #17's spec (one profile per issuer).
  return { ...common, issuers: scenario.issuers.map((i) => ({ issuer: urls[i.name].issuer, audiences: [table.defaults.audience], ...jwksUri(i) })) };
}

function capped(promise) {
  let timer;
  const cap = new Promise((resolve) => {
    timer = setTimeout(() => resolve({ outcome: "none", reason: `no decision within ${HARD_CAP_MS} ms` }), HARD_CAP_MS);
  });
  return Promise.race([promise, cap]).finally(() => clearTimeout(timer));
}

async function runScenario(scenario) {
  const reset = await control({ reset: { issuers: scenario.issuers.map((i) => ({ name: i.name, cache_control: i.cache_control })) } });
  const urls = reset.issuers;
  // The simulated clock: real time plus an offset that only grows; it starts on a whole second
  // and each step moves it to (start + at_s) unless the real time spent is already past that.
  const real0 = Date.now();
  const start = Math.ceil((real0 + 1) / 1000) * 1000;
  let offset = start - real0;
  const clock = () => Date.now() + offset;
  const logs = [];
  const failures = [];
  const minted = [];
  let authorizer;
  try {
    authorizer = await createAuthorizer(options(scenario, urls, clock, (line) => logs.push(line)));
  } catch (e) {
    return [`configuration refused: ${e.message}`];
  }
  for (const [index, step] of scenario.steps.entries()) {
    const where = `step ${index + 1} (at_s ${step.at_s})`;
    const fail = (message) => failures.push(`${where}: ${message}`);
    if (step.set) await control({ set: step.set });
    const target = start + step.at_s * 1000;
    if (target > clock()) offset = target - Date.now();
    const logFrom = logs.length;
    if (step.request) {
      const r = step.request;
      const count = r.count ?? 1;
      const kids = Array.from({ length: count }, (_, i) => r.kid.replaceAll("{i}", String(i)).replaceAll("{step}", String(index + 1)));
      const tokens = await Promise.all(kids.map((kid) => mint(r, kid)));
      minted.push(...tokens);
      const events = tokens.map((t) => ({ type: "TOKEN", authorizationToken: `Bearer ${t}`, methodArn: METHOD_ARN }));
      const began = performance.now();
      // Concurrent, as API Gateway sends them: the host may share one fetch among them.
      const results = await Promise.all(
        events.map((event) =>
          capped(authorizer.decide(event)).then(
            (d) => ({ d, ms: performance.now() - began }),
            (e) => ({ d: { outcome: "threw", reason: String(e?.message ?? e) }, ms: performance.now() - began }),
          ),
        ),
      );
      const e = step.expect ?? {};
      const within = e.within_ms ?? scenario.settings.timeout_ms + table.defaults.slack_ms;
      const wrong = results.filter(({ d }) => d.outcome !== e.outcome || (e.reason !== undefined && (d.reason ?? null) !== e.reason));
      if (wrong.length > 0) {
        const d = wrong[0].d;
        fail(`${wrong.length}/${count} decided ${d.outcome}/${d.reason ?? "-"}, expected ${e.outcome}/${e.reason ?? "-"}`);
      }
      const slowest = Math.max(...results.map((x) => x.ms));
      if (slowest > within) fail(`decided in ${Math.round(slowest)} ms, bound ${within} ms`);
      if (e.fetch_failure !== undefined) {
        const seen = logs.slice(logFrom).filter((l) => l.failure !== undefined).map((l) => l.failure);
        if (e.fetch_failure === null && seen.length > 0) fail(`key fetch failures logged: ${seen.join(", ")}; expected none`);
        if (e.fetch_failure !== null && !seen.includes(e.fetch_failure)) fail(`key fetch failures logged: [${seen.join(", ")}]; expected ${e.fetch_failure}`);
      }
      if (verbose) console.log(`  ${scenario.name} ${where}: ${results[0].d.outcome}/${results[0].d.reason ?? "-"} in ${Math.round(slowest)} ms`);
    }
    if (step.hits) {
      const seen = await hits();
      for (const [endpoint, want] of Object.entries(step.hits)) {
        const got = seen[endpoint] ?? 0;
        if (got !== want) fail(`${endpoint} requested ${got} times, expected ${want}`);
      }
    }
  }
  // Never the token in a log line: neither its payload nor its signature.
  const text = JSON.stringify(logs);
  if (minted.some((t) => text.includes(t.split(".")[1]) || text.includes(t.split(".")[2]))) failures.push("a token's payload or signature reached the log");
  return failures;
}

// ---- the table ----------------------------------------------------------------------------------

const results = {};
let passed = 0;
let failed = 0;
const began = performance.now();
try {
  for (const scenario of table.scenarios) {
    if (only && !only.includes(scenario.name)) continue;
    const t0 = performance.now();
    const failures = await runScenario(scenario);
    const ms = Math.round(performance.now() - t0);
    results[scenario.name] = { passed: failures.length === 0, failures };
    if (failures.length === 0) {
      passed += 1;
      console.log(`ok   ${scenario.name} (${ms} ms)`);
    } else {
      failed += 1;
      console.log(`FAIL ${scenario.name} (${ms} ms)`);
      for (const f of failures.slice(0, 6)) console.log(`     ${f}`);
      if (failures.length > 6) console.log(`     ... and ${failures.length - 6} more`);
    }
  }
} finally {
  server.stdin.end();
}
const dir = new URL("target/faults/", root);
mkdirSync(dir, { recursive: true });
writeFileSync(new URL("node.json", dir), `${JSON.stringify(results, null, 1)}\n`);
console.log(`node host: table run in ${Math.round((performance.now() - began) / 1000)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
