// A part of the host that fails never turns the module's answer into something else. A log
// function that throws loses its line, never the decision; a clock or a `fetch` that fails is
// refused (`internal_error`, `jwks_unavailable`), never thrown: API Gateway answers 401 only
// to `Unauthorized`, and anything else a Lambda throws is a 500.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createAuthorizer, createLambdaHandler, AuthorizerError } from "../package/dist/index.js";
import { makeKey, signToken, jwks } from "./support/tokens.mjs";

const ISSUER = "https://a.example/";
const key = makeKey("RS256", "k1");
const other = makeKey("RS256", "k1");
const now = Math.floor(Date.now() / 1000);
const claims = { iss: ISSUER, aud: "api", sub: "u", iat: now - 10, exp: now + 300 };
const good = signToken(key, claims);
const forged = signToken(other, claims);
const event = (t) => ({ type: "TOKEN", authorizationToken: `Bearer ${t}`, methodArn: "arn:aws:execute-api:us-east-1:123456789012:api/prod/GET/x" });
const keySet = async () => new Response(jwks(key), { headers: { "content-type": "application/json" } });
const base = { issuer: ISSUER, audience: "api", jwksUri: "https://a.example/jwks", fetch: keySet };
const unauthorized = (reason) => (e) => e instanceof AuthorizerError && e.message === "Unauthorized" && e.reason === reason;
const effect = (response) => response.policyDocument.Statement[0].Effect;

/** Runs `body` with console.error counted instead of printed. */
async function countingConsoleErrors(body) {
  const saved = console.error;
  let count = 0;
  console.error = () => {
    count += 1;
  };
  try {
    await body();
  } finally {
    console.error = saved;
  }
  return count;
}

test("a log function that throws loses its lines, never the decision", async () => {
  const log = () => {
    throw new Error("log sink down");
  };
  const reported = await countingConsoleErrors(async () => {
    const a = await createAuthorizer({ ...base, log });
    // The first decision fetches the keys: the key set's line throws too.
    assert.equal(effect(await a.authorize(event(good))), "Allow");
    await assert.rejects(a.authorize(event(forged)), unauthorized("bad_signature"));
    assert.equal((await a.decide(event(forged))).reason, "bad_signature");
    assert.equal((await a.verify(good)).claims.sub, "u");
    await assert.rejects(a.verify(forged), unauthorized("bad_signature"));
    // The Lambda handler: an Allow, and `Unauthorized` (401) for the forged token.
    const handler = createLambdaHandler({ ...base, env: {}, log });
    assert.equal(effect(await handler(event(good), { awsRequestId: "r-1" })), "Allow");
    await assert.rejects(handler(event(forged), { awsRequestId: "r-2" }), (e) => e.message === "Unauthorized");
  });
  assert.equal(reported, 2, "each authorizer reports its log function's failure once");
  // Only the key set's line failing: the decision that fetched the keys stands.
  const keyLines = (line) => {
    if (line.msg !== "authorizer decision") throw new Error("key set lines lost");
  };
  await countingConsoleErrors(async () => {
    const a = await createAuthorizer({ ...base, log: keyLines });
    assert.equal(effect(await a.authorize(event(good))), "Allow");
  });
});

test("a clock that throws is refused as internal_error, never thrown", async () => {
  const clock = () => {
    throw new Error("clock");
  };
  const a = await createAuthorizer({ ...base, now: clock, log: false });
  await assert.rejects(a.authorize(event(good)), unauthorized("internal_error"));
  const d = await a.decide(event(good));
  assert.deepEqual([d.outcome, d.reason, d.response], ["unauthorized", "internal_error", null]);
  await assert.rejects(a.verify(good), unauthorized("internal_error"));
  // The decision's line is still written; its metric record, like one from a clock that gives
  // no number, carries the timestamp 0 (CloudWatch drops the metric, the line stays).
  const lines = [];
  const logged = await createAuthorizer({ ...base, now: clock, log: (line) => lines.push(line) });
  await assert.rejects(logged.authorize(event(good)), unauthorized("internal_error"));
  const line = lines.find((l) => l.msg === "authorizer decision");
  assert.deepEqual([line.reason, line._aws.Timestamp], ["internal_error", 0]);
  const handler = createLambdaHandler({ ...base, env: {}, now: clock, log: false });
  await assert.rejects(handler(event(good)), (e) => e.message === "Unauthorized");
  // A clock that breaks once the keys are in: the next decision is refused, then it recovers.
  let broken = false;
  const b = await createAuthorizer({ ...base, now: () => (broken ? clock() : Date.now()), log: false });
  assert.equal(effect(await b.authorize(event(good))), "Allow");
  broken = true;
  await assert.rejects(b.authorize(event(good)), unauthorized("internal_error"));
  broken = false;
  assert.equal(effect(await b.authorize(event(good))), "Allow");
});

test("a fetch that answers with something other than a Response is a failed key fetch", async () => {
  for (const answer of [{ status: 200 }, null, 42, { status: 200, headers: { get: () => { throw new Error("headers"); } } }]) {
    const a = await createAuthorizer({ ...base, fetch: async () => answer, log: false });
    const d = await a.decide(event(good));
    assert.deepEqual([d.outcome, d.reason], ["unauthorized", "jwks_unavailable"], JSON.stringify(answer));
    await assert.rejects(a.authorize(event(good)), unauthorized("jwks_unavailable"));
  }
});
