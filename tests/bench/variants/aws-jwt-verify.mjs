// aws-jwt-verify's generic JwtVerifier, hydrated before the first call. Its own fetcher
// speaks https only, so the JWKS is fetched from the loopback server with fetch() and handed
// to cacheJwks (what hydrate() does with the fetched document).
import { JwtVerifier } from "aws-jwt-verify";

export const algs = ["RS256", "ES256", "EdDSA"];

export async function setup(fx) {
  const verifier = JwtVerifier.create({ issuer: fx.issuer, audience: fx.audience, jwksUri: fx.jwksUri });
  verifier.cacheJwks(await (await fetch(fx.jwksUri)).json());
  return {
    decide: (token) => verifier.verify(token).then(() => true, () => false),
  };
}
