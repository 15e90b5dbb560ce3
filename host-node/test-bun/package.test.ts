// The package under bun (`bun test`): the Node entry point reads the .wasm beside itself, the
// JWKS comes from the real OpenID Provider on 127.0.0.1, decisions match Node's.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { AuthorizerError, ConfigurationError, createAuthorizer, verifyWithKeys } from "../package/dist/index.js";
// @ts-expect-error: plain JavaScript test support shared with the node:test suites
import { startProvider, peek, AUDIENCE, OTHER_AUDIENCE } from "../test/support/oidc.mjs";
// @ts-expect-error
import { tokenEvent, STAGE_ARN } from "../test/support/events.mjs";

let op: any;
beforeAll(async () => {
  op = await startProvider();
});
afterAll(async () => {
  await op.close();
});

function clock() {
  let offset = 0;
  const now = () => Date.now() + offset;
  return Object.assign(now, { advance: (s: number) => (offset += s * 1000) });
}

async function make(extra: Record<string, string> = {}) {
  const now = clock();
  const a = await createAuthorizer({
    env: { ISSUER: op.issuer, AUDIENCE, JWKS_URI: op.jwksUri, ALGORITHMS: "RS256,ES256,EdDSA", JWKS_ALLOW_HTTP_LOOPBACK: "true", ...extra },
    now,
    log: false,
  });
  return { a, now };
}

async function reason(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AuthorizerError);
    expect((e as Error).message).toBe("Unauthorized");
    return (e as AuthorizerError).reason;
  }
  throw new Error("expected a refusal");
}

test("RS256, ES256 and EdDSA tokens from the provider are allowed for the stage", async () => {
  const { a } = await make();
  const before = op.state.jwksRequests;
  for (const alg of ["RS256", "ES256", "EdDSA"]) {
    const response: any = await a.authorize(tokenEvent(await op.token(alg)));
    expect(response.principalId).toBe("svc-client");
    expect(response.policyDocument.Statement).toEqual([{ Action: "execute-api:Invoke", Effect: "Allow", Resource: STAGE_ARN }]);
  }
  expect(op.state.jwksRequests - before).toBe(1);
});

test("expired, wrong audience, wrong issuer and malformed: Unauthorized with the reason", async () => {
  const { a, now } = await make();
  const token = await op.token();
  expect(await reason(a.authorize(tokenEvent(await op.token("RS256", OTHER_AUDIENCE))))).toBe("audience_mismatch");
  expect(await reason(a.authorize({ type: "TOKEN", authorizationToken: "Bearer", methodArn: STAGE_ARN.replace("*/*", "GET/pets") }))).toBe("bad_authorization_scheme");
  expect(await reason(a.authorize(null))).toBe("invalid_event");
  const { a: slash } = await make({ ISSUER: `${op.issuer}/` });
  expect(await reason(slash.authorize(tokenEvent(token)))).toBe("issuer_mismatch");
  now.advance(301);
  expect(await reason(a.authorize(tokenEvent(token)))).toBe("token_expired");
});

test("key rotation: penalty box, then one refetch", async () => {
  const { a, now } = await make();
  await a.authorize(tokenEvent(await op.token()));
  const start = op.state.jwksRequests;
  op.rotate();
  const rotated = await op.token();
  expect(await reason(a.authorize(tokenEvent(rotated)))).toBe("unknown_kid");
  expect(op.state.jwksRequests).toBe(start);
  now.advance(31);
  const response: any = await a.authorize(tokenEvent(rotated));
  expect(response.principalId).toBe("svc-client");
  expect(op.state.jwksRequests).toBe(start + 1);
  expect(peek(rotated).header.kid).toMatch(/^rsa-/);
});

test("verifyWithKeys and configuration errors", async () => {
  const token = await op.token("EdDSA");
  const jwks = await (await fetch(op.jwksUri)).text();
  const nowSeconds = Math.floor(Date.now() / 1000);
  const result = await verifyWithKeys(token, jwks, nowSeconds, { issuer: op.issuer, audience: AUDIENCE, algorithms: ["EdDSA"] });
  expect(result.ok).toBe(true);
  const refused = await verifyWithKeys(token, jwks, nowSeconds, { issuer: op.issuer, audience: AUDIENCE });
  expect(refused.ok ? "" : refused.reason).toBe("algorithm_not_allowed");
  await expect(createAuthorizer({ env: { ISSUER: op.issuer } })).rejects.toBeInstanceOf(ConfigurationError);
});
