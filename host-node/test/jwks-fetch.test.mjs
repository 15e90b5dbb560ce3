// JWKS fetching rules without a provider: https only, timeout, size limit, Cache-Control
// bounds, discovery checks; and settings validated at creation with errors naming the setting.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createAuthorizer, createLambdaHandler, verifyWithKeys, ConfigurationError } from "../package/dist/index.js";
import { cacheLifetimeSeconds } from "../package/dist/cache-control.js";
import { makeKey, signToken, jwks } from "./support/tokens.mjs";
import { serveJwks, serveSilence, serveEndless, serve } from "./support/servers.mjs";
import { tokenEvent } from "./support/events.mjs";

const ISSUER = "https://issuer.test/";
const key = makeKey("RS256", "k1");
const token = (now = Math.floor(Date.now() / 1000)) =>
  signToken(key, { iss: ISSUER, aud: "api", sub: "user-1", iat: now, exp: now + 300 });

function env(jwksUri, extra = {}) {
  return { ISSUER, AUDIENCE: "api", JWKS_URI: jwksUri, JWKS_ALLOW_HTTP_LOOPBACK: "true", ...extra };
}

async function lastFailure(a, lines) {
  const d = await a.decide(tokenEvent(token()));
  assert.equal(d.outcome, "unauthorized");
  assert.equal(d.reason, "jwks_unavailable");
  return lines.filter((l) => l.msg === "jwks fetch failed").at(-1);
}

test("settings are validated at creation; errors name the setting", async () => {
  const cases = [
    [{ AUDIENCE: "api" }, /ISSUER: required/],
    [{ ISSUER }, /AUDIENCE: required/],
    [{ ISSUER, AUDIENCE: "a", ALGORITHMS: "HS256" }, /HS256|never/],
    [{ ISSUER, AUDIENCE: "a", JWKS_URI: "http://127.0.0.1:9/jwks" }, /JWKS_URI: .*not https/],
    [{ ISSUER: "http://id.example", AUDIENCE: "a" }, /ISSUER: .*not https/],
    [{ ISSUER, AUDIENCE: "a", LEEWAY_SECONDS: "ten" }, /LEEWAY_SECONDS/],
    [{ ISSUER, AUDIENCE: "a", POLICY_RESOURCE: "everything" }, /POLICY_RESOURCE/],
  ];
  for (const [vars, message] of cases) {
    await assert.rejects(createAuthorizer({ env: vars }), (e) => e instanceof ConfigurationError && message.test(e.message));
  }
  // Options as fields, and the older TOKEN_ISSUER name.
  const a = await createAuthorizer({ issuer: ISSUER, audience: ["api", "api2"], jwksUri: "https://issuer.test/jwks", algorithms: ["RS256", "ES256"] });
  assert.deepEqual(a.settings.config.audiences, ["api", "api2"]);
  const b = await createAuthorizer({ env: { TOKEN_ISSUER: ISSUER, AUDIENCE: "api" } });
  assert.deepEqual(b.settings.config.issuers, [ISSUER]);
  assert.equal(b.settings.jwks.discovery_url, "https://issuer.test/.well-known/openid-configuration");
});

test("the Lambda handler fails with `Misconfigured environment variables` and the reason", async () => {
  const handler = createLambdaHandler({ env: { ISSUER } });
  await assert.rejects(handler(tokenEvent("x")), { message: "Misconfigured environment variables: invalid configuration: AUDIENCE: required" });
});

test("a JWKS endpoint that never answers times out (JWKS_TIMEOUT_MS)", async () => {
  const server = await serveSilence();
  const lines = [];
  try {
    const a = await createAuthorizer({ env: env(`${server.url}/jwks`, { JWKS_TIMEOUT_MS: "200" }), log: (l) => lines.push(l) });
    const started = Date.now();
    assert.equal((await lastFailure(a, lines)).failure, "timeout");
    assert.ok(Date.now() - started < 2000);
  } finally {
    await server.close();
  }
});

test("an endless JWKS body is cut at MAX_JWKS_BYTES while streaming", async () => {
  const server = await serveEndless();
  const lines = [];
  try {
    const a = await createAuthorizer({ env: env(`${server.url}/jwks`, { MAX_JWKS_BYTES: "65536" }), log: (l) => lines.push(l) });
    assert.equal((await lastFailure(a, lines)).failure, "too_large");
  } finally {
    await server.close();
  }
});

test("http is refused for loopback too unless JWKS_ALLOW_HTTP_LOOPBACK, and after redirects", async () => {
  const target = await serveJwks(jwks(key));
  // The redirect goes to a plain-http, non-loopback host: refused before it is contacted.
  let hops = 0;
  const redirect = await serve((req, res) => {
    hops += 1;
    const location = req.url === "/jwks" ? "/hop" : req.url === "/hop" ? "http://keys.example/jwks" : "/";
    res.writeHead(302, { location }).end();
  });
  const lines = [];
  try {
    await assert.rejects(createAuthorizer({ env: env(`${target.url}/jwks`, { JWKS_ALLOW_HTTP_LOOPBACK: "" }) }), ConfigurationError);
    const a = await createAuthorizer({ env: env(`${redirect.url}/jwks`), log: (l) => lines.push(l) });
    const failure = await lastFailure(a, lines);
    assert.equal(failure.failure, "insecure_url");
    assert.equal(hops, 2, "loopback hops are followed, the insecure one is not");
    assert.equal(target.counter.requests, 0);
  } finally {
    await target.close();
    await redirect.close();
  }
});

