// Configuration: the package's options are turned into the environment-variable form and
// validated by the module's `settingsFromEnv`, so names, defaults and errors are the same
// in every host (Lambda with wasmtime, Node, bun, edge). This file never re-implements a rule.
import { settingsFromEnv, variables } from "../pkg/jwtgate_wasm.js";
import { ConfigurationError } from "./errors.js";

/** A key set: its JSON object `{ keys: [...] }`. */
export type JwksObject = { keys: unknown[] };

/** A value a claim rule compares a claim with (as text: `true`, `1` and `"1"` alike). */
export type ClaimValue = string | number | boolean;

/**
 * A claim rule (README, "Claim rules"): the text form, e.g. `"contains_any(cognito:groups,admin)"`,
 * or an object naming the claim (a path: `realm_access.roles`) and one operator.
 */
export type ClaimRule =
  | string
  | { claim: string; equals: ClaimValue }
  | { claim: string; one_of: ClaimValue[] }
  | { claim: string; contains_all: ClaimValue[] }
  | { claim: string; contains_any: ClaimValue[] }
  | { claim: string; present: true };

/** A route rule as a list item: its scopes, its claim rules, or both. */
export interface RouteRule {
  route: string;
  scopes?: string[];
  claims?: ClaimRule[];
}

/**
 * One trusted issuer and its rules (README, "Several issuers"): `issuer` (exactly as in `iss`)
 * or `cognitoUserPoolId`, its key source (`jwksUri`, `jwks`, `jwksFile`; none: OpenID
 * discovery), and any of the rules below; a member left out takes the top-level option.
 */
export interface IssuerProfile {
  issuer?: string;
  cognitoUserPoolId?: string;
  jwksUri?: string;
  jwks?: JwksObject;
  jwksFile?: string;
  audiences?: string[];
  allowedClientIds?: string[];
  tokenUse?: "access" | "id";
  algorithms?: string[];
  requiredScopes?: string[];
  scopeMatch?: "all" | "any";
  claimRules?: ClaimRule[];
  tokenType?: string;
  leewaySeconds?: number;
  maxTokenAgeSeconds?: number;
  contextClaims?: string[];
  contextPayloadKey?: string;
  usageIdentifierClaim?: string;
  requireCertificateBinding?: boolean;
}

/** One place events carry the token (README, "Token sources"). */
export type TokenSource = "authorization" | `header:${string}` | `cookie:${string}` | `query:${string}`;

