// The package in Deno (npm `deno`): the edge entry point, the .wasm bytes passed in, JWKS from
// the OpenID Provider on 127.0.0.1. Deno runs with network access to that one address only.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startProvider, AUDIENCE, OTHER_AUDIENCE } from "../test/support/oidc.mjs";

const hostNode = fileURLToPath(new URL("..", import.meta.url));

let op;
before(async () => {
  op = await startProvider();
});
after(() => op?.close());

test("deno: provider tokens decided by the edge entry point", async () => {
  const good = [];
  for (const alg of ["RS256", "ES256", "EdDSA"]) good.push(await op.token(alg)); // one at a time: the alg is provider state
  const wrongAudience = await op.token("RS256", OTHER_AUDIENCE);
  const tampered = `${good[0].slice(0, -6)}AAAAAA`;
  const host = new URL(op.issuer).host;
  const args = [
    "run", "--quiet", "--no-prompt", `--allow-net=${host}`, `--allow-read=${join(hostNode, "package")}`,
    join(hostNode, "test-edge", "deno-check.mjs"),
    op.issuer, op.jwksUri, AUDIENCE, ...good, wrongAudience, tampered,
  ];
  const before = op.state.jwksRequests;
  const out = await new Promise((resolve, reject) =>
    execFile(join(hostNode, "node_modules", ".bin", "deno"), args, { timeout: 60_000, env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" } }, (e, stdout, stderr) =>
      e ? reject(new Error(`${e.message}\n${stderr}`)) : resolve(stdout),
    ),
  );
  const result = JSON.parse(out.trim().split("\n").at(-1));
  assert.match(result.runtime, /^deno /);
  assert.deepEqual(result.decisions, [
    { outcome: "allow", reason: null, principalId: "svc-client" },
    { outcome: "allow", reason: null, principalId: "svc-client" },
    { outcome: "allow", reason: null, principalId: "svc-client" },
    { outcome: "unauthorized", reason: "audience_mismatch", principalId: null },
    { outcome: "unauthorized", reason: "bad_signature", principalId: null },
  ]);
  assert.equal(result.byo, true);
  assert.equal(op.state.jwksRequests - before, 2, "one fetch by the authorizer (cached), one for verifyWithKeys");
});
