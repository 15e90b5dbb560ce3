// Checks the metrics table's log lines (target/metrics/HOST.json, written by run.mjs and
// host-lambda/tests/metrics.rs): each host's lines read as CloudWatch reads them (emf.mjs) give
// exactly the decisions and key set fetches the host made, by outcome, reason and failure code;
// dimensions come from closed sets only; no line holds a token; and every host wrote the same
// lines, field by field (latency, timestamps and request ids aside).
//   node tests/metrics/check.mjs lambda node bun
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { readEmf } from "./emf.mjs";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const hosts = process.argv.slice(2);
const { cases } = JSON.parse(readFileSync(here("../conformance/vectors.json"), "utf8"));

/** The closed sets dimensions are drawn from. */
const REASONS = new Set([...readFileSync(here("../../host-node/src/errors.ts"), "utf8").matchAll(/"([a-z0-9_]+)"/g)].map((m) => m[1]));
const DIMENSIONS = {
  outcome: new Set(["allow", "deny", "unauthorized"]),
  reason: REASONS,
  failure: new Set(["network", "timeout", "too_large", "http_status", "insecure_url", "discovery_invalid", "jwks_invalid"]),
};
const NAMESPACES = { decisions: "jwtgate-test/conformance", key_sets: "jwtgate", plain: null };
/** Every token of the table: no line may hold one's payload or signature. */
const secrets = cases.flatMap((c) => JSON.stringify(c.event).match(/eyJ[\w-]*\.[\w-]+\.[\w-]+/g) ?? []).flatMap((t) => t.split(".").slice(1));

let failed = 0;
const fail = (message) => {
  failed += 1;
  if (failed <= 30) console.log(`FAIL ${message}`);
};
const tally = (items) => items.reduce((m, k) => m.set(k, (m.get(k) ?? 0) + 1), new Map());

// The reader itself: records CloudWatch would drop are errors, and a valid one is summed.
{
  const valid = { outcome: "deny", reason: "missing_scope", decisions: 1, _aws: { Timestamp: 1, CloudWatchMetrics: [{ Namespace: "n", Dimensions: [[], ["outcome", "reason"]], Metrics: [{ Name: "decisions", Unit: "Count" }] }] } };
  const variant = (change) => change(structuredClone(valid));
  const broken = {
    "a missing dimension": variant((l) => (delete l.reason, l)),
    "a dimension that is not a string": variant((l) => ((l.reason = null), l)),
    "a metric that is not a number": variant((l) => ((l.decisions = "1"), l)),
    "an unknown unit": variant((l) => ((l._aws.CloudWatchMetrics[0].Metrics[0].Unit = "Requests"), l)),
    "an AWS/ namespace": variant((l) => ((l._aws.CloudWatchMetrics[0].Namespace = "AWS/Lambda"), l)),
    "no timestamp": variant((l) => (delete l._aws.Timestamp, l)),
    "a metric counted twice": variant((l) => (l._aws.CloudWatchMetrics.push(l._aws.CloudWatchMetrics[0]), l)),
  };
  for (const [what, line] of Object.entries(broken)) if (readEmf([line]).errors.length === 0) fail(`emf.mjs accepts a record with ${what}`);
  const read = readEmf([valid, JSON.stringify(valid), { msg: "plain" }]);
  if (read.errors.length > 0 || read.records !== 2 || read.metrics.get("n|decisions|outcome=deny,reason=missing_scope")?.sum !== 2 || read.metrics.get("n|decisions|")?.sum !== 2) {
    fail(`emf.mjs misreads valid records: ${JSON.stringify([read.errors, read.records, [...read.metrics]])}`);
  }
}

const runs = {};
for (const host of hosts) {
  const file = here(`../../target/metrics/${host}.json`);
  if (!existsSync(file)) {
    fail(`${host}: ${file} was not written`);
    continue;
  }
  runs[host] = JSON.parse(readFileSync(file, "utf8")).parts;
}

