// Generates vectors.json: the one conformance table every host must decide identically.
// Tokens are signed here with node:crypto and the committed test keys (tests/keys), so the
// table can be regenerated and extended: add a case below, run
//   node tests/conformance/generate.mjs
// and commit vectors.json. Each case: name, config (the core's configuration JSON), jwks,
// now (Unix seconds), event_kind, event, expected { outcome, reason }, or expected
// { config_error: SETTING } for a configuration every host must refuse, naming the setting.
import { createPrivateKey, sign, constants } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const KEYS = JSON.parse(readFileSync(here("../keys/test-keys.json"), "utf8")).keys;
const NOW = 1_800_000_000;
const ISS = "https://issuer.test/";
const AUD = "api://conformance";
const API = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod";
const ALL_ALGS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA"];
const KID = { RS: "rsa-2048", PS: "rsa-2048", ES256: "ec-p256", ES384: "ec-p384", EdDSA: "ed25519" };
const kidFor = (alg) => KID[alg] ?? KID[alg.slice(0, 2)];

const b64u = (x) => Buffer.from(x).toString("base64url");
const privateKey = (kid) => createPrivateKey({ key: KEYS.find((k) => k.kid === kid), format: "jwk" });
const publicJwk = (kid) => {
  const { d, p, q, dp, dq, qi, ...pub } = KEYS.find((k) => k.kid === kid);
  return pub;
};
const jwks = (...kids) => ({ keys: kids.map(publicJwk) });

function signRaw(alg, kid, headerText, payloadText) {
  const input = `${b64u(headerText)}.${b64u(payloadText)}`;
  const hash = { 256: "sha256", 384: "sha384", 512: "sha512" }[alg.slice(2)];
  const key = privateKey(kid);
  let sig;
  if (alg.startsWith("RS")) sig = sign(hash, Buffer.from(input), key);
  else if (alg.startsWith("PS")) sig = sign(hash, Buffer.from(input), { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(alg.slice(2)) / 8 });
  else if (alg.startsWith("ES")) sig = sign(hash, Buffer.from(input), { key, dsaEncoding: "ieee-p1363" });
  else sig = sign(null, Buffer.from(input), key);
  return `${input}.${b64u(sig)}`;
}

const baseClaims = { iss: ISS, aud: AUD, sub: "user-1", exp: NOW + 300, iat: NOW - 10, scope: "pets:read pets:write", client_id: "client-1" };
function token(alg = "RS256", claims = {}, header = {}) {
  const h = { alg, typ: "at+jwt", kid: kidFor(alg), ...header };
  for (const [k, v] of Object.entries(header)) if (v === null) delete h[k];
  const c = { ...baseClaims, ...claims };
  for (const [k, v] of Object.entries(claims)) if (v === null) delete c[k];
  const signer = KEYS.some((k) => k.kid === h.kid) ? h.kid : kidFor(alg);
  return signRaw(alg, signer, JSON.stringify(h), JSON.stringify(c));
}

const tokenEvent = (t, route = "GET/pets/1") => ({ type: "TOKEN", authorizationToken: t === undefined ? undefined : `Bearer ${t}`, methodArn: `${API}/${route}` });
const requestEvent = (t) => ({ type: "REQUEST", methodArn: `${API}/GET/pets/1`, headers: { Authorization: `Bearer ${t}` }, multiValueHeaders: { Authorization: [`Bearer ${t}`] } });
const httpV1Event = (t) => ({ version: "1.0", type: "REQUEST", methodArn: `${API}/GET/pets/1`, headers: { authorization: `Bearer ${t}` } });
const httpV2Event = (t, routeKey = "GET /pets/{id}") => ({ version: "2.0", type: "REQUEST", routeKey, routeArn: `${API}/GET/pets/1`, headers: { authorization: `Bearer ${t}` } });

