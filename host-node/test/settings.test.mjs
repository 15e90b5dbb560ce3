// Settings validated at creation with errors naming the setting (options, environment,
// issuer profiles, Cognito, CONFIG_FILE), keys brought by the caller, and how Node fetches.
// The key fetching rules are the core's: tests/faults runs their fault table on this host.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createAuthorizer, createLambdaHandler, verifyWithKeys, ConfigurationError } from "../package/dist/index.js";
import { makeKey, signToken, jwks } from "./support/tokens.mjs";
import { serveJwks } from "./support/servers.mjs";
import { tokenEvent } from "./support/events.mjs";

const ISSUER = "https://issuer.test/";
const key = makeKey("RS256", "k1");
const token = (now = Math.floor(Date.now() / 1000)) =>
  signToken(key, { iss: ISSUER, aud: "api", sub: "user-1", iat: now, exp: now + 300 });

function env(jwksUri, extra = {}) {
  return { ISSUER, AUDIENCE: "api", JWKS_URI: jwksUri, JWKS_ALLOW_HTTP_LOOPBACK: "true", ...extra };
}

test("settings are validated at creation; errors name the setting", async () => {
  const cases = [
    [{ AUDIENCE: "api" }, /ISSUER: required/],
    [{ ISSUER }, /AUDIENCE: give the accepted audiences, or allowed_client_ids/],
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
  assert.deepEqual(b.settings.config.issuers, [{ issuer: ISSUER }]);
});

test("issuer profiles and Cognito as options: camelCase members, errors name the profile's path", async () => {
  const a = await createAuthorizer({
    issuers: [
      { issuer: ISSUER, audiences: ["api"], jwksUri: "https://issuer.test/jwks", leewaySeconds: 5 },
      { cognitoUserPoolId: "eu-west-1_AbCd123", allowedClientIds: ["client-1"], tokenUse: "access" },
    ],
    requiredScopes: ["read"],
    log: false,
  });
  assert.deepEqual(a.settings.config.issuers[1], { cognito_user_pool_id: "eu-west-1_AbCd123", allowed_client_ids: ["client-1"], token_use: "access" });
  assert.deepEqual(a.settings.config.required_scopes, ["read"]);
  // AUDIENCE is optional with ALLOWED_CLIENT_IDS (Cognito access tokens carry no aud).
  const c = await createAuthorizer({ cognitoUserPoolId: "eu-west-1_AbCd123", allowedClientIds: ["client-1"], tokenUse: "access", log: false });
  assert.equal(c.settings.config.token_use, "access");
  for (const [options, message] of [
    [{ issuers: [{ issuer: ISSUER, audiences: ["a"] }, { issuer: "https://b.test/", audiences: ["b"], jwksUri: "http://b.test/jwks" }] }, /ISSUERS\[1\]\.jwks_uri: .*not https/],
    [{ issuers: [{ issuer: ISSUER, audience: ["a"] }] }, /ISSUERS\[0\]: unknown member `audience`/],
    [{ issuers: [{ issuer: ISSUER }] }, /ISSUERS\[0\]\.audiences/],
    [{ issuers: [{ cognitoUserPoolId: "eu-west-1", allowedClientIds: ["c"] }] }, /ISSUERS\[0\]\.cognito_user_pool_id: .*REGION_ID/],
    [{ issuers: [ISSUER], issuer: ISSUER, audience: "a" }, /ISSUERS: set ISSUERS, or ISSUER/],
    [{ cognitoUserPoolId: "eu-west-1_AbCd123", tokenUse: "refresh", allowedClientIds: ["c"] }, /TOKEN_USE: `refresh` is not `access` or `id`/],
    [{ issuer: ISSUER, audience: "a", jwks: { keys: "none" } }, /JWKS: not a usable key set/],
    [{ issuers: Array.from({ length: 21 }, (_, i) => `https://i${i}.test/`), audience: "a" }, /ISSUERS: at most 20 issuers/],
  ]) {
    await assert.rejects(createAuthorizer({ ...options, log: false }), (e) => e instanceof ConfigurationError && message.test(e.message), String(message));
  }
});

test("tokenSources: the option is TOKEN_SOURCES; validated by the module, naming the variable", async () => {
  const now = 1_800_000_000;
  const list = ["cookie:__Host-access", "query:access_token", "header:X-Api-Token:Token", "authorization"];
  const base = { issuer: ISSUER, audience: "api", jwks: JSON.parse(jwks(key)), log: false, now: () => now * 1000 };
  const option = await createAuthorizer({ ...base, tokenSources: list });
  const variable = await createAuthorizer({ ...base, env: { TOKEN_SOURCES: list.join(", ") } });
  assert.deepEqual(option.settings.config.token_sources, list);
  assert.deepEqual(variable.settings.config, option.settings.config, "the option and the variable are one configuration");
  assert.equal((await createAuthorizer(base)).settings.config.token_sources, null, "unset: the Authorization header alone");
  for (const [options, message] of [
    [{ tokenSources: ["bearer"] }, /TOKEN_SOURCES: `bearer` is not `authorization`/],
    [{ tokenSources: [] }, /TOKEN_SOURCES: at least one source/],
    [{ tokenSources: ["cookie:a=b"] }, /TOKEN_SOURCES: `cookie:a=b`/],
    [{ tokenSources: Array(9).fill("authorization") }, /TOKEN_SOURCES: at most 8/],
    [{ env: { TOKEN_SOURCES: "authorization, query:a&b" } }, /TOKEN_SOURCES: `query:a&b`/],
  ]) {
    await assert.rejects(createAuthorizer({ ...base, ...options }), (e) => e instanceof ConfigurationError && message.test(e.message), String(message));
  }
  // Decided by the sources: a cookie (HTTP API 2.0), a WebSocket `$connect` query string.
  const good = signToken(key, { iss: ISSUER, aud: "api", sub: "u", iat: now, exp: now + 60 });
  const arn = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod";
  const v2 = (cookies) => ({ version: "2.0", type: "REQUEST", routeKey: "GET /pets", routeArn: `${arn}/GET/pets`, cookies, headers: {} });
  const connect = (token) => ({
    type: "REQUEST", methodArn: `${arn}/$connect`, headers: {}, multiValueHeaders: {},
    queryStringParameters: { access_token: token }, multiValueQueryStringParameters: { access_token: token.split(",") },
    requestContext: { routeKey: "$connect", eventType: "CONNECT" },
  });
  const decide = async (event) => { const d = await option.decide(event); return [d.outcome, d.reason ?? null]; };
  assert.deepEqual(await decide(v2(["theme=dark", `__Host-access=${good}`])), ["allow", null]);
  assert.deepEqual(await decide(v2([`__Host-access=${good}`, `__Host-access=${good}`])), ["unauthorized", "ambiguous_token"]);
  assert.deepEqual(await decide(connect(good)), ["allow", null]);
  assert.deepEqual(await decide(connect(`${good},${good}`)), ["unauthorized", "ambiguous_token"]);
  assert.deepEqual(await decide(tokenEvent(good, "Token")), ["allow", null], "TOKEN events: the first header source's scheme");
  assert.deepEqual(await decide(tokenEvent(good)), ["unauthorized", "bad_authorization_scheme"]);
});

test("CONFIG_FILE holds the whole configuration; nothing else may be set beside it", async () => {
  const dir = mkdtempSync(join(tmpdir(), "jwtgate-config-"));
  const path = join(dir, "config.json");
  const now = 1_800_000_000;
  writeFileSync(path, JSON.stringify({ issuers: [{ issuer: ISSUER, audiences: ["api"], jwks: JSON.parse(jwks(key)) }] }));
  const a = await createAuthorizer({ configFile: path, log: false, now: () => now * 1000 });
  const good = signToken(key, { iss: ISSUER, aud: "api", sub: "u", iat: now, exp: now + 60 });
  assert.equal((await a.decide(tokenEvent(good))).outcome, "allow", "static keys: no fetch at all");
  await assert.rejects(createAuthorizer({ configFile: path, issuer: ISSUER }), /CONFIG_FILE: ISSUER is set too/);
  await assert.rejects(createAuthorizer({ configFile: join(dir, "missing.json") }), /CONFIG_FILE: the file could not be read/);
  writeFileSync(path, JSON.stringify({ issuers: [{ issuer: ISSUER }] }));
  await assert.rejects(createAuthorizer({ configFile: path }), /issuers\[0\]\.audiences/);
});

test("a key set file of the deployment is read once, when first needed", async () => {
  const dir = mkdtempSync(join(tmpdir(), "jwtgate-keys-"));
  const path = join(dir, "jwks.json");
  writeFileSync(path, jwks(key));
  const now = 1_800_000_000;
  const lines = [];
  const a = await createAuthorizer({ issuer: ISSUER, audience: "api", jwksFile: path, now: () => now * 1000, log: (l) => lines.push(l) });
  const good = signToken(key, { iss: ISSUER, aud: "api", sub: "u", iat: now, exp: now + 60 });
  for (let i = 0; i < 3; i++) assert.equal((await a.decide(tokenEvent(good))).outcome, "allow");
  const loaded = lines.filter((l) => l.msg === "keys loaded");
  assert.equal(loaded.length, 1);
  assert.equal(loaded[0].url, path);
  assert.equal(loaded[0].cache_seconds, null, "a file's keys do not expire");
});

test("the Lambda handler fails with `Misconfigured environment variables` and the reason", async () => {
  const handler = createLambdaHandler({ env: { ISSUER } });
  await assert.rejects(handler(tokenEvent("x")), {
    message: "Misconfigured environment variables: invalid configuration: AUDIENCE: give the accepted audiences, or allowed_client_ids for tokens without `aud` (no profile accepts any audience)",
  });
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
  await assert.rejects(verifyWithKeys(good, "{not json", now, config), /JWKS: not a JSON key set/);
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
    const b = await createAuthorizer({ env: env(server.url), log: false, fetch: (url, init) => {
        given++;
        return globalFetch(url, init);
      } });
    assert.equal((await b.decide(tokenEvent(token()))).outcome, "allow");
    assert.equal(given, 1);
  } finally {
    globalThis.fetch = globalFetch;
    await server.close();
  }
});

