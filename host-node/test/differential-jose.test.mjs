// Differential test against the npm library `jose` (jwtVerify + createLocalJWKSet): tens of
// thousands of generated and mutated tokens over every algorithm jwtgate supports, decided by
// both with the same keys, issuer, audience, algorithm allow-list and clock.
//
// Fails when jwtgate accepts a token that jose refuses (unless the disagreement is in the
// JOSE_STRICTER table below, each entry recognised precisely), when both accept but read
// different claims, and when `verifyWithKeys` throws or answers `internal_error`. The other
// direction (jose accepts, jwtgate refuses) is jwtgate's documented strictness: counted by
// reason and mutation kind and printed, never a failure.
//
// The token shapes are deterministic (a seeded PRNG per base token; keys and ECDSA/PSS
// signatures are fresh each run). DIFFERENTIAL_JOSE_REPORT=file.json writes every outcome there.
import { test } from "node:test";
import assert from "node:assert/strict";
import { sign, createHmac, constants, createPublicKey, verify as cryptoVerify } from "node:crypto";
import { jwtVerify, createLocalJWKSet } from "jose";
import { verifyWithKeys } from "../package/dist/index.js";
import { makeKey } from "./support/tokens.mjs";
import { generateKeyPair } from "../../tests/support/keypair.mjs";

const ALGS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA"];
const ISSUER = "https://issuer.test/";
const ISSUER_2 = "https://other-issuer.test";
const AUDIENCE = "api";
/** The pinned clock (Unix seconds). Chosen so that `NOW` plus a sub-ULP fraction (1e-7) is,
 * as an IEEE double, `NOW` again: the precision edge below is then real. */
const NOW = 1_800_000_000;
const SEED = 0x6a77_7467; // "jwtg"
/** Random mutations per base token (the valid base of each algorithm gets every mutation). */
const MUTATIONS_PER_BASE = 10;
const MIN_TOKENS = 20_000;

/**
 * Disagreements where jwtgate accepts and jose refuses that are not jwtgate defects. Each entry:
 * a name, why it is not a jwtgate defect, and a classifier that recognises exactly that case
 * (`c` is { alg, base, mutation, context, token, header, payload, payloadText, jose: { code,
 * claim, reason, message }, jwtgate }). An entry is added only for a disagreement seen in a
 * concrete failing example; none may hide a signature or claim acceptance bug.
 */
const JOSE_STRICTER = [
  {
    name: "exp-beyond-double-precision",
    reason:
      "jose reads NumericDate with JSON.parse, as an IEEE double: an `exp` later than now by less " +
      "than half a unit in the last place (1800000000.0000001 at now = 1800000000) becomes now, " +
      "which is expired. jwtgate compares the decimal exactly: it is after now, so not expired, " +
      "the answer both give for every fraction a double can hold (now+0.5, now+0.001).",
    // Exactly: jose says `exp` expired, yet the one `exp` in the payload text is, as a decimal,
    // after now while its nearest double is not.
    matches: (c) => {
      if (c.jose.code !== "ERR_JWT_EXPIRED" || c.jose.claim !== "exp") return false;
      const texts = [...(c.payloadText ?? "").matchAll(/"exp"\s*:\s*(-?[0-9][0-9.eE+-]*)/g)].map((m) => m[1]);
      return texts.length === 1 && compareDecimal(texts[0], NOW) > 0 && Number(texts[0]) <= NOW;
    },
  },
  {
    name: "kid-less-several-fitting-keys",
    reason:
      "a token without kid (or x5t) against a set where several keys fit its algorithm: jose refuses " +
      "(ERR_JWKS_MULTIPLE_MATCHING_KEYS); jwtgate tries each fitting key, at most four (issue 17: old " +
      "Entra ID v1 tokens, Envoy's vectors). Every key of the set is trusted, so a signature by any " +
      "of them is the issuer's; the classifier checks with node:crypto that one of them made it.",
    matches: (c) =>
      c.jose.code === "ERR_JWKS_MULTIPLE_MATCHING_KEYS" && c.header?.kid === undefined && signedByOneOf(c.token, c.header.alg, c.setText),
  },
];

/** Whether a key of the JWKS text `setText` that fits `alg` verifies `token`, by node:crypto. */
function signedByOneOf(token, alg, setText) {
  const [h, p, s] = token.split(".");
  const input = Buffer.from(`${h}.${p}`);
  const signature = Buffer.from(s, "base64url");
  const kty = { R: "RSA", P: "RSA", E: alg === "EdDSA" ? "OKP" : "EC" }[alg[0]];
  const hash = alg === "EdDSA" ? null : `sha${alg.slice(2)}`;
  return JSON.parse(setText).keys.some((jwk) => {
    if (jwk.kty !== kty || (jwk.alg !== undefined && jwk.alg !== alg)) return false;
    try {
      const key = createPublicKey({ key: jwk, format: "jwk" });
      const options = alg.startsWith("PS")
        ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(alg.slice(2)) / 8 }
        : alg.startsWith("ES")
          ? { key, dsaEncoding: "ieee-p1363" }
          : key;
      return cryptoVerify(hash, input, options, signature);
    } catch {
      return false;
    }
  });
}

/** JSON number text `text` against the integer `n`, exactly: -1, 0 or 1 (null if not a number). */
function compareDecimal(text, n) {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) return null;
  const fraction = m[3] ?? "";
  const exponent = Number(m[4] ?? 0) - fraction.length;
  if (Math.abs(exponent) > 1000) return null;
  let lhs = BigInt(m[2] + fraction) * (m[1] ? -1n : 1n);
  let rhs = BigInt(n);
  if (exponent >= 0) lhs *= 10n ** BigInt(exponent);
  else rhs *= 10n ** BigInt(-exponent);
  return lhs > rhs ? 1 : lhs < rhs ? -1 : 0;
}

// ---------------------------------------------------------------------------------------------
// Deterministic randomness (mulberry32): positions, characters and which mutations to apply.

function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (list) => list[Math.floor(next() * list.length)],
  };
}
/** A generator of its own for each base token, so adding a variant changes no other's draws. */
function prngFor(name) {
  let h = 0x811c9dc5; // FNV-1a
  for (const ch of name) h = Math.imul(h ^ ch.codePointAt(0), 0x01000193);
  return prng(SEED ^ h);
}