const config = (extra = {}) => ({ issuers: [ISS], audiences: [AUD], algorithms: ALL_ALGS, ...extra });
const cases = [];
function add(name, { event, keys = jwks("rsa-2048", "ec-p256", "ec-p384", "ed25519"), cfg = config(), now = NOW, kind = "token" }, outcome, reason = null) {
  cases.push({ name, config: cfg, jwks: keys, now, event_kind: kind, event, expected: { outcome, reason } });
}
// A configuration every host must refuse at start, naming `setting`.
function addRefused(name, cfg, setting) {
  cases.push({ name, config: cfg, jwks: jwks("rsa-2048"), now: NOW, event_kind: "token", event: tokenEvent(token()), expected: { config_error: setting } });
}

// Every algorithm, every event kind.
for (const alg of ALL_ALGS) add(`allow ${alg}`, { event: tokenEvent(token(alg)) }, "allow");
add("allow REST REQUEST event", { event: requestEvent(token()), kind: "request" }, "allow");
add("allow HTTP API payload 1.0", { event: httpV1Event(token()), kind: "request" }, "allow");
add("allow HTTP API 2.0 simple response", { event: httpV2Event(token()), kind: "http_v2" }, "allow");
add("allow HTTP API 2.0 policy response", { event: httpV2Event(token()), kind: "http_v2", cfg: config({ http_api_response: "policy" }) }, "allow");
add("allow exact methodArn resource", { event: tokenEvent(token()), cfg: config({ policy_resource: "method" }) }, "allow");
add("allow kid-less token, single fitting key", { event: tokenEvent(token("ES256", {}, { kid: null })) }, "allow");
add("allow audience array", { event: tokenEvent(token("RS256", { aud: ["other", AUD] })) }, "allow");
add("allow inside leeway", { event: tokenEvent(token("RS256", { exp: NOW - 5 })), cfg: config({ leeway_seconds: 10 }) }, "allow");
add("allow typ at+jwt required", { event: tokenEvent(token()), cfg: config({ token_type: "at+jwt" }) }, "allow");

