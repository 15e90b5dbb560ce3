// Three full runs side by side: how a speed target counts as met on this shared, noisy
// machine (it must hold in each of three full runs in a row on one commit).
//   node tests/bench/combine.mjs RUN1.json RUN2.json RUN3.json   (make bench-three)
// Writes tests/bench/RESULTS.md: each run's medians, p99 and ratios beside each other, then
// every target of the speed issue with its figure per run and met / missed. The reference
// figures some targets compare against are tests/bench/reference.json (a full run before the
// change, on the same machine).
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
const files = process.argv.slice(2);
if (files.length !== 3) {
  console.error("usage: node tests/bench/combine.mjs RUN1.json RUN2.json RUN3.json");
  process.exit(2);
}
const runs = files.map((f) => JSON.parse(readFileSync(f, "utf8")));
const reference = JSON.parse(readFileSync(join(HERE, "reference.json"), "utf8"));
const commits = new Set(runs.map((r) => `${r.machine.commit}${r.machine.dirty ? "+dirty" : ""}`));
if (commits.size !== 1 || runs.some((r) => r.machine.mode !== "full")) {
  console.error(`combine: three full runs of one clean commit are needed, got ${[...commits].join(", ")}`);
  process.exit(2);
}

const us = (v) => (v == null ? "–" : v < 100 ? `${v.toFixed(1)} µs` : `${Math.round(v).toLocaleString("en-US")} µs`);
const ms = (v) => (v == null ? "–" : `${v < 10 ? v.toFixed(2) : v.toFixed(1)} ms`);
const x = (v) => (v == null ? "–" : `${v.toFixed(2)}×`);
const kib = (b) => (b == null ? "–" : `${(b / 1024).toFixed(1)} KiB`);
const mib = (b) => (b == null ? "–" : `${(b / 2 ** 20).toFixed(1)} MiB`);
const median = (r, id, alg) => r.warm[id]?.algs?.[alg]?.median_us ?? null;
/** a / b, or null when either is missing (a missing figure never meets a target). */
const div = (a, b) => (a == null || b == null || !(b > 0) ? null : a / b);
const p99 = (r, id, alg) => r.warm[id]?.algs?.[alg]?.p99_us ?? null;
const ALGS = ["RS256", "ES256", "EdDSA"];

/** A target: a figure per run, and whether it holds in that run. */
function target(name, per) {
  const cells = runs.map((r) => per(r));
  const met = cells.every((c) => c.ok === true);
  return { name, cells: cells.map((c) => `${c.text} ${c.ok ? "✓" : "✗"}`), result: met ? "met" : "missed" };
}
const faster = (a, b, label) => (r) => {
  const [va, vb] = [a(r), b(r)];
  return { text: `${us(va)} / ${us(vb)}${label ? ` ${label}` : ""}`, ok: va != null && vb != null && va < vb };
};
const atMost = (value, limit, show) => (r) => {
  const v = value(r);
  return { text: show(v), ok: Number.isFinite(v) && v > 0 && v <= limit };
};