// ---------------------------------------------------------------------------------------------
// Keys and key sets.

const B64U = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const b64u = (bytes) => Buffer.from(bytes).toString("base64url");
const HASH = { 256: "sha256", 384: "sha384", 512: "sha512" };

function rsaKey(bits, kid) {
  const { privateKey, publicKey } = generateKeyPair("rsa", { modulusLength: bits });
  return { kind: "RSA", kid, privateKey, publicKey, jwk: { ...publicKey.export({ format: "jwk" }), kid, use: "sig" } };
}
function keyOf(alg, kid, kind) {
  const k = makeKey(alg, kid);
  return { kind, kid, privateKey: k.privateKey, publicKey: k.publicKey, jwk: k.jwk };
}

const KEYS = {
  rsa2048: rsaKey(2048, "rsa-2048"),
  rsa3072: rsaKey(3072, "rsa-3072"),
  p256a: keyOf("ES256", "p256-a", "P-256"),
  p256b: keyOf("ES256", "p256-b", "P-256"),
  p384a: keyOf("ES384", "p384-a", "P-384"),
  p384b: keyOf("ES384", "p384-b", "P-384"),
  edA: keyOf("EdDSA", "ed-a", "Ed25519"),
  edB: keyOf("EdDSA", "ed-b", "Ed25519"),
};
// Keys no set holds: an attacker's, for embedded `jwk` headers and foreign signatures.
const ATTACKER = {
  RSA: rsaKey(2048, "attacker-rsa"),
  "P-256": keyOf("ES256", "attacker-p256", "P-256"),
  "P-384": keyOf("ES384", "attacker-p384", "P-384"),
  Ed25519: keyOf("EdDSA", "attacker-ed", "Ed25519"),
};

/** The key that signs `alg`'s tokens, and another key of the same kind in the main set. */
const SIGNER = {
  RS256: ["rsa2048", "rsa3072"],
  RS384: ["rsa3072", "rsa2048"],
  RS512: ["rsa2048", "rsa3072"],
  PS256: ["rsa3072", "rsa2048"],
  PS384: ["rsa2048", "rsa3072"],
  PS512: ["rsa3072", "rsa2048"],
  ES256: ["p256a", "p256b"],
  ES384: ["p384a", "p384b"],
  EdDSA: ["edA", "edB"],
};
const KIND = { RS: "RSA", PS: "RSA", ES256: "P-256", ES384: "P-384", EdDSA: "Ed25519" };
const kindOf = (alg) => KIND[alg] ?? KIND[alg.slice(0, 2)];
/** One key of each other kind (first of its pair), for the per-algorithm sets. */
const FIRST_OF_KIND = { RSA: "rsa2048", "P-256": "p256a", "P-384": "p384a", Ed25519: "edA" };

/** A key set: the JWKS text (for jwtgate) and jose's local set over the same document. */
function keySet(name, jwks) {
  const text = JSON.stringify({ keys: jwks });
  return { name, text, jose: createLocalJWKSet(JSON.parse(text)) };
}

// main: every key (two of each kind: kid selection matters, a kid-less token matches two keys).
const MAIN = keySet("main", Object.values(KEYS).map((k) => k.jwk));
const perAlgSets = new Map();
/** Sets built around `alg`'s signing key: `solo` (one key per kind, with kids), `nokid` (the
 * same without kids) and `bound` (every key with its `alg`, the other RSA key bound to another
 * RSA algorithm, so only `alg`'s signer fits a kid-less token). */
function setsFor(alg) {
  if (perAlgSets.has(alg)) return perAlgSets.get(alg);
  const [signer, other] = SIGNER[alg];
  const kind = kindOf(alg);
  const names = Object.entries(FIRST_OF_KIND).map(([k, n]) => (k === kind ? signer : n));
  const boundAlg = { "P-256": "ES256", "P-384": "ES384", Ed25519: "EdDSA" };
  const otherRsaAlg = alg === "RS256" ? "PS256" : "RS256";
  const sets = {
    solo: keySet(`solo(${alg})`, names.map((n) => KEYS[n].jwk)),
    nokid: keySet(`nokid(${alg})`, names.map((n) => {
      const { kid: _, ...jwk } = KEYS[n].jwk;
      return jwk;
    })),
    bound: keySet(`bound(${alg})`, [
      ...names.map((n) => ({ ...KEYS[n].jwk, alg: KEYS[n].kind === "RSA" ? alg : boundAlg[KEYS[n].kind] })),
      ...(kind === "RSA" ? [{ ...KEYS[other].jwk, alg: otherRsaAlg }] : []),
    ]),
  };
  perAlgSets.set(alg, sets);
  return sets;
}

// ---------------------------------------------------------------------------------------------
// Configurations: each is the same decision rule for both libraries.

function config(name, { issuer = ISSUER, audience = AUDIENCE, algorithms = ALGS } = {}) {
  return {
    name,
    jwtgate: { issuer, audience, algorithms },
    jose: {
      issuer,
      audience,
      algorithms,
      currentDate: new Date(NOW * 1000),
      clockTolerance: 0,
      requiredClaims: ["exp"],
    },
  };
}
const FULL = config("all-algs");
const MULTI = config("two-iss-two-aud", { issuer: [ISSUER, ISSUER_2], audience: [AUDIENCE, "api-2"] });
const narrowConfigs = new Map();
const narrow = (alg) => {
  if (!narrowConfigs.has(alg)) narrowConfigs.set(alg, config(`only-${alg}`, { algorithms: [alg] }));
  return narrowConfigs.get(alg);
};

// ---------------------------------------------------------------------------------------------
// Signing (node:crypto, once per base token) and raw JSON text.

