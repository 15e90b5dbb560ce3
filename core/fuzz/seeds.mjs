#!/usr/bin/env node
// Seed corpora for the fuzz targets, generated (not committed) from the project's test material:
// the committed test keys (tests/keys/test-keys.json), the API Gateway event fixtures
// (../shared/vectors/apigw-events/*.json, skipped with a note when absent) and tokens signed
// here with node:crypto. Writes core/fuzz/corpus/<target>/<sha1 of content>.
//
//   node core/fuzz/seeds.mjs            (make test-fuzz runs it)
//
// The fixtures match core/fuzz/src/lib.rs: issuer https://issuer.test/, audience api://test,
// clock 1_800_000_000, and the issuer profiles and key sources there (configuration 5: the test
// issuer, https://partner.test and https://m2m.test/; configuration 6: Cognito user pools). The
// first byte of a verify_token or authorize_event input chooses one of the seven configurations.
import { createHash, createPrivateKey, sign } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const NOW = 1_800_000_000;
const ISSUER = "https://issuer.test/";
const AUDIENCE = "api://test";
const METHOD_ARN = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/pets/1";
const CONFIGS = 8;

const b64u = (x) => Buffer.from(x).toString("base64url");
const testKeys = JSON.parse(readFileSync(join(root, "tests/keys/test-keys.json"), "utf8")).keys;
const PRIVATE = ["d", "p", "q", "dp", "dq", "qi"];
const publicJwk = (k) => Object.fromEntries(Object.entries(k).filter(([n]) => !PRIVATE.includes(n)));
const privateKey = (kid) => createPrivateKey({ key: testKeys.find((k) => k.kid === kid), format: "jwk" });

const KID = { RS256: "rsa-2048", RS384: "rsa-3072", RS512: "rsa-2048", PS256: "rsa-2048", PS384: "rsa-3072", PS512: "rsa-3072", ES256: "ec-p256", ES384: "ec-p384", ES512: "ec-p521", EdDSA: "ed25519" };
const HASH = { 256: "sha256", 384: "sha384", 512: "sha512" };

function signature(alg, kid, input) {
  const key = privateKey(kid);
  const data = Buffer.from(input);
  if (alg.startsWith("RS")) return sign(HASH[alg.slice(2)], data, key);
  if (alg.startsWith("PS")) return sign(HASH[alg.slice(2)], data, { key, padding: 6, saltLength: Number(alg.slice(2)) / 8 });
  if (alg.startsWith("ES")) return sign(HASH[alg.slice(2)], data, { key, dsaEncoding: "ieee-p1363" });
  return sign(null, data, key);
}

const goodClaims = () => ({ iss: ISSUER, aud: AUDIENCE, sub: "user-1", exp: NOW + 300, iat: NOW - 10, scope: "pets:read pets:write", client_id: "client-1" });

/** A compact JWS over raw header/payload text, signed with `kid` as `alg`. */
function signRaw(alg, kid, headerText, payloadText) {
  const input = `${b64u(headerText)}.${b64u(payloadText)}`;
  return `${input}.${b64u(signature(alg, kid, input))}`;
}

function token(alg = "RS256", claims = goodClaims(), header = {}) {
  const kid = KID[alg];
  const h = { alg, typ: "at+jwt", kid, ...header };
  for (const [k, v] of Object.entries(h)) if (v === undefined) delete h[k];
  return signRaw(alg, header.kid ?? kid, JSON.stringify(h), JSON.stringify(claims));
}

