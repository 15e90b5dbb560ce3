// Compares the decisions every host wrote (target/conformance/*.json) case by case: any
// difference between hosts fails, naming the case and the hosts.
//   node tests/conformance/compare.mjs native node node-crypto bun deno wasmtime
import { readFileSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const dir = fileURLToPath(new URL("../../target/conformance/", import.meta.url));
const hosts = process.argv.slice(2);
const { cases } = JSON.parse(readFileSync(fileURLToPath(new URL("vectors.json", import.meta.url)), "utf8"));
const results = {};
for (const host of hosts) {
  const file = `${dir}${host}.json`;
  if (!existsSync(file)) {
    console.log(`MISSING ${host}: ${file} was not written`);
    console.log(`0 passed, ${cases.length} failed`);
    process.exit(1);
  }
  results[host] = JSON.parse(readFileSync(file, "utf8"));
}
/** JSON with object members sorted, so member order never counts as a difference. */
const canonical = (v) =>
  JSON.stringify(v, (_, x) => (x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x));

let passed = 0;
let failed = 0;
for (const c of cases) {
  const [first, ...rest] = hosts;
  const want = canonical(results[first][c.name]);
  const differing = rest.filter((h) => canonical(results[h][c.name]) !== want);
  if (want === undefined || differing.length > 0) {
    failed++;
    console.log(`DIFFERENT ${c.name}: ${first} ${want} vs ${differing.map((h) => `${h} ${canonical(results[h][c.name])}`).join(", ")}`);
  } else {
    passed++;
  }
}
console.log(`conformance across ${hosts.join(", ")}: ${cases.length} cases`);
console.log(`${passed} passed, ${failed} failed`);
if (failed > 0) process.exit(1);
