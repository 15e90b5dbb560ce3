// The original sample's handler (SAMPLE.md), in plain JavaScript so Node runs it as is and
// esbuild bundles it the way the sample's `bun run build` does. Behaviour kept, defects
// included: dotenv at module load, the remote JWKS set created (and fetched) on every
// invocation, the token split on one space outside the try block.
import { config } from "dotenv";
import { createRemoteJWKSet, jwtVerify } from "jose";

config({ quiet: true }); // dotenv >= 17 logs a line by default; the sample's dotenv did not

const { JWKS_URI, AUDIENCE, ISSUER } = process.env;

export const handler = async (event) => {
  if (!JWKS_URI || !AUDIENCE || !ISSUER) {
    throw new Error("Misconfigured environment variables");
  }
  const keys = createRemoteJWKSet(new URL(JWKS_URI));
  const parts = event.authorizationToken.split(" ");
  if (parts.length !== 2 || parts[0] !== "Bearer") {
    throw new Error("Invalid token format - does not match <Bearer authToken>");
  }
  try {
    const { payload } = await jwtVerify(parts[1], keys, { audience: AUDIENCE, issuer: ISSUER });
    return {
      principalId: payload.sub ?? "unknown",
      policyDocument: {
        Version: "2012-10-17",
        Statement: [{ Action: "execute-api:Invoke", Effect: "Allow", Resource: event.methodArn }],
      },
    };
  } catch {
    throw new Error("Unauthorized");
  }
};
