// The built module's SIMD code paths (16-byte blocks in the wasm build; a scalar loop for the
// rest, and on native targets, where the core's own tests run), each against a reference written
// here: base64url decoding, and finding a token's dots. They are reached through a token's
// payload, in a session whose host verifier accepts one fixed signature, and a token's claims
// come back as the decoded text itself.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { makeKey, jwks } from "./support/tokens.mjs";

const pkg = fileURLToPath(new URL("../../wasm/pkg/", import.meta.url));
const bindings = await import(`${pkg}jwtgate_wasm.js`);
bindings.initSync({ module: readFileSync(`${pkg}jwtgate_wasm_bg.wasm`) });
const { setHostVerifier } = await import(`${pkg}host-provider.js`);

const NOW = 1_800_000_000;
const ISSUER = "https://issuer.test/";
const AUDIENCE = "api://demo";
const rsa = makeKey("RS256", "rsa-1");
const b64u = (text) => Buffer.from(text).toString("base64url");
const HEADER = b64u(JSON.stringify({ alg: "RS256", kid: "rsa-1" }));
const SIGNATURE = b64u(Buffer.alloc(256, 7)); // the key's length; any value passes here

/** RFC 7515's base64url, canonical: the alphabet only, no padding, no stray trailing bits. */
const canonical = (s) =>
  /^[A-Za-z0-9_-]*$/.test(s) && s.length % 4 !== 1 && Buffer.from(s, "base64url").toString("base64url") === s;

/** A host verifier that takes the fixed test signature as valid, and is node:crypto for every
 * other: it gives the known answers the module asks for when the session is made. */
const fixed = Buffer.from(SIGNATURE, "base64url");
const { nodeCryptoVerify } = await import("../package/dist/node-crypto-verifier.js");
const testVerifier = (alg, jwk, message, signature) => Buffer.from(signature).equals(fixed) || nodeCryptoVerify(alg, jwk, message, signature);

function session() {
  setHostVerifier(testVerifier);
  const created = bindings.Authorizer.createWithHostProvider(JSON.stringify({ issuers: [ISSUER], audiences: [AUDIENCE], jwks: JSON.parse(jwks(rsa)) }));
  const a = created.takeAuthorizer();
  assert.ok(a, created.error);
  assert.equal(created.report, '{"ok":true}', "the test verifier gives the known answers");
  return a;
}

const verify = (a, payload) => JSON.parse(a.verify(`${HEADER}.${payload}.${SIGNATURE}`, NOW * 1000));

/** Claims whose base64url is `length` characters or a little more, with varied bytes. */
function claimsOfLength(length, seed) {
  const base = { iss: ISSUER, aud: AUDIENCE, sub: "u", exp: NOW + 60, x: "" };
  const room = Math.max(0, Math.floor((length * 3) / 4) - JSON.stringify(base).length);
  const chars = Array.from("aZ09-_~é€😀\"\\/<>?+");
  let x = "";
  while (Buffer.byteLength(x) < room) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    x += chars[seed % chars.length];
  }
  return JSON.stringify({ ...base, x });
}

test("payloads of every length from 60 to 900 characters decode to their exact text", () => {
  const a = session();
  const lengths = new Set();
  for (let length = 60; length <= 900; length++) {
    const claims = claimsOfLength(length, length);
    const payload = b64u(claims);
    lengths.add(payload.length % 16);
    const r = verify(a, payload);
    assert.equal(r.ok, true, `${payload.length}: ${JSON.stringify(r)}`);
    assert.equal(JSON.stringify(r.claims), JSON.stringify(JSON.parse(claims)), `${payload.length}`);
  }
  assert.equal(lengths.size, 12, "every remainder a length can leave after whole blocks");
  a.free();
});

test("any character out of place, at any position, is invalid_base64 exactly when the reference says so", () => {
  const a = session();
  const replacements = [...Array(128).keys()].map((c) => String.fromCharCode(c)).filter((c) => c !== ".");
  replacements.push("é", "\u0080", "\uffff");
  let refused = 0;
  let accepted = 0;
  for (const length of [60, 63, 64, 65, 66, 79, 80, 95, 96, 97, 127, 128, 130, 342, 343]) {
    const payload = b64u(claimsOfLength(length, 3 * length)).slice(0, length);
    for (let at = 0; at < payload.length; at++) {
      // Every character at a few positions in each block, a sample of them elsewhere.
      const every = at % 16 === 0 || at % 16 === 15 || at >= payload.length - 4;
      const chosen = every ? replacements : replacements.filter((_, i) => (i + at) % 11 === 0);
      for (const c of chosen) {
        const changed = payload.slice(0, at) + c + payload.slice(at + 1);
        const r = verify(a, changed);
        if (canonical(changed)) {
          assert.notEqual(r.reason, "invalid_base64", `${JSON.stringify(changed)} is canonical`);
          accepted++;
        } else {
          assert.equal(r.reason, "invalid_base64", `${JSON.stringify(changed)}: ${JSON.stringify(r)}`);
          refused++;
        }
      }
    }
  }
  assert.ok(refused > 10_000 && accepted > 1_000, `${refused} refused, ${accepted} accepted`);
  a.free();
});

test("a token is split at its two dots wherever they fall; any other count is malformed_token", () => {
  const a = session();
  let checked = 0;
  for (const length of [60, 61, 62, 64, 75, 76, 77, 78, 79, 80, 81, 100, 200]) {
    const payload = b64u(claimsOfLength(length, length));
    const token = `${HEADER}.${payload}.${SIGNATURE}`;
    assert.equal(JSON.parse(a.verify(token, NOW * 1000)).ok, true, token);
    // A third dot at every position, and each of the two dots taken out.
    for (let at = 0; at <= token.length; at++) {
      const extra = `${token.slice(0, at)}.${token.slice(at)}`;
      assert.equal(JSON.parse(a.verify(extra, NOW * 1000)).reason, "malformed_token", extra);
      checked++;
    }
    for (const dot of [HEADER.length, HEADER.length + 1 + payload.length]) {
      const missing = token.slice(0, dot) + token.slice(dot + 1);
      assert.equal(JSON.parse(a.verify(missing, NOW * 1000)).reason, "malformed_token", missing);
    }
  }
  assert.ok(checked > 5_000);
  a.free();
});