// Every rejection reason of the core.
add("invalid_event: not an authorizer event", { event: {} }, "unauthorized", "invalid_event");
add("invalid_event: methodArn not execute-api", { event: { type: "TOKEN", authorizationToken: `Bearer ${token()}`, methodArn: "arn:aws:s3:::bucket" } }, "unauthorized", "invalid_event");
add("missing_token", { event: tokenEvent(undefined) }, "unauthorized", "missing_token");
add("missing_token: REQUEST without Authorization", { event: { type: "REQUEST", methodArn: `${API}/GET/pets/1`, headers: {} }, kind: "request" }, "unauthorized", "missing_token");
add("bad_authorization_scheme: Basic", { event: { ...tokenEvent(), authorizationToken: "Basic dXNlcjpwYXNz" } }, "unauthorized", "bad_authorization_scheme");
add("bad_authorization_scheme: two Authorization headers", { event: { type: "REQUEST", methodArn: `${API}/GET/pets/1`, headers: { Authorization: `Bearer ${token()}`, authorization: "Bearer x" } }, kind: "request" }, "unauthorized", "bad_authorization_scheme");
add("token_too_large", { event: tokenEvent(token()), cfg: config({ limits: { max_token_bytes: 200 } }) }, "unauthorized", "token_too_large");
add("malformed_token: two segments", { event: tokenEvent("eyJhbGciOiJSUzI1NiJ9.e30") }, "unauthorized", "malformed_token");
add("malformed_token: empty signature", { event: tokenEvent(token().replace(/\.[^.]*$/, ".")) }, "unauthorized", "malformed_token");
add("invalid_base64: padding", { event: tokenEvent(token() + "=") }, "unauthorized", "invalid_base64");
add("invalid_json: header not JSON", { event: tokenEvent(`${b64u("not json")}.e30.AAAA`) }, "unauthorized", "invalid_json");
add("duplicate_member: header alg twice", { event: tokenEvent(signRaw("RS256", "rsa-2048", '{"alg":"RS256","kid":"rsa-2048","alg":"none"}', JSON.stringify(baseClaims))) }, "unauthorized", "duplicate_member");
add("unsupported_critical", { event: tokenEvent(token("RS256", {}, { crit: ["exp"] })) }, "unauthorized", "unsupported_critical");
add("unencoded_payload: b64 false", { event: tokenEvent(token("RS256", {}, { b64: false, crit: ["b64"] })) }, "unauthorized", "unencoded_payload");
add("algorithm_not_allowed: alg none", { event: tokenEvent(`${b64u('{"alg":"none"}')}.${b64u(JSON.stringify(baseClaims))}.`) }, "unauthorized", "algorithm_not_allowed");
add("algorithm_not_allowed: HS256", { event: tokenEvent(`${b64u('{"alg":"HS256","kid":"rsa-2048"}')}.${b64u(JSON.stringify(baseClaims))}.AAAA`) }, "unauthorized", "algorithm_not_allowed");
add("algorithm_not_allowed: outside the configured list", { event: tokenEvent(token("ES256")), cfg: config({ algorithms: ["RS256"] }) }, "unauthorized", "algorithm_not_allowed");
add("no_keys: empty key set", { event: tokenEvent(token("RS256", {}, { kid: null })), keys: { keys: [] } }, "unauthorized", "no_keys");
add("unknown_kid asks for a refresh", { event: tokenEvent(token("RS256", {}, { kid: "rotated-key" })) }, "refresh_keys", "unknown_kid");
add("no_matching_key: kid-less and two RSA keys", { event: tokenEvent(token("RS256", {}, { kid: null })), keys: jwks("rsa-2048", "rsa-3072") }, "unauthorized", "no_matching_key");
add("key_mismatch: RS256 naming the EC key", { event: tokenEvent(signRaw("RS256", "rsa-2048", '{"alg":"RS256","kid":"ec-p256"}', JSON.stringify(baseClaims))) }, "unauthorized", "key_mismatch");
{
  const t = token();
  const [h, , s] = t.split(".");
  add("bad_signature: payload changed", { event: tokenEvent(`${h}.${b64u(JSON.stringify({ ...baseClaims, sub: "admin" }))}.${s}`) }, "unauthorized", "bad_signature");
}
add("invalid_claim: exp as a string", { event: tokenEvent(token("RS256", { exp: String(NOW + 300) })) }, "unauthorized", "invalid_claim");
add("missing_exp", { event: tokenEvent(token("RS256", { exp: null })) }, "unauthorized", "missing_exp");
add("token_expired: exp equals now", { event: tokenEvent(token("RS256", { exp: NOW })) }, "unauthorized", "token_expired");
add("token_not_yet_valid", { event: tokenEvent(token("RS256", { nbf: NOW + 60 })) }, "unauthorized", "token_not_yet_valid");
add("issued_in_future", { event: tokenEvent(token("RS256", { iat: NOW + 60 })) }, "unauthorized", "issued_in_future");
add("missing_iat with a maximum age", { event: tokenEvent(token("RS256", { iat: null })), cfg: config({ max_token_age_seconds: 600 }) }, "unauthorized", "missing_iat");
add("token_too_old", { event: tokenEvent(token("RS256", { iat: NOW - 700 })), cfg: config({ max_token_age_seconds: 600 }) }, "unauthorized", "token_too_old");
add("issuer_mismatch: trailing slash", { event: tokenEvent(token("RS256", { iss: "https://issuer.test" })) }, "unauthorized", "issuer_mismatch");
add("audience_mismatch", { event: tokenEvent(token("RS256", { aud: ["a", "b"] })) }, "unauthorized", "audience_mismatch");
add("token_type_mismatch", { event: tokenEvent(token("RS256", {}, { typ: "JWT" })), cfg: config({ token_type: "at+jwt" }) }, "unauthorized", "token_type_mismatch");
add("client_not_allowed", { event: tokenEvent(token()), cfg: config({ allowed_client_ids: ["client-2"] }) }, "unauthorized", "client_not_allowed");
add("missing_scope gives Deny", { event: tokenEvent(token()), cfg: config({ required_scopes: ["admin"] }) }, "deny", "missing_scope");
add("missing_scope gives isAuthorized false on HTTP API", { event: httpV2Event(token()), kind: "http_v2", cfg: config({ required_scopes: ["admin"] }) }, "deny", "missing_scope");

