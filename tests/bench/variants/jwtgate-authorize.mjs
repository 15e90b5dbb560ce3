// Our package: createAuthorizer (JWKS fetched once from the loopback server and cached),
// authorize() of a TOKEN event. Options:
//   entry: "node" (default, the .wasm found beside the package) or "edge" (edge entry point,
//          the .wasm bytes passed in, as in Deno or workerd);
//   config: extra createAuthorizer options, e.g. a signature provider once it exists;
//   profiles: the number of issuer profiles (default 1): the fixture's issuer among others, each
//          with its own audience and key URL (never fetched: no token names them).
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

export const algs = ["RS256", "ES256", "EdDSA", "ES512"];

export async function setup(fx, options) {
  const edge = options.entry === "edge";
  const pkg = await import(pathToFileURL(`${fx.packageDir}/dist/${edge ? "edge" : "index"}.js`).href);
  const wasm = edge ? readFileSync(`${fx.packageDir}/pkg/jwtgate_wasm_bg.wasm`) : undefined;
  const profiles = options.profiles ?? 1;
  // The fixture's issuer in the middle of the list: its place must not matter.
  const others = Array.from({ length: profiles - 1 }, (_, i) => ({
    issuer: `https://issuer-${i}.bench.invalid/`,
    audiences: [`api-${i}`],
    jwksUri: `https://issuer-${i}.bench.invalid/jwks`,
  }));
  others.splice(others.length >> 1, 0, { issuer: fx.issuer, audiences: [fx.audience], jwksUri: fx.jwksUri });
  const issuerOptions = profiles === 1 ? { issuer: fx.issuer, audience: fx.audience, jwksUri: fx.jwksUri } : { issuers: others };
  const authorizer = await pkg.createAuthorizer({
    ...(wasm ? { wasm } : {}),
    ...issuerOptions,
    jwksAllowHttpLoopback: true,
    algorithms: fx.algs,
    log: false,
    ...options.config,
  });
  return {
    prepare: (token) => ({ type: "TOKEN", authorizationToken: `Bearer ${token}`, methodArn: fx.methodArn }),
    decide: (event) => authorizer.authorize(event).then((r) => r.policyDocument.Statement[0].Effect === "Allow", () => false),
  };
}
