// Claim rules and scope matching (issue 18) reach the core through the Node host's settings:
// options (camelCase, lists as given) and the environment (CLAIM_RULES text, SCOPE_MATCH), per
// issuer profile too, with errors naming the setting at creation.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createAuthorizer, ConfigurationError } from "../package/dist/index.js";
import { makeKey, signToken, jwks } from "./support/tokens.mjs";

const ISSUER = "https://issuer.test/";
const API = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod";
const key = makeKey("RS256", "claims-key");
const fetchKeys = async () => new Response(jwks(key), { headers: { "content-type": "application/json" } });
const now = Math.floor(Date.now() / 1000);
const token = (claims) => signToken(key, { iss: ISSUER, aud: "api", sub: "u", exp: now + 300, scope: "pets:read", ...claims });
const event = (t, route = "GET/pets/1") => ({ type: "TOKEN", authorizationToken: `Bearer ${t}`, methodArn: `${API}/${route}` });
const base = { issuer: ISSUER, audience: "api", jwksUri: "https://issuer.test/jwks", fetch: fetchKeys, log: false };
const decided = async (a, t, route) => {
  const d = await a.decide(event(t, route));
  return [d.outcome, d.reason ?? null];
};

test("claimRules as a list option: text and object forms, Deny with claim_rule_failed", async () => {
  const a = await createAuthorizer({
    ...base,
    claimRules: ["contains_any(cognito:groups,admin,ops)", { claim: "email_verified", equals: true }, { claim: "realm_access.roles", contains_all: ["reader"] }],
  });
  const good = { "cognito:groups": ["ops"], email_verified: true, realm_access: { roles: ["reader", "x"] } };
  assert.deepEqual(await decided(a, token(good)), ["allow", null]);
  assert.deepEqual(await decided(a, token({ ...good, "cognito:groups": ["dev"] })), ["deny", "claim_rule_failed"]);
  assert.deepEqual(await decided(a, token({ ...good, email_verified: false })), ["deny", "claim_rule_failed"]);
  assert.deepEqual(await decided(a, token({ ...good, realm_access: null })), ["deny", "claim_rule_failed"]);
  assert.deepEqual(await decided(a, token({ ...good, "cognito:groups": 3 })), ["unauthorized", "invalid_claim"]);
  const policy = await a.authorize(event(token({ ...good, "cognito:groups": [] })));
  assert.deepEqual(policy.policyDocument.Statement.map((s) => s.Effect), ["Deny"]);
});

test("CLAIM_RULES and SCOPE_MATCH from the environment, and per issuer profile", async () => {
  const a = await createAuthorizer({
    env: { ISSUER, AUDIENCE: "api", JWKS_URI: "https://issuer.test/jwks", CLAIM_RULES: "one_of(tenant, acme, globex)  present(sub)", REQUIRED_SCOPES: "admin pets:read", SCOPE_MATCH: "any" },
    fetch: fetchKeys,
    log: false,
  });
  assert.equal(a.settings.config.scope_match, "any");
  assert.deepEqual(await decided(a, token({ tenant: "globex" })), ["allow", null], "one scope of two is enough with any");
  assert.deepEqual(await decided(a, token({ tenant: "initech" })), ["deny", "claim_rule_failed"]);
  assert.deepEqual(await decided(a, token({ tenant: "acme", scope: "other" })), ["deny", "missing_scope"]);
  const b = await createAuthorizer({
    issuers: [{ issuer: ISSUER, audiences: ["api"], jwksUri: "https://issuer.test/jwks", requiredScopes: ["admin", "pets:read"], scopeMatch: "any", claimRules: ["equals(tenant,acme)"] }],
    fetch: fetchKeys,
    log: false,
  });
  assert.deepEqual(b.settings.config.issuers[0].claim_rules, [{ claim: "tenant", equals: "acme" }], "the option reaches the core as claim_rules");
  assert.deepEqual(await decided(b, token({ tenant: "acme" })), ["allow", null]);
  assert.deepEqual(await decided(b, token({ tenant: "other" })), ["deny", "claim_rule_failed"]);
});

test("route rules with claim terms (text and list) stay one stage-wide policy", async () => {
  const a = await createAuthorizer({ ...base, routeRules: "DELETE /pets/*=contains_any(cognito:groups,admin); GET /pets/*=pets:read" });
  const policy = await a.authorize(event(token({ "cognito:groups": ["dev"] })));
  assert.deepEqual(policy.policyDocument.Statement.map((s) => [s.Effect, s.Resource]), [
    ["Allow", `${API}/*/*`],
    ["Deny", `${API}/DELETE/pets/*`],
  ]);
  assert.deepEqual(await decided(a, token({ "cognito:groups": ["dev"] }), "DELETE/pets/1"), ["deny", "claim_rule_failed"]);
  assert.deepEqual(await decided(a, token({ "cognito:groups": ["admin"] }), "DELETE/pets/1"), ["allow", null]);
  const b = await createAuthorizer({ ...base, routeRules: [{ route: "DELETE /pets/*", claims: [{ claim: "cognito:groups", contains_any: ["admin"] }] }], unlistedRoutes: "deny" });
  assert.deepEqual(await decided(b, token({ "cognito:groups": ["admin"] }), "DELETE/pets/1"), ["allow", null]);
  assert.deepEqual(await decided(b, token({ "cognito:groups": [] }), "DELETE/pets/1"), ["deny", "claim_rule_failed"]);
});

test("bad claim rules and scope matching are refused at creation, naming the setting", async () => {
  for (const [options, message] of [
    [{ claimRules: ["has(groups,admin)"] }, /CLAIM_RULES: `has\(groups,admin\)`: not a claim rule operator/],
    [{ claimRules: "present(a) equals(b)" }, /CLAIM_RULES: `equals\(b\)`: `equals` takes exactly one value/],
    [{ claimRules: [{ claim: "tenant", equals: "a", present: true }] }, /CLAIM_RULES: `tenant`: more than one operator/],
    [{ claimRules: Array.from({ length: 21 }, (_, i) => `present(c${i})`) }, /CLAIM_RULES: more than 20 rules/],
    [{ scopeMatch: "some" }, /SCOPE_MATCH: `some` is not `all` or `any`/],
    [{ issuers: [{ issuer: ISSUER, audiences: ["api"], claimRules: ["present(a..b)"] }] }, /ISSUERS\[0\]\.claim_rules: .*empty name/],
    [{ issuers: [{ issuer: ISSUER, audiences: ["api"], scopeMatch: "one" }] }, /ISSUERS\[0\]\.scope_match/],
    [{ routeRules: "DELETE /pets/*=contains(groups,admin)" }, /ROUTE_RULES: `DELETE \/pets\/\*`: .*not a claim rule operator/],
    [{ routeRules: [{ route: "GET /x" }] }, /ROUTE_RULES: .*no `scopes` or `claims`/],
  ]) {
    const { issuer, audience, ...rest } = base;
    const opts = options.issuers ? { ...rest, ...options } : { ...base, ...options };
    await assert.rejects(createAuthorizer(opts), (e) => e instanceof ConfigurationError && message.test(e.message), String(message));
  }
});
