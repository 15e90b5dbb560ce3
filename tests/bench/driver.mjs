// One benchmark row in its own process, in Node, bun or Deno alike. The parent (run.mjs)
// drives it over stdin/stdout with one JSON line per message; the driver's own lines start with
// "@@bench " so whatever a library prints cannot be mistaken for them.
//
//   driver.mjs <variant module> <fixture.json> [options JSON]
//   <- @@bench {"ready":true,"runtime","algs","rss","setup_ms"}   (after setup and a sanity check)
//   -> {"op":"round","alg":"RS256","n":200}  <- {"samples":[µs, ...]}  (each decision timed)
//   -> {"op":"mem","alg":"RS256","n":10000}  <- {"rss":bytes}          (untimed decisions)
//   -> {"op":"exit"}
//
// The protocol is the whole interface: the native drivers (tests/bench/native, Rust) speak it
// too. Every decision must be an allow; the sanity check also requires a tampered
// token to be refused, so no row can be fast by being wrong.
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import process from "node:process";
import { pathToFileURL } from "node:url";

const [variantPath, fixturePath, optionsJson] = process.argv.slice(2);
const send = (msg) => process.stdout.write(`@@bench ${JSON.stringify(msg)}\n`);
const runtime = globalThis.Bun
  ? `bun ${globalThis.Bun.version}`
  : globalThis.Deno
    ? `deno ${globalThis.Deno.version.deno}`
    : `node ${process.version}`;
const rss = () => (globalThis.Deno ? globalThis.Deno.memoryUsage().rss : process.memoryUsage().rss);

async function main() {
  const t0 = performance.now();
  const fixture = JSON.parse(readFileSync(fixturePath, "utf8"));
  const variant = await import(pathToFileURL(variantPath).href);
  const algs = fixture.algs.filter((a) => variant.algs.includes(a));
  const row = await variant.setup(fixture, optionsJson ? JSON.parse(optionsJson) : {});
  const prepare = row.prepare ?? ((t) => t);
  const inputs = {};
  for (const alg of algs) inputs[alg] = fixture.tokens[alg].map(prepare);
  const decide = async (input) => {
    const r = row.decide(input);
    return typeof r?.then === "function" ? await r : r;
  };
  for (const alg of algs) {
    if ((await decide(inputs[alg][0])) !== true) throw new Error(`${alg}: a valid token was not allowed`);
    if ((await decide(prepare(fixture.tampered[alg]))) !== false) throw new Error(`${alg}: a tampered token was allowed`);
  }
  send({ ready: true, runtime, algs, rss: rss(), setup_ms: performance.now() - t0 });

  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const cmd = JSON.parse(line);
    if (cmd.op === "exit") break;
    const list = inputs[cmd.alg];
    if (!list) {
      send({ error: `algorithm ${cmd.alg} not supported by this row` });
      continue;
    }
    if (cmd.op === "round") {
      const samples = new Array(cmd.n);
      let bad = 0;
      for (let i = 0; i < cmd.n; i++) {
        const input = list[i % list.length];
        const start = performance.now();
        const r = row.decide(input);
        const ok = typeof r?.then === "function" ? await r : r;
        samples[i] = (performance.now() - start) * 1000;
        if (ok !== true) bad++;
      }
      send(bad ? { error: `${bad} of ${cmd.n} decisions were not allows` } : { samples });
    } else if (cmd.op === "mem") {
      let bad = 0;
      for (let i = 0; i < cmd.n; i++) if ((await decide(list[i % list.length])) !== true) bad++;
      send(bad ? { error: `${bad} of ${cmd.n} decisions were not allows` } : { rss: rss() });
    } else {
      send({ error: `unknown op ${cmd.op}` });
    }
  }
  await row.close?.();
  process.exit(0);
}

main().catch((e) => {
  send({ error: String(e?.stack ?? e) });
  process.exit(1);
});