function signBytes(key, alg, input) {
  const data = Buffer.from(input);
  if (alg === "HS256") {
    // The classic confusion: the verifier's public key used as an HMAC secret.
    return createHmac("sha256", key.publicKey.export({ format: "pem", type: "spki" })).update(data).digest();
  }
  const bits = alg.slice(2);
  if (alg.startsWith("RS")) return sign(HASH[bits], data, key.privateKey);
  if (alg.startsWith("PS")) {
    return sign(HASH[bits], data, { key: key.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(bits) / 8 });
  }
  if (alg.startsWith("ES")) return sign(HASH[bits], data, { key: key.privateKey, dsaEncoding: "ieee-p1363" });
  return sign(null, data, key.privateKey);
}

const J = JSON.stringify;
const DROP = Symbol("drop");
/** `base` with `patch` applied (`DROP` removes a member), as JSON text. */
function patched(base, patch) {
  const out = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === DROP) delete out[k];
    else out[k] = v;
  }
  return J(out);
}
/** `base` with member `name` written as raw JSON text `raw` (numbers JSON.stringify can't write). */
function rawMember(base, name, raw) {
  return patched(base, { [name]: "\u0000RAW\u0000" }).replace(J("\u0000RAW\u0000"), raw);
}
/** `base` with `extra` JSON text spliced in before its closing brace (hand-written duplicates). */
const spliced = (base, extra) => J(base).replace(/}$/, `,${extra}}`);

const CLAIMS = {
  iss: ISSUER,
  aud: AUDIENCE,
  sub: "user-1",
  iat: NOW - 30,
  nbf: NOW - 30,
  exp: NOW + 600,
  jti: "jti-1",
  scope: "read write",
};

