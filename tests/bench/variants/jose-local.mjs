// jose's jwtVerify with a local key set built once (what a cached sample would do).
import { createLocalJWKSet, jwtVerify } from "jose";

export const algs = ["RS256", "ES256", "EdDSA"];

export async function setup(fx) {
  const keys = createLocalJWKSet(fx.jwks);
  const options = { issuer: fx.issuer, audience: fx.audience };
  return {
    decide: (token) => jwtVerify(token, keys, options).then(() => true, () => false),
  };
}
