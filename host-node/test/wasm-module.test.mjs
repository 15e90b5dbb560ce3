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
const { memory } = bindings.initSync({ module: wasmBytes });

const NOW = 1_800_000_000;
const ISSUER = "https://issuer.test/";
const rsa = makeKey("RS256", "rsa-1");
/** The keys inline: nothing to fetch. */
const config = { issuers: [ISSUER], audiences: ["api://demo"], jwks: JSON.parse(jwks(rsa)) };
/** Times cross the module in milliseconds. */
const NOW_MS = NOW * 1000;
const claims = { iss: ISSUER, aud: "api://demo", sub: "user-1", exp: NOW + 300, iat: NOW - 10, scope: "read" };
const METHOD_ARN = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/pets";
const tokenEvent = (token) =>
  Buffer.from(JSON.stringify({ type: "TOKEN", authorizationToken: `Bearer ${token}`, methodArn: METHOD_ARN }));

function authorizer(cfg = config) {
  const created = bindings.Authorizer.create(JSON.stringify(cfg));
  assert.equal(created.error, undefined);
  return created.takeAuthorizer();
}

test("wasm-bindgen: a valid RS256 token is allowed for the whole stage", () => {
  const d = JSON.parse(authorizer().authorize(tokenEvent(signToken(rsa, claims)), NOW_MS, true));
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
  const [h, , s] = good.split(".");
  const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: "admin" })).toString("base64url")}.${s}`;
  const cases = [
    [forged, "unauthorized", "bad_signature"],
    [signToken(rsa, { ...claims, exp: NOW }), "unauthorized", "token_expired"],
    // Static keys only: nothing to fetch for an unknown kid.
    [signToken(rsa, claims, { kid: "rotated" }), "unauthorized", "unknown_kid"],
    [signToken(rsa, { ...claims, aud: "other" }), "unauthorized", "audience_mismatch"],
    ["not.a.jwt", "unauthorized", "invalid_base64"],
  ];
  for (const [token, outcome, reason] of cases) {
    const d = JSON.parse(a.authorize(tokenEvent(token), NOW_MS, true));
    assert.equal(d.outcome, outcome, reason);
    assert.equal(d.reason, reason);
    assert.equal(d.response, null);
  }
});

/** Decide a TOKEN event through the input area, as the npm package does. */
function decideAt(a, authorization, arn, logFields) {
  const encoder = new TextEncoder();
  const token = encoder.encode(authorization);
  const at = a.inputArea(token.length + arn.length * 3);
  const area = new Uint8Array(memory.buffer, at, token.length + arn.length * 3);
  area.set(token);
  const arnLen = encoder.encodeInto(arn, area.subarray(token.length)).written;
  return a.authorizeTokenAt(token.length, arnLen, NOW_MS, logFields);
}

test("wasm-bindgen: without log fields the answer is the response itself, or the refusal's members", () => {
  const a = authorizer();
  const scoped = authorizer({ ...config, required_scopes: ["admin"] });
  // With a key URL too, an unknown kid asks the host to fetch.
  const fetching = authorizer({ ...config, jwks_uri: "https://issuer.test/jwks" });
  const good = signToken(rsa, claims);
  const cases = [
    [a, good, "allow"],
    [scoped, good, "deny"],
    [a, signToken(rsa, { ...claims, exp: NOW }), "unauthorized"],
    [fetching, signToken(rsa, claims, { kid: "rotated" }), "fetch_keys"],
    [a, "not.a.jwt", "unauthorized"],
  ];
  for (const [authorizer, token, outcome] of cases) {
    const whole = JSON.parse(authorizer.authorize(tokenEvent(token), NOW_MS, true));
    assert.equal(whole.outcome, outcome);
    const answer = authorizer.authorize(tokenEvent(token), NOW_MS, false);
    if (outcome === "allow" || outcome === "deny") {
      assert.notEqual(whole.response, null);
      assert.equal(answer, JSON.stringify(whole.response), token);
      assert.equal("outcome" in JSON.parse(answer), false, "a response has no outcome member");
    } else {
      assert.equal(whole.response, null);
      const pick = Object.fromEntries(["message", "outcome", "reason", "response"].map((m) => [m, whole[m]]));
      assert.equal(answer, JSON.stringify(pick), token);
    }
    assert.equal(decideAt(authorizer, `Bearer ${token}`, METHOD_ARN, false), answer, "the TOKEN fast path");
    assert.equal(decideAt(authorizer, `Bearer ${token}`, METHOD_ARN, true), JSON.stringify(whole), "the TOKEN fast path");
  }
});

test("wasm-bindgen: the TOKEN fast path refuses input that is not UTF-8 or lies beyond its area", () => {
  const a = authorizer();
  const invalid = (text) => assert.equal(JSON.parse(text).reason, "invalid_event", text);
  const at = a.inputArea(16);
  new Uint8Array(memory.buffer, at, 16).set([0x42, 0xff, 0x41]);
  invalid(a.authorizeTokenAt(3, 0, NOW_MS, false));
  invalid(a.authorizeTokenAt(4096, 4096, NOW_MS, false));
  invalid(a.authorizeTokenAt(0xffffffff, 1, NOW_MS, false));
  invalid(a.authorizeTokenAt(1, 0xffffffff, NOW_MS, false));
  // The area grows on demand and what is written there is what is decided.
  const token = signToken(rsa, claims);
  assert.equal(JSON.parse(decideAt(a, `Bearer ${token}`, METHOD_ARN, false)).principalId, "user-1");
  assert.equal(JSON.parse(decideAt(a, `Bearer ${token}${"x".repeat(100_000)}`, METHOD_ARN, false)).reason, "token_too_large");
});

test("wasm-bindgen: configuration errors are reported, not thrown", () => {
  const created = bindings.Authorizer.create(JSON.stringify({ issuers: [ISSUER], audiences: ["a"], algorithms: ["none"] }));
  assert.match(created.error, /never accepted/);
  assert.equal(created.takeAuthorizer(), undefined);
  const s = JSON.parse(bindings.settingsFromEnv(JSON.stringify({ ISSUER, AUDIENCE: "api://demo", JWKS_URI: "https://issuer.test/jwks" })));
  assert.equal(s.ok, true);
  assert.deepEqual(s.config.issuers, [{ issuer: ISSUER }]);
});

test("wasm-bindgen: an authorizer from the settings the module validated, once per Settings", () => {
  const env = JSON.stringify({ ISSUER, AUDIENCE: "api://demo", JWKS: jwks(rsa) });
  const settings = bindings.Settings.fromEnv(env);
  assert.equal(settings.document, bindings.settingsFromEnv(env), "the settings document, as settingsFromEnv's");
  assert.match(bindings.Authorizer.createFromSettings(settings, "neither").error, /signatures: `neither` is not/);
  const created = bindings.Authorizer.createFromSettings(settings, "wasm");
  assert.equal(created.error, undefined);
  const a = created.takeAuthorizer();
  const d = JSON.parse(a.authorize(tokenEvent(signToken(rsa, claims)), NOW_MS, true));
  assert.equal(d.outcome, "allow");
  assert.match(bindings.Authorizer.createFromSettings(settings, "wasm").error, /configured an authorizer already/);
  settings.free();
  a.free();
  const refused = bindings.Settings.fromEnv(JSON.stringify({ AUDIENCE: "api://demo" }));
  assert.equal(JSON.parse(refused.document).ok, false);
  assert.equal(bindings.Authorizer.createFromSettings(refused, "wasm").error, refused.document);
  refused.free();
});

/** The raw module's exports, instantiated as a non-JavaScript host would: no bindings, every
 * import a stub. */
async function rawExports() {
  const module = await WebAssembly.compile(wasmBytes);
  const imports = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    imports[imp.module] ??= {};
    imports[imp.module][imp.name] = () => {};
  }
  return (await WebAssembly.instantiate(module, imports)).exports;
}

test("C ABI: jwtgate_configure_from_settings takes the settings jwtgate_settings_from_env accepted", async () => {
  const x = await rawExports();
  const output = () => JSON.parse(Buffer.from(new Uint8Array(x.memory.buffer, x.jwtgate_output_ptr(), x.jwtgate_output_len())).toString());
  const settingsFromEnv = (env) => {
    const bytes = Buffer.from(JSON.stringify(env));
    const ptr = x.jwtgate_alloc(bytes.length);
    new Uint8Array(x.memory.buffer, ptr, bytes.length).set(bytes);
    const status = x.jwtgate_settings_from_env(ptr, bytes.length, 0, 0);
    x.jwtgate_free(ptr, bytes.length);
    return [status, output()];
  };
  const authorize = (event) => {
    const ptr = x.jwtgate_alloc(event.length);
    new Uint8Array(x.memory.buffer, ptr, event.length).set(event);
    const status = x.jwtgate_authorize(ptr, event.length, BigInt(NOW_MS));
    x.jwtgate_free(ptr, event.length);
    return [status, output()];
  };
  assert.equal(x.jwtgate_configure_from_settings(0), 2, "no settings validated yet");
  assert.match(output().error, /no settings/);
  const [status, doc] = settingsFromEnv({ ISSUER, AUDIENCE: "api://demo", JWKS: jwks(rsa) });
  assert.deepEqual([status, doc.ok], [0, true]);
  assert.equal(x.jwtgate_configure_from_settings(7), 1, "an unknown provider");
  assert.equal(x.jwtgate_configure_from_settings(0), 0);
  assert.deepEqual(output(), { ok: true });
  const [decided, d] = authorize(tokenEvent(signToken(rsa, claims)));
  assert.deepEqual([decided, d.outcome], [0, "allow"]);
  assert.equal(x.jwtgate_configure_from_settings(0), 2, "taken: validate again to configure again");
  // Refused settings leave none, and the session configured before stays.
  assert.equal(settingsFromEnv({ AUDIENCE: "api://demo" })[0], 1);
  assert.equal(x.jwtgate_configure_from_settings(0), 2);
  assert.equal(authorize(tokenEvent(signToken(rsa, claims)))[1].outcome, "allow");
});

test("C ABI: the same module decides the same through jwtgate_* exports", async () => {
  const x = await rawExports();
  const call = (fn, bytes, ...rest) => {
    const ptr = x.jwtgate_alloc(bytes.length);
    new Uint8Array(x.memory.buffer, ptr, bytes.length).set(bytes);
    const status = fn(ptr, bytes.length, ...rest);
    x.jwtgate_free(ptr, bytes.length);
    const out = new Uint8Array(x.memory.buffer, x.jwtgate_output_ptr(), x.jwtgate_output_len());
    return [status, JSON.parse(Buffer.from(out).toString())];
  };
  assert.equal(call(x.jwtgate_authorize, Buffer.from("{}"), 0n)[0], 2, "not configured yet");
  const bytes = (b) => {
    const ptr = x.jwtgate_alloc(b.length);
    new Uint8Array(x.memory.buffer, ptr, b.length).set(b);
    return [ptr, b.length];
  };
  const output = () => Buffer.from(new Uint8Array(x.memory.buffer, x.jwtgate_output_ptr(), x.jwtgate_output_len())).toString();
  // Keys from a URL: the module asks for them, the host hands back what came.
  const fetching = { issuers: [ISSUER], audiences: ["api://demo"], jwks_uri: "https://issuer.test/jwks" };
  assert.deepEqual(call(x.jwtgate_configure, Buffer.from(JSON.stringify(fetching))), [0, { ok: true }]);
  const [, first] = call(x.jwtgate_authorize, tokenEvent(signToken(rsa, claims)), BigInt(NOW_MS));
  assert.deepEqual([first.outcome, first.reason], ["fetch_keys", "jwks_unavailable"]);
  assert.equal(x.jwtgate_next_fetch(BigInt(NOW_MS)), 1);
  const request = JSON.parse(output());
  assert.deepEqual([request.kind, request.url], ["jwks", "https://issuer.test/jwks"]);
  assert.equal(x.jwtgate_next_fetch(BigInt(NOW_MS)), 0, "nothing else is due");
  const reply = bytes(Buffer.from(JSON.stringify({ id: request.id, status: 200, location: null, cache_control: "max-age=300" })));
  const body = bytes(Buffer.from(jwks(rsa)));
  assert.equal(x.jwtgate_fetched(...reply, ...body, BigInt(NOW_MS)), 0);
  assert.equal(JSON.parse(output()).msg, "keys loaded");
  const [status, d] = call(x.jwtgate_authorize, tokenEvent(signToken(rsa, claims)), BigInt(NOW_MS));
  assert.equal(status, 0);
  assert.equal(d.outcome, "allow");
  const [, e] = call(x.jwtgate_authorize, tokenEvent(signToken(rsa, { ...claims, exp: NOW - 1 })), BigInt(NOW_MS));
  assert.equal(e.reason, "token_expired");
});