function tokens() {
  const good = token();
  const [h, p, s] = good.split(".");
  const c = goodClaims();
  const out = Object.keys(KID).map((alg) => token(alg));
  out.push(
    token("RS256", { ...c, exp: NOW - 1 }),
    token("RS256", { ...c, exp: undefined }),
    token("RS256", { ...c, exp: String(NOW + 300) }),
    token("RS256", { ...c, exp: NOW + 0.5, nbf: NOW + 60 }),
    token("RS256", { ...c, iat: NOW + 3600 }),
    token("RS256", { ...c, iat: NOW - 7200 }),
    token("RS256", { ...c, iss: "https://issuer.test" }),
    token("RS256", { ...c, aud: [AUDIENCE, "other"] }),
    token("RS256", { ...c, aud: ["other", 1] }),
    token("RS256", { ...c, scope: undefined, scp: ["pets:read", "admin"] }),
    token("RS256", { ...c, scope: 7 }),
    token("RS256", { ...c, client_id: undefined, azp: "client-1" }),
    token("ES256", { ...c, n: 1.5, b: true, obj: { x: 1 } }),
    // Claim rules (configuration 7): groups and tenant of every shape the operators read, and
    // of the wrong type.
    token("RS256", { ...c, groups: ["admin"], tenant: "acme", n: 1 }),
    token("RS256", { ...c, groups: "ops dev", tenant: true, scope: "admin" }),
    token("RS256", { ...c, groups: 5, tenant: ["acme"] }),
    token("RS256", { ...c, groups: [], tenant: null, client_id: "client-2" }),
    token("RS256", { ...c, groups: ["admin", 1], tenant: 7.0, n: null }),
    token("RS256", c, { kid: undefined }),
    token("RS256", c, { typ: "application/at+JWT" }),
    token("RS256", c, { typ: "JWT" }),
    token("RS256", c, { crit: ["exp"] }),
    token("RS256", c, { b64: false }),
    token("RS256", c, { jku: "https://evil.example/jwks", x5u: "https://evil.example/x5u" }),
    token("RS256", c, { jwk: { kty: "oct", k: "AAAA" } }),
    token("ES256", c, { x5c: ["MIIB"] }),
    // alg none in any case, HMAC, unknown kid, duplicate members, padding, segment counts.
    `${b64u('{"alg":"none"}')}.${p}.`,
    `${b64u('{"alg":"nOnE","kid":"rsa-2048"}')}.${p}.${s}`,
    `${b64u('{"alg":"HS256","kid":"rsa-2048"}')}.${p}.${s}`,
    `${b64u('{"alg":"RS256","kid":"forged-kid"}')}.${p}.${s}`,
    `${b64u('{"alg":"RS256","alg":"none"}')}.${p}.${s}`,
    signRaw("RS256", "rsa-2048", '{"alg":"RS256","kid":"rsa-2048"}', '{"exp":1,"exp":9999999999}'),
    `${h}=.${p}.${s}`,
    `${h}.${p}`,
    `${h}.${p}.${s}.${s}`,
    `${h}.${p}.`,
    `${h}..${s}`,
    `${h}.${p}.${s.slice(0, 10)}`,
    `${h}.${p}.${s}${s}`,
    `${h}.${b64u("[".repeat(200))}.${s}`,
    `${h}.${p.replace(/[A-Z]/, "+")}.${s}`,
    `${h}.${"A".repeat(20000)}.${s}`,
    "",
    ".",
    "..",
  );
  return out;
}

/**
 * Tokens for the issuer profiles of configurations 5 and 6, shaped as their issuers write them,
 * each valid under its profile, then moved across a rule: another profile's audience, client,
 * `token_use`, algorithm or key (cross-issuer key confusion), a missing `aud`, a `kid`-less
 * header fitting one key, a thumbprint, or more than four keys.
 */
