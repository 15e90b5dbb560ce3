// Fail closed on what a caller or operator hands the npm package: the clock, option values
// given as arrays, numeric options, header and claim types, keys sharing a kid.
import { test } from "node:test";
import assert from "node:assert/strict";
import { verifyWithKeys, createAuthorizer, ConfigurationError } from "../package/dist/index.js";
import { makeKey, signToken, jwks } from "./support/tokens.mjs";

const ISSUER = "https://a.example/";
const NOW = 1_800_000_000;
const key = makeKey("RS256", "k1");
const other = makeKey("RS256", "k2");
const set = jwks(key);
const claims = { iss: ISSUER, aud: "api", sub: "u", iat: NOW - 10, exp: NOW + 300 };
const config = { issuer: ISSUER, audience: "api" };

test("a bad clock is a ConfigurationError naming now, never a decision as of 1970", async () => {
  const expiredIn1970 = signToken(key, { ...claims, iat: 10, exp: 100 });
  for (const now of [Number.NaN, undefined, null, "abc", "", -1, 0, 99, 946684799, "1800000000", Infinity, -Infinity, 2 ** 53, 1e300, 10n, {}]) {
    await assert.rejects(
      verifyWithKeys(expiredIn1970, set, now, config),
      (e) => e instanceof ConfigurationError && /\bnow\b/.test(e.message),
      `now = ${String(now)}`,
    );
  }
  // Fractions are floored once: exp is exclusive.
  assert.equal((await verifyWithKeys(signToken(key, claims), set, NOW + 299.999, config)).ok, true);
  assert.equal((await verifyWithKeys(signToken(key, claims), set, NOW + 300.5, config)).reason, "token_expired");
  // An authorizer whose clock breaks refuses: a clock at 1970 is invalid_clock; a NaN clock
  // is refused too (the host's key cache, which moves into the core with the issuer
  // profiles, cannot even schedule a fetch with it).
  const event = { type: "TOKEN", authorizationToken: `Bearer ${expiredIn1970}`, methodArn: "arn:aws:execute-api:us-east-1:1:api/prod/GET/x" };
  for (const [clock, reasons] of [[() => 50_000, ["invalid_clock"]], [() => Number.NaN, ["invalid_clock", "jwks_unavailable"]]]) {
    const a = await createAuthorizer({
      ...config,
      jwksUri: "https://a.example/jwks",
      fetch: async () => new Response(set, { headers: { "content-type": "application/json" } }),
      now: clock,
      log: false,
    });
    const d = await a.decide(event);
    assert.equal(d.outcome, "unauthorized");
    assert.ok(reasons.includes(d.reason), d.reason);
  }
});

test("array options reach the core as arrays: a comma inside an element is matched literally", async () => {
  const evil = signToken(key, { ...claims, iss: "https://evil.example/" });
  const opts = { issuer: ["https://a.example/,https://evil.example/"], audience: "api" };
  assert.equal((await verifyWithKeys(evil, set, NOW, opts)).reason, "issuer_mismatch");
  const literal = signToken(key, { ...claims, iss: "https://a.example/,https://evil.example/" });
  assert.equal((await verifyWithKeys(literal, set, NOW, opts)).ok, true);

  const aud = { issuer: ISSUER, audience: ["api://pets,admin"] };
  assert.equal((await verifyWithKeys(signToken(key, { ...claims, aud: "admin" }), set, NOW, aud)).reason, "audience_mismatch");
  assert.equal((await verifyWithKeys(signToken(key, { ...claims, aud: "api://pets,admin" }), set, NOW, aud)).ok, true);
  // The same text as a plain string is the environment's comma list, as documented.
  const listed = { issuer: "https://a.example/, https://evil.example/", audience: "api" };
  assert.equal((await verifyWithKeys(evil, set, NOW, listed)).ok, true);
  // Elements that are not strings are refused, naming the setting.
  await assert.rejects(verifyWithKeys(evil, set, NOW, { issuer: [1], audience: "api" }), (e) => e instanceof ConfigurationError && /ISSUER/.test(e.message));
});

