// The local demo on built-in defaults: a test key signs a token, a JWKS is served on
// 127.0.0.1, and the authorizer (the jwtgate .wasm) fetches it and decides. No cloud account.
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { makeKey, signToken, jwks } from "../test/support/tokens.mjs";

const pkg = fileURLToPath(new URL("../../wasm/pkg/", import.meta.url));
const bindings = await import(`${pkg}jwtgate_wasm.js`);
bindings.initSync({ module: readFileSync(`${pkg}jwtgate_wasm_bg.wasm`) });

const key = makeKey("RS256", "demo-key");
const server = createServer((req, res) => {
  res.writeHead(200, { "content-type": "application/json", "cache-control": "max-age=300" });
  res.end(jwks(key));
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const { port } = server.address();
const issuer = `http://127.0.0.1:${port}/`;

const env = { ISSUER: issuer, AUDIENCE: "api://demo", JWKS_URI: `http://127.0.0.1:${port}/jwks.json`, JWKS_ALLOW_HTTP_LOOPBACK: "true" };
const settings = JSON.parse(bindings.settingsFromEnv(JSON.stringify(env)));
if (!settings.ok) throw new Error(settings.error);
const created = bindings.Authorizer.create(JSON.stringify(settings.config));
const authorizer = created.takeAuthorizer();
const response = await fetch(settings.jwks.jwks_uri);
console.log("JWKS loaded:", authorizer.setKeys(new Uint8Array(await response.arrayBuffer())));

const now = Math.floor(Date.now() / 1000);
const token = signToken(key, { iss: issuer, aud: "api://demo", sub: "demo-user", scope: "pets:read", iat: now, exp: now + 300 });
const event = (t) => Buffer.from(JSON.stringify({
  type: "TOKEN",
  authorizationToken: `Bearer ${t}`,
  methodArn: "arn:aws:execute-api:us-east-1:123456789012:demoapi/prod/GET/pets",
}));
for (const [label, t] of [["valid token", token], ["tampered token", token.slice(0, -4) + "AAAA"]]) {
  const decision = JSON.parse(authorizer.authorize(event(t), now));
  console.log(`\n${label}: ${decision.outcome}${decision.reason ? ` (${decision.reason})` : ""}`);
  console.log(JSON.stringify(decision.response ?? "Unauthorized", null, 2));
}
server.close();
