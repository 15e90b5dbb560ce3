// Verification with keys the caller brings (edge runtimes, tests): no fetch, no cache, the
// caller's clock. The same core and the same settings as `createAuthorizer`.
import { signatureProvider, type AuthorizerConfig } from "./authorizer.js";
import { ConfigurationError } from "./errors.js";
import { ModuleSession } from "./module-session.js";
import { resolveSettings, type JwksObject } from "./settings.js";
import type { VerifyResult } from "./types.js";
import { ensureWasm } from "./wasm-module.js";

/** A JWKS as bytes, JSON text or an object `{ keys: [...] }`. */
export type JwksInput = Uint8Array | ArrayBuffer | string | { keys: unknown[] };

/**
 * Verify `token` against `jwks` at `nowSeconds` (Unix seconds; fractions are floored). Resolves
 * with a result, never rejects for a bad token: `{ ok: true, header, claims }` or
 * `{ ok: false, reason, message }`. Rejects with `ConfigurationError` for invalid settings (a
 * key set that is not one names JWKS), and for a `nowSeconds` that is not a number of seconds
 * from 2000-01-01 up to 2^53 (the module's rule: NaN, `undefined`, `null`, strings and negative
 * numbers are never decided as 1970).
 */
export async function verifyWithKeys(
  token: string,
  jwks: JwksInput,
  nowSeconds: number,
  config: AuthorizerConfig,
): Promise<VerifyResult> {
  await ensureWasm(config.wasm);
  // The caller's keys become the configuration's static keys: nothing is ever fetched.
  const settings = resolveSettings({ ...config, jwks: toObject(jwks) });
  const session = new ModuleSession(settings.config, await signatureProvider(config.signatures));
  try {
    // Only numbers reach the module's clock rule (a string such as "1800000000" is refused too).
    const r = session.verify(String(token), typeof nowSeconds === "number" ? nowSeconds * 1000 : Number.NaN);
    if (!r.ok && r.reason === "invalid_clock") throw new ConfigurationError(`invalid configuration: now: ${r.message}`);
    if (r.ok) return { ok: true, header: r.header, claims: r.claims };
    return { ok: false, reason: r.reason, message: r.message, kid: r.kid };
  } finally {
    session.free();
  }
}

/** The key set as an object; one that is not a JSON object is refused naming JWKS. */
function toObject(jwks: JwksInput): JwksObject {
  let value: unknown = jwks;
  try {
    if (jwks instanceof Uint8Array || jwks instanceof ArrayBuffer) value = JSON.parse(new TextDecoder().decode(jwks));
    else if (typeof jwks === "string") value = JSON.parse(jwks);
  } catch {
    value = undefined;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ConfigurationError("invalid configuration: JWKS: not a JSON key set object {\"keys\": [...]}");
  }
  return value as JwksObject;
}
