// Per-route scope rules reach the core through the Node host's settings (options and env).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createAuthorizer, ConfigurationError } from "../package/dist/index.js";
import { makeKey, signToken, jwks } from "./support/tokens.mjs";

const ISSUER = "https://issuer.test/";
const API = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod";
const key = makeKey("RS256", "rules-key");
const fetchKeys = async () => new Response(jwks(key), { headers: { "content-type": "application/json" } });
const now = Math.floor(Date.now() / 1000);
const token = (scope) => signToken(key, { iss: ISSUER, aud: "api", sub: "u", exp: now + 300, scope });
const event = (t, route) => ({ type: "TOKEN", authorizationToken: `Bearer ${t}`, methodArn: `${API}/${route}` });

test("ROUTE_RULES from the environment: one Allow for the stage, one Deny listing the routes refused", async () => {
  const a = await createAuthorizer({
    env: { ISSUER, AUDIENCE: "api", JWKS_URI: "https://issuer.test/jwks", ROUTE_RULES: "GET /pets/*=pets:read; DELETE /*=admin" },
    fetch: fetchKeys,
    log: false,
  });
  const policy = await a.authorize(event(token("pets:read"), "GET/pets/1"));
  assert.deepEqual(policy.policyDocument.Statement.map((s) => [s.Effect, s.Resource]), [
    ["Allow", `${API}/*/*`],
    ["Deny", `${API}/DELETE/*`],
  ]);
  const d = await a.decide(event(token("pets:read"), "DELETE/pets/1"));
  assert.equal(d.outcome, "deny");
  assert.equal(d.reason, "missing_scope");
});

test("rules as a list option, closed by default, and a bad rule named at start", async () => {
  const a = await createAuthorizer({
    issuer: ISSUER, audience: "api", jwksUri: "https://issuer.test/jwks",
    routeRules: [{ route: "GET /pets/*", scopes: ["pets:read"] }], unlistedRoutes: "deny",
    fetch: fetchKeys, log: false,
  });
  assert.equal((await a.decide(event(token("pets:read"), "GET/pets/1"))).outcome, "allow");
  const unlisted = await a.decide(event(token("pets:read"), "GET/owners"));
  assert.deepEqual([unlisted.outcome, unlisted.reason], ["deny", "route_not_listed"]);
  await assert.rejects(
    createAuthorizer({ issuer: ISSUER, audience: "api", jwksUri: "https://issuer.test/jwks", routeRules: "FETCH /x=y" }),
    (e) => e instanceof ConfigurationError && /ROUTE_RULES/.test(e.message) && /FETCH \/x/.test(e.message),
  );
});
