// Conformance runner for JavaScript hosts: feeds every case of vectors.json to the npm package
// (host-node/package: its wasm module and glue) and checks the decision.
//   node tests/conformance/run.mjs [--signatures wasm|host] [--out FILE]
// (`host`: node:crypto, registered as the module's host verifier)
//   bun  tests/conformance/run.mjs ...        deno run --allow-read --allow-write ... run.mjs
// Prints `N passed, N failed`; writes each case's decision to --out for compare.mjs.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const signatures = arg("--signatures", "wasm");
const out = arg("--out", null);

const pkg = here("../../host-node/package/pkg/");
const glue = await import(`${pkg}jwtgate_wasm.js`);
glue.initSync({ module: readFileSync(`${pkg}jwtgate_wasm_bg.wasm`) });
if (signatures === "host") {
  const { setHostVerifier } = await import(`${pkg}host-provider.js`);
  const { nodeCryptoVerify } = await import(here("../../host-node/package/dist/node-crypto-verifier.js"));
  setHostVerifier(nodeCryptoVerify);
} else if (signatures !== "wasm") {
  throw new Error(`unknown --signatures ${signatures}`);
}

const { cases } = JSON.parse(readFileSync(here("vectors.json"), "utf8"));
const encoder = new TextEncoder();
const results = {};
let passed = 0;
let failed = 0;
for (const c of cases) {
  const config = JSON.stringify(c.config);
  const created = signatures === "wasm" ? glue.Authorizer.create(config) : glue.Authorizer.createWithHostProvider(config);
  const authorizer = created.takeAuthorizer();
  if (c.expected.config_error !== undefined || !authorizer) {
    // The setting the refusal names: `invalid configuration: SETTING: problem`.
    const setting = authorizer ? null : (/invalid configuration: ([^:]+):/.exec(created.error)?.[1] ?? created.error);
    authorizer?.free();
    results[c.name] = { config_error: setting };
    if (setting === c.expected.config_error) passed++;
    else {
      failed++;
      console.log(`FAIL ${c.name}: configuration ${setting === null ? "accepted" : `refused (${created.error})`}, expected a refusal naming ${c.expected.config_error}`);
    }
    continue;
  }
  // The keys are inline in the configuration: nothing to fetch. Times are milliseconds.
  const d = JSON.parse(authorizer.authorize(encoder.encode(JSON.stringify(c.event)), c.now * 1000, true));
  authorizer.free();
  results[c.name] = { outcome: d.outcome, reason: d.reason, response: d.response };
  const contextOk = c.expected.context === undefined || JSON.stringify(sorted(d.response?.context ?? null)) === JSON.stringify(sorted(c.expected.context));
  const usageOk = c.expected.usage_identifier === undefined || (d.response?.usageIdentifierKey ?? null) === c.expected.usage_identifier;
  if (d.outcome === c.expected.outcome && d.reason === c.expected.reason && contextOk && usageOk) {
    passed++;
  } else {
    failed++;
    console.log(`FAIL ${c.name}: got ${d.outcome}/${d.reason} (context ${JSON.stringify(d.response?.context)}), expected ${JSON.stringify(c.expected)}`);
  }
}
/** A value with its objects' members in sorted order (contexts compare as sets of members). */
function sorted(value) {
  if (Array.isArray(value)) return value.map(sorted);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sorted(value[k])]));
}

if (out) {
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(results, null, 1));
}
const runtime = typeof Bun !== "undefined" ? `bun ${Bun.version}` : typeof Deno !== "undefined" ? `deno ${Deno.version.deno}` : `node ${process.version}`;
console.log(`conformance (${runtime}, signatures ${signatures}): ${cases.length} cases`);
console.log(`${passed} passed, ${failed} failed`);
if (failed > 0) process.exit(1);
