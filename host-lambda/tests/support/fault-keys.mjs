// Keys and tokens for tests/jwks_faults.rs: two RS256 keys (k1, k2) and a stranger under kid
// k1, JWKS documents and tokens valid for a day from NOW (argv[2]). Prints one JSON document.
import { sign } from "node:crypto";
import { generateKeyPair } from "../../../tests/support/keypair.mjs";

const now = Number(process.argv[2]);
const issuer = process.argv[3];
const audience = process.argv[4];
const b64u = (x) => Buffer.from(x).toString("base64url");
const key = (kid) => {
  const { privateKey, publicKey } = generateKeyPair("rsa", { modulusLength: 2048 });
  return { kid, privateKey, jwk: { ...publicKey.export({ format: "jwk" }), kid, alg: "RS256", use: "sig" } };
};
const token = (k) => {
  const input = `${b64u(JSON.stringify({ alg: "RS256", typ: "JWT", kid: k.kid }))}.${b64u(
    JSON.stringify({ iss: issuer, aud: audience, sub: "user-1", iat: now, exp: now + 86_400 }),
  )}`;
  return `${input}.${b64u(sign("sha256", Buffer.from(input), k.privateKey))}`;
};
const [k1, k2, stranger] = [key("k1"), key("k2"), key("k1")];
const jwks = (...ks) => JSON.stringify({ keys: ks.map((k) => k.jwk) });
console.log(
  JSON.stringify({
    jwks_k1: jwks(k1),
    jwks_k1_k2: jwks(k1, k2),
    jwks_k2: jwks(k2),
    token_k1: token(k1),
    token_k2: token(k2),
    token_stranger: token(stranger),
  }),
);