test("forwarding options reach the answer: mapped and nested claims, the payload, usageIdentifierKey", async () => {
  const now = Math.floor(Date.now() / 1000);
  const t = signToken(key, { iss: ISSUER, aud: "api", sub: "user-1", iat: now, exp: now + 300, realm_access: { roles: ["admin"] }, api_key: "key-9" });
  const a = await createAuthorizer({
    issuer: ISSUER,
    audience: "api",
    jwks: jwks(key),
    contextClaims: ["sub", "roles=realm_access.roles"],
    contextPayloadKey: "claims",
    usageIdentifierClaim: "api_key",
    log: false,
  });
  const answer = await a.authorize(tokenEvent(t));
  assert.equal(answer.usageIdentifierKey, "key-9");
  assert.equal(answer.context.sub, "user-1");
  assert.equal(answer.context.roles, '["admin"]');
  assert.deepEqual(JSON.parse(answer.context.claims).realm_access, { roles: ["admin"] });
  // A bound token without a certificate (a TOKEN event has none), and binding required.
  const bound = signToken(key, { iss: ISSUER, aud: "api", sub: "user-1", iat: now, exp: now + 300, cnf: { "x5t#S256": "A".repeat(43) } });
  const decision = await a.decide(tokenEvent(bound));
  assert.equal(decision.reason, "certificate_required");
  const strict = await createAuthorizer({ issuer: ISSUER, audience: "api", jwks: jwks(key), requireCertificateBinding: true, log: false });
  assert.equal((await strict.decide(tokenEvent(t))).reason, "token_not_bound");
  for (const [options, message] of [
    [{ contextClaims: ["a=sub", "a=iss"] }, /CONTEXT_CLAIMS: the context key `a` is given two claims/],
    [{ usageIdentifierClaim: "a..b" }, /USAGE_IDENTIFIER_CLAIM/],
    [{ env: { REQUIRE_CERTIFICATE_BINDING: "maybe" } }, /REQUIRE_CERTIFICATE_BINDING/],
  ]) {
    await assert.rejects(createAuthorizer({ issuer: ISSUER, audience: "api", jwks: jwks(key), ...options }), (e) => e instanceof ConfigurationError && message.test(e.message), JSON.stringify(options));
  }
});
