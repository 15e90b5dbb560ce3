// Verification with keys the caller brings (edge runtimes, tests): no fetch, no cache, the
// caller's clock. The same core and the same settings as `createAuthorizer`.
import { signatureProvider, type AuthorizerConfig } from "./authorizer.js";
import { ConfigurationError } from "./errors.js";
import { ModuleSession } from "./module-session.js";
import { resolveSettings, type Signatures } from "./settings.js";
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
  // The caller's keys become the configuration's static keys: nothing is ever fetched. Their
  // text goes into the configuration's JSON as it is (a large set is read once in JavaScript
  // and once in the module, not parsed and written again on the way).
  const settings = resolveSettings({ ...config, jwks: undefined, jwksUri: config.jwksUri ?? "https://keys.invalid/" });
  // The placeholder URL only let the settings pass the discovery rule (which applies to
  // fetching); the configuration has the caller's keys instead.
  const { jwks: _, jwks_uri: __, ...rest } = settings.config;
  const text = jwksText(jwks);
  const session = createSession(`${JSON.stringify(rest).slice(0, -1)},"jwks":${text}}`, await signatureProvider(config.signatures));
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

/** The key set's JSON text. */
function jwksText(jwks: JwksInput): string {
  if (jwks instanceof Uint8Array || jwks instanceof ArrayBuffer) return new TextDecoder().decode(jwks);
  return typeof jwks === "string" ? jwks : JSON.stringify(jwks);
}

/** The session for a configuration whose only text not written by the module is the caller's
 * key set: a refusal of the document as a whole is then the key set's. */
function createSession(configText: string, signatures: Signatures): ModuleSession {
  try {
    return new ModuleSession(configText, signatures);
  } catch (e) {
    if (e instanceof ConfigurationError && /^invalid configuration: (config|jwks):/.test(e.message)) {
      throw new ConfigurationError(`invalid configuration: JWKS: not a JSON key set object {"keys": [...]} (${e.message})`);
    }
    throw e;
  }
}