/** Settings as options; each one has the environment variable named beside it. */
export interface SettingsOptions {
  /** `ISSUERS`: up to 20 trusted issuers, each with its own keys and rules. */
  issuers?: (string | IssuerProfile)[];
  /** `ISSUER`: accepted issuer(s), compared exactly with `iss` (a trailing slash matters). */
  issuer?: string | string[];
  /** `COGNITO_USER_POOL_ID`: an Amazon Cognito user pool (`eu-west-1_AbCd123`) as the issuer. */
  cognitoUserPoolId?: string;
  /** `AUDIENCE`: accepted audience(s); optional with `allowedClientIds` (tokens without `aud`). */
  audience?: string | string[];
  /** `TOKEN_USE`: `access` or `id`, checked against the `token_use` claim (Cognito). */
  tokenUse?: "access" | "id";
  /** `JWKS_URI`; without it (and without static keys), discovery through
   * `ISSUER/.well-known/openid-configuration`. */
  jwksUri?: string;
  /** `JWKS`: static keys, used from the first request with no fetch. */
  jwks?: JwksObject;
  /** `JWKS_FILE`: a key set file shipped with the deployment (Node and bun). */
  jwksFile?: string;
  /** `CONFIG_FILE`: a JSON file with the whole configuration (Node and bun); no other setting
   * may be given with it. */
  configFile?: string;
  /** `ALGORITHMS` (default `RS256`). `none` and HMAC are never accepted. */
  algorithms?: string[];
  /** `LEEWAY_SECONDS` (default 0, at most 600). */
  leewaySeconds?: number;
  /** `REQUIRED_SCOPES`: scopes every token must hold (else a Deny policy). */
  requiredScopes?: string[];
  /** `SCOPE_MATCH`: `all` (default) or `any` (one of the listed scopes is enough, as API
   * Gateway's JWT authorizers), for `requiredScopes` and route rules' scopes. */
  scopeMatch?: "all" | "any";
  /** `CLAIM_RULES`: rules every token's claims must meet (else a Deny policy), as a list or as
   * text separated by white space: `"contains_any(cognito:groups,admin) equals(email_verified,true)"`. */
  claimRules?: string | ClaimRule[];
  /** `ALLOWED_CLIENT_IDS`. */
  allowedClientIds?: string[];
  /** `TOKEN_TYPE`: required header `typ`, e.g. `at+jwt`. */
  tokenType?: string;
  /** `MAX_TOKEN_AGE_SECONDS`. */
  maxTokenAgeSeconds?: number;
  /** `POLICY_RESOURCE`: `stage` (default) or `method`. */
  policyResource?: "stage" | "method";
  /** `CONTEXT_CLAIMS` (default `sub,iss,scope,client_id`): claims for the authorizer context,
   * each `PATH` or `KEY=PATH` (`roles=realm_access.roles`). */
  contextClaims?: string[];
  /** `CONTEXT_PAYLOAD_KEY`: the context key that carries the whole payload as JSON text. */
  contextPayloadKey?: string;
  /** `USAGE_IDENTIFIER_CLAIM`: the claim whose value is the `usageIdentifierKey` (REST usage
   * plans with API keys from the authorizer). */
  usageIdentifierClaim?: string;
  /** `REQUIRE_CERTIFICATE_BINDING`: every token must be bound to the mutual-TLS client
   * certificate (RFC 8705 `cnf.x5t#S256`); bound tokens are checked either way. */
  requireCertificateBinding?: boolean;
  /** `HTTP_API_RESPONSE`: `simple` (default) or `policy`. */
  httpApiResponse?: "simple" | "policy";
  /** `MAX_TOKEN_BYTES`, `MAX_JWKS_BYTES`, `MAX_JWKS_KEYS`, `MAX_EVENT_BYTES`. */
  maxTokenBytes?: number;
  maxJwksBytes?: number;
  maxJwksKeys?: number;
  maxEventBytes?: number;
  /** `JWKS_TIMEOUT_MS` (default 5000). */
  jwksTimeoutMs?: number;
  /** `JWKS_CACHE_MIN_SECONDS`, `JWKS_CACHE_MAX_SECONDS` (60, 3600): bounds on `Cache-Control`. */
  jwksCacheMinSeconds?: number;
  jwksCacheMaxSeconds?: number;
  /** `JWKS_REFRESH_COOLDOWN_SECONDS` (30): at most one refetch for unknown `kid`s per period. */
  jwksRefreshCooldownSeconds?: number;
  /** `JWKS_ALLOW_HTTP_LOOPBACK`: allow plain http to loopback addresses (tests, demos). */
  jwksAllowHttpLoopback?: boolean;
  /**
   * `ROUTE_RULES`: per-route scopes and claim rules,
   * `"GET /pets/*=pets:read; DELETE /pets/*=contains_any(cognito:groups,admin)"` or a list
   * `[{ route: "DELETE /pets/*", scopes: ["pets:write"], claims: ["contains_any(cognito:groups,admin)"] }]`.
   */
  routeRules?: string | RouteRule[];
  /** `UNLISTED_ROUTES`: `allow` (default) or `deny` for routes no rule names. */
  unlistedRoutes?: "allow" | "deny";
  /**
   * `TOKEN_SOURCES`: where events carry the token, tried in order (default
   * `["authorization"]`): `authorization` (`Bearer`), `header:NAME`, `header:NAME:SCHEME`,
   * `cookie:NAME`, `query:NAME`; at most 8.
   */
  tokenSources?: TokenSource[];
  /**
   * `METRICS` (default true): each decision's and key set's log line is also a CloudWatch
   * metric record (Embedded Metric Format, README "Metrics and logs"); `false` writes plain lines.
   */
  metrics?: boolean;
  /** `METRICS_NAMESPACE` (default `jwtgate`): the metrics' CloudWatch namespace. */
  metricsNamespace?: string;
  /**
   * Environment variables with the names above (e.g. `process.env`). Options given as fields
   * take precedence over these.
   */
  env?: Record<string, string | undefined>;
}

const ENV_NAME: Record<Exclude<keyof SettingsOptions, "env">, string> = {
  issuers: "ISSUERS",
  issuer: "ISSUER",
  cognitoUserPoolId: "COGNITO_USER_POOL_ID",
  audience: "AUDIENCE",
  tokenUse: "TOKEN_USE",
  jwksUri: "JWKS_URI",
  jwks: "JWKS",
  jwksFile: "JWKS_FILE",
  configFile: "CONFIG_FILE",
  algorithms: "ALGORITHMS",
  leewaySeconds: "LEEWAY_SECONDS",
  requiredScopes: "REQUIRED_SCOPES",
  scopeMatch: "SCOPE_MATCH",
  claimRules: "CLAIM_RULES",
  allowedClientIds: "ALLOWED_CLIENT_IDS",
  tokenType: "TOKEN_TYPE",
  maxTokenAgeSeconds: "MAX_TOKEN_AGE_SECONDS",
  policyResource: "POLICY_RESOURCE",
  contextClaims: "CONTEXT_CLAIMS",
  contextPayloadKey: "CONTEXT_PAYLOAD_KEY",
  usageIdentifierClaim: "USAGE_IDENTIFIER_CLAIM",
  requireCertificateBinding: "REQUIRE_CERTIFICATE_BINDING",
  httpApiResponse: "HTTP_API_RESPONSE",
  maxTokenBytes: "MAX_TOKEN_BYTES",
  maxJwksBytes: "MAX_JWKS_BYTES",
  maxJwksKeys: "MAX_JWKS_KEYS",
  maxEventBytes: "MAX_EVENT_BYTES",
  jwksTimeoutMs: "JWKS_TIMEOUT_MS",
  jwksCacheMinSeconds: "JWKS_CACHE_MIN_SECONDS",
  jwksCacheMaxSeconds: "JWKS_CACHE_MAX_SECONDS",
  jwksRefreshCooldownSeconds: "JWKS_REFRESH_COOLDOWN_SECONDS",
  jwksAllowHttpLoopback: "JWKS_ALLOW_HTTP_LOOPBACK",
  routeRules: "ROUTE_RULES",
  unlistedRoutes: "UNLISTED_ROUTES",
  tokenSources: "TOKEN_SOURCES",
  metrics: "METRICS",
  metricsNamespace: "METRICS_NAMESPACE",
};

