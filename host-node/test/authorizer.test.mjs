// The package against a real OpenID Provider on 127.0.0.1: tokens from its /token endpoint,
// its JWKS fetched, cached, refetched (penalty box) and kept when the endpoint goes down.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createAuthorizer, AuthorizerError } from "../package/dist/index.js";
import { startProvider, peek, OTHER_AUDIENCE, AUDIENCE } from "./support/oidc.mjs";
import { tokenEvent, requestEvent, METHOD_ARN, STAGE_ARN } from "./support/events.mjs";

let op;
before(async () => {
  op = await startProvider();
});
after(() => op.close());

/** The real time plus an offset the test moves (the provider's tokens carry the real time). */
function testClock() {
  let offsetMs = 0;
  const now = () => Date.now() + offsetMs;
  now.advance = (seconds) => {
    offsetMs += seconds * 1000;
  };
  return now;
}

async function authorizer(extra = {}) {
  const lines = [];
  const now = testClock();
  const a = await createAuthorizer({
    env: {
      ISSUER: op.issuer,
      AUDIENCE,
      JWKS_URI: op.jwksUri,
      ALGORITHMS: "RS256,ES256,EdDSA",
      JWKS_ALLOW_HTTP_LOOPBACK: "true",
      ...extra,
    },
    now,
    log: (line) => lines.push(line),
  });
  return { a, now, lines, decisions: () => lines.filter((l) => l.msg === "authorizer decision") };
}

async function refusal(promise) {
  const error = await promise.then(
    () => assert.fail("expected a refusal"),
    (e) => e,
  );
  assert.ok(error instanceof AuthorizerError, String(error));
  assert.equal(error.message, "Unauthorized");
  return error.reason;
}

test("tokens minted by the provider (RS256, ES256, EdDSA) get an Allow policy for the stage", async () => {
  const { a, decisions } = await authorizer();
  const before = op.state.jwksRequests;
  for (const alg of ["RS256", "ES256", "EdDSA"]) {
    const token = await op.token(alg);
    assert.equal(peek(token).header.alg, alg);
    const response = await a.authorize(tokenEvent(token));
    assert.equal(response.principalId, "svc-client");
    assert.deepEqual(response.policyDocument, {
      Version: "2012-10-17",
      Statement: [{ Action: "execute-api:Invoke", Effect: "Allow", Resource: STAGE_ARN }],
    });
    assert.equal(response.context.scope, "pets:read");
  }
  assert.equal(op.state.jwksRequests - before, 1, "one JWKS fetch serves every later decision");
  const lines = decisions();
  assert.equal(lines.length, 3, "one log line per decision");
  assert.deepEqual(
    Object.keys(lines[0]).sort(),
    ["alg", "call", "client_id", "event", "iss", "kid", "keys_fetched", "latency_ms", "level", "msg", "outcome", "reason", "sub", "decisions", "_aws"].sort(),
  );
  assert.equal(lines[0].outcome, "allow");
  assert.equal(lines[0].iss, op.issuer);
});

test("verify() returns the claims; REQUEST events read the Authorization header", async () => {
  const { a } = await authorizer();
  const token = await op.token("ES256");
  const verified = await a.verify(token);
  assert.equal(verified.header.kid, peek(token).header.kid);
  assert.equal(verified.claims.client_id, "svc-client");
  const response = await a.authorize(requestEvent(`bearer ${token}`));
  assert.equal(response.policyDocument.Statement[0].Effect, "Allow");
  const httpApi = {
    version: "2.0",
    type: "REQUEST",
    routeArn: "arn:aws:execute-api:us-east-1:123456789012:abc123/$default/GET/pets",
    routeKey: "GET /pets",
    headers: { authorization: `Bearer ${token}` },
  };
  assert.equal((await a.authorize(httpApi)).isAuthorized, true, "HTTP API 2.0: simple response");
  const [h, , sig] = token.split(".");
  const other = Buffer.from(JSON.stringify({ ...peek(token).claims, scope: "pets:admin" })).toString("base64url");
  assert.equal(await refusal(a.verify(`${h}.${other}.${sig}`)), "bad_signature");
});

test("POLICY_RESOURCE=method gives the exact methodArn; missing scopes give a Deny policy", async () => {
  const { a } = await authorizer({ POLICY_RESOURCE: "method" });
  const token = await op.token();
  assert.equal((await a.authorize(tokenEvent(token))).policyDocument.Statement[0].Resource, METHOD_ARN);
  const { a: strict } = await authorizer({ REQUIRED_SCOPES: "pets:admin" });
  const deny = await strict.authorize(tokenEvent(token));
  assert.equal(deny.policyDocument.Statement.at(-1).Effect, "Deny");
});

