// The metrics table's decisions in a JavaScript host: the npm package (host-node/package,
// `createAuthorizer`) decides every case of tests/conformance/vectors.json and the key set
// script key-sets.json, and keeps every log line it writes. check.mjs then reads the lines as
// CloudWatch would (emf.mjs) and compares them with the Lambda host's (host-lambda/tests/metrics.rs).
//   node tests/metrics/run.mjs --host node --out target/metrics/node.json      (also bun)
// Needs `make node-package`. Writes {host, parts: {NAME: {lines, results, fetches, failures}}}.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const host = arg("--host", "node");
const out = arg("--out", here(`../../target/metrics/${host}.json`));
const { createAuthorizer } = await import(here("../../host-node/package/dist/index.js"));
const { cases } = JSON.parse(readFileSync(here("../conformance/vectors.json"), "utf8"));
const script = JSON.parse(readFileSync(here("key-sets.json"), "utf8"));
const byName = new Map(cases.map((c) => [c.name, c]));
const configPath = here(`../../target/metrics/${host}-config.json`);
mkdirSync(dirname(configPath), { recursive: true });

/**
 * The scripted key server: `fetch` answers each request with the next reply queued, or fails
 * as the network would when none is left. Counts what it served.
 */
function scriptedServer() {
  const server = { queue: [], fetches: 0, failures: {} };
  const failed = (code) => (server.failures[code] = (server.failures[code] ?? 0) + 1);
  server.fetch = async (url) => {
    server.fetches += 1;
    const reply = server.queue.shift() ?? { network: "no reply scripted" };
    if (reply.network !== undefined) {
      failed("network");
      throw new Error(reply.network);
    }
    if (reply.status !== 200) failed("http_status");
    const body = reply.jwks_of !== undefined ? JSON.stringify(byName.get(reply.jwks_of).config.jwks) : reply.body ?? "";
    if (reply.status === 200 && reply.jwks_of === undefined) failed("jwks_invalid");
    const headers = reply.cache_control === undefined ? {} : { "cache-control": reply.cache_control };
    return new Response(body, { status: reply.status, headers });
  };
  return server;
}

/** Decide `event` with a fresh authorizer for `config` and `env`; the lines it logged go to `part`. */
async function authorizerFor(config, env, now, part, server) {
  writeFileSync(configPath, JSON.stringify(config));
  return createAuthorizer({ env: { CONFIG_FILE: configPath, ...env }, now, fetch: server.fetch, log: (line) => part.lines.push(line) });
}

const decide = async (authorizer, event) => {
  const d = await authorizer.decide(event);
  return { outcome: d.outcome, reason: d.reason };
};

const newPart = () => ({ lines: [], results: [], fetches: 0, failures: {} });
const parts = { decisions: newPart(), key_sets: newPart(), plain: newPart() };

// Every decidable case of the conformance table, with metrics in a namespace of the test's
// own; the one case without keys fetches, and the scripted server has nothing for it.
for (const [name, env] of [
  ["decisions", { METRICS_NAMESPACE: "jwtgate-test/conformance" }],
  ["plain", { METRICS: "false" }],
]) {
  const part = parts[name];
  const server = scriptedServer();
  for (const c of cases) {
    if (c.expected.config_error !== undefined) continue;
    if (name === "plain" && part.results.length === 40) break;
    const authorizer = await authorizerFor(c.config, env, () => c.now * 1000, part, server);
    part.results.push(await decide(authorizer, c.event));
  }
  part.fetches = server.fetches;
  part.failures = server.failures;
}

// The key set script, in the default namespace.
{
  const part = parts.key_sets;
  const server = scriptedServer();
  const { jwks: _, ...config } = byName.get(script.config_of).config;
  let now = script.start * 1000;
  const authorizer = await authorizerFor({ ...config, jwks_uri: script.jwks_uri }, {}, () => now, part, server);
  for (const step of script.steps) {
    now = (script.start + step.at_s) * 1000;
    server.queue.push(...(step.replies ?? []));
    part.results.push(await decide(authorizer, byName.get(step.event_of).event));
  }
  part.fetches = server.fetches;
  part.failures = server.failures;
}

mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify({ host, parts }));
const runtime = typeof Bun !== "undefined" ? `bun ${Bun.version}` : `node ${process.version}`;
console.log(`metrics table (${runtime}): ${Object.entries(parts).map(([n, p]) => `${n} ${p.results.length} decisions, ${p.lines.length} lines`).join("; ")}`);