function profileTokens() {
  const base = { sub: "user-2", exp: NOW + 300, iat: NOW - 10 };
  // A partner's id tokens: ES256/EdDSA, typ JWT, azp, token_use id.
  const PARTNER = "https://partner.test";
  const partner = { ...base, iss: PARTNER, aud: "api://partner", azp: "partner-app", token_use: "id", scope: "partner:read", email: "a@b.test" };
  // Machine-to-machine access tokens without aud.
  const M2M = "https://m2m.test/";
  const m2m = { ...base, iss: M2M, client_id: "m2m-app", token_use: "access", scope: "pets:read" };
  // Cognito access and id tokens (claims, header and keys as Cognito writes them).
  const POOL1 = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCd123";
  const POOL2 = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Pool2";
  const DOWN = "https://cognito-idp.ap-southeast-2.amazonaws.com/ap-southeast-2_Down1";
  const access = {
    sub: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "cognito:groups": ["admin", "pets"], iss: POOL1, version: 2,
    client_id: "cognito-app", origin_jti: "o-1", event_id: "e-1", token_use: "access", scope: "aws.cognito.signin.user.admin pets/read",
    auth_time: NOW - 20, exp: NOW + 3600, iat: NOW - 20, jti: "j-1", username: "alice",
  };
  const id = {
    sub: "ffffffff-bbbb-cccc-dddd-eeeeeeeeeeee", "cognito:groups": ["pets"], email_verified: true, iss: POOL2, "cognito:username": "bob",
    origin_jti: "o-2", aud: "pool2-app", event_id: "e-2", token_use: "id", auth_time: NOW - 20, exp: NOW + 3600, iat: NOW - 20, jti: "j-2", email: "bob@example.test",
  };
  const cognito = (claims, kid = "rsa-2048", signer = kid) => signRaw("RS256", signer, JSON.stringify({ kid, alg: "RS256" }), JSON.stringify(claims));
  return [
    token("ES256", partner, { typ: "JWT" }),
    token("EdDSA", partner, { typ: "JWT", kid: undefined }),
    signRaw("ES256", "ec-p256", JSON.stringify({ alg: "ES256", typ: "JWT", x5t: "partner-ec" }), JSON.stringify(partner)),
    token("ES256", { ...partner, token_use: "access" }, { typ: "JWT" }),
    token("ES256", { ...partner, aud: AUDIENCE }, { typ: "JWT" }),
    token("ES256", { ...partner, aud: undefined }, { typ: "JWT" }),
    token("ES256", { ...partner, azp: "client-1" }, { typ: "JWT" }),
    token("ES256", { ...partner, iat: NOW - 700 }, { typ: "JWT" }),
    token("ES256", { ...partner, iat: NOW - 721 }, { typ: "JWT" }),
    token("ES256", { ...partner, exp: NOW - 100 }, { typ: "JWT" }),
    token("ES256", { ...partner, exp: NOW - 120 }, { typ: "JWT" }),
    token("ES256", partner, { typ: "at+jwt" }),
    signRaw("RS256", "rsa-2048", JSON.stringify({ alg: "RS256", typ: "JWT", kid: "partner-rsa" }), JSON.stringify(partner)),
    token("RS256", m2m, { kid: "rsa-3072" }),
    token("RS256", { ...m2m, client_id: "client-1", scope: undefined }, { kid: "rsa-3072" }),
    token("RS256", { ...m2m, aud: AUDIENCE }, { kid: "rsa-3072" }),
    token("RS256", { ...m2m, token_use: "id" }, { kid: "rsa-3072" }),
    token("RS256", { ...m2m, token_use: undefined }, { kid: "rsa-3072" }),
    token("RS256", { ...m2m, client_id: undefined, azp: "m2m-app" }, { kid: "rsa-3072" }),
    token("RS256", { ...m2m, iss: "https://m2m.test" }, { kid: "rsa-3072" }),
    token("RS256", m2m, { kid: "rsa-2048" }),
    signRaw("RS256", "rsa-3072", JSON.stringify({ alg: "RS256", typ: "at+jwt" }), JSON.stringify(m2m)),
    signRaw("RS256", "rsa-3072", JSON.stringify({ alg: "RS256", "x5t#S256": "m2m-s256" }), JSON.stringify(m2m)),
    signRaw("PS384", "rsa-3072", JSON.stringify({ alg: "PS384", x5t: "m2m-sha1" }), JSON.stringify(m2m)),
    signRaw("PS384", "rsa-2048", JSON.stringify({ alg: "PS384", x5t: "m2m-sha1" }), JSON.stringify(m2m)),
    token("ES256", { ...m2m, iss: ISSUER, aud: AUDIENCE, client_id: "client-1" }),
    token("RS256", { ...goodClaims(), token_use: "access" }),
    cognito(access),
    cognito({ ...access, token_use: "id" }),
    cognito({ ...access, aud: "cognito-app" }),
    cognito({ ...access, client_id: "pool2-app" }),
    cognito({ ...access, iss: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other1" }),
    cognito({ ...access, iss: DOWN, client_id: "down-app" }),
    cognito(access, "cognito-2", "rsa-3072"),
    cognito(access, "rsa-3072"),
    cognito(id, "rsa-3072"),
    cognito({ ...id, token_use: "access" }, "rsa-3072"),
    cognito({ ...id, aud: "cognito-app" }, "rsa-3072"),
    cognito({ ...id, iat: NOW + 90 }, "rsa-3072"),
    cognito(id, "rsa-2048"),
  ];
}

function events(tok) {
  const bearer = `Bearer ${tok}`;
  const out = [
    { type: "TOKEN", authorizationToken: bearer, methodArn: METHOD_ARN },
    { type: "TOKEN", authorizationToken: `bearer   ${tok}`, methodArn: "arn:aws:execute-api:us-west-2:1:api/*/DELETE/admin/x" },
    { type: "TOKEN", authorizationToken: `Basic ${tok}`, methodArn: METHOD_ARN },
    { type: "TOKEN", authorizationToken: "", methodArn: METHOD_ARN },
    { type: "TOKEN", methodArn: "arn:aws:s3:::bucket" },
    { type: "REQUEST", methodArn: "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/POST/pets", headers: { Authorization: bearer } },
    { type: "REQUEST", methodArn: METHOD_ARN, headers: { authorization: bearer }, multiValueHeaders: { Authorization: [bearer] } },
    { type: "REQUEST", methodArn: METHOD_ARN, headers: { Authorization: bearer, authorization: bearer } },
    { type: "REQUEST", methodArn: METHOD_ARN, multiValueHeaders: { AUTHORIZATION: [bearer, bearer] } },
    { version: "2.0", type: "REQUEST", routeArn: METHOD_ARN, routeKey: "GET /pets/{id}", headers: { authorization: bearer } },
    { version: "2.0", type: "REQUEST", routeArn: METHOD_ARN, routeKey: "ANY /admin/{proxy+}", headers: { authorization: bearer } },
    { version: "2.0", type: "REQUEST", routeArn: METHOD_ARN, routeKey: "$default", headers: { authorization: bearer } },
    { version: "2.0", type: "REQUEST", routeArn: "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/DELETE/admin/pets/1", routeKey: "DELETE /{a}/pets/{b}", headers: { authorization: bearer } },
    { type: "REQUEST", methodArn: "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/$connect", headers: { Authorization: bearer } },
    { type: "TOKEN", authorizationToken: bearer, methodArn: "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/admin/pets" },
    // Token sources (configuration 4: query:token, cookie:at, authorization, header:X-Api-Token:Token).
    { type: "REQUEST", methodArn: "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/$connect", queryStringParameters: { token: tok }, multiValueQueryStringParameters: { token: [tok] }, requestContext: { routeKey: "$connect", eventType: "CONNECT" } },
    { type: "REQUEST", methodArn: "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/$connect", queryStringParameters: { token: `${tok},${tok}` }, multiValueQueryStringParameters: {} },
    { version: "2.0", type: "REQUEST", routeArn: METHOD_ARN, routeKey: "GET /pets/{id}", cookies: ["theme=dark", `at=${tok}`] },
    { version: "2.0", type: "REQUEST", routeArn: METHOD_ARN, routeKey: "GET /pets/{id}", cookies: [`at=${tok}; at=x`], headers: { authorization: bearer } },
    { type: "REQUEST", methodArn: METHOD_ARN, headers: { Cookie: `a=1; at="${tok}"` }, multiValueHeaders: { Cookie: [`a=1; at="${tok}"`] } },
    { version: "2.0", type: "REQUEST", routeArn: METHOD_ARN, routeKey: "$default", rawQueryString: `x=1&token=${tok}`, queryStringParameters: { x: "1", token: tok } },
    { version: "2.0", type: "REQUEST", routeArn: METHOD_ARN, routeKey: "$default", rawQueryString: `to%6Ben=${tok.replaceAll(".", "%2E")}&token=${tok}` },
    { type: "REQUEST", methodArn: METHOD_ARN, headers: { "X-Api-Token": `Token ${tok}` } },
    { version: "2.0", type: "REQUEST", routeArn: METHOD_ARN, routeKey: "$default", headers: { "x-api-token": `token ${tok},Token ${tok}` } },
  ];
  const fixtures = join(root, "..", "shared", "vectors", "apigw-events");
  if (existsSync(fixtures)) {
    for (const name of readdirSync(fixtures).filter((n) => n.endsWith(".json"))) {
      const ev = JSON.parse(readFileSync(join(fixtures, name), "utf8"));
      if (typeof ev.authorizationToken === "string") ev.authorizationToken = bearer;
      for (const map of [ev.headers, ev.multiValueHeaders]) {
        if (map && typeof map === "object") {
          for (const k of Object.keys(map)) if (k.toLowerCase() === "authorization") map[k] = Array.isArray(map[k]) ? [bearer] : bearer;
        }
      }
      if (ev.headers && typeof ev.headers === "object" && !Object.keys(ev.headers).some((k) => k.toLowerCase() === "authorization")) ev.headers.authorization = bearer;
      out.push(ev);
    }
  } else {
    console.error("seeds.mjs: ../shared/vectors/apigw-events not found; event fixtures skipped");
  }
  return out;
}

function jwksDocs() {
  const pub = testKeys.map(publicJwk);
  const rsa = pub.find((k) => k.kid === "rsa-2048");
  const ec = pub.find((k) => k.kid === "ec-p256");
  const ed = pub.find((k) => k.kid === "ed25519");
  const docs = [
    { keys: pub },
    ...pub.map((k) => ({ keys: [k] })),
    { keys: [] },
    {},
    { keys: {} },
    { keys: [{ ...rsa, use: "enc" }, { ...ec, key_ops: ["sign"] }, { ...ed, alg: "ES256" }] },
    { keys: [{ ...rsa, alg: "PS256", key_ops: ["verify"] }, { ...ec, alg: "ES256", use: "sig" }, { ...ed, alg: "EdDSA" }] },
    { keys: [{ ...rsa, e: "AQ" }, { ...rsa, e: "Ag" }, { ...rsa, e: "AQAAAAAAAAAB" }, { ...rsa, n: rsa.n.slice(0, 100) }] },
    { keys: [testKeys.find((k) => k.kid === "rsa-2048"), testKeys.find((k) => k.kid === "ec-p256")] },
    { keys: [{ ...ec, crv: "P-521" }, { ...ed, crv: "X25519" }, { kty: "oct", k: "c2VjcmV0" }, "x", 1, null] },
    { keys: [{ ...ec, x: ec.x.slice(0, 20) }, { ...ed, x: "AAAA" }, { ...rsa, kid: 5 }] },
  ];
  const texts = docs.map((d) => JSON.stringify(d));
  texts.push('{"keys":[],"keys":[]}', `{"keys":[${JSON.stringify(ec)},${JSON.stringify(ec)}]}`, '{"keys":[{"kty":"EC","kty":"RSA"}]}', "[]", "");
  return texts;
}

function envTexts() {
  const base = `ISSUER=${ISSUER}\nAUDIENCE=${AUDIENCE}\nJWKS_URI=https://issuer.test/.well-known/jwks.json`;
  return [
    base,
    `ISSUER=${ISSUER}\nAUDIENCE=api`,
    `TOKEN_ISSUER=${ISSUER}\nAUDIENCE=a,b`,
    `ISSUER=http://127.0.0.1:8080\nAUDIENCE=api\nJWKS_ALLOW_HTTP_LOOPBACK=true`,
    `${base}\nJWKS_URI=http://[::1]:9/jwks\nJWKS_ALLOW_HTTP_LOOPBACK=yes`,
    [
      base,
      "ALGORITHMS=RS256,PS256,ES256,ES384,ES512,EdDSA",
      "LEEWAY_SECONDS=60",
      "REQUIRED_SCOPES=pets:read pets:write",
      "ALLOWED_CLIENT_IDS=client-1,client-2",
      "TOKEN_TYPE=at+jwt",
      "MAX_TOKEN_AGE_SECONDS=3600",
      "POLICY_RESOURCE=method",
      "CONTEXT_CLAIMS=sub,scope",
      "HTTP_API_RESPONSE=policy",
      "MAX_TOKEN_BYTES=8192",
      "MAX_JWKS_BYTES=65536",
      "MAX_JWKS_KEYS=16",
      "MAX_EVENT_BYTES=65536",
      "JWKS_TIMEOUT_MS=2000",
      "JWKS_CACHE_MIN_SECONDS=30",
      "JWKS_CACHE_MAX_SECONDS=86400",
      "JWKS_REFRESH_COOLDOWN_SECONDS=10",
      "JWKS_ALLOW_HTTP_LOOPBACK=false",
      "ROUTE_RULES=GET /pets/*=pets:read; POST /pets=pets:write; DELETE /*=admin",
      "UNLISTED_ROUTES=deny",
      "TOKEN_SOURCES=query:token,cookie:at,authorization,header:X-Api-Token:Token",
    ].join("\n"),
    `${base}\nROUTE_RULES=[{"route":"GET /pets/{id}","scopes":["pets:read"]},{"route":"ANY /admin/*","scopes":["admin"]}]`,
    `${base}\nALGORITHMS=HS256`,
    `${base}\nALGORITHMS=none`,
    `${base}\nLEEWAY_SECONDS=601`,
    `${base}\nMAX_TOKEN_BYTES=0`,
    `${base}\nMAX_JWKS_BYTES=99999999999999999999999`,
    `${base}\nJWKS_URI=http://127.0.0.1.evil.com/jwks\nJWKS_ALLOW_HTTP_LOOPBACK=true`,
    `${base}\nJWKS_URI=http://127.0.0.1@evil.com/jwks\nJWKS_ALLOW_HTTP_LOOPBACK=true`,
    `${base}\nROUTE_RULES=FETCH /x=y`,
    `${base}\nCLAIM_RULES=contains_any(cognito:groups,admin,ops) equals(email_verified,true) present("https://example.com/tenant")\nSCOPE_MATCH=any`,
    `${base}\nCLAIM_RULES=[{"claim":"realm_access.roles","contains_all":["admin"]},"one_of(tier,1.0,\\"a b\\")"]`,
    `${base}\nCLAIM_RULES=equals(a)\nSCOPE_MATCH=some`,
    `${base}\nROUTE_RULES=DELETE /pets/*=contains_any(cognito:groups,admin); GET /x=present(t) s`,
    `${base}\nUNLISTED_ROUTES=maybe`,
    `${base}\nTOKEN_SOURCES=["cookie:__Host-at","query:a,b"]`,
    `${base}\nTOKEN_SOURCES=cookie:a=b`,
    `ISSUER=a\nTOKEN_ISSUER=b\nAUDIENCE=c`,
    "",
    // Issuer profiles (issue 17): ISSUERS, Cognito pools, TOKEN_USE, keys inline or in a file.
    `ISSUERS=${JSON.stringify(configFileDocs()[0].issuers)}\nAUDIENCE=${AUDIENCE}\nLEEWAY_SECONDS=30`,
    `ISSUERS=${JSON.stringify(configFileDocs()[1].issuers)}`,
    `ISSUERS=["${ISSUER}",{"issuer":"https://j","audiences":[]}]\nAUDIENCE=a`,
    `ISSUERS=[{"issuer":"https://i","audiences":["a"]},{"issuer":"https://i","audiences":["b"]}]`,
    `ISSUERS=[{"issuer":"https://i","audience":["a"]}]`,
    `ISSUERS=${JSON.stringify(Array.from({ length: 21 }, (_, i) => `https://i${i}.test/`))}\nAUDIENCE=a`,
    `ISSUERS=[{"issuer":"https://i","audiences":["a"],"jwks_uri":"http://evil.example/jwks"}]`,
    `ISSUERS=[{"issuer":"https://i","audiences":["a"]}]\nISSUER=https://j`,
    "COGNITO_USER_POOL_ID=eu-west-1_AbCd123\nALLOWED_CLIENT_IDS=cognito-app\nTOKEN_USE=access",
    "COGNITO_USER_POOL_ID=cn-north-1_X1\nAUDIENCE=app\nTOKEN_USE=id",
    `COGNITO_USER_POOL_ID=us-east-1_Pool2\nISSUER=${ISSUER}\nAUDIENCE=pool2-app,${AUDIENCE}\nALLOWED_CLIENT_IDS=["a,b","c"]`,
    "COGNITO_USER_POOL_ID=eu-west-1\nALLOWED_CLIENT_IDS=c",
    "COGNITO_USER_POOL_ID=eu-west-1_AbCd123\nTOKEN_USE=refresh\nALLOWED_CLIENT_IDS=c",
    `ISSUER=${ISSUER}\nALLOWED_CLIENT_IDS=c1`,
    `ISSUER=${ISSUER}\nAUDIENCE=a\nJWKS=${JSON.stringify({ keys: [publicJwk(testKeys.find((k) => k.kid === "ec-p256"))] })}\nALGORITHMS=ES256`,
    `ISSUER=${ISSUER}\nAUDIENCE=a\nJWKS={"keys":[]}`,
    `ISSUER=${ISSUER}\nAUDIENCE=a\nJWKS=[1]`,
    `ISSUER=accounts.google.com\nAUDIENCE=a\nJWKS_FILE=keys/jwks.json`,
    `ISSUER=${ISSUER}\nAUDIENCE=a\nJWKS_FILE=keys.json\nJWKS_URI=https://issuer.test/jwks`,
    `ISSUER=${ISSUER}\nAUDIENCE=a\nJWKS_FILE=keys.json\nJWKS={"keys":[]}`,
    ...configFiles().map((f) => `CONFIG_FILE=config.json\nSIGNATURES=host\n%%\n${f}`),
    `CONFIG_FILE=config.json\nISSUER=${ISSUER}\n%%\n${configFiles()[0]}`,
    "CONFIG_FILE=config.json",
    "CONFIG_FILE=config.json\n%%\n{]",
  ];
}

/** Whole configurations, as CONFIG_FILE holds them: the fuzz configurations 5 and 6, and mistakes. */
function configFileDocs() {
  return [
    {
      issuers: [
        ISSUER,
        { issuer: "https://partner.test", jwks_uri: "https://partner.test/keys", audiences: ["api://partner"], allowed_client_ids: ["partner-app"], token_use: "id", algorithms: ["ES256", "EdDSA"], token_type: "JWT", leeway_seconds: 120, max_token_age_seconds: 600 },
        { issuer: "https://m2m.test/", jwks_uri: "https://m2m.test/jwks", audiences: [], allowed_client_ids: ["client-1", "m2m-app"], token_use: "access", algorithms: ["RS256", "PS384"] },
      ],
      audiences: [AUDIENCE], allowed_client_ids: ["client-1"], leeway_seconds: 30, required_scopes: ["pets:read"],
    },
    {
      issuers: [
        { cognito_user_pool_id: "eu-west-1_AbCd123", audiences: [], allowed_client_ids: ["cognito-app"], token_use: "access" },
        { cognito_user_pool_id: "us-east-1_Pool2", audiences: ["pool2-app"], token_use: "id", jwks: { keys: [publicJwk(testKeys.find((k) => k.kid === "rsa-3072"))] } },
        { issuer: "https://static.test/", audiences: ["s"], jwks_file: "static-keys.json" },
      ],
      context_claims: ["sub", "cognito:groups"], jwks_timeout_ms: 2000, limits: { max_keys: 8 },
    },
    { issuers: [{ issuer: "https://i", audiences: [] }] },
    { issuers: [{ issuer: "https://i", cognito_user_pool_id: "eu-west-1_A1" }], audiences: ["a"] },
    { issuers: ["https://i"], audiences: ["a"], audience: "x" },
  ];
}

const configFiles = () => configFileDocs().map((d) => JSON.stringify(d));

function write(target, inputs) {
  const dir = join(here, "corpus", target);
  mkdirSync(dir, { recursive: true });
  for (const input of inputs) {
    const bytes = Buffer.from(input);
    writeFileSync(join(dir, createHash("sha1").update(bytes).digest("hex")), bytes);
  }
  return inputs.length;
}

const withConfig = (items) => items.flatMap((item) => Array.from({ length: CONFIGS }, (_, i) => Buffer.concat([Buffer.from([i]), Buffer.from(item)])));

const toks = tokens();
const profileToks = profileTokens();
const counts = {
  verify_token: write("verify_token", withConfig([...toks, ...profileToks])),
  authorize_event: write(
    "authorize_event",
    withConfig(
      [...events(toks[0]), ...events(toks[6]).slice(0, 3), ...events(toks[9]).slice(0, 1), ...profileToks.flatMap((t) => [events(t)[0], events(t)[9]])].map((e) => JSON.stringify(e)),
    ),
  ),
  jwks_parse: write("jwks_parse", jwksDocs()),
  settings_env: write("settings_env", envTexts()),
  // Every kind of document the core reads: key sets, events, tokens' headers and claims.
  json_read: write("json_read", [
    ...jwksDocs(),
    ...events(toks[0]).map((e) => JSON.stringify(e, null, 1)),
    ...[...toks, ...profileToks].flatMap((t) => t.split(".").slice(0, 2).map((part) => Buffer.from(part, "base64url"))),
    ...configFiles(),
  ]),
  // Structured bytes (fuzz_targets/token_jwt_compact.rs): each signing key and algorithm (first
  // byte) with each mutation (fourth byte) and its first eight choices (fifth byte), the header
  // and claims shapes (second byte) and times (third) varied.
  token_jwt_compact: write(
    "token_jwt_compact",
    Array.from({ length: 6 * 16 * 8 }, (_, i) => {
      const [alg, mutation, choice] = [i % 6, Math.floor(i / 6) % 16, Math.floor(i / 96)];
      return Buffer.from([alg, (choice * 37 + mutation) & 0x7f, i & 0xff, mutation, choice, choice, 1, 2, 3, 4]);
    }),
  ),
};
console.log(`seeds.mjs: ${Object.entries(counts).map(([t, n]) => `${t} ${n}`).join(", ")}`);