test("discovery: the document must name our issuer and an https (or allowed loopback) jwks_uri", async () => {
  const jwksServer = await serveJwks(jwks(key));
  let doc = {};
  const discovery = await serve((req, res) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(doc)));
  const issuer = `${discovery.url}/`;
  const vars = { ISSUER: issuer, AUDIENCE: "api", JWKS_ALLOW_HTTP_LOOPBACK: "true" };
  const now = Math.floor(Date.now() / 1000);
  const t = signToken(key, { iss: issuer, aud: "api", sub: "u", iat: now, exp: now + 60 });
  try {
    doc = { issuer: "https://someone-else/", jwks_uri: `${jwksServer.url}/jwks` };
    const lines = [];
    const a = await createAuthorizer({ env: vars, log: (l) => lines.push(l) });
    assert.equal((await a.decide(tokenEvent(t))).reason, "jwks_unavailable");
    assert.equal(lines.find((l) => l.msg === "jwks fetch failed").failure, "discovery_invalid");

    doc = { issuer, jwks_uri: "http://keys.example/jwks" };
    const lines2 = [];
    const b = await createAuthorizer({ env: vars, log: (l) => lines2.push(l) });
    assert.equal((await b.decide(tokenEvent(t))).reason, "jwks_unavailable");
    assert.equal(lines2.find((l) => l.msg === "jwks fetch failed").failure, "insecure_url");

    doc = { issuer, jwks_uri: `${jwksServer.url}/jwks` };
    const c = await createAuthorizer({ env: vars, log: false });
    assert.equal((await c.decide(tokenEvent(t))).outcome, "allow");
  } finally {
    await discovery.close();
    await jwksServer.close();
  }
});

test("Cache-Control max-age is honoured within JWKS_CACHE_MIN/MAX_SECONDS", async () => {
  assert.equal(cacheLifetimeSeconds("public, max-age=120", 60, 3600), 120);
  assert.equal(cacheLifetimeSeconds("max-age=5", 60, 3600), 60);
  assert.equal(cacheLifetimeSeconds("max-age=999999", 60, 3600), 3600);
  assert.equal(cacheLifetimeSeconds("no-store", 60, 3600), 60);
  assert.equal(cacheLifetimeSeconds(null, 60, 3600), 600);

  const server = await serveJwks(jwks(key), { "cache-control": "max-age=120" });
  let offset = 0;
  const now = () => Date.now() + offset;
  try {
    const a = await createAuthorizer({ env: env(`${server.url}/jwks`), now, log: false });
    const t = token();
    await a.authorize(tokenEvent(t));
    offset = 119_000;
    await a.authorize(tokenEvent(token(Math.floor(now() / 1000))));
    assert.equal(server.counter.requests, 1, "fresh for max-age");
    offset = 121_000;
    await a.authorize(tokenEvent(token(Math.floor(now() / 1000))));
    assert.equal(server.counter.requests, 2, "refetched after max-age");
  } finally {
    await server.close();
  }
});

test("verifyWithKeys: bring your own keys and clock, result types with reasons", async () => {
  const now = 1_800_000_000;
  const good = signToken(key, { iss: ISSUER, aud: "api", sub: "u", exp: now + 10 });
  const config = { issuer: ISSUER, audience: "api" };
  const ok = await verifyWithKeys(good, jwks(key), now, config);
  assert.equal(ok.ok, true);
  assert.equal(ok.claims.sub, "u");
  assert.equal((await verifyWithKeys(good, JSON.parse(jwks(key)), now + 10, config)).reason, "token_expired");
  assert.equal((await verifyWithKeys(good, new TextEncoder().encode(jwks(makeKey("RS256", "other"))), now, config)).reason, "unknown_kid");
  assert.equal((await verifyWithKeys(good, "{not json", now, config)).reason, "jwks_invalid");
  assert.equal((await verifyWithKeys(good, jwks(key), now, { ...config, audience: "x" })).reason, "audience_mismatch");
});

test("Node fetches keys through node:http unless the caller gives a fetch", async () => {
  // The first global `fetch` in a Node process loads undici (about 25 ms of a cold start), so
  // Node's default is node:http; a caller's `fetch` is still used when given.
  const server = await serveJwks(jwks(key));
  const globalFetch = globalThis.fetch;
  let globalCalls = 0;
  globalThis.fetch = async () => {
    globalCalls += 1;
    throw new Error("the global fetch is not Node's default");
  };
  try {
    const a = await createAuthorizer({ env: env(server.url), log: false });
    assert.equal((await a.decide(tokenEvent(token()))).outcome, "allow");
    assert.equal(globalCalls, 0);
    assert.equal(server.counter.requests, 1);
    let given = 0;
    const b = await createAuthorizer({ env: env(server.url), log: false, fetch: (url, init) => (given++, globalFetch(url, init)) });
    assert.equal((await b.decide(tokenEvent(token()))).outcome, "allow");
    assert.equal(given, 1);
  } finally {
    globalThis.fetch = globalFetch;
    await server.close();
  }
});