/** Claim variants: [name, payload text or bytes]. */
function claimVariants() {
  const v = [];
  const add = (name, text) => v.push([`claims:${name}`, text]);
  const c = (patch) => patched(CLAIMS, patch);
  add("valid", J(CLAIMS));
  // exp at and around now, fractions, extremes, wrong types, missing.
  for (const d of [-1, 0, 1, -0.5, 0.5, 0.001, -0.001, 59.75, 1e6]) add(`exp=now${d < 0 ? "" : "+"}${d}`, c({ exp: NOW + d }));
  add("exp=now+1e-7(sub-ulp)", rawMember(CLAIMS, "exp", `${NOW}.0000001`));
  add("exp=now-1e-7(sub-ulp)", rawMember(CLAIMS, "exp", `${NOW - 1}.9999999`));
  add("exp=now+600.0", rawMember(CLAIMS, "exp", `${NOW + 600}.0`));
  add("exp=exponent-form", rawMember(CLAIMS, "exp", "18000006e2"));
  add("exp=exponent-form-fraction", rawMember(CLAIMS, "exp", "1.8000006E+9"));
  add("exp=exponent-form-now", rawMember(CLAIMS, "exp", "1.8e9"));
  add("exp=1e400", rawMember(CLAIMS, "exp", "1e400"));
  add("exp=-1e400", rawMember(CLAIMS, "exp", "-1e400"));
  add("exp=1e-400", rawMember(CLAIMS, "exp", "1e-400"));
  add("exp=1e19", rawMember(CLAIMS, "exp", "10000000000000000000"));
  add("exp=2^63", rawMember(CLAIMS, "exp", "9223372036854775808"));
  add("exp=-0", rawMember(CLAIMS, "exp", "-0"));
  add("exp=0", c({ exp: 0 }));
  add("exp=-1", c({ exp: -1 }));
  add("exp=string", c({ exp: String(NOW + 600) }));
  add("exp=null", c({ exp: null }));
  add("exp=true", c({ exp: true }));
  add("exp=array", c({ exp: [NOW + 600] }));
  add("exp=missing", c({ exp: DROP }));
  add("exp=missing-nbf-iat-missing", c({ exp: DROP, nbf: DROP, iat: DROP }));
  // nbf
  for (const d of [-1, 0, 1, -0.5, 0.5, 0.001, -0.001]) add(`nbf=now${d < 0 ? "" : "+"}${d}`, c({ nbf: NOW + d }));
  add("nbf=now+1e-7(sub-ulp)", rawMember(CLAIMS, "nbf", `${NOW}.0000001`));
  add("nbf=now-1e-7(sub-ulp)", rawMember(CLAIMS, "nbf", `${NOW - 1}.9999999`));
  add("nbf=1e400", rawMember(CLAIMS, "nbf", "1e400"));
  add("nbf=-1e400", rawMember(CLAIMS, "nbf", "-1e400"));
  add("nbf=string", c({ nbf: String(NOW - 30) }));
  add("nbf=null", c({ nbf: null }));
  add("nbf=missing", c({ nbf: DROP }));
  // iat
  for (const d of [-1, 0, 1, -0.5, 0.5, 3600]) add(`iat=now${d < 0 ? "" : "+"}${d}`, c({ iat: NOW + d }));
  add("iat=now+1e-7(sub-ulp)", rawMember(CLAIMS, "iat", `${NOW}.0000001`));
  add("iat=string", c({ iat: String(NOW - 30) }));
  add("iat=null", c({ iat: null }));
  add("iat=missing", c({ iat: DROP }));
  // aud
  add("aud=array", c({ aud: [AUDIENCE] }));
  add("aud=array-second", c({ aud: ["other", AUDIENCE] }));
  add("aud=array-other", c({ aud: ["other"] }));
  add("aud=other", c({ aud: "other" }));
  add("aud=api-2", c({ aud: "api-2" }));
  add("aud=empty-array", c({ aud: [] }));
  add("aud=missing", c({ aud: DROP }));
  add("aud=case", c({ aud: "API" }));
  add("aud=space", c({ aud: `${AUDIENCE} ` }));
  add("aud=array-with-number", c({ aud: [AUDIENCE, 5] }));
  add("aud=array-nested", c({ aud: [[AUDIENCE]] }));
  add("aud=number", c({ aud: 5 }));
  add("aud=null", c({ aud: null }));
  add("aud=object", c({ aud: { aud: AUDIENCE } }));
  // iss
  add("iss=missing", c({ iss: DROP }));
  add("iss=no-trailing-slash", c({ iss: ISSUER.slice(0, -1) }));
  add("iss=double-slash", c({ iss: `${ISSUER}/` }));
  add("iss=case", c({ iss: ISSUER.toUpperCase() }));
  add("iss=space", c({ iss: `${ISSUER} ` }));
  add("iss=second-issuer", c({ iss: ISSUER_2 }));
  add("iss=second-issuer-with-slash", c({ iss: `${ISSUER_2}/` }));
  add("iss=number", c({ iss: 5 }));
  add("iss=array", c({ iss: [ISSUER] }));
  add("iss=null", c({ iss: null }));
  add("iss=empty", c({ iss: "" }));
  // sub, jti and other claims jwtgate reads
  add("sub=missing", c({ sub: DROP }));
  add("sub=number", c({ sub: 123 }));
  add("sub=fraction", c({ sub: 1.5 }));
  add("sub=empty", c({ sub: "" }));
  add("sub=null", c({ sub: null }));
  add("sub=object", c({ sub: { id: 1 } }));
  add("sub=bool", c({ sub: true }));
  add("sub=nul-escape", c({ sub: "a\u0000b" }));
  add("jti=number", c({ jti: 123 }));
  add("jti=null", c({ jti: null }));
  add("jti=object", c({ jti: { id: 1 } }));
  add("jti=missing", c({ jti: DROP }));
  add("scope=number", c({ scope: 5 }));
  add("scope=array", c({ scope: ["read"] }));
  add("scp=array", c({ scope: DROP, scp: ["read", "write"] }));
  add("scp=array-with-number", c({ scope: DROP, scp: ["read", 1] }));
  add("client_id=number", c({ client_id: 5 }));
  add("claims=minimal", J({ iss: ISSUER, aud: AUDIENCE, exp: NOW + 600 }));
  add("claims=proto-member", spliced(CLAIMS, `"__proto__":{"exp":1}`));
  add("claims=unicode", c({ name: "Zoë 🚀 \u2028" }));
  add("claims=nested-depth-100", spliced(CLAIMS, `"deep":${"[".repeat(100)}${"]".repeat(100)}`));
  add("claims=nested-depth-200", spliced(CLAIMS, `"deep":${"[".repeat(200)}${"]".repeat(200)}`));
  add("claims=large", c({ blob: "x".repeat(13_000) }));
  // JSON syntax, written by hand.
  const valid = J(CLAIMS);
  add("json=bom", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(valid)]));
  add("json=outer-whitespace", ` \n${valid}\t\r\n`);
  add("json=trailing-garbage", `${valid}x`);
  add("json=two-objects", `${valid}{}`);
  add("json=trailing-comma", valid.replace(/}$/, ",}"));
  add("json=leading-zero", rawMember(CLAIMS, "exp", `0${NOW + 600}`));
  add("json=plus-sign", rawMember(CLAIMS, "exp", `+${NOW + 600}`));
  add("json=trailing-point", rawMember(CLAIMS, "exp", `${NOW + 600}.`));
  add("json=leading-point", rawMember(CLAIMS, "nbf", ".5"));
  add("json=NaN", rawMember(CLAIMS, "nbf", "NaN"));
  add("json=Infinity", rawMember(CLAIMS, "exp", "Infinity"));
  add("json=hex", rawMember(CLAIMS, "exp", "0x6B49D658"));
  add("json=single-quotes", valid.replace(`"sub":"user-1"`, `'sub':'user-1'`));
  add("json=comment", valid.replace(/^{/, "{/*c*/"));
  add("json=upper-literal", spliced(CLAIMS, `"flag":TRUE`));
  add("json=dup-exp-last-valid", valid.replace(/^{/, `{"exp":${NOW - 100},`));
  add("json=dup-exp-last-expired", spliced(CLAIMS, `"exp":${NOW - 100}`));
  add("json=dup-iss", spliced(CLAIMS, `"iss":"https://evil.test/"`));
  add("json=dup-aud-same", spliced(CLAIMS, `"aud":"${AUDIENCE}"`));
  add("json=dup-escaped-name", spliced(CLAIMS, `"\\u0065xp":${NOW + 600}`));
  add("json=dup-nested", spliced(CLAIMS, `"x":{"a":1,"a":2}`));
  add("json=raw-tab-in-string", valid.replace("user-1", "user\t1"));
  add("json=raw-newline-in-string", valid.replace("user-1", "user\n1"));
  add("json=lone-surrogate-escape", valid.replace("user-1", "user\\ud8001"));
  add("json=bad-escape", valid.replace("user-1", "user\\x41"));
  const bytes = (s, insert) => Buffer.concat([Buffer.from(s.slice(0, s.indexOf("user-1"))), Buffer.from(insert), Buffer.from(s.slice(s.indexOf("user-1")))]);
  add("json=invalid-utf8", bytes(valid, [0xff]));
  add("json=overlong-utf8", bytes(valid, [0xc0, 0xaf]));
  add("json=utf8-surrogate", bytes(valid, [0xed, 0xa0, 0x80]));
  add("json=truncated-utf8", bytes(valid, [0xe2, 0x82]));
  add("json=array", `[${valid}]`);
  add("json=null", "null");
  add("json=string", J(valid));
  add("json=number", "5");
  add("json=empty-object", "{}");
  add("json=empty", "");
  add("json=unclosed", valid.slice(0, -1));
  return v;
}

/** Header variants for `alg`: [name, header text, signing key, algorithm the signature uses, contexts]. */
function headerVariants(alg, keys) {
  const { signer, other, ctx } = keys;
  const kid = signer.kid;
  const H = { alg, typ: "JWT", kid };
  const v = [];
  const add = (name, text, opts = {}) =>
    v.push([`header:${name}`, text, opts.key ?? signer, opts.signAlg ?? alg, opts.contexts ?? [ctx.main]]);
  const h = (patch) => patched(H, patch);
  const allSets = [ctx.main, ctx.solo, ctx.nokid, ctx.bound];
  add("kid=absent", h({ kid: DROP }), { contexts: allSets });
  add("kid=absent-typ-absent", h({ kid: DROP, typ: DROP }), { contexts: allSets });
  add("kid=unknown", h({ kid: "nope" }), { contexts: allSets });
  add("kid=other-key-same-kind", h({ kid: other.kid }), { contexts: allSets });
  add("kid=key-of-other-kind", h({ kid: kindOf(alg) === "Ed25519" ? "p256-a" : "ed-a" }), { contexts: allSets });
  add("kid=number", h({ kid: 5 }), { contexts: allSets });
  add("kid=null", h({ kid: null }), { contexts: allSets });
  add("kid=object", h({ kid: { kid } }), { contexts: allSets });
  add("kid=empty", h({ kid: "" }), { contexts: allSets });
  add("kid=case", h({ kid: kid.toUpperCase() }), { contexts: allSets });
  add("kid=other-key-signs", h({ kid: other.kid }), { key: other, contexts: allSets });
  add("kid=absent-other-key-signs", h({ kid: DROP }), { key: other, contexts: allSets });
  // alg swapped: the header names another algorithm, the signature is still `alg`'s.
  for (const swapped of ALGS.filter((a) => a !== alg)) {
    add(`alg=swapped-to-${swapped}`, h({ alg: swapped }), { contexts: [ctx.main, ctx.narrowMain] });
  }
  for (const name of ["none", "HS256", "Ed25519", "ES512", alg.toLowerCase(), `${alg} `]) {
    add(`alg=${name === `${alg} ` ? "trailing-space" : name === alg.toLowerCase() ? "lower-case" : name}`, h({ alg: name }), {
      contexts: [ctx.main, ctx.narrowMain],
    });
  }
  add("alg=HS256-public-key-as-secret", h({ alg: "HS256" }), { signAlg: "HS256", contexts: [ctx.main, ctx.narrowMain] });
  add("alg=missing", h({ alg: DROP }));
  add("alg=number", h({ alg: 256 }));
  add("alg=null", h({ alg: null }));
  add("alg=array", h({ alg: [alg] }));
  // crit and b64 (RFC 7515 4.1.11, RFC 7797).
  add("crit=exp", h({ crit: ["exp"], exp: NOW + 600 }));
  add("crit=b64-true", h({ crit: ["b64"], b64: true }));
  add("crit=b64-false", h({ crit: ["b64"], b64: false }));
  add("crit=empty", h({ crit: [] }));
  add("crit=string", h({ crit: "b64", b64: true }));
  add("crit=kid", h({ crit: ["kid"] }));
  add("b64=false-no-crit", h({ b64: false }));
  add("b64=true-no-crit", h({ b64: true }));
  add("b64=string", h({ b64: "false" }));
  // Key-bearing members: never a source of keys.
  add("jku", h({ jku: "https://evil.test/jwks.json" }));
  add("x5u", h({ x5u: "https://evil.test/cert.pem" }));
  add("x5c", h({ x5c: ["MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"] }));
  add("x5t", h({ "x5t#S256": "bm90LWEtdGh1bWJwcmludA" }));
  add("jwk=own-public-key", h({ jwk: signer.jwk }));
  const attacker = ATTACKER[kindOf(alg)];
  add("jwk=attacker-signs-own-kid", h({ kid: attacker.kid, jwk: attacker.jwk }), { key: attacker, contexts: allSets });
  add("jwk=attacker-signs-victim-kid", h({ jwk: attacker.jwk }), { key: attacker, contexts: allSets });
  add("jwk=attacker-signs-no-kid", h({ kid: DROP, jwk: attacker.jwk }), { key: attacker, contexts: allSets });
  add("jku=attacker-signs", h({ kid: attacker.kid, jku: "https://evil.test/jwks.json" }), { key: attacker, contexts: allSets });
  // typ and other members.
  for (const typ of ["at+jwt", "application/at+jwt", "JOSE", "", "jwt"]) add(`typ=${typ || "empty"}`, h({ typ }));
  add("typ=absent", h({ typ: DROP }));
  add("typ=number", h({ typ: 5 }));
  add("typ=null", h({ typ: null }));
  add("cty=JWT", h({ cty: "JWT" }));
  add("member=unknown", h({ foo: "bar" }));
  add("member=proto", spliced(H, `"__proto__":{"alg":"none"}`));
  // Duplicate member names, written by hand.
  add("dup=alg-same", spliced(H, `${J("alg")}:${J(alg)}`));
  add("dup=alg-HS256-first", `{"alg":"HS256",${J(H).slice(1)}`);
  add("dup=alg-none-last", spliced(H, `"alg":"none"`));
  add("dup=kid-unknown-first", `{"kid":"nope",${J(H).slice(1)}`);
  add("dup=kid-other-last", spliced(H, `"kid":${J(other.kid)}`));
  add("dup=typ", spliced(H, `"typ":"JWT"`));
  add("dup=crit", spliced(H, `"crit":["exp"]`).replace(/^{/, `{"crit":["b64"],"b64":true,`));
  add("dup=escaped-alg", spliced(H, `"\\u0061lg":${J(alg)}`));
  // Header JSON text.
  add("json=bom", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(J(H))]));
  add("json=whitespace", ` ${J(H).replace(/,/g, " ,\n")} `);
  add("json=trailing-comma", J(H).replace(/}$/, ",}"));
  add("json=array", `[${J(H)}]`);
  add("json=empty-object", "{}");
  add("json=invalid-utf8-in-kid", Buffer.concat([Buffer.from(J(H).replace(/}$/, `,"x":"`)), Buffer.from([0xff]), Buffer.from(`"}`)]));
  return v;
}

