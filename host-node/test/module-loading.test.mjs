// How the package makes the module usable (src/wasm-module.ts): its bytes are compiled off the
// main thread while the host loads its own parts. Each case runs in a fresh process, where the
// module is not yet loaded.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { makeKey, signToken, jwks } from "./support/tokens.mjs";
import { METHOD_ARN } from "./support/events.mjs";

const dist = fileURLToPath(new URL("../package/dist/index.js", import.meta.url));
const ISSUER = "https://a.example/";
const NOW = 1_800_000_000;
const key = makeKey("RS256", "k1");
const token = signToken(key, { iss: ISSUER, aud: "api", sub: "u", iat: NOW - 10, exp: NOW + 300 });

/** Run `body` (an ES module's text, after the shared preamble) in a fresh Node process;
 * what it prints on stdout, as JSON lines. An unhandled rejection ends the process (Node's
 * default), which the caller sees as a non-zero status. */
function inFreshProcess(body) {
  const preamble = `
    import { createAuthorizer } from ${JSON.stringify(dist)};
    const [set, token, now, methodArn] = JSON.parse(process.argv[1]);
    const options = { issuer: ${JSON.stringify(ISSUER)}, audience: "api", jwks: set, now: () => now * 1000, log: false };
    const event = { type: "TOKEN", authorizationToken: "Bearer " + token, methodArn };
    const effect = async (a) => (await a.authorize(event)).policyDocument.Statement[0].Effect;
    const say = (x) => console.log(JSON.stringify(x));
  `;
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", preamble + body, JSON.stringify([jwks(key), token, NOW, METHOD_ARN])], {
    encoding: "utf8",
    timeout: 30_000,
  });
  assert.equal(child.status, 0, `the child failed:\n${child.stderr}`);
  return child.stdout.trim().split("\n").map((l) => JSON.parse(l));
}

test("bytes that are not a module reject with the compile error, nothing is left unhandled, and the package's module then loads", () => {
  const lines = inFreshProcess(`
    // The magic number and version, then a section id with no length: a decode error.
    const notAModule = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01]);
    try {
      await createAuthorizer({ ...options, wasm: notAModule });
      say({ created: true });
    } catch (e) {
      say({ rejected: e.constructor.name });
    }
    // Give a stray rejection time to surface before the module is loaded again.
    await new Promise((r) => setTimeout(r, 50));
    say({ effect: await effect(await createAuthorizer(options)) });
  `);
  assert.deepEqual(lines, [{ rejected: "CompileError" }, { effect: "Allow" }]);
});

test("authorizers created at once share one module instance, each deciding", () => {
  const lines = inFreshProcess(`
    const made = await Promise.all([createAuthorizer(options), createAuthorizer(options), createAuthorizer({ ...options, signatures: "wasm" })]);
    say({ effects: await Promise.all(made.map(effect)) });
  `);
  assert.deepEqual(lines, [{ effects: ["Allow", "Allow", "Allow"] }]);
});

test("a compiled WebAssembly.Module is used as it is, as edge runtimes pass it", () => {
  const wasm = fileURLToPath(new URL("../package/pkg/jwtgate_wasm_bg.wasm", import.meta.url));
  const lines = inFreshProcess(`
    const { readFileSync } = await import("node:fs");
    const module = new WebAssembly.Module(readFileSync(${JSON.stringify(wasm)}));
    say({ effect: await effect(await createAuthorizer({ ...options, wasm: module })) });
  `);
  assert.deepEqual(lines, [{ effect: "Allow" }]);
});