test("expired, wrong audience, wrong issuer, tampered, wrong algorithm: Unauthorized with the reason", async () => {
  const { a, now, lines } = await authorizer();
  const token = await op.token();
  assert.equal(await refusal(a.authorize(tokenEvent(await op.token("RS256", OTHER_AUDIENCE)))), "audience_mismatch");
  const [h, , s] = token.split(".");
  const forged = Buffer.from(JSON.stringify({ ...peek(token).claims, sub: "admin" })).toString("base64url");
  assert.equal(await refusal(a.authorize(tokenEvent(`${h}.${forged}.${s}`))), "bad_signature");
  const { a: slash } = await authorizer({ ISSUER: `${op.issuer}/` });
  assert.equal(await refusal(slash.authorize(tokenEvent(token))), "issuer_mismatch");
  const { a: rsOnly } = await authorizer({ ALGORITHMS: "RS256" });
  assert.equal(await refusal(rsOnly.authorize(tokenEvent(await op.token("EdDSA")))), "algorithm_not_allowed");
  now.advance(301);
  assert.equal(await refusal(a.authorize(tokenEvent(token))), "token_expired");
  assert.ok(!JSON.stringify(lines).includes(s), "the log never holds a token or signature");
});

test("malformed events and Authorization values are Unauthorized, never a crash", async () => {
  const { a } = await authorizer();
  const token = await op.token();
  const circular = { type: "TOKEN" };
  circular.self = circular;
  const cases = [
    [null, "invalid_event"],
    [undefined, "invalid_event"],
    ["Bearer x", "invalid_event"],
    [circular, "invalid_event"],
    [{ type: "TOKEN", methodArn: METHOD_ARN }, "missing_token"],
    [{ type: "TOKEN", authorizationToken: "Bearer", methodArn: METHOD_ARN }, "bad_authorization_scheme"],
    [tokenEvent(token, "Basic"), "bad_authorization_scheme"],
    [tokenEvent(`${token} extra`), "bad_authorization_scheme"],
    [tokenEvent("not-a-jwt"), "malformed_token"],
    [tokenEvent("x".repeat(20_000)), "token_too_large"],
    [requestEvent(42), "invalid_event"],
  ];
  for (const [event, reason] of cases) {
    const got = await refusal(a.authorize(event));
    assert.ok(got === reason || (reason === "invalid_event" && ["missing_token", "invalid_event"].includes(got)), `case ${cases.findIndex((c) => c[0] === event)}: ${got}`);
  }
});

test("plain TOKEN events (passed to the module by their members) decide exactly as their JSON", async () => {
  const { a } = await authorizer();
  const token = await op.token();
  const values = [`Bearer ${token}`, `bearer  ${token} `, `Basic ${token}`, "Bearer a.b.c", "", `Bearer ${token}"\\\n\u0001é`, "Bearer \ud800x", "x".repeat(20_000)];
  const arns = [METHOD_ARN, "not an arn", "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/$connect"];
  let allows = 0;
  for (const authorizationToken of values) {
    for (const methodArn of arns) {
      const plain = { type: "TOKEN", authorizationToken, methodArn };
      // Not a plain object: the package sends it as JSON text.
      const asJson = Object.assign(Object.create(null), plain);
      const [fast, slow] = [await a.decide(plain), await a.decide(asJson)];
      assert.deepEqual(fast, slow, `${JSON.stringify(authorizationToken).slice(0, 40)} ${methodArn}`);
      if (fast.outcome === "allow") allows++;
    }
  }
  assert.ok(allows >= 2, "the table includes allows");
});

