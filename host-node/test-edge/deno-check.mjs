// Run by Deno (test-edge/deno.test.mjs): the package's edge entry point with the .wasm bytes
// passed in, the JWKS fetched from the provider on loopback. Prints the decisions as JSON.
import { createAuthorizer, verifyWithKeys } from "../package/dist/edge.js";

const [issuer, jwksUri, audience, ...tokens] = Deno.args;
const wasm = await Deno.readFile(new URL("../package/pkg/jwtgate_wasm_bg.wasm", import.meta.url));
const authorizer = await createAuthorizer({
  wasm,
  issuer,
  audience,
  jwksUri,
  jwksAllowHttpLoopback: true,
  algorithms: ["RS256", "ES256", "EdDSA"],
  log: false,
});
const event = (t) => ({ type: "TOKEN", authorizationToken: `Bearer ${t}`, methodArn: "arn:aws:execute-api:us-east-1:1:api/prod/GET/pets" });
const decisions = [];
for (const t of tokens) {
  const d = await authorizer.decide(event(t));
  decisions.push({ outcome: d.outcome, reason: d.reason, principalId: d.response?.principalId ?? null });
}
const jwks = await (await fetch(jwksUri)).text();
const byo = await verifyWithKeys(tokens[0], jwks, Math.floor(Date.now() / 1000), { wasm, issuer, audience });
console.log(JSON.stringify({ runtime: `deno ${Deno.version.deno}`, decisions, byo: byo.ok ? true : byo.reason }));
