// Verification with keys the caller brings (edge runtimes, tests): no fetch, no cache, the
// caller's clock. The same core and the same settings as `createAuthorizer`.
import { signatureProvider, type AuthorizerConfig } from "./authorizer.js";
import { ConfigurationError } from "./errors.js";
import { ModuleSession } from "./module-session.js";
import { resolveSettings } from "./settings.js";
import type { VerifyResult } from "./types.js";
import { ensureWasm } from "./wasm-module.js";

/** A JWKS as bytes, JSON text or an object `{ keys: [...] }`. */
export type JwksInput = Uint8Array | ArrayBuffer | string | { keys: unknown[] };

/**
 * Verify `token` against `jwks` at `nowSeconds` (Unix seconds; fractions are floored). Resolves
 * with a result, never rejects for a bad token: `{ ok: true, header, claims }` or
 * `{ ok: false, reason, message }`. Rejects with `ConfigurationError` for invalid settings, and
 * for a `nowSeconds` that is not a number of seconds from 2000-01-01 up to 2^53 (the module's
 * rule: NaN, `undefined`, `null`, strings and negative numbers are never decided as 1970).
 */
export async function verifyWithKeys(
  token: string,
  jwks: JwksInput,
  nowSeconds: number,
  config: AuthorizerConfig,
): Promise<VerifyResult> {
  await ensureWasm(config.wasm);
  // The keys are brought by the caller, so no URL is ever fetched: a placeholder JWKS_URI
  // keeps the URL rules (which apply to fetching) from refusing e.g. an http issuer.
  const settings = resolveSettings({ jwksUri: "https://keys.invalid/", ...config });
  const session = new ModuleSession(settings.config, await signatureProvider(config.signatures));
  try {
    const report = session.loadKeys(toBytes(jwks));
    if (!report.ok) return { ok: false, reason: "jwks_invalid", message: report.error ?? "invalid JWKS", kid: null };
    // Only numbers reach the module's clock rule (a string such as "1800000000" is refused too).
    const r = session.verify(String(token), typeof nowSeconds === "number" ? nowSeconds : Number.NaN);
    if (!r.ok && r.reason === "invalid_clock") throw new ConfigurationError(`invalid configuration: now: ${r.message}`);
    if (r.ok) return { ok: true, header: r.header, claims: r.claims };
    return { ok: false, reason: r.reason, message: r.message, kid: r.kid };
  } finally {
    session.free();
  }
}

function toBytes(jwks: JwksInput): Uint8Array {
  if (jwks instanceof Uint8Array) return jwks;
  if (jwks instanceof ArrayBuffer) return new Uint8Array(jwks);
  return new TextEncoder().encode(typeof jwks === "string" ? jwks : JSON.stringify(jwks));
}