test("authorize() without logging (the module's answer alone) resolves and rejects as the whole decision says", async () => {
  const { a } = await authorizer();
  const silent = await createAuthorizer({
    env: { ISSUER: op.issuer, AUDIENCE, JWKS_URI: op.jwksUri, ALGORITHMS: "RS256,ES256,EdDSA", JWKS_ALLOW_HTTP_LOOPBACK: "true" },
    log: false,
  });
  const scoped = await createAuthorizer({
    env: { ISSUER: op.issuer, AUDIENCE, JWKS_URI: op.jwksUri, JWKS_ALLOW_HTTP_LOOPBACK: "true", REQUIRED_SCOPES: "admin" },
    log: false,
  });
  const token = await op.token();
  const cases = [`Bearer ${token}`, `Bearer ${token}x`, "Bearer a.b.c", "", `Bearer ${token}`, "x".repeat(30_000), `Bearer ${token}${"é".repeat(8_000)}`, `Bearer ${token}`];
  // Another session taking a large input area grows the module's memory, which detaches every
  // JavaScript view of it: the package must notice and take a fresh one.
  const { Authorizer } = await import("../package/pkg/jwtgate_wasm.js");
  const grower = Authorizer.create(JSON.stringify({ issuers: [op.issuer], audiences: [AUDIENCE], jwks_uri: op.jwksUri, jwks_allow_http_loopback: true })).takeAuthorizer();
  let growth = 0;
  const outcomes = [];
  for (const [i, authorizationToken] of cases.entries()) {
    const event = tokenEvent(token);
    event.authorizationToken = authorizationToken;
    const whole = await a.decide(event);
    outcomes.push(whole.outcome);
    const answered = await silent.authorize(event).then(
      (response) => ({ response }),
      (e) => ({ reason: e.reason, message: e.message }),
    );
    if (whole.response !== null) assert.deepEqual(answered, { response: whole.response }, `case ${i}`);
    else assert.deepEqual(answered, { reason: whole.reason, message: "Unauthorized" }, `case ${i}`);
    growth += 4;
    grower.inputArea(growth * 1024 * 1024);
  }
  // Every valid token is allowed, also after the memory grew under the sessions.
  assert.deepEqual(outcomes.map((o, i) => (o === "allow" ? i : -1)).filter((i) => i >= 0), [0, 4, 7]);
  const denied = await scoped.authorize(tokenEvent(token));
  assert.equal(denied.policyDocument.Statement[0].Effect, "Deny");
  grower.free();
});

test("concurrent first requests share one JWKS fetch", async () => {
  const { a } = await authorizer();
  const token = await op.token();
  const before = op.state.jwksRequests;
  const responses = await Promise.all(Array.from({ length: 20 }, () => a.authorize(tokenEvent(token))));
  assert.equal(responses.length, 20);
  assert.equal(op.state.jwksRequests - before, 1);
});

test("key rotation: unknown kid refetches at most once per cooldown (penalty box)", async () => {
  const { a, now } = await authorizer();
  const old = await op.token();
  await a.authorize(tokenEvent(old));
  const count = () => op.state.jwksRequests;
  const start = count();
  op.rotate();
  const rotated = await op.token();
  assert.notEqual(peek(rotated).header.kid, peek(old).header.kid);

  now.advance(5); // within the cooldown of the first fetch: no refetch
  assert.equal(await refusal(a.authorize(tokenEvent(rotated))), "unknown_kid");
  assert.equal(count(), start, "penalty box: no fetch within the cooldown");

  now.advance(30); // cooldown over: one refetch, then the token is decided again
  assert.equal((await a.authorize(tokenEvent(rotated))).principalId, "svc-client");
  assert.equal(count(), start + 1);

  const forged = `${Buffer.from(JSON.stringify({ ...peek(rotated).header, kid: "forged" })).toString("base64url")}.${rotated.split(".").slice(1).join(".")}`;
  for (let i = 0; i < 10; i++) assert.equal(await refusal(a.authorize(tokenEvent(forged))), "unknown_kid");
  assert.equal(count(), start + 1, "forged kids cannot flood the provider");
  now.advance(31);
  await Promise.all(Array.from({ length: 5 }, () => refusal(a.authorize(tokenEvent(forged)))));
  assert.equal(count(), start + 2, "one refetch per cooldown, shared by concurrent requests");
});

test("JWKS endpoint down after a first success: the last good keys are used", async () => {
  const { a, now, lines } = await authorizer({ JWKS_CACHE_MAX_SECONDS: "60" });
  const token = await op.token();
  await a.authorize(tokenEvent(token));
  const start = op.state.jwksRequests;
  op.state.jwksDown = true;
  try {
    now.advance(61); // the cached keys expired: a refetch is tried and fails
    assert.equal((await a.authorize(tokenEvent(token))).principalId, "svc-client");
    assert.equal(op.state.jwksRequests, start + 1);
    assert.ok(lines.some((l) => l.msg === "keys fetch failed" && l.kept_last_good_keys === true && l.failure === "http_status"));
    now.advance(5); // no new attempt before the cooldown
    await a.authorize(tokenEvent(token));
    assert.equal(op.state.jwksRequests, start + 1);
  } finally {
    op.state.jwksDown = false;
  }
  now.advance(30);
  await a.authorize(tokenEvent(token));
  assert.equal(op.state.jwksRequests, start + 2, "recovered after the cooldown");
});

test("OIDC discovery from ISSUER when JWKS_URI is absent", async () => {
  const before = { d: op.state.discoveryRequests, j: op.state.jwksRequests };
  const { a } = await authorizer({ JWKS_URI: "" });
  assert.equal(a.settings.config.jwks_uri, null);
  await a.authorize(tokenEvent(await op.token()));
  await a.authorize(tokenEvent(await op.token("ES256")));
  assert.equal(op.state.discoveryRequests - before.d, 1);
  assert.equal(op.state.jwksRequests - before.j, 1);
});
