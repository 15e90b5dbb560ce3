// The original sample's handler (handlers/original/index.mjs) called with a TOKEN event, as
// Lambda would: createRemoteJWKSet inside the handler, so the JWKS is fetched from the
// loopback server on every invocation.
export const algs = ["RS256", "ES256", "EdDSA"];

export async function setup(fx) {
  process.env.ISSUER = fx.issuer;
  process.env.AUDIENCE = fx.audience;
  process.env.JWKS_URI = fx.jwksUri;
  const { handler } = await import("../handlers/original/index.mjs");
  return {
    prepare: (token) => ({ type: "TOKEN", authorizationToken: `Bearer ${token}`, methodArn: fx.methodArn }),
    decide: (event) => handler(event).then((r) => r.policyDocument.Statement[0].Effect === "Allow", () => false),
  };
}