// ---------------------------------------------------------------------------------------------
// Mutations of a compact token. Each returns the mutated token, or null when it does not apply.

const P256_N = BigInt("0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
const P384_N = BigInt("0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973");
const ED_L = 2n ** 252n + 27742317777372353535851937790883648493n;
const toBig = (bytes) => BigInt(`0x${Buffer.from(bytes).toString("hex") || "0"}`);
const fromBig = (n, len) => {
  const hex = n.toString(16).padStart(len * 2, "0");
  return hex.length > len * 2 ? null : Buffer.from(hex, "hex");
};
const SEGMENTS = ["header", "payload", "sig"];
const splitToken = (t) => t.split(".");
const withSegment = (parts, i, s) => parts.map((p, j) => (j === i ? s : p)).join(".");

function segmentMutations(i) {
  const seg = SEGMENTS[i];
  const m = (name, fn) => [`${seg}:${name}`, (t, rng) => {
    const parts = splitToken(t);
    const s = fn(parts[i], rng);
    return s === null ? null : withSegment(parts, i, s);
  }];
  return [
    m("flip-bit", (s, rng) => {
      const bytes = Buffer.from(s, "base64url");
      if (bytes.length === 0) return null;
      bytes[rng.int(bytes.length)] ^= 1 << rng.int(8);
      return b64u(bytes);
    }),
    m("replace-char", (s, rng) => {
      if (!s) return null;
      const at = rng.int(s.length);
      const c = B64U[(B64U.indexOf(s[at]) + 1 + rng.int(B64U.length - 1)) % B64U.length];
      return s.slice(0, at) + c + s.slice(at + 1);
    }),
    m("non-alphabet-char", (s, rng) => {
      if (!s) return null;
      const at = rng.int(s.length);
      return s.slice(0, at) + rng.pick(["+", "/", "*", "%", "é", "\u0000", "~"]) + s.slice(at + 1);
    }),
    m("standard-alphabet", (s) => (/[-_]/.test(s) ? s.replace(/-/g, "+").replace(/_/g, "/") : null)),
    m("pad=", (s) => (s.length % 4 === 2 ? `${s}==` : s.length % 4 === 3 ? `${s}=` : null)),
    m("pad-wrong=", (s) => `${s}${s.length % 4 === 2 ? "=" : s.length % 4 === 3 ? "==" : "="}`),
    m("whitespace", (s, rng) => {
      const at = rng.int(s.length + 1);
      return s.slice(0, at) + rng.pick([" ", "\n", "\t", "\r", "\r\n", "\f"]) + s.slice(at);
    }),
    m("non-canonical-tail", (s, rng) => {
      const tail = s.length % 4;
      if (tail !== 2 && tail !== 3) return null;
      const last = B64U.indexOf(s[s.length - 1]);
      const spare = tail === 2 ? 0xf : 0x3; // bits the last character carries beyond the bytes
      const bits = 1 + rng.int(spare);
      return s.slice(0, -1) + B64U[(last & ~spare) | bits];
    }),
    m("delete-char", (s, rng) => {
      if (!s) return null;
      const at = rng.int(s.length);
      return s.slice(0, at) + s.slice(at + 1);
    }),
    m("duplicate-char", (s, rng) => {
      if (!s) return null;
      const at = rng.int(s.length);
      return s.slice(0, at + 1) + s.slice(at);
    }),
    m("empty", (s) => (s ? "" : null)),
  ];
}

const STRUCTURE_MUTATIONS = [
  ["token:trailing-dot", (t) => `${t}.`],
  ["token:leading-dot", (t) => `.${t}`],
  ["token:double-dot", (t) => t.replace(".", "..")],
  ["token:missing-first-dot", (t) => t.replace(".", "")],
  ["token:missing-second-dot", (t) => t.replace(/\.(?=[^.]*$)/, "")],
  ["token:five-segments", (t) => `${t}.${splitToken(t)[2]}.${splitToken(t)[2]}`],
  ["token:two-segments", (t) => splitToken(t).slice(0, 2).join(".")],
  ["token:leading-space", (t) => ` ${t}`],
  ["token:trailing-space", (t) => `${t} `],
  ["token:trailing-newline", (t) => `${t}\n`],
  ["token:bearer-prefix", (t) => `Bearer ${t}`],
  ["token:swap-header-payload", (t) => {
    const [h, p, s] = splitToken(t);
    return `${p}.${h}.${s}`;
  }],
];

/** Signature mutations; `info` is { alg, key, otherSig, foreignSig }. */
function signatureMutations(info) {
  const m = (name, fn) => [`sig:${name}`, (t, rng) => {
    const parts = splitToken(t);
    const sig = Buffer.from(parts[2], "base64url");
    const out = fn(sig, rng, parts);
    return out === null ? null : withSegment(parts, 2, typeof out === "string" ? out : b64u(out));
  }];
  const list = [
    m("truncate-1", (s) => s.subarray(0, s.length - 1)),
    m("truncate-first-1", (s) => s.subarray(1)),
    m("truncate-half", (s) => s.subarray(0, s.length >> 1)),
    m("extend-zero", (s) => Buffer.concat([s, Buffer.from([0])])),
    m("extend-leading-zero", (s) => Buffer.concat([Buffer.from([0]), s])),
    m("extend-random", (s, rng) => Buffer.concat([s, Buffer.from([rng.int(256)])])),
    m("doubled", (s) => Buffer.concat([s, s])),
    m("zeroed", (s) => Buffer.alloc(s.length)),
    m("all-ff", (s) => Buffer.alloc(s.length, 0xff)),
    m("empty", () => ""),
    m("single-byte", () => Buffer.from([0])),
    m("other-key-of-set", () => info.otherSig),
    m("other-token-same-key", () => info.foreignSig),
  ];
  if (info.alg.startsWith("ES")) {
    const n = info.alg === "ES256" ? P256_N : P384_N;
    const half = (s) => [s.subarray(0, s.length / 2), s.subarray(s.length / 2)];
    const len = info.alg === "ES256" ? 32 : 48;
    list.push(
      m("ecdsa-swap-r-s", (s) => Buffer.concat(half(s).reverse())),
      m("ecdsa-high-s", (s) => {
        const [r, sv] = half(s);
        return Buffer.concat([r, fromBig(n - toBig(sv), len)]);
      }),
      m("ecdsa-r-zero", (s) => Buffer.concat([Buffer.alloc(len), half(s)[1]])),
      m("ecdsa-s-zero", (s) => Buffer.concat([half(s)[0], Buffer.alloc(len)])),
      m("ecdsa-r-plus-n", (s) => {
        const [r, sv] = half(s);
        const big = fromBig(toBig(r) + n, len);
        return big === null ? null : Buffer.concat([big, sv]);
      }),
      m("ecdsa-der", (s) => {
        // The signature in ASN.1 DER (what JWS must not use).
        const int = (b) => {
          let x = Buffer.from(b);
          while (x.length > 1 && x[0] === 0 && x[1] < 0x80) x = x.subarray(1);
          if (x[0] >= 0x80) x = Buffer.concat([Buffer.from([0]), x]);
          return Buffer.concat([Buffer.from([2, x.length]), x]);
        };
        const body = Buffer.concat(half(s).map(int));
        return Buffer.concat([Buffer.from(body.length < 128 ? [0x30, body.length] : [0x30, 0x81, body.length]), body]);
      }),
    );
  } else if (info.alg === "EdDSA") {
    list.push(
      m("ed25519-s-plus-l", (s) => {
        const S = toBig(Buffer.from(s.subarray(32)).reverse()) + ED_L;
        const le = fromBig(S, 32);
        return le === null ? null : Buffer.concat([s.subarray(0, 32), le.reverse()]);
      }),
      m("ed25519-s-zero", (s) => Buffer.concat([s.subarray(0, 32), Buffer.alloc(32)])),
      m("ed25519-r-zero", (s) => Buffer.concat([Buffer.alloc(32), s.subarray(32)])),
    );
  } else {
    const n = toBig(Buffer.from(info.key.jwk.n, "base64url"));
    list.push(
      m("rsa-s-plus-n", (s) => fromBig(toBig(s) + n, s.length)),
      m("rsa-s-equals-n", (s) => fromBig(n, s.length)),
      m("rsa-s-one", (s) => fromBig(1n, s.length)),
    );
  }
  return list;
}

// ---------------------------------------------------------------------------------------------
// Deciding a token with both libraries.

async function decideJwtgate(token, ctx) {
  try {
    const r = await verifyWithKeys(token, ctx.set.text, NOW, ctx.config.jwtgate);
    return r.ok ? { ok: true, header: r.header, claims: r.claims } : { ok: false, reason: r.reason, message: r.message };
  } catch (error) {
    return { ok: false, threw: true, reason: "threw", message: String(error?.stack ?? error) };
  }
}

async function decideJose(token, ctx) {
  try {
    const r = await jwtVerify(token, ctx.set.jose, ctx.config.jose);
    return { ok: true, payload: r.payload, protectedHeader: r.protectedHeader };
  } catch (error) {
    return { ok: false, code: error?.code ?? error?.name ?? "error", claim: error?.claim, reason: error?.reason, message: String(error?.message) };
  }
}

/** The decoded header and payload of a token (for reports and classifiers), when they decode. */
function peek(token) {
  const [h, p] = splitToken(token);
  const text = (s) => Buffer.from(s ?? "", "base64url").toString("utf8");
  const read = (s) => {
    try {
      return JSON.parse(text(s));
    } catch {
      return undefined;
    }
  };
  return { header: read(h), payload: read(p), payloadText: text(p) };
}

function bump(map, key, sub) {
  if (!map.has(key)) map.set(key, new Map());
  const inner = map.get(key);
  inner.set(sub, (inner.get(sub) ?? 0) + 1);
}

test("jwtgate never accepts what jose refuses (every algorithm, generated and mutated tokens)", async (t) => {
  const started = performance.now();

  // Cases: { alg, base, mutation, ctx, token }, deduplicated per context.
  const cases = [];
  const seen = new Set();
  const push = (alg, base, mutation, ctx, token) => {
    if (token === null || token === undefined) return;
    const id = `${ctx.name}\u0000${token}`;
    if (seen.has(id)) return;
    seen.add(id);
    cases.push({ alg, base, mutation, ctx, token });
  };

  for (const alg of ALGS) {
    const [signerName, otherName] = SIGNER[alg];
    const signer = KEYS[signerName];
    const other = KEYS[otherName];
    const sets = setsFor(alg);
    const ctx = {
      main: { name: `main/${FULL.name}`, set: MAIN, config: FULL },
      multi: { name: `main/${MULTI.name}`, set: MAIN, config: MULTI },
      narrowMain: { name: `main/${narrow(alg).name}`, set: MAIN, config: narrow(alg) },
      solo: { name: `${sets.solo.name}/${FULL.name}`, set: sets.solo, config: FULL },
      nokid: { name: `${sets.nokid.name}/${FULL.name}`, set: sets.nokid, config: FULL },
      bound: { name: `${sets.bound.name}/${FULL.name}`, set: sets.bound, config: FULL },
    };
    const defaultHeader = J({ alg, typ: "JWT", kid: signer.kid });
    const bases = [];
    for (const [name, payload] of claimVariants()) {
      const contexts = name === "claims:valid"
        ? Object.values(ctx)
        : /^claims:(iss|aud)=/.test(name) ? [ctx.main, ctx.multi] : [ctx.main];
      bases.push({ name, header: defaultHeader, payload, key: signer, signAlg: alg, contexts });
    }
    for (const [name, header, key, signAlg, contexts] of headerVariants(alg, { signer, other, ctx })) {
      bases.push({ name, header, payload: J(CLAIMS), key, signAlg, contexts });
    }
    // Sign each base once.
    for (const b of bases) {
      const input = `${b64u(Buffer.from(b.header))}.${b64u(Buffer.from(b.payload))}`;
      b.token = `${input}.${b64u(signBytes(b.key, b.signAlg, input))}`;
      b.input = input;
    }
    const valid = bases[0];
    const foreign = bases.find((b) => b.name === "claims:sub=missing");
    const info = {
      alg,
      key: signer,
      otherSig: b64u(signBytes(other, alg, valid.input)),
      foreignSig: splitToken(foreign.token)[2],
    };
    const mutations = [
      ...SEGMENTS.flatMap((_, i) => segmentMutations(i)),
      ...STRUCTURE_MUTATIONS,
      ...signatureMutations(info),
    ];
    for (const b of bases) {
      const rng = prngFor(`${alg}/${b.name}`);
      for (const c of b.contexts) push(alg, b.name, "none", c, b.token);
      if (b === valid) {
        // Every mutation, the positional ones several times over.
        for (const [name, fn] of mutations) {
          const draws = /flip-bit|replace-char|non-alphabet|whitespace|non-canonical|delete-char|duplicate-char|extend-random/.test(name) ? 8 : 1;
          for (let i = 0; i < draws; i++) push(alg, b.name, name, ctx.main, fn(b.token, rng));
        }
      } else {
        for (let i = 0; i < MUTATIONS_PER_BASE; i++) {
          const [name, fn] = rng.pick(mutations);
          push(alg, b.name, name, b.contexts[0], fn(b.token, rng));
        }
      }
    }
  }
  const generated = performance.now();

  // Decide every case with both libraries: the unmutated bases first (a mutation's refusal is
  // put down to its base when jwtgate already refused the base for the same reason), a few
  // cases at a time so jose's WebCrypto work overlaps jwtgate's.
  const failures = [];
  const categoryHits = new Map(JOSE_STRICTER.map((c) => [c.name, []]));
  const stricter = new Map(); // jwtgate reason -> (base variant or mutation -> count)
  const baseReason = new Map(); // alg, base, context -> jwtgate's answer for the unmutated base
  const baseOutcomes = {};
  const validMutations = {}; // mutation of a valid token -> outcome pair -> count
  const outcomes = { bothAccept: 0, bothRefuse: 0, jwtgateOnly: 0, joseOnly: 0 };
  const baseKey = (c) => `${c.alg}\u0000${c.base}\u0000${c.ctx.name}`;
  const judge = (c, g, j) => {
    const where = { alg: c.alg, base: c.base, mutation: c.mutation, context: c.ctx.name, token: c.token };
    if (c.base === "claims:valid" && c.mutation !== "none") {
      const pair = `jwtgate ${g.ok ? "ok" : g.reason} / jose ${j.ok ? "ok" : j.code}`;
      validMutations[c.mutation] ??= {};
      validMutations[c.mutation][pair] = (validMutations[c.mutation][pair] ?? 0) + 1;
    }
    if (c.mutation === "none") {
      baseReason.set(baseKey(c), g.ok ? "ok" : g.reason);
      baseOutcomes[`${c.alg} ${c.base} @${c.ctx.name}`] = `jwtgate ${g.ok ? "ok" : g.reason} / jose ${j.ok ? "ok" : j.code}`;
    }
    if (g.threw || g.reason === "internal_error") {
      failures.push({ problem: g.threw ? "verifyWithKeys threw" : "internal_error", ...where, jwtgate: g.message });
      return;
    }
    if (g.ok && j.ok) {
      outcomes.bothAccept++;
      const header = (h) => ({ alg: h.alg, kid: h.kid ?? null, typ: h.typ ?? null });
      try {
        assert.deepStrictEqual(g.claims, j.payload);
        assert.deepStrictEqual(header(g.header), header(j.protectedHeader));
      } catch {
        failures.push({ problem: "both accept, different claims or header", ...where, jwtgate: [g.header, g.claims], jose: [j.protectedHeader, j.payload] });
      }
    } else if (!g.ok && !j.ok) {
      outcomes.bothRefuse++;
    } else if (g.ok) {
      outcomes.jwtgateOnly++;
      const subject = { ...where, ...peek(c.token), jose: j, jwtgate: g, setText: c.ctx.set.text };
      const category = JOSE_STRICTER.find((cat) => cat.matches(subject));
      if (category) categoryHits.get(category.name).push(subject);
      else failures.push({ problem: "jwtgate accepts, jose refuses", ...where, jose: `${j.code}${j.claim ? ` (${j.claim}: ${j.reason})` : ""}: ${j.message}` });
    } else {
      outcomes.joseOnly++;
      const fromBase = c.mutation === "none" || baseReason.get(baseKey(c)) === g.reason;
      bump(stricter, g.reason, fromBase ? c.base : c.mutation);
    }
  };
  const ordered = [...cases.filter((c) => c.mutation === "none"), ...cases.filter((c) => c.mutation !== "none")];
  const CONCURRENCY = 4;
  for (let i = 0; i < ordered.length; i += CONCURRENCY) {
    const chunk = ordered.slice(i, i + CONCURRENCY);
    const answers = await Promise.all(chunk.map((c) => Promise.all([decideJwtgate(c.token, c.ctx), decideJose(c.token, c.ctx)])));
    chunk.forEach((c, k) => {
      judge(c, ...answers[k]);
    });
  }
  const seconds = (performance.now() - started) / 1000;

  // Report.
  const byAlg = Object.fromEntries(ALGS.map((a) => [a, cases.filter((c) => c.alg === a).length]));
  t.diagnostic(`tokens decided: ${cases.length} (${Object.entries(byAlg).map(([a, n]) => `${a} ${n}`).join(", ")})`);
  t.diagnostic(`time: ${seconds.toFixed(1)} s (generation ${((generated - started) / 1000).toFixed(1)} s)`);
  t.diagnostic(`outcomes: ${J(outcomes)}`);
  for (const [name, hits] of categoryHits) t.diagnostic(`jose-stricter category ${name}: ${hits.length}`);
  t.diagnostic("jose accepts, jwtgate refuses (jwtgate's strictness), by reason and mutation or variant:");
  for (const [reason, kinds] of [...stricter].sort((a, b) => a[0].localeCompare(b[0]))) {
    const total = [...kinds.values()].reduce((a, b) => a + b, 0);
    const detail = [...kinds].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k, n]) => `${k} ${n}`).join(", ");
    t.diagnostic(`  ${reason} (${total}): ${detail}`);
  }
  if (process.env.DIFFERENTIAL_JOSE_REPORT) {
    const { writeFileSync } = await import("node:fs");
    writeFileSync(process.env.DIFFERENTIAL_JOSE_REPORT, J({
      tokens: cases.length, seconds, outcomes, baseOutcomes, validMutations,
      categories: Object.fromEntries([...categoryHits].map(([n, h]) => [n, h.length])),
      stricter: Object.fromEntries([...stricter].map(([r, k]) => [r, Object.fromEntries(k)])),
      failures,
    }, null, 1));
  }

  assert.ok(cases.length >= MIN_TOKENS, `only ${cases.length} tokens`);
  assert.ok(outcomes.bothAccept > 9 * 20, `too few tokens accepted by both (${outcomes.bothAccept}): the generator is broken`);
  const shown = failures.slice(0, 12).map((f) => J(f)).join("\n");
  assert.equal(failures.length, 0, `${failures.length} failures; first ones:\n${shown}`);
});
