// The one set of keys and tokens every row verifies: the committed test keys
// (tests/keys/test-keys.json), tokens signed with node:crypto by host-node's test helper, and
// one JWKS holding the four public keys. Written to a file that every driver reads.
import { createPrivateKey, createPublicKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { signToken } from "../../../host-node/test/support/tokens.mjs";

export const REPO = fileURLToPath(new URL("../../../", import.meta.url));
export const ALGS = ["RS256", "ES256", "EdDSA", "ES512"];
const KID = { RS256: "rsa-2048", ES256: "ec-p256", EdDSA: "ed25519", ES512: "ec-p521" };
export const ISSUER = "https://issuer.bench.example/";
export const AUDIENCE = "api://bench";
export const METHOD_ARN = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/pets";
/** Distinct tokens per algorithm, cycled through, so nothing can cache a result. */
const TOKENS_PER_ALG = 16;

const PRIVATE = new Set(["d", "p", "q", "dp", "dq", "qi"]);

/** Build the fixture: { issuer, audience, methodArn, jwksUri, jwks, now, tokens: {alg: [..]}, tampered: {alg: token} }. */
export function makeFixture(jwksUri) {
  const doc = JSON.parse(readFileSync(new URL("tests/keys/test-keys.json", `file://${REPO}`), "utf8"));
  const now = Math.floor(Date.now() / 1000);
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
    for (let i = 0; i < TOKENS_PER_ALG; i++) {
      tokens[alg].push(
        signToken(key, {
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
          exp: now + 4 * 3600,
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