test("every numeric option through 0, negative, fractional, huge and non-numeric values", async () => {
  const t = signToken(key, claims);
  // (option, variable, whether 0 is accepted)
  const numeric = [
    ["leewaySeconds", "LEEWAY_SECONDS", true],
    ["maxTokenAgeSeconds", "MAX_TOKEN_AGE_SECONDS", false],
    ["maxTokenBytes", "MAX_TOKEN_BYTES", false],
    ["maxJwksBytes", "MAX_JWKS_BYTES", false],
    ["maxJwksKeys", "MAX_JWKS_KEYS", false],
    ["maxEventBytes", "MAX_EVENT_BYTES", false],
    ["jwksTimeoutMs", "JWKS_TIMEOUT_MS", false],
    ["jwksCacheMinSeconds", "JWKS_CACHE_MIN_SECONDS", false],
    ["jwksCacheMaxSeconds", "JWKS_CACHE_MAX_SECONDS", false],
    ["jwksRefreshCooldownSeconds", "JWKS_REFRESH_COOLDOWN_SECONDS", false],
  ];
  for (const [option, variable, zeroOk] of numeric) {
    for (const bad of [-1, 1.5, 1e21, Number.NaN, Infinity, "abc", "12a", 2 ** 64]) {
      await assert.rejects(
        verifyWithKeys(t, set, NOW, { ...config, [option]: bad }),
        (e) => e instanceof ConfigurationError && e.message.includes(variable),
        `${option} = ${bad}`,
      );
    }
    const zero = verifyWithKeys(t, set, NOW, { ...config, [option]: 0 });
    if (zeroOk) await zero;
    else await assert.rejects(zero, (e) => e instanceof ConfigurationError && e.message.includes(variable), `${option} = 0`);
  }
  // A zero age never switches the age check off: a token issued 3,000 s ago is refused with 1.
  const old = signToken(key, { ...claims, iat: NOW - 3000 });
  assert.equal((await verifyWithKeys(old, set, NOW, { ...config, maxTokenAgeSeconds: 1 })).reason, "token_too_old");
  await assert.rejects(verifyWithKeys(old, set, NOW, { ...config, maxTokenAgeSeconds: 0 }), ConfigurationError);
  await assert.rejects(verifyWithKeys(old, set, NOW, { ...config, env: { MAX_TOKEN_AGE_SECONDS: "0" } }), ConfigurationError);
});

test("sub and jti are strings; a header member of the wrong type names the member", async () => {
  for (const sub of [123, 1.5, true, null, ["u"], { u: 1 }]) {
    assert.equal((await verifyWithKeys(signToken(key, { ...claims, sub }), set, NOW, config)).reason, "invalid_claim", `sub ${JSON.stringify(sub)}`);
    assert.equal((await verifyWithKeys(signToken(key, { ...claims, jti: sub }), set, NOW, config)).reason, "invalid_claim", `jti ${JSON.stringify(sub)}`);
  }
  for (const member of ["kid", "typ", "cty"]) {
    const r = await verifyWithKeys(signToken(key, claims, { [member]: 7 }), set, NOW, config);
    assert.equal(r.reason, `invalid_header_${member}`);
    assert.match(r.message, new RegExp(`\\b${member}\\b`));
  }
});

test("keys sharing a kid: the signer is found first or second", async () => {
  const t = signToken({ ...key, kid: "dup" }, claims);
  const dup = (k) => ({ ...k.jwk, kid: "dup" });
  for (const keys of [[dup(key), dup(other)], [dup(other), dup(key)]]) {
    assert.equal((await verifyWithKeys(t, { keys }, NOW, config)).ok, true);
  }
  assert.equal((await verifyWithKeys(t, { keys: [dup(other), dup(other)] }, NOW, config)).reason, "bad_signature");
});
