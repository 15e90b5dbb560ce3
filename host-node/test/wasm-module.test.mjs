// The one .wasm module, loaded by Node's own WebAssembly API through both of its interfaces:
// the wasm-bindgen bindings (what the npm package uses) and the plain C ABI (what wasmtime uses).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { makeKey, signToken, jwks } from "./support/tokens.mjs";

const pkg = fileURLToPath(new URL("../../wasm/pkg/", import.meta.url));
const wasmBytes = readFileSync(`${pkg}jwtgate_wasm_bg.wasm`);
const bindings = await import(`${pkg}jwtgate_wasm.js`);
bindings.initSync({ module: wasmBytes });

const NOW = 1_800_000_000;
const ISSUER = "https://issuer.test/";
const config = { issuers: [ISSUER], audiences: ["api://demo"] };
const claims = { iss: ISSUER, aud: "api://demo", sub: "user-1", exp: NOW + 300, iat: NOW - 10, scope: "read" };
const rsa = makeKey("RS256", "rsa-1");
const METHOD_ARN = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/pets";
const tokenEvent = (token) =>
  Buffer.from(JSON.stringify({ type: "TOKEN", authorizationToken: `Bearer ${token}`, methodArn: METHOD_ARN }));

function authorizer(cfg = config) {
  const created = bindings.Authorizer.create(JSON.stringify(cfg));
  assert.equal(created.error, undefined);
  const a = created.takeAuthorizer();
  const report = JSON.parse(a.setKeys(Buffer.from(jwks(rsa))));
  assert.equal(report.ok, true);
  assert.deepEqual(report.kids, ["rsa-1"]);
  return a;
}

test("wasm-bindgen: a valid RS256 token is allowed for the whole stage", () => {
  const d = JSON.parse(authorizer().authorize(tokenEvent(signToken(rsa, claims)), NOW, true));
  assert.equal(d.outcome, "allow");
  assert.equal(d.reason, null);
  assert.equal(d.response.principalId, "user-1");
  assert.deepEqual(d.response.policyDocument.Statement, [
    { Action: "execute-api:Invoke", Effect: "Allow", Resource: "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/*/*" },
  ]);
  assert.deepEqual(d.response.context, { sub: "user-1", iss: ISSUER, scope: "read" });
});

test("wasm-bindgen: tampered, expired and unknown-kid tokens are refused with their reasons", () => {
  const a = authorizer();
  const good = signToken(rsa, claims);
  const [h, p, s] = good.split(".");
  const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: "admin" })).toString("base64url")}.${s}`;
  const cases = [
    [forged, "unauthorized", "bad_signature"],
    [signToken(rsa, { ...claims, exp: NOW }), "unauthorized", "token_expired"],
    [signToken(rsa, claims, { kid: "rotated" }), "refresh_keys", "unknown_kid"],
    [signToken(rsa, { ...claims, aud: "other" }), "unauthorized", "audience_mismatch"],
    ["not.a.jwt", "unauthorized", "invalid_base64"],
  ];
  for (const [token, outcome, reason] of cases) {
    const d = JSON.parse(a.authorize(tokenEvent(token), NOW, true));
    assert.equal(d.outcome, outcome, reason);
    assert.equal(d.reason, reason);
    assert.equal(d.response, null);
  }
});

test("wasm-bindgen: without log fields the decision is the whole decision's answer members", () => {
  const a = authorizer();
  const good = signToken(rsa, claims);
  const tokens = [good, signToken(rsa, { ...claims, exp: NOW }), signToken(rsa, claims, { kid: "rotated" }), "not.a.jwt"];
  const answerMembers = ["message", "outcome", "reason", "response"];
  const encoder = new TextEncoder();
  for (const token of tokens) {
    const whole = JSON.parse(a.authorize(tokenEvent(token), NOW, true));
    assert.ok(Object.keys(whole).length > answerMembers.length);
    const pick = Object.fromEntries(answerMembers.map((m) => [m, whole[m]]));
    const answer = a.authorize(tokenEvent(token), NOW, false);
    assert.deepEqual(Object.keys(JSON.parse(answer)), answerMembers);
    assert.equal(answer, JSON.stringify(pick), token);
    const bytes = [encoder.encode(`Bearer ${token}`), encoder.encode(METHOD_ARN)];
    assert.equal(a.authorizeToken(...bytes, NOW, false), answer, "the TOKEN fast path");
    assert.equal(a.authorizeToken(...bytes, NOW, true), JSON.stringify(whole), "the TOKEN fast path");
  }
});

test("wasm-bindgen: configuration errors are reported, not thrown", () => {
  const created = bindings.Authorizer.create(JSON.stringify({ issuers: [ISSUER], audiences: ["a"], algorithms: ["none"] }));
  assert.match(created.error, /never accepted/);
  assert.equal(created.takeAuthorizer(), undefined);
  const s = JSON.parse(bindings.settingsFromEnv(JSON.stringify({ ISSUER, AUDIENCE: "api://demo", JWKS_URI: "https://issuer.test/jwks" })));
  assert.equal(s.ok, true);
  assert.deepEqual(s.config.issuers, [ISSUER]);
});

test("C ABI: the same module decides the same through jwtgate_* exports", async () => {
  // Instantiate the raw module as a non-JavaScript host would: no bindings, stub imports.
  const module = await WebAssembly.compile(wasmBytes);
  const imports = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    imports[imp.module] ??= {};
    imports[imp.module][imp.name] = () => {};
  }
  const { exports: x } = await WebAssembly.instantiate(module, imports);
  const call = (fn, bytes, ...rest) => {
    const ptr = x.jwtgate_alloc(bytes.length);
    new Uint8Array(x.memory.buffer, ptr, bytes.length).set(bytes);
    const status = fn(ptr, bytes.length, ...rest);
    x.jwtgate_free(ptr, bytes.length);
    const out = new Uint8Array(x.memory.buffer, x.jwtgate_output_ptr(), x.jwtgate_output_len());
    return [status, JSON.parse(Buffer.from(out).toString())];
  };
  assert.equal(call(x.jwtgate_authorize, Buffer.from("{}"), 0n)[0], 2, "not configured yet");
  assert.deepEqual(call(x.jwtgate_configure, Buffer.from(JSON.stringify(config))), [0, { ok: true }]);
  assert.equal(call(x.jwtgate_set_keys, Buffer.from(jwks(rsa)))[0], 0);
  const [bad] = call(x.jwtgate_set_keys, Buffer.from("{not json"));
  assert.equal(bad, 1, "a bad JWKS is refused and the previous keys stay");
  const [status, d] = call(x.jwtgate_authorize, tokenEvent(signToken(rsa, claims)), BigInt(NOW));
  assert.equal(status, 0);
  assert.equal(d.outcome, "allow");
  const [, e] = call(x.jwtgate_authorize, tokenEvent(signToken(rsa, { ...claims, exp: NOW - 1 })), BigInt(NOW));
  assert.equal(e.reason, "token_expired");
});
