// The one set of keys and tokens every row verifies: the committed test keys
// (tests/keys/test-keys.json), tokens signed with node:crypto by host-node's test helper, and
// one JWKS holding the four public keys. Written to a file that every driver reads.
import { createPrivateKey, createPublicKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { signToken } from "../../../host-node/test/support/tokens.mjs";
import { signEs256 } from "./es256-deterministic.mjs";

export const REPO = fileURLToPath(new URL("../../../", import.meta.url));
export const ALGS = ["RS256", "ES256", "EdDSA", "ES512"];
const KID = { RS256: "rsa-2048", ES256: "ec-p256", EdDSA: "ed25519", ES512: "ec-p521" };
export const ISSUER = "https://issuer.bench.example/";
export const AUDIENCE = "api://bench";
export const METHOD_ARN = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/pets";
/** Distinct tokens per algorithm, cycled through, so nothing can cache a result. */
const TOKENS_PER_ALG = 16;
/** A repeatable fixture's iat and exp: 2026-01-01 and 2100-01-01 (UTC). */
const REPEATABLE_IAT = 1767225600;
const REPEATABLE_EXP = 4102444800;
const b64u = (buf) => Buffer.from(buf).toString("base64url");

const PRIVATE = new Set(["d", "p", "q", "dp", "dq", "qi"]);

/**
 * Build the fixture: { issuer, audience, methodArn, jwksUri, jwks, now, tokens: {alg: [..]}, tampered: {alg: token} }.
 * `tokensPerAlg`: distinct tokens per algorithm. `repeatable`: the same tokens every time (the
 * instructions measure): fixed iat and exp (2026 to 2100) and deterministic ES256 signatures
 * (RS256 and EdDSA signatures are deterministic by design; ES512 stays node:crypto's).
 */
export function makeFixture(jwksUri, { tokensPerAlg = TOKENS_PER_ALG, repeatable = false } = {}) {
  const doc = JSON.parse(readFileSync(new URL("tests/keys/test-keys.json", `file://${REPO}`), "utf8"));
  const now = repeatable ? REPEATABLE_IAT + 5 : Math.floor(Date.now() / 1000);
  const exp = repeatable ? REPEATABLE_EXP : now + 4 * 3600;
  const tokens = {};
  const tampered = {};
  const publicJwks = [];
  for (const alg of ALGS) {
    const jwk = doc.keys.find((k) => k.kid === KID[alg]);
    const privateKey = createPrivateKey({ key: jwk, format: "jwk" });
    const pub = Object.fromEntries(Object.entries(jwk).filter(([k]) => !PRIVATE.has(k)));
    createPublicKey({ key: pub, format: "jwk" }); // the published form must import
    publicJwks.push({ ...pub, use: "sig", alg });
    const key = { alg, kid: jwk.kid, privateKey };
    tokens[alg] = [];
    const sign = (claims) => {
      if (!(repeatable && alg === "ES256")) return signToken(key, claims);
      const input = `${b64u(JSON.stringify({ alg, typ: "JWT", kid: key.kid }))}.${b64u(JSON.stringify(claims))}`;
      return `${input}.${b64u(signEs256(jwk, input))}`;
    };
    for (let i = 0; i < tokensPerAlg; i++) {
      tokens[alg].push(
        sign({
          iss: ISSUER,
          aud: AUDIENCE,
          sub: `bench-user-${i}`,
          client_id: "bench-client",
          scope: "pets:read pets:write",
          // What the rules row reads (README "Claim rules", "Forwarding"): groups, a nested
          // tenant, a flag. Every row decides the same tokens.
          "cognito:groups": ["pet-owners", "admins"],
          tenant: { id: "acme", plan: "pro" },
          email_verified: true,
          jti: `${alg}-${i}`,
          iat: now - 5,
          exp,
        }),
      );
    }
    const t = tokens[alg][0];
    tampered[alg] = `${t.slice(0, -8)}${t.endsWith("AAAAAAAA") ? "BBBBBBBB" : "AAAAAAAA"}`;
  }
  return {
    repo: REPO,
    packageDir: `${REPO}host-node/package`,
    issuer: ISSUER,
    audience: AUDIENCE,
    methodArn: METHOD_ARN,
    jwksUri,
    jwks: { keys: publicJwks },
    now,
    algs: ALGS,
    tokens,
    tampered,
  };
}
