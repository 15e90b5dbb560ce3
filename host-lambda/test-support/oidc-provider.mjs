// A real OpenID Provider (npm oidc-provider) on 127.0.0.1 for host-lambda's end-to-end tests.
// It issues RFC 9068 JWT access tokens from its real /token endpoint (client_credentials with a
// resource indicator) and publishes its JWKS and discovery document, like a production IdP.
//
// Control endpoints for the tests (not part of any IdP):
//   POST /__control/rotate        new signing key with a new kid (the old one is retired)
//   POST /__control/jwks/down     the JWKS endpoint answers 503 from now on
//   POST /__control/jwks/up       the JWKS endpoint works again
//   GET  /__control/stats         {"jwks": n, "discovery": n}: requests seen so far
//
// Prints one JSON line {"issuer", "port"} on stdout when listening; exits when stdin closes,
// so it never outlives the test that started it.
import { createServer } from "node:http";
import { generateKeyPair } from "../../tests/support/keypair.mjs";
import Provider from "oidc-provider";

export const CLIENT = { id: "jwtgate-test-client", secret: "jwtgate-test-secret" };
export const AUDIENCE = "api://jwtgate-test";

let generation = 0;
const stats = { jwks: 0, discovery: 0 };
let jwksDown = false;
let current;

function signingKey() {
  generation += 1;
  const { privateKey } = generateKeyPair("rsa", { modulusLength: 2048 });
  return { ...privateKey.export({ format: "jwk" }), kid: `test-key-${generation}`, use: "sig", alg: "RS256" };
}

function makeProvider(issuer) {
  const provider = new Provider(issuer, {
    scopes: ["read", "write"],
    clients: [{
      client_id: CLIENT.id,
      client_secret: CLIENT.secret,
      grant_types: ["client_credentials"],
      redirect_uris: [],
      response_types: [],
      scope: "read write",
    }],
    jwks: { keys: [signingKey()] },
    // Test-only cookie signing keys (no login flow runs; set so the provider does not warn).
    cookies: { keys: ["jwtgate-test-cookie-key"] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => AUDIENCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: "read write",
          audience: AUDIENCE,
          accessTokenTTL: 300,
          accessTokenFormat: "jwt",
          jwt: { sign: { alg: "RS256" } },
        }),
      },
    },
  });
  provider.on("server_error", (_ctx, err) => console.error("oidc-provider error:", err));
  return provider.callback();
}

const server = createServer((req, res) => {
  const path = new URL(req.url, "http://x").pathname;
  if (path.startsWith("/__control/")) return control(path, req, res);
  if (path === "/jwks") {
    stats.jwks += 1;
    if (jwksDown) {
      res.writeHead(503, { "content-type": "text/plain" });
      return res.end("down for the test");
    }
    // Production IdPs send a lifetime; the host must honour it within its bounds.
    res.setHeader("cache-control", "public, max-age=600");
  }
  if (path === "/.well-known/openid-configuration") stats.discovery += 1;
  return current(req, res);
});

function control(path, req, res) {
  const reply = (body) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  if (path === "/__control/stats") return reply(stats);
  if (req.method !== "POST") return reply({ error: "POST only" });
  if (path === "/__control/rotate") {
    current = makeProvider(issuer);
    return reply({ kid: `test-key-${generation}` });
  }
  if (path === "/__control/jwks/down") jwksDown = true;
  else if (path === "/__control/jwks/up") jwksDown = false;
  else return reply({ error: "unknown control" });
  return reply({ jwksDown });
}

await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const { port } = server.address();
const issuer = `http://127.0.0.1:${port}`;
current = makeProvider(issuer);
console.log(JSON.stringify({ issuer, port, client_id: CLIENT.id, client_secret: CLIENT.secret, audience: AUDIENCE }));

process.stdin.resume();
process.stdin.on("end", () => process.exit(0));
process.stdin.on("close", () => process.exit(0));
