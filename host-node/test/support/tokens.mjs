// Test keys and tokens made with node:crypto, independent of the verifier under test.
import { sign, createHash } from "node:crypto";
import { generateKeyPair } from "../../../tests/support/keypair.mjs";

const b64u = (buf) => Buffer.from(buf).toString("base64url");

const KEY_PARAMS = {
  RS256: ["rsa", { modulusLength: 2048 }],
  RS384: ["rsa", { modulusLength: 2048 }],
  RS512: ["rsa", { modulusLength: 2048 }],
  PS256: ["rsa", { modulusLength: 2048 }],
  PS384: ["rsa", { modulusLength: 2048 }],
  PS512: ["rsa", { modulusLength: 2048 }],
  ES256: ["ec", { namedCurve: "P-256" }],
  ES384: ["ec", { namedCurve: "P-384" }],
  ES512: ["ec", { namedCurve: "P-521" }],
  EdDSA: ["ed25519", {}],
};

const HASH = { 256: "sha256", 384: "sha384", 512: "sha512" };

/** A fresh key pair for `alg`, with its public JWK (kid set). */
export function makeKey(alg, kid = `${alg.toLowerCase()}-key`) {
  const [type, opts] = KEY_PARAMS[alg];
  const { privateKey, publicKey } = generateKeyPair(type, opts);
  const jwk = { ...publicKey.export({ format: "jwk" }), kid, use: "sig" };
  return { alg, kid, privateKey, publicKey, jwk };
}

/** Sign `claims` with `key` as a compact JWS. `header` overrides header members. */
export function signToken(key, claims, header = {}) {
  const h = { alg: key.alg, typ: "JWT", kid: key.kid, ...header };
  const input = `${b64u(JSON.stringify(h))}.${b64u(JSON.stringify(claims))}`;
  const alg = h.alg;
  let sig;
  if (alg.startsWith("RS")) {
    sig = sign(HASH[alg.slice(2)], Buffer.from(input), key.privateKey);
  } else if (alg.startsWith("PS")) {
    const bits = alg.slice(2);
    sig = sign(HASH[bits], Buffer.from(input), {
      key: key.privateKey,
      padding: 6, // RSA_PKCS1_PSS_PADDING
      saltLength: Number(bits) / 8,
    });
  } else if (alg.startsWith("ES")) {
    sig = sign(HASH[alg.slice(2)], Buffer.from(input), { key: key.privateKey, dsaEncoding: "ieee-p1363" });
  } else {
    sig = sign(null, Buffer.from(input), key.privateKey);
  }
  return `${input}.${b64u(sig)}`;
}

export function jwks(...keys) {
  return JSON.stringify({ keys: keys.map((k) => k.jwk) });
}

export const digest = (s) => createHash("sha256").update(s).digest("hex");
