#!/usr/bin/env node
// Seed corpora for the fuzz targets, generated (not committed) from the project's test material:
// the committed test keys (tests/keys/test-keys.json), the API Gateway event fixtures
// (../shared/vectors/apigw-events/*.json, skipped with a note when absent) and tokens signed
// here with node:crypto. Writes core/fuzz/corpus/<target>/<sha1 of content>.
//
//   node core/fuzz/seeds.mjs            (make test-fuzz runs it)
//
// The fixtures match core/fuzz/src/lib.rs: issuer https://issuer.test/, audience api://test,
// clock 1_800_000_000. The first byte of a verify_token or authorize_event input chooses one of
// the five configurations there.
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
const CONFIGS = 5;

const b64u = (x) => Buffer.from(x).toString("base64url");
const testKeys = JSON.parse(readFileSync(join(root, "tests/keys/test-keys.json"), "utf8")).keys;
const PRIVATE = ["d", "p", "q", "dp", "dq", "qi"];
const publicJwk = (k) => Object.fromEntries(Object.entries(k).filter(([n]) => !PRIVATE.includes(n)));
const privateKey = (kid) => createPrivateKey({ key: testKeys.find((k) => k.kid === kid), format: "jwk" });

const KID = { RS256: "rsa-2048", RS384: "rsa-3072", RS512: "rsa-2048", PS256: "rsa-2048", PS384: "rsa-3072", PS512: "rsa-3072", ES256: "ec-p256", ES384: "ec-p384", EdDSA: "ed25519" };
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
      "ALGORITHMS=RS256,PS256,ES256,ES384,EdDSA",
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
    `${base}\nUNLISTED_ROUTES=maybe`,
    `ISSUER=a\nTOKEN_ISSUER=b\nAUDIENCE=c`,
    "",
  ];
}

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
const counts = {
  verify_token: write("verify_token", withConfig(toks)),
  authorize_event: write("authorize_event", withConfig([...events(toks[0]), ...events(toks[6]).slice(0, 3), ...events(toks[9]).slice(0, 1)].map((e) => JSON.stringify(e)))),
  jwks_parse: write("jwks_parse", jwksDocs()),
  settings_env: write("settings_env", envTexts()),
  // Every kind of document the core reads: key sets, events, tokens' headers and claims.
  json_read: write("json_read", [
    ...jwksDocs(),
    ...events(toks[0]).map((e) => JSON.stringify(e, null, 1)),
    ...toks.flatMap((t) => t.split(".").slice(0, 2).map((part) => Buffer.from(part, "base64url"))),
  ]),
};
console.log(`seeds.mjs: ${Object.entries(counts).map(([t, n]) => `${t} ${n}`).join(", ")}`);