const targets = [];
// 1. Defaults lead.
for (const alg of ALGS) {
  targets.push(target(`defaults, Node: ${alg} faster than aws-jwt-verify (ours / theirs)`, faster((r) => median(r, "jwtgate-node", alg), (r) => median(r, "aws-jwt-verify", alg))));
  targets.push(target(`defaults, bun: ${alg} faster than aws-jwt-verify in Node (ours / theirs)`, faster((r) => median(r, "jwtgate-bun", alg), (r) => median(r, "aws-jwt-verify", alg))));
}
targets.push(target("drop-in cold start with defaults at most 1.1× the node:crypto floor", atMost((r) => div(r.cold.ours?.wall_median_ms, r.cold.floor?.wall_median_ms), 1.1, x)));
// 2. Pure WebAssembly.
const toFloor = (id, alg) => (r) => div(median(r, id, alg), median(r, "node-crypto", alg));
targets.push(target("pure wasm in Node: RS256 at most 1.6× the floor", atMost(toFloor("jwtgate-node-wasm", "RS256"), 1.6, x)));
targets.push(target("pure wasm in Node: ES256 faster than jose's ES256 (ours / jose)", faster((r) => median(r, "jwtgate-node-wasm", "ES256"), (r) => median(r, "jose-local", "ES256"))));
const edRef = reference.warm["jwtgate-node-wasm"].EdDSA / reference.warm["node-crypto"].EdDSA;
targets.push(target(`pure wasm in Node: EdDSA no slower than the reference run (${x(edRef)} the floor)`, atMost(toFloor("jwtgate-node-wasm", "EdDSA"), edRef, x)));
for (const alg of ALGS) {
  targets.push(target(`wasmtime, the module's own signatures: ${alg} within 1.25× of the native core`, atMost((r) => div(median(r, "jwtgate-wasmtime-wasm", alg), median(r, "jwtgate-native", alg)), 1.25, x)));
}
for (const alg of ALGS) {
  const instr = (r) => r.instructions?.rows?.["jwtgate-wasmtime-wasm"]?.algs?.[alg]?.ratio_to_native ?? null;
  targets.push(target(`wasmtime, the module's own signatures: ${alg} within 1.25× of the native core, in instructions (callgrind)`, atMost(instr, 1.25, x)));
}
// 3. No regressions elsewhere.
targets.push(target(".wasm under 250 KiB after wasm-opt", atMost((r) => r.sizes.wasm_bytes, 250 * 1024, kib)));
targets.push(target(`Lambda cold start no worse than the reference run (${ms(reference.cold_lambda_ms)})`, atMost((r) => r.cold.lambda?.wall_median_ms, reference.cold_lambda_ms, ms)));
targets.push(target(`Lambda RSS after 10,000 decisions no worse than the reference run (${mib(reference.rss_wasmtime_bytes)})`, atMost((r) => r.memory["jwtgate-wasmtime"]?.rss_after_bytes, reference.rss_wasmtime_bytes, mib)));
targets.push(target("p99 reported for every warm row", (r) => {
  const missing = Object.values(r.warm).flatMap((w) => Object.entries(w.algs ?? {}).filter(([, m]) => m.p99_us == null).map(([a]) => `${w.id} ${a}`));
  return { text: missing.length === 0 ? "all" : `missing: ${missing.join(", ")}`, ok: missing.length === 0 };
}));
// 4. Many issuers.
for (const alg of ALGS) {
  targets.push(target(`20 issuer profiles: ${alg} within 5% of one profile`, atMost((r) => div(median(r, "jwtgate-node-20", alg), median(r, "jwtgate-node", alg)), 1.05, x)));
}

const lines = [];
const m = runs[0].machine;
lines.push("# jwtgate benchmark results: three full runs", "");
lines.push("Generated by `make bench-three` (three full `make bench` runs in a row, then `tests/bench/combine.mjs`); do not edit by hand. Method: README.md, section \"Benchmarks\". The machine is shared and noisy: a target counts as met only when it holds in all three runs.", "");
for (const [i, r] of runs.entries()) lines.push(`- run ${i + 1}: ${r.machine.date}, load ${r.machine.loadavg_at_start.join(" ")} at start, ${Math.round(r.elapsed_s)} s`);
lines.push(`- machine: ${m.cpu}, ${m.cores} cores, ${m.memory_gib} GiB; jwtgate ${m.commit}`);
lines.push(`- runtimes: node ${m.node}, bun ${m.bun}, ${m.deno}, ${m.rustc}`);
lines.push(`- peers: ${Object.entries(m.peers).map(([k, v]) => `${k} ${v}`).join(", ")}`);
lines.push(`- reference run (the figures before the change, same machine): ${reference.note}`, "");

lines.push("## Targets", "", "| target | run 1 | run 2 | run 3 | result |", "| --- | --- | --- | --- | --- |");
for (const t of targets) lines.push(`| ${t.name} | ${t.cells.join(" | ")} | **${t.result}** |`);
lines.push("");