// Per-route rules: the policy is the same for every route; the outcome is this route's.
const rules = config({ route_rules: "GET /pets/*=pets:read; DELETE /*=admin" });
add("route rules: allowed route", { event: tokenEvent(token(), "GET/pets/1"), cfg: rules }, "allow");
add("route rules: route needing a scope the token lacks", { event: tokenEvent(token(), "DELETE/pets/1"), cfg: rules }, "deny", "missing_scope");
add("route rules: unlisted route, closed", { event: tokenEvent(token(), "GET/owners"), cfg: { ...rules, unlisted_routes: "deny" } }, "deny", "route_not_listed");
add("route rules: HTTP API route key", { event: httpV2Event(token(), "DELETE /pets/{id}"), kind: "http_v2", cfg: rules }, "deny", "missing_scope");

// The per-route table of core/tests/routes.rs (tokens x routes x unlisted-route default), for
// REST TOKEN events (the policy) and HTTP API 2.0 simple responses (the route key).
{
  const RULES = "GET /pets/*=pets:read; POST /pets=pets:write; DELETE /*=admin";
  const ROUTES = [
    ["GET/pets/1", "GET /pets/{id}"], ["GET/pets/1/toys", "GET /pets/{id}/toys"], ["POST/pets", "POST /pets"],
    ["DELETE/pets/1", "DELETE /pets/{id}"], ["GET/owners", "GET /owners"], ["PUT/pets/1", "PUT /pets/{id}"], ["GET/pets", "GET /pets"],
  ];
  const TABLE = {
    allow: [["", "DDDDAAA"], ["pets:read", "AADDAAA"], ["pets:write", "DDADAAA"], ["pets:read pets:write", "AAADAAA"], ["admin", "DDDAAAA"], ["pets:read pets:write admin", "AAAAAAA"]],
    deny: [["", "DDDDNNN"], ["pets:read", "AADDNNN"], ["pets:write", "DDADNNN"], ["pets:read pets:write", "AAADNNN"], ["admin", "DDDANNN"], ["pets:read pets:write admin", "AAAANNN"]],
  };
  for (const [unlisted, rows] of Object.entries(TABLE)) {
    const cfg = config({ route_rules: RULES, unlisted_routes: unlisted, context_claims: [] });
    for (const [scopes, row] of rows) {
      const t = token("RS256", { scope: scopes });
      ROUTES.forEach(([suffix, routeKey], i) => {
        const [outcome, reason] = { A: ["allow", null], D: ["deny", "missing_scope"], N: ["deny", "route_not_listed"] }[row[i]];
        const label = `route table (${unlisted} unlisted) scopes [${scopes}]`;
        add(`${label} ${suffix}`, { event: tokenEvent(t, suffix), cfg }, outcome, reason);
        add(`${label} HTTP API ${routeKey}`, { event: httpV2Event(t, routeKey), kind: "http_v2", cfg }, outcome, reason);
      });
    }
  }
}

