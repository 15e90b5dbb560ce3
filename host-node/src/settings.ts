// Configuration: the package's options are turned into the environment-variable form and
// validated by the module's `settingsFromEnv`, so names, defaults and errors are the same
// in every host (Lambda with wasmtime, Node, bun, edge). This file never re-implements a rule.
import { settingsFromEnv, variables } from "../pkg/jwtgate_wasm.js";
import { ConfigurationError } from "./errors.js";

/** Settings as options; each one has the environment variable named beside it. */
export interface SettingsOptions {
  /** `ISSUER`: accepted issuer(s), compared exactly with `iss` (a trailing slash matters). */
  issuer?: string | string[];
  /** `AUDIENCE`: accepted audience(s). */
  audience?: string | string[];
  /** `JWKS_URI`; without it, discovery through `ISSUER/.well-known/openid-configuration`. */
  jwksUri?: string;
  /** `ALGORITHMS` (default `RS256`). `none` and HMAC are never accepted. */
  algorithms?: string[];
  /** `LEEWAY_SECONDS` (default 0, at most 600). */
  leewaySeconds?: number;
  /** `REQUIRED_SCOPES`: scopes every token must hold (else a Deny policy). */
  requiredScopes?: string[];
  /** `ALLOWED_CLIENT_IDS`. */
  allowedClientIds?: string[];
  /** `TOKEN_TYPE`: required header `typ`, e.g. `at+jwt`. */
  tokenType?: string;
  /** `MAX_TOKEN_AGE_SECONDS`. */
  maxTokenAgeSeconds?: number;
  /** `POLICY_RESOURCE`: `stage` (default) or `method`. */
  policyResource?: "stage" | "method";
  /** `CONTEXT_CLAIMS` (default `sub,iss,scope,client_id`). */
  contextClaims?: string[];
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
   * `ROUTE_RULES`: per-route scopes, `"GET /pets/*=pets:read; POST /pets=pets:write"` or a list
   * `[{ route: "GET /pets/*", scopes: ["pets:read"] }]`.
   */
  routeRules?: string | { route: string; scopes: string[] }[];
  /** `UNLISTED_ROUTES`: `allow` (default) or `deny` for routes no rule names. */
  unlistedRoutes?: "allow" | "deny";
  /**
   * Environment variables with the names above (e.g. `process.env`). Options given as fields
   * take precedence over these.
   */
  env?: Record<string, string | undefined>;
}

const ENV_NAME: Record<Exclude<keyof SettingsOptions, "env">, string> = {
  issuer: "ISSUER",
  audience: "AUDIENCE",
  jwksUri: "JWKS_URI",
  algorithms: "ALGORITHMS",
  leewaySeconds: "LEEWAY_SECONDS",
  requiredScopes: "REQUIRED_SCOPES",
  allowedClientIds: "ALLOWED_CLIENT_IDS",
  tokenType: "TOKEN_TYPE",
  maxTokenAgeSeconds: "MAX_TOKEN_AGE_SECONDS",
  policyResource: "POLICY_RESOURCE",
  contextClaims: "CONTEXT_CLAIMS",
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
};

/** Only these variables are handed to the module (never the rest of the environment, which
 * holds credentials on Lambda). The module says which it reads. */
function knownVariables(): string[] {
  return JSON.parse(variables()) as string[];
}

/** How the host fetches and caches the JWKS (validated by the module). */
export interface JwksSettings {
  jwks_uri: string | null;
  discovery_url: string;
  fetch_timeout_ms: number;
  cache_min_seconds: number;
  cache_max_seconds: number;
  refresh_cooldown_seconds: number;
  max_jwks_bytes: number;
  allow_http_loopback: boolean;
}

/** The core's configuration document (see wasm/ABI.md); passed to the module as is. */
export interface CoreConfig {
  issuers: string[];
  audiences: string[];
  [setting: string]: unknown;
}

export interface Settings {
  config: CoreConfig;
  jwks: JwksSettings;
  /** `SIGNATURES`: `host` means node:crypto where the runtime has it. */
  signatures: "wasm" | "host";
}

/** An option as the variable's text. Arrays go as JSON (the module takes a JSON list as it is),
 * never joined with commas: an element holding a comma stays one element. */
function asVariable(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return JSON.stringify(value);
  return String(value);
}

/** The environment-variable form of `options` (fields over `options.env`). */
export function toEnvironment(options: SettingsOptions): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of knownVariables()) {
    const value = options.env?.[name];
    if (typeof value === "string") env[name] = value;
  }
  for (const [field, name] of Object.entries(ENV_NAME)) {
    const value = asVariable(options[field as keyof typeof ENV_NAME]);
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/** Validate settings through the module. Throws `ConfigurationError` naming the setting. */
export function resolveSettings(options: SettingsOptions): Settings {
  return parseSettings(settingsFromEnv(JSON.stringify(toEnvironment(options))));
}

function parseSettings(json: string): Settings {
  const doc = JSON.parse(json) as { ok: boolean; error?: string } & Partial<Settings>;
  if (!doc.ok || !doc.config || !doc.jwks) {
    throw new ConfigurationError(doc.error ?? "invalid configuration");
  }
  return { config: doc.config, jwks: doc.jwks, signatures: doc.signatures ?? "wasm" };
}

/**
 * Whether `url` may be fetched for keys: the module's own rule (https, or http to loopback
 * only when allowed). Used for discovered and redirected URLs, which settings never saw.
 */
export function isFetchableUrl(url: string, allowHttpLoopback: boolean): boolean {
  const probe = {
    ISSUER: "https://issuer.invalid",
    AUDIENCE: "probe",
    JWKS_URI: url,
    JWKS_ALLOW_HTTP_LOOPBACK: String(allowHttpLoopback),
  };
  return (JSON.parse(settingsFromEnv(JSON.stringify(probe))) as { ok: boolean }).ok;
}
