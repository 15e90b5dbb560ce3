// The native floor: node:crypto checks the signature, nothing else (no header or claims
// parsing, key chosen by algorithm at setup). Every other row is compared with this one.
import { createPublicKey, verify } from "node:crypto";

export const algs = ["RS256", "ES256", "EdDSA", "ES512"];
const HASH = { RS256: "sha256", ES256: "sha256", EdDSA: null, ES512: "sha512" };

export async function setup(fx) {
  const byKid = new Map(fx.jwks.keys.map((jwk) => [jwk.alg, createPublicKey({ key: jwk, format: "jwk" })]));
  return {
    // The algorithm is read from the token's position in the fixture, not its header.
    prepare: (token) => {
      const alg = fx.algs.find((a) => fx.tokens[a].includes(token) || fx.tampered[a] === token);
      return { token, alg, key: byKid.get(alg) };
    },
    decide: ({ token, alg, key }) => {
      const dot = token.lastIndexOf(".");
      const signature = Buffer.from(token.slice(dot + 1), "base64url");
      const data = Buffer.from(token.slice(0, dot));
      return verify(HASH[alg], data, alg.startsWith("ES") ? { key, dsaEncoding: "ieee-p1363" } : key, signature);
    },
  };
}