// Rules with a wildcard method: the seven methods on the rule's path, never another path.
{
  const t = token("RS256", { scope: "pets:read" });
  const none = token("RS256", { scope: "" });
  const closed = config({ route_rules: "ANY /pets=pets:read", unlisted_routes: "deny" });
  add("ANY rule: GET /pets", { event: tokenEvent(t, "GET/pets"), cfg: closed }, "allow");
  add("ANY rule: OPTIONS /pets", { event: tokenEvent(t, "OPTIONS/pets"), cfg: closed }, "allow");
  add("ANY rule: GET /admin/pets is not its route", { event: tokenEvent(t, "GET/admin/pets"), cfg: closed }, "deny", "route_not_listed");
  add("ANY rule: POST /internal/users/pets is not its route", { event: tokenEvent(t, "POST/internal/users/pets"), cfg: closed }, "deny", "route_not_listed");
  const both = config({ route_rules: "* /pets/{id}=pets:read; GET /admin/{proxy+}=admin", unlisted_routes: "deny" });
  add("* rule: DELETE /admin/pets/1 is not its route", { event: { ...requestEvent(t), methodArn: `${API}/DELETE/admin/pets/1` }, kind: "request", cfg: both }, "deny", "route_not_listed");
  add("* rule: DELETE /pets/1", { event: { ...requestEvent(t), methodArn: `${API}/DELETE/pets/1` }, kind: "request", cfg: both }, "allow");
  const open = config({ route_rules: "ANY /pets=pets:read" });
  add("ANY rule, open: GET /shop/pets without the scope", { event: httpV2Event(none), kind: "http_v2", cfg: { ...open, http_api_response: "policy" } }, "allow");
  add("ANY rule, open: PATCH /pets without the scope", { event: tokenEvent(none, "PATCH/pets"), cfg: open }, "deny", "missing_scope");
}

// HTTP API simple responses: the answer for a route key holds for every request it serves.
{
  const user = token("RS256", { scope: "pets:read" });
  const admin = token("RS256", { scope: "admin pets:read" });
  const open = config({ route_rules: "GET /admin/*=admin; GET /pets/*=pets:read" });
  const closed = { ...open, unlisted_routes: "deny" };
  const v2 = (t, routeKey) => ({ event: httpV2Event(t, routeKey), kind: "http_v2" });
  add("route key GET /{a}/users serves GET /admin/users", { ...v2(user, "GET /{a}/users"), cfg: open }, "deny", "missing_scope");
  add("route key GET /{proxy+} serves the admin routes", { ...v2(user, "GET /{proxy+}"), cfg: open }, "deny", "missing_scope");
  add("route key $default serves the admin routes", { ...v2(user, "$default"), cfg: open }, "deny", "missing_scope");
  add("route key $default with every scope, open", { ...v2(admin, "$default"), cfg: open }, "allow");
  add("route key $default, closed: serves routes no rule names", { ...v2(admin, "$default"), cfg: closed }, "deny", "route_not_listed");
  add("route key GET /{proxy+}, closed: serves GET /owners", { ...v2(admin, "GET /{proxy+}"), cfg: closed }, "deny", "route_not_listed");
  add("route key GET /pets/{id}, closed", { ...v2(user, "GET /pets/{id}"), cfg: closed }, "allow");
  add("route key ANY /pets/{id}, closed: serves POST", { ...v2(admin, "ANY /pets/{id}"), cfg: closed }, "deny", "route_not_listed");
  add("route key POST /{proxy+}, open: no rule names POST", { ...v2(user, "POST /{proxy+}"), cfg: open }, "allow");
}

// WebSocket APIs: rules name route keys, so unlisted routes can be closed.
{
  const wsEvent = (t) => ({ type: "REQUEST", methodArn: `${API}/$connect`, headers: { Authorization: `Bearer ${t}` }, requestContext: { routeKey: "$connect", eventType: "CONNECT", stage: "prod" } });
  const cfg = config({ route_rules: "$connect=chat; GET /pets/*=pets:read", unlisted_routes: "deny" });
  add("WebSocket $connect rule: held", { event: wsEvent(token("RS256", { scope: "chat" })), kind: "request", cfg }, "allow");
  add("WebSocket $connect rule: not held", { event: wsEvent(token("RS256", { scope: "pets:read" })), kind: "request", cfg }, "deny", "missing_scope");
  add("WebSocket without a $connect rule, closed", { event: wsEvent(token()), kind: "request", cfg: config({ route_rules: "GET /pets/*=pets:read", unlisted_routes: "deny" }) }, "deny", "route_not_listed");
}