/** Only these variables are handed to the module (never the rest of the environment, which
 * holds credentials on Lambda). The module says which it reads. */
function knownVariables(): string[] {
  return JSON.parse(variables()) as string[];
}

/** The core's configuration document (see wasm/ABI.md); passed to the module as is. */
export interface CoreConfig {
  issuers: (string | Record<string, unknown>)[];
  [setting: string]: unknown;
}

/**
 * Who checks signatures (the setting `SIGNATURES`, and `createAuthorizer`'s `signatures`
 * option): `"host"` (the default), the host's native one (`node:crypto` in Node and bun;
 * native Rust in the Lambda host) for each algorithm whose known answers it gives, else the
 * module's own; or `"wasm"`, the module's own pure-Rust provider for every algorithm, the same
 * in every host. The names are the core's (core/tests/lists_across_languages.rs holds them
 * together).
 */
export type Signatures = "wasm" | "host";

export interface Settings {
  config: CoreConfig;
  /** `SIGNATURES`. */
  signatures: Signatures;
  /** `METRICS_NAMESPACE`; `null` when `METRICS` is false. */
  metricsNamespace: string | null;
}

/** `allowedClientIds` as the configuration writes it: `allowed_client_ids`. One rule for every
 * member, so a misspelt option reaches the module as a misspelt member, which it names. */
const snakeCase = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** An issuer profile as the configuration's JSON writes it. */
function profileDocument(profile: unknown): unknown {
  if (typeof profile !== "object" || profile === null || Array.isArray(profile)) return profile;
  return Object.fromEntries(Object.entries(profile).map(([name, value]) => [snakeCase(name), value]));
}

/** An option as the variable's text. Arrays and objects go as JSON (the module takes a JSON list
 * as it is), never joined with commas: an element holding a comma stays one element. */
function asVariable(field: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (field === "issuers" && Array.isArray(value)) return JSON.stringify(value.map(profileDocument));
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** Reads CONFIG_FILE's text (registered by the Node/bun entry point; edge runtimes have none). */
let configFileReader: ((path: string) => string) | null = null;

export function setConfigFileReader(reader: (path: string) => string): void {
  configFileReader = reader;
}

/** The environment-variable form of `options` (fields over `options.env`). */
export function toEnvironment(options: SettingsOptions): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of knownVariables()) {
    const value = options.env?.[name];
    if (typeof value === "string") env[name] = value;
  }
  for (const [field, name] of Object.entries(ENV_NAME)) {
    const value = asVariable(field, options[field as keyof typeof ENV_NAME]);
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/** What the module validates: the variables as JSON, and CONFIG_FILE's text when it was read. */
export function moduleInput(options: SettingsOptions): [envJson: string, file: string | undefined] {
  const env = toEnvironment(options);
  let file: string | undefined;
  if (env.CONFIG_FILE?.trim() && configFileReader !== null) {
    try {
      file = configFileReader(env.CONFIG_FILE.trim());
    } catch {
      // Unread: the module refuses the settings naming CONFIG_FILE.
    }
  }
  return [JSON.stringify(env), file];
}

/** Validate settings through the module. Throws `ConfigurationError` naming the setting. */
export function resolveSettings(options: SettingsOptions): Settings {
  return parseSettings(settingsFromEnv(...moduleInput(options)));
}

/** The module's settings document read; throws `ConfigurationError` for refused settings. */
export function parseSettings(json: string): Settings {
  const doc = JSON.parse(json) as { ok: boolean; error?: string; metrics_namespace?: string | null } & Partial<Settings>;
  if (!doc.ok || !doc.config) {
    throw new ConfigurationError(doc.error ?? "invalid configuration");
  }
  return { config: doc.config, signatures: doc.signatures ?? "host", metricsNamespace: doc.metrics_namespace ?? null };
}
