// Generates vectors.json: the one conformance table every host must decide identically.
// Tokens are signed here with node:crypto and the committed test keys (tests/keys), so the
// table can be regenerated and extended: add a case below, run
//   node tests/conformance/generate.mjs
// and commit vectors.json. Each case: name, config (the core's configuration JSON, which holds
// the key sets: a top-level `jwks` every profile takes, or a `jwks` per issuer profile), now (Unix
// seconds), event_kind, event, expected { outcome, reason } (with `context`, the authorizer
// context the answer must carry, where a case is about it), or expected { config_error: SETTING }
// for a configuration every host must refuse, naming the setting (a path such as
// `issuers[1].jwks_uri`).
//
// Setting paths of configuration errors: a member whose own value is wrong is named by its path
// (`issuers[0].token_use`, `issuers[0].cognito_user_pool_id`); a profile whose members do not go
// together (an unknown member, `issuer` and `cognito_user_pool_id` both or neither, `jwks` and
// `jwks_file` both, neither audiences nor client ids, an issuer an earlier profile has) is named by
// the profile (`issuers[1]`); the list itself (none, more than 20) is `issuers`.
import { createHash, createPrivateKey, createPublicKey, sign, constants, X509Certificate } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const KEYS = JSON.parse(readFileSync(here("../keys/test-keys.json"), "utf8")).keys;
const NOW = 1_800_000_000;
const ISS = "https://issuer.test/";
const AUD = "api://conformance";
const API = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod";
const ALL_ALGS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA"];
const KID = { RS: "rsa-2048", PS: "rsa-2048", ES256: "ec-p256", ES384: "ec-p384", ES512: "ec-p521", EdDSA: "ed25519" };
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
// `keys` becomes the configuration's top-level `jwks`; `keys: null` leaves the configuration as
// given (its profiles carry their own key sets). `context`: the answer's expected context.
// `usage_identifier`: the answer's expected `usageIdentifierKey` (`null`: none).
function add(name, { event, keys = jwks("rsa-2048", "ec-p256", "ec-p384", "ed25519"), cfg = config(), now = NOW, kind = "token", context, usage_identifier }, outcome, reason = null) {
  if (cases.some((c) => c.name === name)) throw new Error(`two cases named ${name}`);
  const expected = { outcome, reason };
  if (context !== undefined) expected.context = context;
  if (usage_identifier !== undefined) expected.usage_identifier = usage_identifier;
  cases.push({ name, config: keys === null ? cfg : { ...cfg, jwks: keys }, now, event_kind: kind, event, expected });
}
// A configuration every host must refuse at start, naming `setting`.
function addRefused(name, cfg, setting, { keys = jwks("rsa-2048"), event = tokenEvent(token()) } = {}) {
  if (cases.some((c) => c.name === name)) throw new Error(`two cases named ${name}`);
  cases.push({ name, config: keys === null ? cfg : { ...cfg, jwks: keys }, now: NOW, event_kind: "token", event, expected: { config_error: setting } });
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
add("ambiguous_token: two Authorization headers", { event: { type: "REQUEST", methodArn: `${API}/GET/pets/1`, headers: { Authorization: `Bearer ${token()}`, authorization: "Bearer x" } }, kind: "request" }, "unauthorized", "ambiguous_token");
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
// Keys inline only: nothing to fetch, so an unknown kid is refused (a host with a key URL fetches first).
add("unknown_kid with static keys is refused", { event: tokenEvent(token("RS256", {}, { kid: "rotated-key" })) }, "unauthorized", "unknown_kid");
// Keys only from a URL, none fetched yet: the core asks its host to fetch them (every host
// then drives the fetch; here the decision itself is the case).
add("fetch_keys: keys not fetched yet", { event: tokenEvent(token()), keys: null, cfg: config({ jwks_uri: "https://issuer.test/.well-known/jwks.json" }) }, "fetch_keys", "jwks_unavailable");
// Without kid (or x5t) each key that fits is tried, at most four (issue 17: old Entra v1 tokens).
add("allow kid-less token: each of two RSA keys is tried", { event: tokenEvent(token("RS256", {}, { kid: null })), keys: jwks("rsa-2048", "rsa-3072") }, "allow");
add("bad_signature: kid-less token, the one RSA key did not sign it", { event: tokenEvent(token("RS256", {}, { kid: null })), keys: jwks("rsa-3072") }, "unauthorized", "bad_signature");
add("no_matching_key: more than four keys fit a kid-less token", { event: tokenEvent(token("RS256", {}, { kid: null })), keys: { keys: ["a", "b", "c", "d"].map((kid) => ({ ...publicJwk("rsa-3072"), kid })).concat(publicJwk("rsa-2048")) } }, "unauthorized", "no_matching_key");
add("no_matching_key: more than four keys share the token's kid, the signer first", { event: tokenEvent(token("RS256", {}, { kid: "dup" })), keys: { keys: [{ ...publicJwk("rsa-2048"), kid: "dup" }].concat(["a", "b", "c", "d"].map(() => ({ ...publicJwk("rsa-3072"), kid: "dup" }))) } }, "unauthorized", "no_matching_key");
add("allow: four keys share the token's kid, the signer last", { event: tokenEvent(token("RS256", {}, { kid: "dup" })), keys: { keys: ["a", "b", "c"].map(() => ({ ...publicJwk("rsa-3072"), kid: "dup" })).concat({ ...publicJwk("rsa-2048"), kid: "dup" }) } }, "allow");
add("no_matching_key: kid-less token and no key for its algorithm", { event: tokenEvent(token("ES384", {}, { kid: null })), keys: jwks("rsa-2048", "ec-p256") }, "unauthorized", "no_matching_key");
add("key_mismatch: RS256 naming the EC key", { event: tokenEvent(signRaw("RS256", "rsa-2048", '{"alg":"RS256","kid":"ec-p256"}', JSON.stringify(baseClaims))) }, "unauthorized", "key_mismatch");
{
  const t = token();
  const [h, , s] = t.split(".");
  add("bad_signature: payload changed", { event: tokenEvent(`${h}.${b64u(JSON.stringify({ ...baseClaims, sub: "admin" }))}.${s}`) }, "unauthorized", "bad_signature");
}
// ES512 (ECDSA on P-521 with SHA-512, RFC 7518 section 3.4): a signature is r || s, 66 bytes
// each; allowed only when configured (the default list is RS256 alone).
{
  const keys = jwks("rsa-2048", "ec-p256", "ec-p384", "ec-p521", "ed25519");
  const cfg = config({ algorithms: [...ALL_ALGS, "ES512"] });
  const t = token("ES512");
  const [h, p, s] = t.split(".");
  const sig = Buffer.from(s, "base64url");
  const withSig = (bytes) => `${h}.${p}.${b64u(bytes)}`;
  add("allow ES512", { event: tokenEvent(t), keys, cfg }, "allow");
  add("allow ES512 REST REQUEST event", { event: requestEvent(t), kind: "request", keys, cfg }, "allow");
  add("allow ES512 HTTP API 2.0", { event: httpV2Event(t), kind: "http_v2", keys, cfg }, "allow");
  add("allow ES512 kid-less token, the one P-521 key", { event: tokenEvent(token("ES512", {}, { kid: null })), keys, cfg }, "allow");
  const { algorithms, ...defaults } = config();
  add("algorithm_not_allowed: ES512 under the default list", { event: tokenEvent(t), keys, cfg: defaults }, "unauthorized", "algorithm_not_allowed");
  add("algorithm_not_allowed: ES512 outside the configured list", { event: tokenEvent(t), keys }, "unauthorized", "algorithm_not_allowed");
  const flipped = Buffer.from(sig);
  flipped[100] ^= 1;
  add("bad_signature: ES512 with one bit of s changed", { event: tokenEvent(withSig(flipped)), keys, cfg }, "unauthorized", "bad_signature");
  add("bad_signature: ES512 payload changed", { event: tokenEvent(`${h}.${b64u(JSON.stringify({ ...baseClaims, sub: "admin" }))}.${s}`), keys, cfg }, "unauthorized", "bad_signature");
  // r and s without their top byte (always 0 or 1): 130 bytes, not the JWS length.
  add("bad_signature: ES512 signature of 130 bytes", { event: tokenEvent(withSig(Buffer.concat([sig.subarray(1, 66), sig.subarray(67)]))), keys, cfg }, "unauthorized", "bad_signature");
  const der = sign("sha512", Buffer.from(`${h}.${p}`), { key: privateKey("ec-p521"), dsaEncoding: "der" });
  add("bad_signature: ES512 signature in DER, not r || s", { event: tokenEvent(withSig(der)), keys, cfg }, "unauthorized", "bad_signature");
  add("key_mismatch: ES512 naming the P-384 key", { event: tokenEvent(signRaw("ES512", "ec-p521", '{"alg":"ES512","kid":"ec-p384"}', JSON.stringify(baseClaims))), keys, cfg }, "unauthorized", "key_mismatch");
  add("key_mismatch: ES384 naming the P-521 key", { event: tokenEvent(signRaw("ES384", "ec-p384", '{"alg":"ES384","kid":"ec-p521"}', JSON.stringify(baseClaims))), keys, cfg }, "unauthorized", "key_mismatch");
  add("no_matching_key: kid-less ES512 and no P-521 key", { event: tokenEvent(token("ES512", {}, { kid: null })), keys: jwks("rsa-2048", "ec-p256", "ec-p384"), cfg }, "unauthorized", "no_matching_key");
  // RFC 7518 section 6.2.1.2: x is exactly 66 bytes; without its leading zero the key never loads.
  const short = publicJwk("ec-p521");
  const x = Buffer.from(short.x, "base64url");
  if (x[0] !== 0) throw new Error("ec-p521's x must start with a zero byte for this case");
  const shortKeys = { keys: [publicJwk("rsa-2048"), { ...short, x: b64u(x.subarray(1)) }] };
  add("unknown_kid: the P-521 key's x has 65 bytes, so it never loads", { event: tokenEvent(t), keys: shortKeys, cfg }, "unauthorized", "unknown_kid");
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

// Token sources (`token_sources`): each kind of source in each kind of event, tried in order;
// absent is the next, present but malformed is final, more than one value is ambiguous_token.
{
  const t = token();
  const ws = `${API}/$connect`;
  const rest = (parts) => ({ type: "REQUEST", methodArn: `${API}/GET/pets/1`, ...parts });
  const v1 = (parts) => ({ version: "1.0", ...rest(parts) });
  const v2 = (parts) => ({ version: "2.0", type: "REQUEST", routeKey: "GET /pets/{id}", routeArn: `${API}/GET/pets/1`, ...parts });
  // The WebSocket `$connect` event as API Gateway sends it (../shared/vectors/apigw-events).
  const connect = (parts) => ({
    type: "REQUEST", methodArn: ws, headers: { Host: "abc123.execute-api.us-east-1.amazonaws.com" }, multiValueHeaders: { Host: ["abc123.execute-api.us-east-1.amazonaws.com"] },
    queryStringParameters: {}, multiValueQueryStringParameters: {}, stageVariables: {},
    requestContext: { routeKey: "$connect", eventType: "CONNECT", messageDirection: "IN", stage: "prod", connectionId: "c-1", apiId: "abc123" }, ...parts,
  });
  const sources = (...list) => config({ token_sources: list });
  const cookie = sources("cookie:__Host-access");
  const query = sources("query:access_token");
  const header = sources("header:X-Api-Token");
  const scheme = sources("header:X-Api-Token:Token");
  const all = sources("cookie:__Host-access", "query:access_token", "header:X-Api-Token:Token", "authorization");
  const src = (name, event, kind, cfg, outcome, reason) => add(`token source: ${name}`, { event, kind, cfg }, outcome, reason);

  // Each source kind in each event kind.
  src("cookie, REST Cookie header", rest({ headers: { Cookie: `theme=dark; __Host-access=${t}` }, multiValueHeaders: { Cookie: [`theme=dark; __Host-access=${t}`] } }), "request", cookie, "allow");
  src("cookie, HTTP API 1.0 cookie header", v1({ headers: { cookie: `__Host-access="${t}"` } }), "request", cookie, "allow");
  src("cookie, HTTP API 2.0 cookies array", v2({ cookies: ["theme=dark", `__Host-access=${t}`] }), "http_v2", cookie, "allow");
  src("cookie, WebSocket $connect Cookie header", connect({ headers: { Cookie: `__Host-access=${t}` } }), "request", cookie, "allow");
  src("cookie, TOKEN event has none", tokenEvent(t), "token", cookie, "unauthorized", "missing_token");
  src("query, REST both maps", rest({ queryStringParameters: { access_token: t }, multiValueQueryStringParameters: { access_token: [t] } }), "request", query, "allow");
  src("query, HTTP API 1.0", v1({ queryStringParameters: { access_token: t } }), "request", query, "allow");
  src("query, HTTP API 2.0 rawQueryString percent-encoded", v2({ rawQueryString: `a=1&access%5Ftoken=${t.replaceAll(".", "%2E")}` }), "http_v2", query, "allow");
  src("query, HTTP API 2.0 both forms", v2({ rawQueryString: `access_token=${t}`, queryStringParameters: { access_token: t } }), "http_v2", query, "allow");
  src("query, WebSocket $connect", connect({ queryStringParameters: { access_token: t }, multiValueQueryStringParameters: { access_token: [t] } }), "request", query, "allow");
  src("query, TOKEN event has none", tokenEvent(t), "token", query, "unauthorized", "missing_token");
  src("header, REST", rest({ headers: { "X-Api-Token": t } }), "request", header, "allow");
  src("header, HTTP API 2.0 (lower case)", v2({ headers: { "x-api-token": t } }), "http_v2", header, "allow");
  src("header, WebSocket $connect", connect({ headers: { "X-Api-Token": t } }), "request", header, "allow");
  src("header, TOKEN event: the whole value", { ...tokenEvent(), authorizationToken: t }, "token", header, "allow");
  src("header with scheme, REST", rest({ headers: { "X-Api-Token": `token ${t}` } }), "request", scheme, "allow");
  src("header with scheme, HTTP API 2.0", v2({ headers: { "x-api-token": `Token ${t}` } }), "http_v2", scheme, "allow");
  src("header with scheme, TOKEN event", { ...tokenEvent(), authorizationToken: `Token ${t}` }, "token", scheme, "allow");
  src("header with scheme, TOKEN event with Bearer", tokenEvent(t), "token", scheme, "unauthorized", "bad_authorization_scheme");
  src("header with scheme, missing scheme", rest({ headers: { "X-Api-Token": t } }), "request", scheme, "unauthorized", "bad_authorization_scheme");
  src("header without scheme, a scheme given", v2({ headers: { "x-api-token": `Bearer ${t}` } }), "http_v2", header, "unauthorized", "bad_authorization_scheme");
  src("the Authorization header is not a configured source", rest({ headers: { Authorization: `Bearer ${t}` } }), "request", cookie, "unauthorized", "missing_token");

  // In order: absent is the next, the first present decides even when it is malformed.
  src("order: cookie first", v2({ cookies: [`__Host-access=${t}`], headers: { authorization: "Bearer x" } }), "http_v2", all, "allow");
  src("order: query when no cookie", rest({ queryStringParameters: { access_token: t }, headers: { Authorization: "Bearer x" } }), "request", all, "allow");
  src("order: Authorization last", rest({ headers: { Authorization: `Bearer ${t}`, Cookie: "theme=dark" } }), "request", all, "allow");
  src("order: none found", rest({ headers: { Cookie: "theme=dark" } }), "request", all, "unauthorized", "missing_token");
  src("order: TOKEN event takes the first header source's scheme", { ...tokenEvent(), authorizationToken: `Token ${t}` }, "token", all, "allow");
  src("malformed cookie is final: unclosed quote", rest({ headers: { Cookie: `__Host-access="${t}`, Authorization: `Bearer ${t}` } }), "request", all, "unauthorized", "bad_authorization_scheme");
  src("malformed cookie is final: empty", v2({ cookies: ["__Host-access="], headers: { authorization: `Bearer ${t}` } }), "http_v2", all, "unauthorized", "missing_token");
  src("malformed query is final: a space", v2({ rawQueryString: `access_token=${t}+x`, headers: { authorization: `Bearer ${t}` } }), "http_v2", all, "unauthorized", "bad_authorization_scheme");

  // More than one value: ambiguous_token, for every source.
  src("ambiguous: cookie twice in one header", rest({ headers: { Cookie: `__Host-access=${t}; __Host-access=x` } }), "request", cookie, "unauthorized", "ambiguous_token");
  src("ambiguous: cookie twice in the cookies array", v2({ cookies: [`__Host-access=${t}`, `__Host-access=${t}`] }), "http_v2", cookie, "unauthorized", "ambiguous_token");
  src("ambiguous: query twice in the multi-value map", rest({ queryStringParameters: { access_token: t }, multiValueQueryStringParameters: { access_token: ["x", t] } }), "request", query, "unauthorized", "ambiguous_token");
  src("ambiguous: query twice in rawQueryString", v2({ rawQueryString: `access_token=${t}&access_token=${t}`, queryStringParameters: { access_token: `${t},${t}` } }), "http_v2", query, "unauthorized", "ambiguous_token");
  src("ambiguous: WebSocket query joined with a comma", connect({ queryStringParameters: { access_token: `${t},x` } }), "request", query, "unauthorized", "ambiguous_token");
  src("ambiguous: header in two spellings", rest({ headers: { "X-Api-Token": t, "x-api-token": t } }), "request", header, "unauthorized", "ambiguous_token");
  src("ambiguous: HTTP API header joined with a comma", v2({ headers: { "x-api-token": `${t},${t}` } }), "http_v2", header, "unauthorized", "ambiguous_token");
  src("ambiguous: Authorization twice in the multi-value map", rest({ headers: { Authorization: `Bearer ${t}` }, multiValueHeaders: { Authorization: ["Bearer x", `Bearer ${t}`] } }), "request", config(), "unauthorized", "ambiguous_token");
  src("ambiguous: TOKEN event value with a comma", { ...tokenEvent(), authorizationToken: `Bearer ${t},x` }, "token", config(), "unauthorized", "ambiguous_token");

  // Refused at start, naming the setting.
  addRefused("refused at start: token_sources empty", config({ token_sources: [] }), "token_sources");
  addRefused("refused at start: token_sources unknown kind", config({ token_sources: ["bearer"] }), "token_sources");
  addRefused("refused at start: token_sources bad cookie name", config({ token_sources: ["cookie:a=b"] }), "token_sources");
  addRefused("refused at start: token_sources bad header name", config({ token_sources: ["header:X Token"] }), "token_sources");
  addRefused("refused at start: token_sources query name with &", config({ token_sources: ["query:a&b"] }), "token_sources");
  addRefused("refused at start: token_sources more than 8", config({ token_sources: Array(9).fill("authorization") }), "token_sources");
  addRefused("refused at start: token_sources in a profile", { issuers: [{ issuer: ISS, audiences: [AUD], token_sources: ["authorization"] }] }, "issuers[0]");
}

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
// With `policy_resource` `method` the policy's resource is the ARN as it came, and API Gateway
// caches it for the token: a `*` or `?` from the caller's path (a `{proxy+}` resource passes it
// on) would be an IAM wildcard reaching routes the rules deny. Without rules, every route gets
// the same answer.
{
  const method = (extra) => config({ policy_resource: "method", ...extra });
  add("invalid_event: method policy, a * in the path, route rules", { event: tokenEvent(token(), "GET/*"), cfg: method({ route_rules: "GET /admin/*=admin" }) }, "unauthorized", "invalid_event");
  add("invalid_event: method policy, a ? in the path, route rules", { event: { ...requestEvent(token()), methodArn: `${API}/GET/admin/use?s` }, kind: "request", cfg: method({ route_rules: "GET /admin/*=admin" }) }, "unauthorized", "invalid_event");
  add("method policy, a * in the path, no route rules", { event: tokenEvent(token(), "GET/*"), cfg: method({}) }, "allow");
  add("stage policy, a * in the path, route rules", { event: tokenEvent(token(), "GET/*"), cfg: config({ route_rules: "GET /admin/*=admin" }) }, "allow");
}

// Fail closed on what a host or caller hands in: the clock, header and claim types, key sets.
add("invalid_clock: now 0 (a token that expired in 1970 is not valid then)", { event: tokenEvent(token("RS256", { exp: 100, iat: 10 })), now: 0 }, "unauthorized", "invalid_clock");
add("invalid_clock: one second before 2000", { event: tokenEvent(token()), now: 946684799 }, "unauthorized", "invalid_clock");
add("allow at 2000-01-01", { event: tokenEvent(token("RS256", { exp: 946684900, iat: 946684700 })), now: 946684800 }, "allow");
add("invalid_header_kid: kid 7", { event: tokenEvent(token("RS256", {}, { kid: 7 })) }, "unauthorized", "invalid_header_kid");
add("invalid_header_typ: typ [\"JWT\"]", { event: tokenEvent(token("RS256", {}, { typ: ["JWT"] })) }, "unauthorized", "invalid_header_typ");
add("invalid_header_cty: cty 1", { event: tokenEvent(token("RS256", {}, { cty: 1 })) }, "unauthorized", "invalid_header_cty");
add("invalid_claim: sub 123", { event: tokenEvent(token("RS256", { sub: 123 })) }, "unauthorized", "invalid_claim");
// RFC 9068 section 2.2: `sub` is required; it is the policy's principalId (and a simple
// response, which carries none, decides the token the same way).
add("missing_sub: no sub", { event: tokenEvent(token("RS256", { sub: null })) }, "unauthorized", "missing_sub");
add("missing_sub: no sub, HTTP API simple response", { event: httpV2Event(token("RS256", { sub: null })), kind: "http_v2" }, "unauthorized", "missing_sub");
add("missing_sub: sub empty", { event: tokenEvent(token("RS256", { sub: "" })) }, "unauthorized", "missing_sub");
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
add("response_too_large: a sub (the principal) of 9,000 characters", { event: tokenEvent(token("RS256", { sub: "x".repeat(9000) })), cfg: config({ context_claims: [] }) }, "unauthorized", "response_too_large");
addRefused("refused at start: 50 rules could exceed 8 KB", config({ route_rules: Array.from({ length: 50 }, (_, i) => `GET /${String(i).padStart(2, "0")}${"p".repeat(37)}=s`).join("; ") }), "route_rules");
addRefused("refused at start: unbalanced brace", config({ route_rules: "GET /pets/{id=pets:read" }), "route_rules");
addRefused("refused at start: adjacent parameters", config({ route_rules: "GET /pets/{a}{b}=pets:read" }), "route_rules");

// ---------------------------------------------------------------------------------------------
// Issuer profiles (issue 17): every provider's tokens and key sets shaped as the provider
// publishes them (header members, claims and their types, key-set members, `kid` formats), signed
// with the test keys. Names and identifiers are invented; the shapes follow each provider's
// public documentation (and the real tokens in ../shared/vectors/idp-real, read, never copied).
// ---------------------------------------------------------------------------------------------

const sha = (alg, data) => createHash(alg).update(data).digest();
const rsa = (name) => {
  const { n, e } = KEYS.find((k) => k.kid === name);
  return { n, e };
};
/** A compact JWS over the exact header and claims given, signed with test key `keyName`. */
const jwt = (keyName, header, claims) => signRaw(header.alg, keyName, JSON.stringify(header), JSON.stringify(claims));
/** A token of `claims` with members removed (`null`) or replaced. */
const edit = (claims, changes) => {
  const out = { ...claims, ...changes };
  for (const [k, v] of Object.entries(changes)) if (v === null) delete out[k];
  return out;
};

// DER, enough for a self-signed X.509 v3 certificate of a test key (the `x5c` members that
// Entra ID, Auth0 and Keycloak publish). The core never reads `x5c`; the certificates are real
// ones all the same, so a library that does gets the same key.
const derLength = (n) => {
  if (n < 0x80) return Buffer.from([n]);
  const bytes = [];
  for (; n > 0; n >>= 8) bytes.unshift(n & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
};
const der = (tag, ...parts) => {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
};
const derSeq = (...parts) => der(0x30, ...parts);
const derOid = (text) => {
  const [a, b, ...rest] = text.split(".").map(Number);
  const out = [40 * a + b];
  for (let v of rest) {
    const bytes = [v & 0x7f];
    for (v >>= 7; v > 0; v >>= 7) bytes.unshift(0x80 | (v & 0x7f));
    out.push(...bytes);
  }
  return der(0x06, Buffer.from(out));
};
const certificates = new Map();
function certificate(keyName, commonName) {
  const id = `${keyName} ${commonName}`;
  if (certificates.has(id)) return certificates.get(id);
  const key = privateKey(keyName);
  const spki = createPublicKey(key).export({ type: "spki", format: "der" });
  const sha256WithRsa = derSeq(derOid("1.2.840.113549.1.1.11"), der(0x05));
  const name = derSeq(der(0x31, derSeq(derOid("2.5.4.3"), der(0x0c, Buffer.from(commonName)))));
  const serial = sha("sha256", Buffer.concat([spki, Buffer.from(commonName)])).subarray(0, 16);
  serial[0] = 0x40 | (serial[0] & 0x3f);
  const validity = derSeq(der(0x17, Buffer.from("250101000000Z")), der(0x17, Buffer.from("300101000000Z")));
  const tbs = derSeq(der(0xa0, der(0x02, Buffer.from([2]))), der(0x02, serial), sha256WithRsa, name, validity, name, spki);
  const cert = derSeq(tbs, sha256WithRsa, der(0x03, Buffer.from([0]), sign("sha256", tbs, key)));
  const parsed = new X509Certificate(cert);
  if (!parsed.verify(createPublicKey(key)) || parsed.publicKey.export({ format: "jwk" }).n !== rsa(keyName).n) {
    throw new Error(`certificate for ${keyName} does not hold its key`);
  }
  const made = { x5c: [cert.toString("base64")], x5t: b64u(sha("sha1", cert)), x5tS256: b64u(sha("sha256", cert)) };
  certificates.set(id, made);
  return made;
}
/** A stable identifier of `length` characters from `label` (base64url, standard base64, hex). */
const idFrom = (label, encoding = "base64url", alg = "sha256") => sha(alg, `jwtgate conformance ${label}`).toString(encoding);

const T0 = NOW - 120; // when the shaped tokens were issued
const uuid = (label) => {
  const h = sha("sha256", label).toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
};
const tokenCase = (t) => ({ event: tokenEvent(t), keys: null });
const counts = {};
const countAs = (group) => {
  const before = cases.length;
  return () => {
    counts[group] = (counts[group] ?? 0) + cases.length - before;
  };
};

// --- Amazon Cognito user pools --------------------------------------------------------------
// Header {kid, alg} (no typ); kid: standard base64 of a SHA-256 (`+`, `/`, `=`). Key set at
// ISSUER/.well-known/jwks.json: {alg, e, kid, kty, n, use} per key, one key signing access tokens
// and another id tokens. Access token: no aud; client_id, token_use "access", scope string,
// cognito:groups array, version 2. Id token: aud = the app client id, token_use "id".
const COGNITO_POOL = "eu-west-1_AbCd123";
const COGNITO_ISS = `https://cognito-idp.eu-west-1.amazonaws.com/${COGNITO_POOL}`;
const COGNITO_CLIENT = "5f2kq8v1m7example0client0a";
const cognitoKid = (label) => {
  for (let i = 0; ; i++) {
    const kid = idFrom(`cognito ${label} ${i}`, "base64");
    if (kid.includes("+") && kid.includes("/")) return kid;
  }
};
const COGNITO_KIDS = { access: cognitoKid(`${COGNITO_POOL} access`), id: cognitoKid(`${COGNITO_POOL} id`) };
const cognitoJwk = (keyName, kid) => ({ alg: "RS256", e: rsa(keyName).e, kid, kty: "RSA", n: rsa(keyName).n, use: "sig" });
const COGNITO_JWKS = { keys: [cognitoJwk("rsa-2048", COGNITO_KIDS.access), cognitoJwk("rsa-3072", COGNITO_KIDS.id)] };
const cognitoAccessClaims = (iss = COGNITO_ISS, client = COGNITO_CLIENT) => ({
  sub: uuid("cognito user"),
  "cognito:groups": ["pet-owners", "admins"],
  iss,
  version: 2,
  client_id: client,
  origin_jti: uuid("cognito origin"),
  event_id: uuid("cognito event"),
  token_use: "access",
  scope: "openid email pets-api/pets.read",
  auth_time: T0,
  exp: T0 + 3600,
  iat: T0,
  jti: uuid("cognito access jti"),
  username: "jane.doe",
});
const cognitoIdClaims = (iss = COGNITO_ISS) => ({
  at_hash: idFrom("cognito at_hash").slice(0, 22),
  sub: uuid("cognito user"),
  "cognito:groups": ["pet-owners", "admins"],
  email_verified: true,
  iss,
  "cognito:username": "jane.doe",
  origin_jti: uuid("cognito origin"),
  aud: COGNITO_CLIENT,
  event_id: uuid("cognito event"),
  token_use: "id",
  auth_time: T0,
  exp: T0 + 3600,
  iat: T0,
  jti: uuid("cognito id jti"),
  email: "jane.doe@example.com",
});
const cognitoAccess = (claims = cognitoAccessClaims(), kid = COGNITO_KIDS.access, keyName = "rsa-2048") => jwt(keyName, { kid, alg: "RS256" }, claims);
const cognitoId = (claims = cognitoIdClaims()) => jwt("rsa-3072", { kid: COGNITO_KIDS.id, alg: "RS256" }, claims);
const cognitoAccessProfile = (extra = {}) => ({ cognito_user_pool_id: COGNITO_POOL, allowed_client_ids: [COGNITO_CLIENT], token_use: "access", jwks: COGNITO_JWKS, ...extra });
const cognitoIdProfile = (extra = {}) => ({ cognito_user_pool_id: COGNITO_POOL, audiences: [COGNITO_CLIENT], token_use: "id", jwks: COGNITO_JWKS, ...extra });
{
  const done = countAs("Cognito");
  const access = { issuers: [cognitoAccessProfile()] };
  add("Cognito: access token (no aud, client_id) allowed", { ...tokenCase(cognitoAccess()), cfg: access }, "allow");
  add("Cognito: access token allowed on an HTTP API 2.0 event", { event: httpV2Event(cognitoAccess()), kind: "http_v2", keys: null, cfg: access }, "allow");
  add(
    "Cognito: cognito:groups copied to the context",
    { ...tokenCase(cognitoAccess()), cfg: { ...access, context_claims: ["sub", "username", "cognito:groups", "scope"] }, context: { "cognito:groups": '["pet-owners","admins"]', scope: "openid email pets-api/pets.read", sub: uuid("cognito user"), username: "jane.doe" } },
    "allow",
  );
  add("Cognito: access token holding the resource server scope", { ...tokenCase(cognitoAccess()), cfg: { issuers: [cognitoAccessProfile({ required_scopes: ["pets-api/pets.read"] })] } }, "allow");
  add("Cognito: access token without the resource server scope", { ...tokenCase(cognitoAccess()), cfg: { issuers: [cognitoAccessProfile({ required_scopes: ["pets-api/pets.write"] })] } }, "deny", "missing_scope");
  add("Cognito: id token where access tokens are configured", { ...tokenCase(cognitoId()), cfg: access }, "unauthorized", "token_use_mismatch");
  add("Cognito: id token (aud = client id) allowed under an id profile", { ...tokenCase(cognitoId()), cfg: { issuers: [cognitoIdProfile()] } }, "allow");
  add("Cognito: access token where id tokens are configured", { ...tokenCase(cognitoAccess()), cfg: { issuers: [cognitoIdProfile()] } }, "unauthorized", "token_use_mismatch");
  add("Cognito: access token without token_use", { ...tokenCase(cognitoAccess(edit(cognitoAccessClaims(), { token_use: null }))), cfg: access }, "unauthorized", "token_use_mismatch");
  add("Cognito: access token of another app client", { ...tokenCase(cognitoAccess(cognitoAccessClaims(COGNITO_ISS, "7h3mexample0other0client0b"))), cfg: access }, "unauthorized", "client_not_allowed");
  {
    const otherPool = "eu-west-1_ZyXw987";
    const otherIss = `https://cognito-idp.eu-west-1.amazonaws.com/${otherPool}`;
    const otherKid = cognitoKid(`${otherPool} access`);
    const other = cognitoAccess(cognitoAccessClaims(otherIss), otherKid, "rsa-3072");
    add("Cognito: access token of another pool", { ...tokenCase(other), cfg: access }, "unauthorized", "issuer_mismatch");
    add("Cognito: another pool's token naming this pool's access kid", { ...tokenCase(cognitoAccess(cognitoAccessClaims(otherIss))), cfg: access }, "unauthorized", "issuer_mismatch");
    // Two pools (or one pool's regional replica), each with its own keys.
    const otherJwks = { keys: [cognitoJwk("rsa-3072", otherKid), cognitoJwk("rsa-2048", cognitoKid(`${otherPool} id`))] };
    const two = { issuers: [cognitoAccessProfile(), { cognito_user_pool_id: otherPool, allowed_client_ids: [COGNITO_CLIENT], token_use: "access", jwks: otherJwks }] };
    add("Cognito: two pools, the first pool's token", { ...tokenCase(cognitoAccess()), cfg: two }, "allow");
    add("Cognito: a pool profile's own key set, not the top level's", { ...tokenCase(cognitoAccess()), cfg: { jwks: otherJwks, issuers: [cognitoAccessProfile()] } }, "allow");
    add("Cognito: two pools, the second pool's token", { ...tokenCase(other), cfg: two }, "allow");
    add("Cognito: two pools, the second pool's token signed with the first pool's key", { ...tokenCase(cognitoAccess(cognitoAccessClaims(otherIss), otherKid, "rsa-2048")), cfg: two }, "unauthorized", "bad_signature");
  }
  const anyToken = { keys: null, event: tokenEvent(cognitoAccess()) };
  for (const bad of ["eu-west-1AbCd123", "_AbCd123", "eu-west-1_", COGNITO_ISS, "eu-west-1_AbCd123/.well-known/jwks.json"]) {
    addRefused(`refused at start: cognito_user_pool_id ${JSON.stringify(bad)} is not REGION_ID`, { issuers: [cognitoAccessProfile({ cognito_user_pool_id: bad })] }, "issuers[0].cognito_user_pool_id", anyToken);
  }
  addRefused("refused at start: a Cognito profile with neither audiences nor allowed_client_ids", { issuers: [{ cognito_user_pool_id: COGNITO_POOL, token_use: "access", jwks: COGNITO_JWKS }] }, "issuers[0].audiences", anyToken);
  addRefused("refused at start: an access and an id profile for one pool (one issuer twice)", { issuers: [cognitoAccessProfile(), cognitoIdProfile()] }, "issuers[1].issuer", anyToken);
  done();
}

// --- Microsoft Entra ID ---------------------------------------------------------------------
// Key sets (discovery/keys, discovery/v2.0/keys): {kty, use, kid, x5t, n, e, x5c} per key, no
// `alg`, kid = x5t = the certificate's SHA-1 thumbprint; the v2.0 endpoint adds a per-key
// `issuer` template. v1.0 tokens: header {typ, alg, x5t, kid}, iss https://sts.windows.net/TENANT/,
// aud the App ID URI, appid, scp a space-separated string, roles an array, ver "1.0". v2.0 tokens:
// header {typ, alg, kid}, iss https://login.microsoftonline.com/TENANT/v2.0, aud the API's client
// id, azp, ver "2.0".
const ENTRA_TENANT = "7d4a1c2e-3b5f-4e6a-9c8d-0f1e2d3c4b5a";
const ENTRA_API = "4f0b6a2d-8c1e-4d3f-a5b7-9e2c1d0f3a6b"; // the API's application (client) id
const ENTRA_API_URI = `api://${ENTRA_API}`;
const ENTRA_CLIENT = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"; // the calling app
const ENTRA_V1_ISS = `https://sts.windows.net/${ENTRA_TENANT}/`;
const ENTRA_V2_ISS = `https://login.microsoftonline.com/${ENTRA_TENANT}/v2.0`;
const entraJwk = (keyName, v2) => {
  const { x5c, x5t } = certificate(keyName, "jwtgate-test-entra.invalid");
  const { n, e } = rsa(keyName);
  const key = { kty: "RSA", use: "sig", kid: x5t, x5t, n, e, x5c };
  return v2 ? { ...key, issuer: "https://login.microsoftonline.com/{tenantid}/v2.0" } : key;
};
const ENTRA_KID = entraJwk("rsa-2048").kid;
const ENTRA_V1_JWKS = { keys: [entraJwk("rsa-3072"), entraJwk("rsa-2048")] };
const ENTRA_V2_JWKS = { keys: [entraJwk("rsa-3072", true), entraJwk("rsa-2048", true)] };
const entraV1Claims = (extra = {}) =>
  edit(
    {
      aud: ENTRA_API_URI,
      iss: ENTRA_V1_ISS,
      iat: T0,
      nbf: T0,
      exp: T0 + 4500,
      acr: "1",
      aio: idFrom("entra aio").slice(0, 40),
      amr: ["pwd", "mfa"],
      appid: ENTRA_CLIENT,
      appidacr: "0",
      family_name: "Doe",
      given_name: "Jane",
      ipaddr: "203.0.113.7",
      name: "Jane Doe",
      oid: uuid("entra oid"),
      rh: "0.AAAA" + idFrom("entra rh").slice(0, 30) + ".",
      roles: ["Pets.Admin"],
      scp: "Pets.Read Pets.Write",
      sub: idFrom("entra sub").slice(0, 43),
      tid: ENTRA_TENANT,
      unique_name: "jane.doe@pets.example",
      upn: "jane.doe@pets.example",
      uti: idFrom("entra uti").slice(0, 22),
      ver: "1.0",
    },
    extra,
  );
const entraV2Claims = (extra = {}) =>
  edit(
    {
      aud: ENTRA_API,
      iss: ENTRA_V2_ISS,
      iat: T0,
      nbf: T0,
      exp: T0 + 4500,
      aio: idFrom("entra aio v2").slice(0, 40),
      azp: ENTRA_CLIENT,
      azpacr: "0",
      name: "Jane Doe",
      oid: uuid("entra oid"),
      preferred_username: "jane.doe@pets.example",
      rh: "1.AAAA" + idFrom("entra rh v2").slice(0, 30) + ".",
      roles: ["Pets.Admin"],
      scp: "Pets.Read Pets.Write",
      sub: idFrom("entra sub v2").slice(0, 43),
      tid: ENTRA_TENANT,
      uti: idFrom("entra uti v2").slice(0, 22),
      ver: "2.0",
    },
    extra,
  );
const entraV1 = (claims = entraV1Claims()) => jwt("rsa-2048", { typ: "JWT", alg: "RS256", x5t: ENTRA_KID, kid: ENTRA_KID }, claims);
const entraV2 = (claims = entraV2Claims()) => jwt("rsa-2048", { typ: "JWT", alg: "RS256", kid: ENTRA_KID }, claims);
const entraV1Profile = (extra = {}) => ({ issuer: ENTRA_V1_ISS, audiences: [ENTRA_API_URI], jwks: ENTRA_V1_JWKS, ...extra });
const entraV2Profile = (extra = {}) => ({ issuer: ENTRA_V2_ISS, audiences: [ENTRA_API], allowed_client_ids: [ENTRA_CLIENT], jwks: ENTRA_V2_JWKS, ...extra });
{
  const done = countAs("Entra ID");
  const v1 = { issuers: [entraV1Profile()] };
  const v2 = { issuers: [entraV2Profile()] };
  add("Entra v1: access token allowed (x5c/x5t keys without alg)", { ...tokenCase(entraV1()), cfg: v1 }, "allow");
  add("Entra v1: scp string holds the required scope", { ...tokenCase(entraV1()), cfg: { issuers: [entraV1Profile({ required_scopes: ["Pets.Read"] })] } }, "allow");
  add("Entra v1: scp string lacks the required scope", { ...tokenCase(entraV1()), cfg: { issuers: [entraV1Profile({ required_scopes: ["Pets.Delete"] })] } }, "deny", "missing_scope");
  add(
    "Entra v1: roles array and scp string in the context",
    { ...tokenCase(entraV1()), cfg: { issuers: [entraV1Profile({ context_claims: ["appid", "roles", "scp", "tid"] })] }, context: { appid: ENTRA_CLIENT, roles: '["Pets.Admin"]', scp: "Pets.Read Pets.Write", tid: ENTRA_TENANT } },
    "allow",
  );
  add("Entra v1: token for another resource (Microsoft Graph)", { ...tokenCase(entraV1(entraV1Claims({ aud: "https://graph.microsoft.com" }))), cfg: v1 }, "unauthorized", "audience_mismatch");
  add("Entra v1: token under the v2.0 profile", { ...tokenCase(entraV1()), cfg: v2 }, "unauthorized", "issuer_mismatch");
  add("Entra v1: token of another tenant", { ...tokenCase(entraV1(entraV1Claims({ iss: "https://sts.windows.net/0e1d2c3b-4a59-4687-b6c5-d4e3f2a1b0c9/" }))), cfg: v1 }, "unauthorized", "issuer_mismatch");
  add("Entra v2: access token allowed (azp an allowed client)", { ...tokenCase(entraV2()), cfg: v2 }, "allow");
  add("Entra v2: scp string holds the required scope", { ...tokenCase(entraV2()), cfg: { issuers: [entraV2Profile({ required_scopes: ["Pets.Write"] })] } }, "allow");
  add("Entra v2: azp not an allowed client", { ...tokenCase(entraV2(entraV2Claims({ azp: "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e" }))), cfg: v2 }, "unauthorized", "client_not_allowed");
  add("Entra v2: token for another API", { ...tokenCase(entraV2(entraV2Claims({ aud: "00000003-0000-0000-c000-000000000000" }))), cfg: v2 }, "unauthorized", "audience_mismatch");
  add("Entra v2: token under the v1.0 profile", { ...tokenCase(entraV2()), cfg: v1 }, "unauthorized", "issuer_mismatch");
  // One tenant, both token versions (the same keys serve both endpoints).
  const withoutKeys = ({ jwks: _, ...profile }) => profile;
  const both = { issuers: [withoutKeys(entraV1Profile()), withoutKeys(entraV2Profile())], jwks: ENTRA_V1_JWKS };
  add("Entra v1 and v2 profiles of one tenant sharing a key set: v1 token", { ...tokenCase(entraV1()), cfg: both }, "allow");
  add("Entra v1 and v2 profiles of one tenant sharing a key set: v2 token", { ...tokenCase(entraV2()), cfg: both }, "allow");
  done();
}

// --- Auth0 ----------------------------------------------------------------------------------
// Header {alg, typ "JWT", kid}; iss https://TENANT/ (with the trailing slash); access tokens of
// the default profile: aud [API identifier, https://TENANT/userinfo] (a string for a
// client-credentials token), azp, scope string, permissions array (RBAC). Key set
// (/.well-known/jwks.json): {alg, kty, use, n, e, kid, x5t, x5c}, kid a 21-character id.
const AUTH0_DOMAIN = "pets-tenant.eu.auth0.com";
const AUTH0_ISS = `https://${AUTH0_DOMAIN}/`;
const AUTH0_API = "https://api.pets.example";
const AUTH0_CLIENT = idFrom("auth0 client").replace(/[-_]/g, "x").slice(0, 32);
const auth0Jwk = (keyName, domain = AUTH0_DOMAIN) => {
  const { x5c, x5t } = certificate(keyName, domain);
  const { n, e } = rsa(keyName);
  return { alg: "RS256", kty: "RSA", use: "sig", n, e, kid: idFrom(`auth0 kid ${domain} ${keyName}`).slice(0, 21), x5t, x5c };
};
const AUTH0_JWKS = { keys: [auth0Jwk("rsa-2048"), auth0Jwk("rsa-3072")] };
const auth0Claims = (extra = {}) =>
  edit(
    {
      iss: AUTH0_ISS,
      sub: "auth0|6553da60a54af58e29493993",
      aud: [AUTH0_API, `${AUTH0_ISS}userinfo`],
      iat: T0,
      exp: T0 + 86400,
      scope: "openid profile email read:pets",
      azp: AUTH0_CLIENT,
      permissions: ["read:pets", "write:pets"],
    },
    extra,
  );
const auth0 = (claims = auth0Claims(), header = {}) => jwt("rsa-2048", { alg: "RS256", typ: "JWT", kid: AUTH0_JWKS.keys[0].kid, ...header }, claims);
const auth0Profile = (extra = {}) => ({ issuer: AUTH0_ISS, audiences: [AUTH0_API], jwks: AUTH0_JWKS, ...extra });

// --- Okta -----------------------------------------------------------------------------------
// Custom authorization server "default": iss https://ORG.okta.com/oauth2/default, aud
// api://default. Header {kid, alg} (no typ). Claims ver 1, jti "AT.…", cid (client id), uid,
// scp a JSON array, auth_time. Key set (/v1/keys): {kty, alg, kid, use, e, n}, kid 43 characters.
const OKTA_ORG = "https://pets-org.okta.com";
const OKTA_ISS = `${OKTA_ORG}/oauth2/default`;
const oktaJwk = (keyName) => ({ kty: "RSA", alg: "RS256", kid: idFrom(`okta kid ${keyName}`), use: "sig", e: rsa(keyName).e, n: rsa(keyName).n });
const OKTA_JWKS = { keys: [oktaJwk("rsa-3072"), oktaJwk("rsa-2048")] };
const oktaClaims = (extra = {}) =>
  edit(
    {
      ver: 1,
      jti: `AT.${idFrom("okta jti")}`,
      iss: OKTA_ISS,
      aud: "api://default",
      iat: T0,
      exp: T0 + 3600,
      cid: "0oa8k2v7sExAmPle5d78",
      uid: "00u8k2v7sExAmPle5d78",
      scp: ["openid", "pets:read"],
      auth_time: T0 - 600,
      sub: "jane.doe@pets.example",
    },
    extra,
  );
const okta = (claims = oktaClaims()) => jwt("rsa-2048", { kid: OKTA_JWKS.keys[1].kid, alg: "RS256" }, claims);
const oktaProfile = (extra = {}) => ({ issuer: OKTA_ISS, audiences: ["api://default"], jwks: OKTA_JWKS, ...extra });

{
  const done = countAs("Auth0");
  const cfg = { issuers: [auth0Profile()] };
  add("Auth0: access token allowed (aud array with the userinfo URL)", { ...tokenCase(auth0()), cfg }, "allow");
  add(
    "Auth0: permissions array in the context",
    { ...tokenCase(auth0()), cfg: { issuers: [auth0Profile({ context_claims: ["azp", "permissions", "sub"] })] }, context: { azp: AUTH0_CLIENT, permissions: '["read:pets","write:pets"]', sub: "auth0|6553da60a54af58e29493993" } },
    "allow",
  );
  add("Auth0: client-credentials token allowed (aud a string)", { ...tokenCase(auth0(auth0Claims({ sub: `${AUTH0_CLIENT}@clients`, aud: AUTH0_API, scope: "read:pets", gty: "client-credentials", permissions: ["read:pets"] }))), cfg }, "allow");
  add("Auth0: azp an allowed client", { ...tokenCase(auth0()), cfg: { issuers: [auth0Profile({ allowed_client_ids: [AUTH0_CLIENT] })] } }, "allow");
  add("Auth0: azp not an allowed client", { ...tokenCase(auth0()), cfg: { issuers: [auth0Profile({ allowed_client_ids: ["another-client"] })] } }, "unauthorized", "client_not_allowed");
  add("Auth0: token for another API", { ...tokenCase(auth0(auth0Claims({ aud: ["https://api.other.example", `${AUTH0_ISS}userinfo`] }))), cfg }, "unauthorized", "audience_mismatch");
  add("Auth0: issuer configured without its trailing slash", { ...tokenCase(auth0()), cfg: { issuers: [auth0Profile({ issuer: `https://${AUTH0_DOMAIN}` })] } }, "unauthorized", "issuer_mismatch");
  add("Auth0: token under the Okta profile", { ...tokenCase(auth0()), cfg: { issuers: [oktaProfile()] } }, "unauthorized", "issuer_mismatch");
  done();
}
{
  const done = countAs("Okta");
  const cfg = { issuers: [oktaProfile()] };
  add("Okta: access token allowed (scp array, cid, uid)", { ...tokenCase(okta()), cfg }, "allow");
  add("Okta: scp array holds the required scope", { ...tokenCase(okta()), cfg: { issuers: [oktaProfile({ required_scopes: ["pets:read"] })] } }, "allow");
  add("Okta: scp array lacks the required scope", { ...tokenCase(okta()), cfg: { issuers: [oktaProfile({ required_scopes: ["pets:write"] })] } }, "deny", "missing_scope");
  add("Okta: scp array in the context", { ...tokenCase(okta()), cfg: { issuers: [oktaProfile({ context_claims: ["cid", "scp", "uid"] })] }, context: { cid: "0oa8k2v7sExAmPle5d78", scp: '["openid","pets:read"]', uid: "00u8k2v7sExAmPle5d78" } }, "allow");
  add("Okta: token of the org authorization server", { ...tokenCase(okta(oktaClaims({ iss: OKTA_ORG, aud: OKTA_ORG }))), cfg }, "unauthorized", "issuer_mismatch");
  add("Okta: token for another audience", { ...tokenCase(okta(oktaClaims({ aud: "api://billing" }))), cfg }, "unauthorized", "audience_mismatch");
  add("Okta: token under the Auth0 profile", { ...tokenCase(okta()), cfg: { issuers: [auth0Profile()] } }, "unauthorized", "issuer_mismatch");
  done();
}

// --- Keycloak -------------------------------------------------------------------------------
// Realm key set (/protocol/openid-connect/certs): an RS256 "sig" key and an RSA-OAEP "enc" key,
// each {kid, kty, alg, use, n, e, x5c, x5t, x5t#S256}; the enc key must never verify anything.
// Header {alg, typ "JWT", kid}; iss https://HOST/realms/REALM; payload typ "Bearer", azp, aud an
// array (or absent without an audience mapper), realm_access.roles, resource_access, scope.
const KC_ISS = "https://sso.pets.example/realms/pets";
const KC_ROLES = ["default-roles-pets", "offline_access", "uma_authorization", "pet-owner"];
const kcJwk = (keyName, use) => {
  const { x5c, x5t, x5tS256 } = certificate(keyName, "pets");
  const { n, e } = rsa(keyName);
  return { kid: idFrom(`keycloak kid ${keyName} ${use}`), kty: "RSA", alg: use === "sig" ? "RS256" : "RSA-OAEP", use, n, e, x5c, x5t, "x5t#S256": x5tS256 };
};
const KC_SIG = kcJwk("rsa-2048", "sig");
const KC_ENC = kcJwk("rsa-3072", "enc");
const KC_JWKS = { keys: [KC_ENC, KC_SIG] };
const kcClaims = (extra = {}) =>
  edit(
    {
      exp: T0 + 300,
      iat: T0,
      auth_time: T0 - 30,
      jti: uuid("keycloak jti"),
      iss: KC_ISS,
      aud: ["pets-api", "account"],
      sub: uuid("keycloak sub"),
      typ: "Bearer",
      azp: "pets-web",
      sid: uuid("keycloak sid"),
      acr: "1",
      "allowed-origins": ["https://pets.example"],
      realm_access: { roles: KC_ROLES },
      resource_access: { "pets-api": { roles: ["reader"] }, account: { roles: ["manage-account", "view-profile"] } },
      scope: "openid profile email",
      email_verified: true,
      name: "Jane Doe",
      preferred_username: "jane",
      given_name: "Jane",
      family_name: "Doe",
      email: "jane.doe@pets.example",
    },
    extra,
  );
const keycloak = (claims = kcClaims(), { kid = KC_SIG.kid, keyName = "rsa-2048" } = {}) =>
  jwt(keyName, kid === null ? { alg: "RS256", typ: "JWT" } : { alg: "RS256", typ: "JWT", kid }, claims);
const kcProfile = (extra = {}) => ({ issuer: KC_ISS, audiences: ["pets-api"], allowed_client_ids: ["pets-web"], jwks: KC_JWKS, ...extra });

// --- Google ---------------------------------------------------------------------------------
// Id tokens: header {alg, kid (40 hex), typ}; iss `https://accounts.google.com` or
// `accounts.google.com`; aud and azp the OAuth client id; email_verified a boolean. Key set
// (oauth2/v3/certs): {alg, e, kid, kty, n, use}, usually two keys.
const GOOGLE_CLIENT = `1234987819200-${idFrom("google client", "hex").slice(0, 32)}.apps.googleusercontent.com`;
const googleJwk = (keyName) => ({ alg: "RS256", e: rsa(keyName).e, kid: idFrom(`google kid ${keyName}`, "hex", "sha1"), kty: "RSA", n: rsa(keyName).n, use: "sig" });
const GOOGLE_JWKS = { keys: [googleJwk("rsa-3072"), googleJwk("rsa-2048")] };
const googleClaims = (extra = {}) =>
  edit(
    {
      iss: "https://accounts.google.com",
      azp: GOOGLE_CLIENT,
      aud: GOOGLE_CLIENT,
      sub: "110169484474386276334",
      email: "jane.doe@gmail.example",
      email_verified: true,
      at_hash: idFrom("google at_hash").slice(0, 22),
      name: "Jane Doe",
      picture: "https://lh3.googleusercontent.com/a/default-user",
      given_name: "Jane",
      family_name: "Doe",
      iat: T0,
      exp: T0 + 3600,
    },
    extra,
  );
const google = (claims = googleClaims()) => jwt("rsa-2048", { alg: "RS256", kid: GOOGLE_JWKS.keys[1].kid, typ: "JWT" }, claims);
// Google's two issuer spellings: two profiles sharing the top-level key set.
const googleConfig = (extra = {}) => ({ issuers: ["accounts.google.com", "https://accounts.google.com"], audiences: [GOOGLE_CLIENT], jwks: GOOGLE_JWKS, ...extra });

{
  const done = countAs("Keycloak");
  const cfg = { issuers: [kcProfile()] };
  add("Keycloak: access token allowed (the enc key beside the sig key)", { ...tokenCase(keycloak()), cfg }, "allow");
  add(
    "Keycloak: nested realm_access as JSON text, its roles by path",
    {
      ...tokenCase(keycloak()),
      cfg: { issuers: [kcProfile({ context_claims: ["azp", "realm_access", "roles=realm_access.roles", "scope", "typ"] })] },
      context: { azp: "pets-web", realm_access: JSON.stringify({ roles: KC_ROLES }), roles: JSON.stringify(KC_ROLES), scope: "openid profile email", typ: "Bearer" },
    },
    "allow",
  );
  add(
    "Keycloak: HTTP API 2.0 context holds the roles as an array",
    { event: httpV2Event(keycloak()), kind: "http_v2", keys: null, cfg: { issuers: [kcProfile({ context_claims: ["azp", "roles=realm_access.roles"] })] }, context: { azp: "pets-web", roles: KC_ROLES } },
    "allow",
  );
  add("Keycloak: kid-less token signed with the enc key's private key", { ...tokenCase(keycloak(kcClaims(), { kid: null, keyName: "rsa-3072" })), cfg }, "unauthorized", "bad_signature");
  // The enc key is refused at load, so its kid is unknown (decided as every unknown kid is).
  add("Keycloak: token signed with the enc key, naming its kid", { ...tokenCase(keycloak(kcClaims(), { kid: KC_ENC.kid, keyName: "rsa-3072" })), cfg }, "unauthorized", "unknown_kid");
  add("Keycloak: token without aud (no audience mapper) under a client-id profile", { ...tokenCase(keycloak(kcClaims({ aud: null }))), cfg: { issuers: [kcProfile({ audiences: [] })] } }, "allow");
  add("Keycloak: token without aud where audiences are configured", { ...tokenCase(keycloak(kcClaims({ aud: null }))), cfg }, "unauthorized", "audience_mismatch");
  add("Keycloak: azp not an allowed client", { ...tokenCase(keycloak(kcClaims({ azp: "admin-cli" }))), cfg }, "unauthorized", "client_not_allowed");
  add("Keycloak: token of another realm", { ...tokenCase(keycloak(kcClaims({ iss: "https://sso.pets.example/realms/master" }))), cfg }, "unauthorized", "issuer_mismatch");
  add("Keycloak: token under the Google profiles", { ...tokenCase(keycloak()), cfg: googleConfig() }, "unauthorized", "issuer_mismatch");
  done();
}
{
  const done = countAs("Google");
  add("Google: id token with iss https://accounts.google.com", { ...tokenCase(google()), cfg: googleConfig() }, "allow");
  add("Google: id token with iss accounts.google.com", { ...tokenCase(google(googleClaims({ iss: "accounts.google.com" }))), cfg: googleConfig() }, "allow");
  add("Google: id token for another client", { ...tokenCase(google(googleClaims({ aud: "5555-other.apps.googleusercontent.com", azp: "5555-other.apps.googleusercontent.com" }))), cfg: googleConfig() }, "unauthorized", "audience_mismatch");
  add("Google: azp an allowed client", { ...tokenCase(google()), cfg: googleConfig({ allowed_client_ids: [GOOGLE_CLIENT] }) }, "allow");
  add("Google: bare issuer where only https://accounts.google.com is configured", { ...tokenCase(google(googleClaims({ iss: "accounts.google.com" }))), cfg: googleConfig({ issuers: ["https://accounts.google.com"] }) }, "unauthorized", "issuer_mismatch");
  add("Google: iss http://accounts.google.com", { ...tokenCase(google(googleClaims({ iss: "http://accounts.google.com" }))), cfg: googleConfig() }, "unauthorized", "issuer_mismatch");
  add("Google: id token under the Keycloak profile", { ...tokenCase(google()), cfg: { issuers: [kcProfile()] } }, "unauthorized", "issuer_mismatch");
  done();
}

// --- The original sample's identity provider ------------------------------------------------
// The sample (../shared/SAMPLE.md) is configured by ISSUER=https://DOMAIN/ (trailing slash),
// AUDIENCE and JWKS_URI=https://DOMAIN/.well-known/jwks.json; its access tokens follow RFC 9068:
// header typ "at+jwt"; iss, sub, aud, client_id, exp, iat, jti, scope.
const SAMPLE_DOMAIN = "pets.sample-idp.example";
const SAMPLE_ISS = `https://${SAMPLE_DOMAIN}/`;
const SAMPLE_JWKS = { keys: [auth0Jwk("rsa-3072", SAMPLE_DOMAIN), auth0Jwk("rsa-2048", SAMPLE_DOMAIN)] };
const sampleClaims = (extra = {}) =>
  edit(
    {
      iss: SAMPLE_ISS,
      sub: "auth|5f9b2c7e1d3a4b6c8e0f1a2b",
      aud: [AUTH0_API, `${SAMPLE_ISS}userinfo`],
      client_id: "sampleClientIdForPetsWeb000000000",
      exp: T0 + 86400,
      iat: T0,
      jti: idFrom("sample jti").slice(0, 22),
      scope: "openid profile read:pets",
    },
    extra,
  );
const sampleToken = (claims = sampleClaims(), typ = "at+jwt") => jwt("rsa-2048", { alg: "RS256", typ, kid: SAMPLE_JWKS.keys[1].kid }, claims);
const sampleProfile = (extra = {}) => ({ issuer: SAMPLE_ISS, audiences: [AUTH0_API], jwks: SAMPLE_JWKS, ...extra });
{
  const done = countAs("original sample's IdP");
  add("sample IdP: at+jwt access token allowed (ISSUER, AUDIENCE, keys only)", { ...tokenCase(sampleToken()), cfg: { issuers: [sampleProfile()] } }, "allow");
  add("sample IdP: at+jwt access token allowed with token_type at+jwt", { ...tokenCase(sampleToken()), cfg: { issuers: [sampleProfile({ token_type: "at+jwt" })] } }, "allow");
  add("sample IdP: typ JWT token where at+jwt is required", { ...tokenCase(sampleToken(sampleClaims(), "JWT")), cfg: { issuers: [sampleProfile({ token_type: "at+jwt" })] } }, "unauthorized", "token_type_mismatch");
  add("sample IdP: token for another API", { ...tokenCase(sampleToken(sampleClaims({ aud: ["https://api.other.example", `${SAMPLE_ISS}userinfo`] }))), cfg: { issuers: [sampleProfile()] } }, "unauthorized", "audience_mismatch");
  add("sample IdP: ISSUER written without the trailing slash", { ...tokenCase(sampleToken()), cfg: { issuers: [sampleProfile({ issuer: `https://${SAMPLE_DOMAIN}` })] } }, "unauthorized", "issuer_mismatch");
  add("sample IdP: token under the Auth0 profile", { ...tokenCase(sampleToken()), cfg: { issuers: [auth0Profile()] } }, "unauthorized", "issuer_mismatch");
  done();
}

// --- Every provider at once: nine profiles, each with its own keys --------------------------
{
  const done = countAs("all providers in one configuration");
  const cfg = {
    issuers: [
      cognitoAccessProfile(),
      entraV1Profile(),
      entraV2Profile(),
      auth0Profile(),
      oktaProfile(),
      kcProfile(),
      { issuer: "accounts.google.com", audiences: [GOOGLE_CLIENT], jwks: GOOGLE_JWKS },
      { issuer: "https://accounts.google.com", audiences: [GOOGLE_CLIENT], jwks: GOOGLE_JWKS },
      sampleProfile(),
    ],
  };
  const tokens = {
    Cognito: cognitoAccess(),
    "Entra v1": entraV1(),
    "Entra v2": entraV2(),
    Auth0: auth0(),
    Okta: okta(),
    Keycloak: keycloak(),
    "Google (accounts.google.com)": google(googleClaims({ iss: "accounts.google.com" })),
    "Google (https://accounts.google.com)": google(),
    "sample IdP": sampleToken(),
  };
  for (const [provider, t] of Object.entries(tokens)) add(`nine provider profiles: ${provider} token allowed`, { ...tokenCase(t), cfg }, "allow");
  add("nine provider profiles: Cognito id token refused by the access profile", { ...tokenCase(cognitoId()), cfg }, "unauthorized", "token_use_mismatch");
  done();
}

// --- Several issuers, each with its own keys ------------------------------------------------
const ISS_A = "https://a.idp.example/";
const ISS_B = "https://b.idp.example/";
const AUD_A = "api://pets-a";
const AUD_B = "api://pets-b";
const keyAs = (keyName, kid) => ({ ...rsa(keyName), kty: "RSA", kid, use: "sig", alg: "RS256" });
const issuerToken = (iss, aud, keyName, kid, extra = {}) => jwt(keyName, { alg: "RS256", typ: "JWT", kid }, edit({ iss, sub: `user-of-${new URL(iss).hostname}`, aud, exp: NOW + 300, iat: NOW - 10, scope: "pets:read", client_id: "client-1" }, extra));
{
  const done = countAs("multi-issuer");
  // A and B each publish a key with the kid "k1", and B also "b-only".
  const a = { issuer: ISS_A, audiences: [AUD_A], jwks: { keys: [keyAs("rsa-2048", "k1")] } };
  const b = { issuer: ISS_B, audiences: [AUD_B], jwks: { keys: [keyAs("rsa-3072", "k1"), keyAs("rsa-3072", "b-only")] } };
  const cfg = { issuers: [a, b] };
  add("two issuers: A's token signed by A's key", { ...tokenCase(issuerToken(ISS_A, AUD_A, "rsa-2048", "k1")), cfg }, "allow");
  add("two issuers: B's token signed by B's key", { ...tokenCase(issuerToken(ISS_B, AUD_B, "rsa-3072", "k1")), cfg }, "allow");
  add("two issuers: a token naming A signed by B's key of the same kid", { ...tokenCase(issuerToken(ISS_A, AUD_A, "rsa-3072", "k1")), cfg }, "unauthorized", "bad_signature");
  add("two issuers: a token naming B signed by A's key of the same kid", { ...tokenCase(issuerToken(ISS_B, AUD_B, "rsa-2048", "k1")), cfg }, "unauthorized", "bad_signature");
  add("two issuers: a token naming A with the B-only kid, signed by B", { ...tokenCase(issuerToken(ISS_A, AUD_A, "rsa-3072", "b-only")), cfg }, "unauthorized", "unknown_kid");
  add("two issuers: A's token with B's audience", { ...tokenCase(issuerToken(ISS_A, AUD_B, "rsa-2048", "k1")), cfg }, "unauthorized", "audience_mismatch");
  add("two issuers: iss matching no profile", { ...tokenCase(issuerToken("https://c.idp.example/", AUD_A, "rsa-2048", "k1")), cfg }, "unauthorized", "issuer_mismatch");
  add("two issuers: iss differing from A by its trailing slash", { ...tokenCase(issuerToken("https://a.idp.example", AUD_A, "rsa-2048", "k1")), cfg }, "unauthorized", "issuer_mismatch");
  add("two issuers: no iss", { ...tokenCase(issuerToken(ISS_A, AUD_A, "rsa-2048", "k1", { iss: null })), cfg }, "unauthorized", "issuer_mismatch");
  // Profile members override the top level; members left out take it.
  const layered = {
    audiences: [AUD_B],
    leeway_seconds: 0,
    required_scopes: ["pets:read"],
    algorithms: ["RS256"],
    issuers: [
      { issuer: ISS_A, audiences: [AUD_A], leeway_seconds: 60, required_scopes: ["pets:write"], algorithms: ["ES256"], jwks: { keys: [{ ...publicJwk("ec-p256"), kid: "a-ec" }] } },
      { issuer: ISS_B, jwks: { keys: [keyAs("rsa-3072", "k1")] } },
    ],
  };
  const aEc = (extra) => jwt("ec-p256", { alg: "ES256", typ: "JWT", kid: "a-ec" }, edit({ iss: ISS_A, sub: "user-of-a", aud: AUD_A, exp: NOW + 300, iat: NOW - 100, scope: "pets:write" }, extra));
  const bRsa = (extra) => issuerToken(ISS_B, AUD_B, "rsa-3072", "k1", extra);
  add("profile overrides: A's own audience, algorithm, scope", { ...tokenCase(aEc({})), cfg: layered }, "allow");
  add("profile overrides: A within its own leeway", { ...tokenCase(aEc({ exp: NOW - 30 })), cfg: layered }, "allow");
  add("profile overrides: A beyond its own leeway", { ...tokenCase(aEc({ exp: NOW - 60 })), cfg: layered }, "unauthorized", "token_expired");
  add("profile overrides: A's audiences replace the top level's", { ...tokenCase(aEc({ aud: AUD_B })), cfg: layered }, "unauthorized", "audience_mismatch");
  add("profile overrides: A's required scopes replace the top level's", { ...tokenCase(aEc({ scope: "pets:read" })), cfg: layered }, "deny", "missing_scope");
  add("profile overrides: A's algorithms replace the top level's", { ...tokenCase(jwt("rsa-2048", { alg: "RS256", typ: "JWT", kid: "a-ec" }, { iss: ISS_A, sub: "user-of-a", aud: AUD_A, exp: NOW + 300, iat: NOW - 100, scope: "pets:write" })), cfg: layered }, "unauthorized", "algorithm_not_allowed");
  add("profile overrides: B takes the top level's audience and scope", { ...tokenCase(bRsa({})), cfg: layered }, "allow");
  add("profile overrides: B takes the top level's zero leeway", { ...tokenCase(bRsa({ exp: NOW - 30 })), cfg: layered }, "unauthorized", "token_expired");
  add("profile overrides: B does not take A's audience", { ...tokenCase(bRsa({ aud: AUD_A })), cfg: layered }, "unauthorized", "audience_mismatch");
  add("profile overrides: B takes the top level's required scope", { ...tokenCase(bRsa({ scope: "pets:write" })), cfg: layered }, "deny", "missing_scope");
  // `audiences: []` with client ids: a token without aud passes on its client id; one with aud not.
  const clientOnly = { audiences: [AUD_A], issuers: [{ issuer: ISS_A, audiences: [], allowed_client_ids: ["client-1"], jwks: { keys: [keyAs("rsa-2048", "k1")] } }] };
  add("empty audiences with client ids: a token without aud", { ...tokenCase(issuerToken(ISS_A, AUD_A, "rsa-2048", "k1", { aud: null })), cfg: clientOnly }, "allow");
  add("empty audiences with client ids: a token with aud", { ...tokenCase(issuerToken(ISS_A, AUD_A, "rsa-2048", "k1")), cfg: clientOnly }, "unauthorized", "audience_mismatch");
  add("empty audiences with client ids: a token without aud of another client", { ...tokenCase(issuerToken(ISS_A, AUD_A, "rsa-2048", "k1", { aud: null, client_id: "client-2" })), cfg: clientOnly }, "unauthorized", "client_not_allowed");
  // Twenty profiles: the most there may be. Even profiles hold rsa-2048, odd ones rsa-3072.
  const profile = (i) => ({ issuer: `https://idp-${String(i).padStart(2, "0")}.example/`, audiences: [AUD_A], jwks: { keys: [keyAs(i % 2 ? "rsa-3072" : "rsa-2048", `k-${i}`)] } });
  const twenty = { issuers: Array.from({ length: 20 }, (_, i) => profile(i)) };
  add("twenty profiles: the first one's token", { ...tokenCase(issuerToken(profile(0).issuer, AUD_A, "rsa-2048", "k-0")), cfg: twenty }, "allow");
  add("twenty profiles: the last one's token", { ...tokenCase(issuerToken(profile(19).issuer, AUD_A, "rsa-3072", "k-19")), cfg: twenty }, "allow");
  add("twenty profiles: the last one's kid signed by the first one's key", { ...tokenCase(issuerToken(profile(19).issuer, AUD_A, "rsa-2048", "k-19")), cfg: twenty }, "unauthorized", "bad_signature");
  add("twenty profiles: an issuer none of them has", { ...tokenCase(issuerToken("https://idp-20.example/", AUD_A, "rsa-2048", "k-0")), cfg: twenty }, "unauthorized", "issuer_mismatch");
  const anyToken = { keys: null, event: tokenEvent(issuerToken(ISS_A, AUD_A, "rsa-2048", "k1")) };
  addRefused("refused at start: twenty-one profiles", { issuers: Array.from({ length: 21 }, (_, i) => profile(i)) }, "issuers", anyToken);
  addRefused("refused at start: no profile", { issuers: [], audiences: [AUD_A] }, "issuers", { event: anyToken.event });
  addRefused("refused at start: one issuer twice (strings)", { issuers: [ISS_A, ISS_A], audiences: [AUD_A] }, "issuers[1].issuer", { event: anyToken.event });
  addRefused("refused at start: one issuer twice (profiles)", { issuers: [a, { ...b, issuer: ISS_A }] }, "issuers[1].issuer", anyToken);
  addRefused("refused at start: one issuer twice (a pool id and its issuer)", { issuers: [cognitoAccessProfile(), { issuer: COGNITO_ISS, allowed_client_ids: [COGNITO_CLIENT], jwks: COGNITO_JWKS }] }, "issuers[1].issuer", anyToken);
  done();
}

// --- Configuration errors of the new members -------------------------------------------------
{
  const done = countAs("configuration errors");
  const keys = { keys: [keyAs("rsa-2048", "k1")] };
  const ok = { issuer: ISS_A, audiences: [AUD_A], jwks: keys };
  const anyToken = { keys: null, event: tokenEvent(issuerToken(ISS_A, AUD_A, "rsa-2048", "k1")) };
  const refuse = (name, cfg, setting) => addRefused(`refused at start: ${name}`, cfg, setting, anyToken);
  refuse("an unknown member in a profile (audience)", { issuers: [{ ...ok, audience: AUD_A }] }, "issuers[0]");
  refuse("a global-only member in a profile (policy_resource)", { issuers: [ok, { issuer: ISS_B, audiences: [AUD_B], jwks: keys, policy_resource: "method" }] }, "issuers[1]");
  refuse("a profile that is neither a string nor an object", { issuers: [ok, 7] }, "issuers[1]");
  refuse("a plain http jwks_uri in a profile", { issuers: [ok, { issuer: ISS_B, audiences: [AUD_B], jwks_uri: "http://b.idp.example/jwks.json" }] }, "issuers[1].jwks_uri");
  refuse("a plain http jwks_uri at the top level", { issuers: [ISS_A], audiences: [AUD_A], jwks_uri: "http://a.idp.example/jwks.json" }, "jwks_uri");
  refuse("issuer and cognito_user_pool_id both", { issuers: [{ ...cognitoAccessProfile(), issuer: COGNITO_ISS }] }, "issuers[0].cognito_user_pool_id");
  refuse("neither issuer nor cognito_user_pool_id", { issuers: [ok, { audiences: [AUD_B], jwks: keys }] }, "issuers[1]");
  refuse("token_use refresh in a profile", { issuers: [{ ...ok, token_use: "refresh" }] }, "issuers[0].token_use");
  refuse("token_use Access (case matters)", { issuers: [{ ...ok, token_use: "Access" }] }, "issuers[0].token_use");
  refuse("token_use refresh at the top level", { issuers: [ok], token_use: "refresh" }, "token_use");
  refuse("jwks and jwks_file both in a profile", { issuers: [{ ...ok, jwks_file: "keys/jwks.json" }] }, "issuers[0].jwks_file");
  refuse("an inline jwks that is not a key set", { issuers: [{ ...ok, jwks: "https://a.idp.example/jwks.json" }] }, "issuers[0].jwks");
  refuse("neither audiences nor allowed_client_ids", { issuers: [{ issuer: ISS_A, jwks: keys }] }, "issuers[0].audiences");
  refuse("empty audiences without allowed_client_ids", { issuers: [{ ...ok, audiences: [] }], audiences: [AUD_A] }, "issuers[0].audiences");
  refuse("allowed_client_ids not a list", { issuers: [{ ...ok, allowed_client_ids: "client-1" }] }, "issuers[0].allowed_client_ids");
  refuse("leeway_seconds beyond 600 in a profile", { issuers: [ok, { issuer: ISS_B, audiences: [AUD_B], jwks: keys, leeway_seconds: 601 }] }, "issuers[1].leeway_seconds");
  done();
}

// What reaches the backend (README "Forwarding") and certificate-bound tokens (RFC 8705).
{
  const done = countAs("forwarding and binding");
  const nested = { sub: "user-1", tenant: { id: "acme", tier: 2 }, groups: ["a", "b"], api_key: "key-123", n: 7 };
  const mapped = config({ context_claims: ["sub", "tenant_id=tenant.id", "groups", "tenant"] });
  add("context: nested path and arrays as JSON text (REST TOKEN)", { event: tokenEvent(token("RS256", nested)), cfg: mapped, context: { sub: "user-1", tenant_id: "acme", groups: '["a","b"]', tenant: '{"id":"acme","tier":2}' } }, "allow");
  add("context: nested path and arrays as JSON text (REST REQUEST)", { event: requestEvent(token("RS256", nested)), kind: "request", cfg: mapped, context: { sub: "user-1", tenant_id: "acme", groups: '["a","b"]', tenant: '{"id":"acme","tier":2}' } }, "allow");
  add("context: arrays and maps as they are (HTTP API 2.0)", { event: httpV2Event(token("RS256", nested)), kind: "http_v2", cfg: mapped, context: { sub: "user-1", tenant_id: "acme", groups: ["a", "b"], tenant: { id: "acme", tier: 2 } } }, "allow");
  const payloadClaims = { sub: "user-1", n: 7 };
  const withPayload = token("RS256", payloadClaims);
  const payloadText = Buffer.from(withPayload.split(".")[1], "base64url").toString();
  add("context: the whole payload as JSON text", { event: tokenEvent(withPayload), cfg: config({ context_claims: ["sub"], context_payload_key: "claims" }), context: { sub: "user-1", claims: payloadText } }, "allow");
  const big = "x".repeat(5000);
  add(
    "context: cut to fit 8 KB by the documented rule",
    { event: tokenEvent(token("RS256", { sub: "user-1", a: big, b: big, c: "small" })), cfg: config({ context_claims: ["a", "b", "c", "sub"], context_payload_key: "whole" }), context: { a: big, c: "small", sub: "user-1", jwtgate_context_cut: true } },
    "allow",
  );
  add("usageIdentifierKey from a claim (REST)", { event: tokenEvent(token("RS256", nested)), cfg: config({ usage_identifier_claim: "api_key" }), usage_identifier: "key-123" }, "allow");
  add("usageIdentifierKey left out when the claim is not a string", { event: tokenEvent(token("RS256", nested)), cfg: config({ usage_identifier_claim: "n" }), usage_identifier: null }, "allow");
  add("usageIdentifierKey not in HTTP API 2.0 answers", { event: httpV2Event(token("RS256", nested)), kind: "http_v2", cfg: config({ usage_identifier_claim: "api_key", http_api_response: "policy" }), usage_identifier: null }, "allow");

  // A client certificate as API Gateway passes it (PEM), and its SHA-256 thumbprint computed by
  // node:crypto's X509Certificate, apart from the core's own code.
  const pemOf = (der) => `-----BEGIN CERTIFICATE-----\n${der.toString("base64").replace(/(.{64})/g, "$1\n")}\n-----END CERTIFICATE-----\n`;
  const clientPem = pemOf(Buffer.from(certificate("rsa-2048", "client.pets.example").x5c[0], "base64"));
  const otherPem = pemOf(Buffer.from(certificate("rsa-3072", "other.pets.example").x5c[0], "base64"));
  const thumbprint = Buffer.from(new X509Certificate(clientPem).fingerprint256.replaceAll(":", ""), "hex").toString("base64url");
  const bound = token("RS256", { sub: "user-1", cnf: { "x5t#S256": thumbprint } });
  const unbound = token("RS256", { sub: "user-1" });
  const restWith = (t, pem) => ({ ...requestEvent(t), requestContext: { identity: { clientCert: pem === null ? null : { clientCertPem: pem, subjectDN: "CN=client" } } } });
  const v2With = (t, pem) => ({ ...httpV2Event(t), requestContext: { authentication: pem === null ? null : { clientCert: { clientCertPem: pem } } } });
  add("binding: bound token with its certificate (REST)", { event: restWith(bound, clientPem), kind: "request" }, "allow");
  add("binding: bound token with its certificate (HTTP API 2.0)", { event: v2With(bound, clientPem), kind: "http_v2" }, "allow");
  add("binding: bound token with another certificate", { event: restWith(bound, otherPem), kind: "request" }, "unauthorized", "certificate_mismatch");
  add("binding: bound token with another certificate (HTTP API 2.0)", { event: v2With(bound, otherPem), kind: "http_v2" }, "unauthorized", "certificate_mismatch");
  add("binding: bound token without a certificate", { event: restWith(bound, null), kind: "request" }, "unauthorized", "certificate_required");
  add("binding: bound token in a TOKEN event (no certificate there)", { event: tokenEvent(bound) }, "unauthorized", "certificate_required");
  add("binding: unbound token with a certificate", { event: restWith(unbound, clientPem), kind: "request" }, "allow");
  add("binding: required, unbound token", { event: restWith(unbound, clientPem), kind: "request", cfg: config({ require_certificate_binding: true }) }, "unauthorized", "token_not_bound");
  add("binding: required, bound token with its certificate", { event: v2With(bound, clientPem), kind: "http_v2", cfg: config({ require_certificate_binding: true }) }, "allow");
  add("binding: cnf x5t#S256 not base64url of 32 bytes", { event: restWith(token("RS256", { sub: "u", cnf: { "x5t#S256": "abc" } }), clientPem), kind: "request" }, "unauthorized", "invalid_claim");
  addRefused("refused at start: require_certificate_binding not a boolean", config({ require_certificate_binding: "yes" }), "require_certificate_binding");
  addRefused("refused at start: a context key given two claims", config({ context_claims: ["a=sub", "a=iss"] }), "context_claims");
  addRefused("refused at start: a context claim path with an empty name", config({ context_claims: ["t=tenant..id"] }), "context_claims");
  addRefused("refused at start: context_payload_key is also a claim key", config({ context_claims: ["sub"], context_payload_key: "sub" }), "issuers[0].context_payload_key");
  addRefused("refused at start: usage_identifier_claim not a path", config({ usage_identifier_claim: "a..b" }), "usage_identifier_claim");
  done();
}

// --- Claim rules and scope matching (issue 18) ------------------------------------------------
{
  const done = countAs("claim rules");
  const groups = (g, extra = {}) => token("RS256", { "cognito:groups": g, ...extra });
  const rule = (extra) => config({ claim_rules: ["contains_any(cognito:groups,admin,ops)"], ...extra });
  add("claim rules: contains_any held", { event: tokenEvent(groups(["dev", "ops"])), cfg: rule() }, "allow");
  add("claim_rule_failed: contains_any not held gives Deny", { event: tokenEvent(groups(["dev"])), cfg: rule() }, "deny", "claim_rule_failed");
  add("claim_rule_failed: the claim absent", { event: tokenEvent(token()), cfg: rule() }, "deny", "claim_rule_failed");
  add("claim_rule_failed: isAuthorized false on HTTP API", { event: httpV2Event(groups([])), kind: "http_v2", cfg: rule() }, "deny", "claim_rule_failed");
  add("invalid_claim: a claim rule's claim of the wrong type", { event: tokenEvent(groups(5)), cfg: rule() }, "unauthorized", "invalid_claim");
  add("invalid_claim: a claim rule's path through a string", { event: tokenEvent(token("RS256", { realm_access: "admin" })), cfg: config({ claim_rules: ["contains_all(realm_access.roles,admin)"] }) }, "unauthorized", "invalid_claim");
  add("missing_scope decides before a failed claim rule", { event: tokenEvent(groups(["dev"])), cfg: rule({ required_scopes: ["admin"] }) }, "deny", "missing_scope");
  const json = config({ claim_rules: [{ claim: "realm_access.roles", contains_all: ["admin", "ops"] }, { claim: "email_verified", equals: true }, { claim: "level", equals: 1 }, { claim: "tenant", one_of: ["acme", "globex"] }, { claim: "tenant", present: true }] });
  const rolesToken = (roles, extra = {}) => token("RS256", { realm_access: { roles }, email_verified: true, level: 1.0, tenant: "acme", ...extra });
  add("claim rules, JSON form: all five held (level 1.0 equals 1)", { event: tokenEvent(rolesToken(["admin", "ops", "x"])), cfg: json }, "allow");
  add("claim_rule_failed: contains_all misses one", { event: tokenEvent(rolesToken(["admin"])), cfg: json }, "deny", "claim_rule_failed");
  add("claim_rule_failed: equals true against false", { event: tokenEvent(rolesToken(["admin", "ops"], { email_verified: false })), cfg: json }, "deny", "claim_rule_failed");
  add("claim_rule_failed: tenant null is absent", { event: tokenEvent(rolesToken(["admin", "ops"], { tenant: null })), cfg: json }, "deny", "claim_rule_failed");
  add("claim rules: a space-separated string claim", { event: tokenEvent(token()), cfg: config({ claim_rules: ["contains_all(scope,pets:write,pets:read)"] }) }, "allow");
  // Route rules with claim terms.
  const routes = config({ route_rules: "DELETE /pets/*=contains_any(cognito:groups,admin); GET /pets/*=pets:read" });
  add("route rule claim term: held", { event: tokenEvent(groups(["admin"]), "DELETE/pets/1"), cfg: routes }, "allow");
  add("claim_rule_failed: route rule claim term not held", { event: tokenEvent(groups(["dev"]), "DELETE/pets/1"), cfg: routes }, "deny", "claim_rule_failed");
  add("route rule claim term: another route is not concerned", { event: tokenEvent(groups(["dev"]), "GET/pets/1"), cfg: routes }, "allow");
  add("claim_rule_failed: HTTP API route key with a claim term", { event: httpV2Event(groups(["dev"]), "DELETE /pets/{id}"), kind: "http_v2", cfg: routes }, "deny", "claim_rule_failed");
  add("invalid_claim: a route rule's claim of the wrong type, whatever the route", { event: tokenEvent(groups("admin", { "cognito:groups": { admin: true } }), "GET/pets/1"), cfg: routes }, "unauthorized", "invalid_claim");
  const jsonRoutes = config({ route_rules: [{ route: "DELETE /pets/*", claims: [{ claim: "cognito:groups", contains_any: ["admin"] }] }, { route: "GET /pets/*", scopes: ["pets:read"] }], unlisted_routes: "deny" });
  add("route rules, JSON form: claims only", { event: tokenEvent(groups(["admin"]), "DELETE/pets/1"), cfg: jsonRoutes }, "allow");
  add("claim_rule_failed: route rules, JSON form", { event: tokenEvent(groups([]), "DELETE/pets/1"), cfg: jsonRoutes }, "deny", "claim_rule_failed");
  // scope_match any: one of the listed scopes is enough.
  add("scope_match any: one required scope of two held", { event: tokenEvent(token()), cfg: config({ required_scopes: ["admin", "pets:read"], scope_match: "any" }) }, "allow");
  add("scope_match any: none held", { event: tokenEvent(token()), cfg: config({ required_scopes: ["admin", "ops"], scope_match: "any" }) }, "deny", "missing_scope");
  add("scope_match all: one of two held", { event: tokenEvent(token()), cfg: config({ required_scopes: ["admin", "pets:read"] }) }, "deny", "missing_scope");
  const anyRoutes = (scope_match) => config({ route_rules: "DELETE /pets/*=admin pets:write", scope_match });
  add("scope_match any: route rule scopes", { event: tokenEvent(token(), "DELETE/pets/1"), cfg: anyRoutes("any") }, "allow");
  add("scope_match all: route rule scopes", { event: tokenEvent(token(), "DELETE/pets/1"), cfg: anyRoutes("all") }, "deny", "missing_scope");
  add("scope_match any in a profile", { event: tokenEvent(token()), cfg: { issuers: [{ issuer: ISS, required_scopes: ["admin", "pets:read"], scope_match: "any" }], audiences: [AUD], algorithms: ALL_ALGS } }, "allow");
  // Providers' own shapes (the tokens of the provider sections above).
  const pc = (name, t, profile, outcome, reason) => add(`claim rules, ${name}`, { ...tokenCase(t), cfg: { issuers: [profile] } }, outcome, reason);
  pc("Cognito: cognito:groups holds admins", cognitoAccess(), cognitoAccessProfile({ claim_rules: ["contains_any(cognito:groups,admins)"] }), "allow");
  pc("Cognito: cognito:groups lacks ops", cognitoAccess(), cognitoAccessProfile({ claim_rules: ["contains_all(cognito:groups,admins,ops)"] }), "deny", "claim_rule_failed");
  pc("Entra v1: roles holds Pets.Admin", entraV1(), entraV1Profile({ claim_rules: ["contains_any(roles,Pets.Admin)"] }), "allow");
  pc("Entra v1: roles lacks Pets.Owner", entraV1(), entraV1Profile({ claim_rules: ["contains_any(roles,Pets.Owner)"] }), "deny", "claim_rule_failed");
  pc("Auth0: permissions hold read and write", auth0(), auth0Profile({ claim_rules: [{ claim: "permissions", contains_all: ["read:pets", "write:pets"] }] }), "allow");
  pc("Auth0: permissions lack delete:pets", auth0(), auth0Profile({ claim_rules: [{ claim: "permissions", contains_all: ["read:pets", "delete:pets"] }] }), "deny", "claim_rule_failed");
  pc("Keycloak: realm_access.roles holds pet-owner", keycloak(), kcProfile({ claim_rules: ["contains_any(realm_access.roles,pet-owner)"] }), "allow");
  pc("Keycloak: resource_access.pets-api.roles lacks writer", keycloak(), kcProfile({ claim_rules: ["contains_any(resource_access.pets-api.roles,writer)"] }), "deny", "claim_rule_failed");
  pc("Keycloak: a path through realm_access.roles (an array)", keycloak(), kcProfile({ claim_rules: ["present(realm_access.roles.admin)"] }), "unauthorized", "invalid_claim");
  // Bad rules are refused at start, naming the setting.
  const refuse = (name, cfg, setting) => addRefused(`refused at start: ${name}`, cfg, setting);
  refuse("an unknown claim rule operator", config({ claim_rules: ["has(cognito:groups,admin)"] }), "claim_rules");
  refuse("equals with two values", config({ claim_rules: ["equals(tenant,a,b)"] }), "claim_rules");
  refuse("a claim rule object with two operators", config({ claim_rules: [{ claim: "tenant", equals: "a", present: true }] }), "claim_rules");
  refuse("claim_rules not a list", config({ claim_rules: "present(tenant)" }), "claim_rules");
  refuse("twenty-one claim rules", config({ claim_rules: Array.from({ length: 21 }, (_, i) => `present(c${i})`) }), "claim_rules");
  refuse("a claim rule value over 256 bytes", config({ claim_rules: [`equals(tenant,${"v".repeat(257)})`] }), "claim_rules");
  refuse("a bad claim rule in a profile", { issuers: [{ issuer: ISS, claim_rules: ["present(a..b)"] }], audiences: [AUD] }, "issuers[0].claim_rules");
  refuse("scope_match some", config({ scope_match: "some" }), "scope_match");
  refuse("a route rule's unknown claim operator", config({ route_rules: "DELETE /pets/*=has(groups,admin)" }), "route_rules");
  refuse("a route rule with neither scopes nor claims", config({ route_rules: [{ route: "GET /x", scopes: [], claims: [] }] }), "route_rules");
  done();
}

const byGroup = Object.entries(counts).map(([group, n]) => `${group} ${n}`).join(", ");
console.log(`issuer-profile cases: ${byGroup}`);

const doc = { version: 2, generated_by: "tests/conformance/generate.mjs", now: NOW, cases };
writeFileSync(here("vectors.json"), JSON.stringify(doc, null, 1) + "\n");
console.log(`tests/conformance/vectors.json: ${cases.length} cases`);
