// A real OpenID Provider (npm oidc-provider) on 127.0.0.1: client_credentials with a resource
// indicator, so its real /token endpoint issues JWT access tokens signed with the algorithm we
// ask for. One HTTP server stands in front of it to count JWKS requests, to take the JWKS
// endpoint down on demand, and to swap in a provider with new keys (key rotation).
import { createServer } from "node:http";
import { generateKeyPair } from "../../../tests/support/keypair.mjs";
import Provider from "oidc-provider";

export const AUDIENCE = "api://jwtgate";
export const OTHER_AUDIENCE = "api://other";
const CLIENT = { client_id: "svc-client", client_secret: "svc-secret-0123456789abcdef" };

function privateJwk(kind, kid) {
  const [type, opts] = {
    rsa: ["rsa", { modulusLength: 2048 }],
    ec: ["ec", { namedCurve: "P-256" }],
    ed: ["ed25519", {}],
  }[kind];
  const { privateKey } = generateKeyPair(type, opts);
  return { ...privateKey.export({ format: "jwk" }), kid, use: "sig" };
}

/** Fresh signing keys for every algorithm family the tests use; `tag` makes the kids unique. */
export function makeKeys(tag) {
  return [privateJwk("rsa", `rsa-${tag}`), privateJwk("ec", `ec-${tag}`), privateJwk("ed", `ed-${tag}`)];
}

function makeProvider(issuer, keys, state) {
  const provider = new Provider(issuer, {
    clients: [{ ...CLIENT, grant_types: ["client_credentials"], redirect_uris: [], response_types: [] }],
    jwks: { keys },
    // Test-only cookie signing keys (no login flow runs; set so the provider does not warn).
    cookies: { keys: ["jwtgate-test-cookie-key"] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => AUDIENCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => ({
          scope: "pets:read pets:write",
          audience: resource,
          accessTokenFormat: "jwt",
          accessTokenTTL: 300,
          jwt: { sign: { alg: state.alg } },
        }),
      },
    },
  });
  provider.on("server_error", (_ctx, err) => console.error("oidc-provider:", err));
  return provider;
}

/**
 * Start the provider. Returns its issuer, counters and switches, `token(alg, audience)` to get
 * a real access token, `rotate()` for new keys, and `close()`.
 */
export async function startProvider() {
  const state = { alg: "RS256", jwksRequests: 0, discoveryRequests: 0, jwksDown: false, keys: makeKeys("1"), generation: 1 };
  let provider;
  const server = createServer((req, res) => {
    if (req.url.startsWith("/jwks")) {
      state.jwksRequests += 1;
      if (state.jwksDown) {
        res.writeHead(503).end("down");
        return;
      }
    }
    if (req.url.startsWith("/.well-known/openid-configuration")) state.discoveryRequests += 1;
    provider.callback()(req, res);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${server.address().port}`;
  provider = makeProvider(issuer, state.keys, state);

  // The signing algorithm is provider state, so requests are serialised.
  let queue = Promise.resolve();
  function token(alg = "RS256", audience = AUDIENCE) {
    const next = queue.then(() => mint(alg, audience));
    queue = next.catch(() => {});
    return next;
  }

  async function mint(alg, audience) {
    state.alg = alg;
    const response = await fetch(`${issuer}/token`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Basic ${Buffer.from(`${CLIENT.client_id}:${CLIENT.client_secret}`).toString("base64")}`,
      },
      body: new URLSearchParams({ grant_type: "client_credentials", resource: audience, scope: "pets:read" }),
    });
    const body = await response.json();
    if (!response.ok) throw new Error(`token endpoint: ${response.status} ${JSON.stringify(body)}`);
    return body.access_token;
  }

  return {
    issuer,
    jwksUri: `${issuer}/jwks`,
    state,
    token,
    /** Replace the provider's keys (new kids); tokens from now on are signed with them. */
    rotate() {
      state.generation += 1;
      state.keys = makeKeys(String(state.generation));
      provider = makeProvider(issuer, state.keys, state);
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(resolve);
      }),
  };
}

/** The protected header and claims of a token (for assertions only; no verification). */
export function peek(token) {
  const [h, p] = token.split(".");
  return { header: JSON.parse(Buffer.from(h, "base64url")), claims: JSON.parse(Buffer.from(p, "base64url")) };
}