lines.push("## Warm decisions", "", "Median of per-round medians (× the `node:crypto` floor of the same run); p99 over all measured decisions.", "");
lines.push("| row | runtime | alg | run 1 | run 2 | run 3 | p99 (runs 1 / 2 / 3) |", "| --- | --- | --- | ---: | ---: | ---: | ---: |");
for (const [id, w] of Object.entries(runs[0].warm)) {
  for (const alg of ["RS256", "ES256", "EdDSA", "ES512"]) {
    if (!w.algs?.[alg]) continue;
    const cells = runs.map((r) => {
      const v = median(r, id, alg);
      const f = median(r, "node-crypto", alg);
      return v == null ? "–" : w.floor ? `${us(v)} (floor)` : `${us(v)} (${x(div(v, f))})`;
    });
    lines.push(`| ${w.label} | ${w.runtime_version ?? w.runtime} | ${alg} | ${cells.join(" | ")} | ${runs.map((r) => us(p99(r, id, alg))).join(" / ")} |`);
  }
}
lines.push("");

lines.push("## Cold start, compile, memory, sizes", "", "| measure | run 1 | run 2 | run 3 |", "| --- | ---: | ---: | ---: |");
for (const [id, c] of Object.entries(runs[0].cold)) {
  lines.push(`| cold start: ${c.label} | ${runs.map((r) => `${ms(r.cold[id]?.wall_median_ms)} (${x(div(r.cold[id]?.wall_median_ms, r.cold.floor?.wall_median_ms))})`).join(" | ")} |`);
}
for (const runtime of Object.keys(runs[0].compile)) lines.push(`| compile .wasm (${runtime}) | ${runs.map((r) => ms(r.compile[runtime]?.median_ms)).join(" | ")} |`);
for (const id of ["jwtgate-node", "jwtgate-bun", "jwtgate-wasmtime", "jwtgate-native"]) {
  lines.push(`| RSS after 10,000 decisions: ${runs[0].warm[id]?.label ?? id} | ${runs.map((r) => mib(r.memory[id]?.rss_after_bytes)).join(" | ")} |`);
}
lines.push(`| .wasm (raw / gzip -9) | ${runs.map((r) => `${kib(r.sizes.wasm_bytes)} / ${kib(r.sizes.wasm_gzip_bytes)}`).join(" | ")} |`);
lines.push(`| npm tarball | ${runs.map((r) => kib(r.sizes.npm_tarball_bytes)).join(" | ")} |`);
lines.push(`| hostile key set, jwtgate verifyWithKeys (Node), median | ${runs.map((r) => ms(r.hostile_jwks?.rows?.["jwtgate-node"]?.median_ms)).join(" | ")} |`);
lines.push("");
if (runs.every((r) => r.instructions)) {
  lines.push("## Instructions per decision (callgrind)", "", "Counted, not timed: the same in every run (see tests/bench/README.md).", "");
  lines.push("| row | alg | run 1 | run 2 | run 3 | × native |", "| --- | --- | ---: | ---: | ---: | ---: |");
  for (const [id, row] of Object.entries(runs[0].instructions.rows ?? {})) {
    for (const alg of Object.keys(row.algs ?? {})) {
      const cell = (r) => r.instructions.rows?.[id]?.algs?.[alg]?.per_decision;
      const ratio = runs[0].instructions.rows?.[id]?.algs?.[alg]?.ratio_to_native;
      lines.push(`| ${row.label ?? id} | ${alg} | ${runs.map((r) => (cell(r) == null ? "–" : Math.round(cell(r)).toLocaleString("en-US"))).join(" | ")} | ${id === "jwtgate-native" ? "1.00×" : x(ratio)} |`);
    }
  }
  lines.push("");
}
writeFileSync(join(HERE, "RESULTS.md"), `${lines.join("\n")}\n`);
console.log(lines.slice(0, 12 + targets.length + 4).join("\n"));
