// The authorizer's settings as a typed object, written to the function's environment under the
// variable names every host reads (README "Configuration"; core/src/env.rs). Lists are written
// as JSON lists, so a value holding a comma stays one value; a list holding a value known only
// at deploy time (a CDK token) is written comma-separated.
import { Fn, Token } from "aws-cdk-lib/core";

/** The algorithms the core supports (`none` and HMAC can never be configured). */
export const ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

/** Who checks signatures (SIGNATURES; the npm package's `Signatures`; the names are the core's,
 * held together by core/tests/lists_across_languages.rs). */
export type Signatures = "wasm" | "host";

/** A route rule in its JSON form (README "Route rules"). */
export interface RouteRule {
  readonly route: string;
  readonly scopes?: readonly string[];
  readonly claims?: readonly (string | Record<string, unknown>)[];
}

export interface JwtGateSettings {
  /** ISSUER: accepted issuer(s), exactly as in `iss`. */
  readonly issuer?: string | readonly string[];
  /** COGNITO_USER_POOL_ID: an Amazon Cognito user pool (`eu-west-1_AbCd123`) as an issuer. */
  readonly cognitoUserPoolId?: string;
  /** ISSUERS: issuer profiles (README "Issuers"), instead of `issuer`. */
  readonly issuers?: readonly Record<string, unknown>[];
  /** AUDIENCE: accepted audience(s). Required unless `allowedClientIds` (or `issuers`). */
  readonly audience?: string | readonly string[];
  /** ALLOWED_CLIENT_IDS: accepted `client_id` / `azp` values. */
  readonly allowedClientIds?: string | readonly string[];
  /** TOKEN_USE: the `token_use` claim (Cognito). */
  readonly tokenUse?: "access" | "id";
  /** JWKS_URI: the key set's https URL; unset means OpenID discovery. */
  readonly jwksUri?: string;
  /** JWKS: static keys, a JSON key set. */
  readonly jwks?: { keys: readonly unknown[] } | string;
  /** ALGORITHMS (default RS256). */
  readonly algorithms?: readonly Algorithm[];
  /** LEEWAY_SECONDS (0 to 600). */
  readonly leewaySeconds?: number;
  /** REQUIRED_SCOPES: scopes every token must hold (else 403). */
  readonly requiredScopes?: readonly string[];
  /** SCOPE_MATCH. */
  readonly scopeMatch?: "all" | "any";
  /** CLAIM_RULES: text rules (`contains_any(cognito:groups,admin)`) or their object form. */
  readonly claimRules?: readonly (string | Record<string, unknown>)[];
  /** TOKEN_TYPE: required header `typ`, e.g. `at+jwt`. */
  readonly tokenType?: string;
  /** MAX_TOKEN_AGE_SECONDS. */
  readonly maxTokenAgeSeconds?: number;
  /** POLICY_RESOURCE (default stage). */
  readonly policyResource?: "stage" | "method";
  /** CONTEXT_CLAIMS: claims passed to the backend (`PATH` or `KEY=PATH`). */
  readonly contextClaims?: readonly string[];
  /** CONTEXT_PAYLOAD_KEY. */
  readonly contextPayloadKey?: string;
  /** USAGE_IDENTIFIER_CLAIM. */
  readonly usageIdentifierClaim?: string;
  /** REQUIRE_CERTIFICATE_BINDING. */
  readonly requireCertificateBinding?: boolean;
  /** HTTP_API_RESPONSE: `simple` (the default) or `policy`. */
  readonly httpApiResponse?: "simple" | "policy";
  /** TOKEN_SOURCES (default `authorization`): also decides the authorizer's identity sources. */
  readonly tokenSources?: readonly string[];
  /** ROUTE_RULES: the text form (`GET /pets/*=pets:read; DELETE /*=admin`) or JSON rules. */
  readonly routeRules?: string | readonly RouteRule[];
  /** UNLISTED_ROUTES. */
  readonly unlistedRoutes?: "allow" | "deny";
  /** JWKS_TIMEOUT_MS (100 to 9000). */
  readonly jwksTimeoutMs?: number;
  /** JWKS_CACHE_MIN_SECONDS. */
  readonly jwksCacheMinSeconds?: number;
  /** JWKS_CACHE_MAX_SECONDS. */
  readonly jwksCacheMaxSeconds?: number;
  /** JWKS_REFRESH_COOLDOWN_SECONDS. */
  readonly jwksRefreshCooldownSeconds?: number;
  /** SIGNATURES: `host` (the host's native provider once it gives the known answers, the
   * default) or `wasm` (the module's own provider for every algorithm). */
  readonly signatures?: Signatures;
}

