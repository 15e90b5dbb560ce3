// Our package's verifyWithKeys: the caller brings the JWKS bytes and the clock. By its
// contract each call builds a session and loads the keys, so JWKS parsing is in every call.
import { pathToFileURL } from "node:url";

export const algs = ["RS256", "ES256", "EdDSA"];

export async function setup(fx, options) {
  const pkg = await import(pathToFileURL(`${fx.packageDir}/dist/index.js`).href);
  const jwks = new TextEncoder().encode(JSON.stringify(fx.jwks));
  const config = { issuer: fx.issuer, audience: fx.audience, algorithms: fx.algs, ...options.config };
  return {
    decide: (token) => pkg.verifyWithKeys(token, jwks, Math.floor(Date.now() / 1000), config).then((r) => r.ok),
  };
}
