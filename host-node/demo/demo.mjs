// The local demo on built-in defaults: a test key signs a token, a JWKS is served on
// 127.0.0.1, and the jwtgate package (the .wasm inside) fetches it, caches it and decides.
// With JWTGATE_BOOTSTRAP set (make demo sets it), the Rust Lambda's local mode decides the same
// events through the same .wasm in wasmtime. No cloud account. Each decision also prints its
// one JSON log line.
import { createServer } from "node:http";
import { createAuthorizer } from "../package/dist/index.js";
import { makeKey, signToken, jwks } from "../test/support/tokens.mjs";

const key = makeKey("RS256", "demo-key");
const server = createServer((req, res) => {
  res.writeHead(200, { "content-type": "application/json", "cache-control": "max-age=300" });
  res.end(jwks(key));
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const { port } = server.address();
const issuer = `http://127.0.0.1:${port}/`;

try {
  const authorizer = await createAuthorizer({
    env: { ISSUER: issuer, AUDIENCE: "api://demo", JWKS_URI: `http://127.0.0.1:${port}/jwks.json`, JWKS_ALLOW_HTTP_LOOPBACK: "true" },
  });
  const now = Math.floor(Date.now() / 1000);
  const token = signToken(key, { iss: issuer, aud: "api://demo", sub: "demo-user", scope: "pets:read", iat: now, exp: now + 300 });
  const event = (t) => ({
    type: "TOKEN",
    authorizationToken: `Bearer ${t}`,
    methodArn: "arn:aws:execute-api:us-east-1:123456789012:demoapi/prod/GET/pets",
  });
  const tokens = [["valid token", token], ["tampered token", token.slice(0, -4) + "AAAA"]];
  console.log("== Node host (npm package)");
  for (const [label, t] of tokens) {
    const decision = await authorizer.decide(event(t));
    console.log(`\n${label}: ${decision.outcome}${decision.reason ? ` (${decision.reason})` : ""}`);
    console.log(JSON.stringify(decision.response ?? "Unauthorized", null, 2));
  }
  const bootstrap = process.env.JWTGATE_BOOTSTRAP;
  if (bootstrap) {
    console.log("\n== Rust Lambda host (wasmtime), `bootstrap local`");
    const env = { PATH: process.env.PATH, ISSUER: issuer, AUDIENCE: "api://demo", JWKS_URI: `http://127.0.0.1:${port}/jwks.json`, JWKS_ALLOW_HTTP_LOOPBACK: "true" };
    for (const [label, t] of tokens) {
      // The server above must keep answering while the child runs: run it asynchronously.
      const out = await new Promise((resolve, reject) => {
        import("node:child_process").then(({ execFile }) =>
          execFile(bootstrap, ["local", "--event", "-"], { env, timeout: 30_000 }, (e, stdout, stderr) => (e ? reject(e) : resolve({ stdout, stderr }))).stdin.end(JSON.stringify(event(t))),
        );
      });
      console.log(`\n${label}:`);
      process.stdout.write(out.stderr);
      process.stdout.write(out.stdout);
    }
  }
} finally {
  server.close();
}
