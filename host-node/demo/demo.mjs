// The local demo on built-in defaults: a test key signs a token, a JWKS is served on
// 127.0.0.1, and the jwtgate package (the .wasm inside) fetches it, caches it and decides.
// With JWTGATE_BOOTSTRAP set (make demo sets it), the Rust Lambda's local mode decides the same
// events through the same .wasm in wasmtime. No cloud account. Each decision also prints its
// one JSON log line.
import { execFile } from "node:child_process";
import { createServer } from "node:http";
import { createAuthorizer } from "../package/dist/index.js";
import { makeKey, signToken, jwks } from "../test/support/tokens.mjs";

const key = makeKey("RS256", "demo-key");
const server = createServer((_req, res) => {
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
  const tokens = [["valid token", token, "allow"], ["tampered token", `${token.slice(0, -4)}AAAA`, "unauthorized"]];
  const outcomes = [];
  console.log("== Node host (npm package): one authorizer, keys fetched once and cached");
  for (const [label, t] of tokens) {
    const decision = await authorizer.decide(event(t));
    outcomes.push(["node", label, decision.outcome, decision.reason]);
    console.log(`\n${label}: ${decision.outcome}${decision.reason ? ` (${decision.reason})` : ""}`);
    console.log(JSON.stringify(decision.response ?? "Unauthorized", null, 2));
  }
  const bootstrap = process.env.JWTGATE_BOOTSTRAP;
  if (bootstrap) {
    console.log("\n== Rust Lambda host (wasmtime), `bootstrap local`");
    console.log("Each token runs a fresh `bootstrap local` process, as a Lambda cold start would: it loads");
    console.log("the module, fetches the keys (the load lines), decides, and prints its log line and answer.");
    const env = { PATH: process.env.PATH, ISSUER: issuer, AUDIENCE: "api://demo", JWKS_URI: `http://127.0.0.1:${port}/jwks.json`, JWKS_ALLOW_HTTP_LOOPBACK: "true" };
    for (const [label, t] of tokens) {
      // The server above must keep answering while the child runs: run it asynchronously.
      const out = await new Promise((resolve, reject) => {
        execFile(bootstrap, ["local", "--event", "-"], { env, timeout: 30_000 }, (e, stdout, stderr) => (e ? reject(e) : resolve({ stdout, stderr }))).stdin.end(JSON.stringify(event(t)));
      });
      // The decision's log line names the outcome and the reason.
      const line = out.stderr.split("\n").map((l) => { try { return JSON.parse(l); } catch { return null; } }).find((l) => l?.msg === "authorizer decision");
      outcomes.push(["lambda", label, line?.outcome, line?.reason]);
      console.log(`\n${label}: ${line?.outcome ?? "no decision line"}${line?.reason ? ` (${line.reason})` : ""}`);
      process.stdout.write(out.stderr);
      process.stdout.write(out.stdout);
    }
  }
  const wrong = outcomes.filter(([, label, outcome]) => outcome !== tokens.find(([l]) => l === label)[2]);
  console.log("");
  if (wrong.length > 0) {
    console.log(`demo: FAILED: ${wrong.map(([host, label, outcome]) => `${host} decided ${label}: ${outcome}`).join("; ")}`);
    process.exitCode = 1;
  } else {
    const hosts = bootstrap ? "both hosts (Node and the Rust Lambda) decided alike" : "the Node host decided";
    console.log(`demo: ${hosts}:`);
    console.log("the valid token is allowed, the tampered one refused (bad_signature).");
    console.log("Next: `make test` runs every test (about 50 minutes on 2 cores); README \"Configuration\"");
    console.log("points the authorizer at your issuer; README \"Deploy\" has a template per API type.");
  }
} finally {
  server.close();
}
