// Compiled by `tsc --noEmit` (tsconfig.check.json): the public API as a TypeScript user sees it.
import {
  AuthorizerError,
  ConfigurationError,
  createAuthorizer,
  createLambdaHandler,
  verifyWithKeys,
  type Authorizer,
  type AuthorizerResponse,
  type Decision,
  type ReasonCode,
  type VerifyResult,
} from "../../package/dist/index.js";
import * as edge from "../../package/dist/edge.js";

export async function usage(): Promise<void> {
  const authorizer: Authorizer = await createAuthorizer({
    issuer: "https://id.example/",
    audience: ["api"],
    algorithms: ["RS256", "ES256"],
    policyResource: "method",
    tokenSources: ["query:access_token", "cookie:__Host-access", "header:X-Api-Token:Token", "authorization"],
    scopeMatch: "any",
    claimRules: ["contains_any(cognito:groups,admin)", { claim: "email_verified", equals: true }, { claim: "tenant", present: true }],
    routeRules: [{ route: "DELETE /pets/*", claims: [{ claim: "realm_access.roles", contains_any: ["admin"] }] }],
    log: false,
  });
  // @ts-expect-error: not a token source
  void createAuthorizer({ issuer: "i", audience: "a", tokenSources: ["bearer"] });
  const response: AuthorizerResponse = await authorizer.authorize({ type: "TOKEN", authorizationToken: "Bearer x", methodArn: "arn" });
  if ("policyDocument" in response) {
    const first = response.policyDocument.Statement[0];
    if (first !== undefined) {
      const effect: "Allow" | "Deny" = first.Effect;
      void effect;
    }
  }
  const decision: Decision = await authorizer.decide({});
  const outcome: "allow" | "deny" | "unauthorized" = decision.outcome;
  void outcome;
  try {
    const { claims, header } = await authorizer.verify("token");
    void claims.sub;
    void header.alg;
  } catch (e) {
    if (e instanceof AuthorizerError) {
      const reason: ReasonCode = e.reason;
      void reason;
    } else if (e instanceof ConfigurationError) {
      void e.message;
    }
  }
  const result: VerifyResult = await verifyWithKeys("token", { keys: [] }, 0, { issuer: "i", audience: "a" });
  if (result.ok) void result.claims;
  else void (result.reason satisfies ReasonCode);
  const handler = createLambdaHandler();
  void handler;
  const module = new WebAssembly.Module(new Uint8Array(0));
  void edge.createAuthorizer({ wasm: module, issuer: "i", audience: "a" });
}