type Kind = "list" | "text" | "json" | "number" | "flag" | "rules";

/** Each setting's variable and how its value is written. */
export const VARIABLES: Readonly<Record<keyof JwtGateSettings, readonly [string, Kind]>> = {
  issuer: ["ISSUER", "list"],
  cognitoUserPoolId: ["COGNITO_USER_POOL_ID", "text"],
  issuers: ["ISSUERS", "json"],
  audience: ["AUDIENCE", "list"],
  allowedClientIds: ["ALLOWED_CLIENT_IDS", "list"],
  tokenUse: ["TOKEN_USE", "text"],
  jwksUri: ["JWKS_URI", "text"],
  jwks: ["JWKS", "json"],
  algorithms: ["ALGORITHMS", "list"],
  leewaySeconds: ["LEEWAY_SECONDS", "number"],
  requiredScopes: ["REQUIRED_SCOPES", "list"],
  scopeMatch: ["SCOPE_MATCH", "text"],
  claimRules: ["CLAIM_RULES", "json"],
  tokenType: ["TOKEN_TYPE", "text"],
  maxTokenAgeSeconds: ["MAX_TOKEN_AGE_SECONDS", "number"],
  policyResource: ["POLICY_RESOURCE", "text"],
  contextClaims: ["CONTEXT_CLAIMS", "list"],
  contextPayloadKey: ["CONTEXT_PAYLOAD_KEY", "text"],
  usageIdentifierClaim: ["USAGE_IDENTIFIER_CLAIM", "text"],
  requireCertificateBinding: ["REQUIRE_CERTIFICATE_BINDING", "flag"],
  httpApiResponse: ["HTTP_API_RESPONSE", "text"],
  tokenSources: ["TOKEN_SOURCES", "list"],
  routeRules: ["ROUTE_RULES", "rules"],
  unlistedRoutes: ["UNLISTED_ROUTES", "text"],
  jwksTimeoutMs: ["JWKS_TIMEOUT_MS", "number"],
  jwksCacheMinSeconds: ["JWKS_CACHE_MIN_SECONDS", "number"],
  jwksCacheMaxSeconds: ["JWKS_CACHE_MAX_SECONDS", "number"],
  jwksRefreshCooldownSeconds: ["JWKS_REFRESH_COOLDOWN_SECONDS", "number"],
  signatures: ["SIGNATURES", "text"],
};

/** The function's environment for `settings`. */
export function environment(settings: JwtGateSettings): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [field, [name, kind]] of Object.entries(VARIABLES) as [keyof JwtGateSettings, readonly [string, Kind]][]) {
    const value = settings[field];
    if (value === undefined) continue;
    switch (kind) {
      case "list": {
        const items = (typeof value === "string" ? [value] : value) as readonly string[];
        env[name] = items.some((v) => Token.isUnresolved(v)) ? Fn.join(",", [...items]) : JSON.stringify(items);
        break;
      }
      case "json":
        env[name] = typeof value === "string" ? value : JSON.stringify(value);
        break;
      case "rules":
        env[name] = typeof value === "string" ? value : JSON.stringify(value);
        break;
      case "number":
        env[name] = Token.isUnresolved(value) ? Token.asString(value) : String(value);
        break;
      case "flag":
        env[name] = value ? "true" : "false";
        break;
      case "text":
        env[name] = String(value);
        break;
    }
  }
  return env;
}