// A stage `*` (API Gateway's example events) cannot carry an exact rule policy.
add("invalid_event: stage * with route rules", { event: { ...tokenEvent(token()), methodArn: "arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/*/GET/pets" }, cfg: config({ route_rules: "GET /pets=pets:read" }) }, "unauthorized", "invalid_event");

// Fail closed on what a host or caller hands in: the clock, header and claim types, key sets.
add("invalid_clock: now 0 (a token that expired in 1970 is not valid then)", { event: tokenEvent(token("RS256", { exp: 100, iat: 10 })), now: 0 }, "unauthorized", "invalid_clock");
add("invalid_clock: one second before 2000", { event: tokenEvent(token()), now: 946684799 }, "unauthorized", "invalid_clock");
add("allow at 2000-01-01", { event: tokenEvent(token("RS256", { exp: 946684900, iat: 946684700 })), now: 946684800 }, "allow");
add("invalid_header_kid: kid 7", { event: tokenEvent(token("RS256", {}, { kid: 7 })) }, "unauthorized", "invalid_header_kid");
add("invalid_header_typ: typ [\"JWT\"]", { event: tokenEvent(token("RS256", {}, { typ: ["JWT"] })) }, "unauthorized", "invalid_header_typ");
add("invalid_header_cty: cty 1", { event: tokenEvent(token("RS256", {}, { cty: 1 })) }, "unauthorized", "invalid_header_cty");
add("invalid_claim: sub 123", { event: tokenEvent(token("RS256", { sub: 123 })) }, "unauthorized", "invalid_claim");
add("invalid_claim: jti 7", { event: tokenEvent(token("RS256", { jti: 7 })) }, "unauthorized", "invalid_claim");
{
  const dup = (kid) => ({ ...publicJwk(kid), kid: "dup" });
  const t = token("RS256", {}, { kid: "dup" });
  add("duplicate kid: the signer second is still found", { event: tokenEvent(t), keys: { keys: [dup("rsa-3072"), dup("rsa-2048")] } }, "allow");
  add("duplicate kid: the signer first", { event: tokenEvent(t), keys: { keys: [dup("rsa-2048"), dup("rsa-3072")] } }, "allow");
  add("duplicate kid: no key with it verifies", { event: tokenEvent(t), keys: { keys: [dup("rsa-3072"), dup("ec-p256")] } }, "unauthorized", "bad_signature");
}
addRefused("refused at start: max_token_age_seconds 0 (never 'no age rule')", config({ max_token_age_seconds: 0 }), "max_token_age_seconds");

// Every answer fits API Gateway's 8 KB.
add("response_too_large: a context claim of 9,000 characters", { event: tokenEvent(token("RS256", { big: "x".repeat(9000) })), cfg: config({ context_claims: ["big"] }) }, "unauthorized", "response_too_large");
addRefused("refused at start: 50 rules could exceed 8 KB", config({ route_rules: Array.from({ length: 50 }, (_, i) => `GET /${String(i).padStart(2, "0")}${"p".repeat(37)}=s`).join("; ") }), "route_rules");
addRefused("refused at start: unbalanced brace", config({ route_rules: "GET /pets/{id=pets:read" }), "route_rules");
addRefused("refused at start: adjacent parameters", config({ route_rules: "GET /pets/{a}{b}=pets:read" }), "route_rules");

const doc = { version: 1, generated_by: "tests/conformance/generate.mjs", now: NOW, cases };
writeFileSync(here("vectors.json"), JSON.stringify(doc, null, 1) + "\n");
console.log(`tests/conformance/vectors.json: ${cases.length} cases`);