for (const [host, parts] of Object.entries(runs)) {
  for (const [name, part] of Object.entries(parts)) {
    const at = `${host} ${name}`;
    const namespace = NAMESPACES[name];
    const { metrics, errors, records } = readEmf(part.lines);
    for (const e of errors) fail(`${at}: ${e}`);
    const decisionLines = part.lines.filter((l) => l.msg === "authorizer decision");
    const keyLines = part.lines.filter((l) => l.msg === "keys loaded" || l.msg === "keys fetch failed");
    if (decisionLines.length !== part.results.length) fail(`${at}: ${decisionLines.length} decision lines for ${part.results.length} decisions`);
    if (keyLines.length !== part.fetches) fail(`${at}: ${keyLines.length} key set lines for ${part.fetches} fetches`);
    if (decisionLines.length + keyLines.length !== part.lines.length) fail(`${at}: lines other than decisions and key sets`);
    // Each decision's line tells its decision.
    part.results.forEach((r, i) => {
      const l = decisionLines[i];
      if (l && (l.outcome !== r.outcome || l.reason !== r.reason)) fail(`${at}: line ${i} says ${l.outcome}/${l.reason}, the decision was ${r.outcome}/${r.reason}`);
    });
    // Units and types, the same in every host.
    for (const l of decisionLines) {
      if (typeof l.latency_ms !== "number" || l.latency_ms < 0 || Math.abs(Math.round(l.latency_ms * 1000) - l.latency_ms * 1000) > 1e-6) fail(`${at}: latency_ms ${l.latency_ms} is not milliseconds to the microsecond`);
      if (!["info", "warn"].includes(l.level) || (l.level === "warn") !== (l.outcome === "unauthorized")) fail(`${at}: level ${l.level} for ${l.outcome}`);
      if (typeof l.keys_fetched !== "boolean") fail(`${at}: keys_fetched is not a boolean`);
    }
    if (secrets.some((s) => JSON.stringify(part.lines).includes(s))) fail(`${at}: a token's payload or signature reached a log line`);

    if (namespace === null) {
      if (records !== 0 || part.lines.some((l) => "_aws" in l || "decisions" in l || "jwks_fetches" in l)) fail(`${at}: METRICS=false, yet metrics in the lines`);
      continue;
    }
    if (records !== part.lines.length) fail(`${at}: ${records} metric records in ${part.lines.length} lines`);
    // Dimensions: only outcome, reason and failure, with values of their closed sets.
    for (const key of metrics.keys()) {
      const [ns, , dims] = key.split("|");
      if (ns !== namespace) fail(`${at}: namespace ${ns}, expected ${namespace}`);
      for (const pair of dims ? dims.split(",") : []) {
        const [dim, value] = pair.split("=");
        if (!(dim in DIMENSIONS) || !DIMENSIONS[dim].has(value)) fail(`${at}: dimension ${pair} is not of a closed set`);
      }
    }
    // The sums CloudWatch would store are the decisions and fetches made.
    const metric = (m, dims = "") => metrics.get(`${namespace}|${m}|${dims}`) ?? { sum: 0, count: 0 };
    const expect = (what, got, want) => {
      if (got !== want) fail(`${at}: ${what} is ${got}, expected ${want}`);
    };
    expect("decisions", metric("decisions").sum, part.results.length);
    expect("latency_ms samples", metric("latency_ms").count, part.results.length);
    for (const [outcome, n] of tally(part.results.map((r) => r.outcome))) {
      expect(`decisions{outcome=${outcome}}`, metric("decisions", `outcome=${outcome}`).sum, n);
      expect(`latency_ms{outcome=${outcome}} samples`, metric("latency_ms", `outcome=${outcome}`).count, n);
    }
    const withReason = part.results.filter((r) => r.reason !== null);
    for (const [pair, n] of tally(withReason.map((r) => `outcome=${r.outcome},reason=${r.reason}`))) expect(`decisions{${pair}}`, metric("decisions", pair).sum, n);
    const byReason = [...metrics.keys()].filter((k) => k.includes("|decisions|outcome=") && k.includes(",reason="));
    expect("decisions by outcome and reason", byReason.reduce((s, k) => s + metrics.get(k).sum, 0), withReason.length);
    expect("jwks_fetches", metric("jwks_fetches").sum, part.fetches);
    const failures = Object.values(part.failures).reduce((a, b) => a + b, 0);
    expect("jwks_failures", metric("jwks_failures").sum, failures);
    expect("jwks_failures samples", metric("jwks_failures").count, part.fetches);
    for (const [code, n] of Object.entries(part.failures)) expect(`jwks_failures{failure=${code}}`, metric("jwks_failures", `failure=${code}`).sum, n);
    const byCode = [...metrics.keys()].filter((k) => k.includes("|jwks_failures|failure="));
    expect("jwks_failures by failure", byCode.reduce((s, k) => s + metrics.get(k).sum, 0), failures);
  }
}

/** A line without what differs from run to run: latency, timestamps, request and trace ids. */
function normalized(line) {
  const { latency_ms: _, request_id: __, trace_id: ___, ...rest } = line;
  if (rest._aws) rest._aws = { ...rest._aws, Timestamp: "(time)" };
  return rest;
}
const canonical = (v) =>
  JSON.stringify(v, (_, x) => (x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x));

const [first, ...others] = Object.keys(runs);
for (const other of others) {
  for (const [name, part] of Object.entries(runs[first])) {
    const theirs = runs[other][name]?.lines ?? [];
    if (theirs.length !== part.lines.length) fail(`${name}: ${first} wrote ${part.lines.length} lines, ${other} ${theirs.length}`);
    part.lines.forEach((line, i) => {
      const [a, b] = [normalized(line), normalized(theirs[i] ?? {})];
      for (const field of new Set([...Object.keys(a), ...Object.keys(b)])) {
        if (canonical(a[field]) !== canonical(b[field])) fail(`${name} line ${i} (${line.msg}): ${field} is ${canonical(a[field])} in ${first}, ${canonical(b[field])} in ${other}`);
      }
    });
  }
}

const lines = Object.values(runs).reduce((n, parts) => n + Object.values(parts).reduce((m, p) => m + p.lines.length, 0), 0);
console.log(`metrics across ${hosts.join(", ")}: ${lines} log lines read as EMF and compared`);
console.log(failed === 0 ? "all checks passed" : `${failed} checks failed`);
if (failed > 0) process.exit(1);
