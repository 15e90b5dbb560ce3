// The auth0 ancestor of the sample: jsonwebtoken + jwks-rsa (client cache on, warm), the key
// looked up by kid for each token, then jwt.verify with the PEM. jsonwebtoken has no EdDSA.
import jwt from "jsonwebtoken";
import jwksClient from "jwks-rsa";

export const algs = ["RS256", "ES256"];

export async function setup(fx) {
  const client = jwksClient({ jwksUri: fx.jwksUri, cache: true, rateLimit: true });
  const options = { audience: fx.audience, issuer: fx.issuer, algorithms: ["RS256", "ES256"] };
  return {
    decide: async (token) => {
      try {
        const decoded = jwt.decode(token, { complete: true });
        const key = await client.getSigningKey(decoded.header.kid);
        jwt.verify(token, key.getPublicKey(), options);
        return true;
      } catch {
        return false;
      }
    },
  };
}
