// A thin typed wrapper around the module's `Authorizer` class (one configuration and its
// current keys). Any throw from the module (a trap) becomes `internal_error`: never an allow.
import { Authorizer as WasmAuthorizer } from "../pkg/jwtgate_wasm.js";
import type { KeyReport } from "./jwks-cache.js";
import type { CoreConfig } from "./settings.js";
import { ConfigurationError, type ReasonCode } from "./errors.js";
import type { Decision, VerifiedToken } from "./types.js";

/** The module's `refresh_keys` outcome is internal to the host: it never leaves this package. */
export type ModuleDecision = Omit<Decision, "outcome"> & { outcome: Decision["outcome"] | "refresh_keys" };

export type ModuleVerification =
  | ({ ok: true } & VerifiedToken)
  | { ok: false; reason: ReasonCode; message: string; refresh_keys: boolean; kid: string | null };

const encoder = new TextEncoder();

/** Who checks signatures: the module's pure-Rust code, or the host verifier it imports. */
export type SignatureProvider = "wasm" | "host";

export class ModuleSession {
  private readonly inner: WasmAuthorizer;

  constructor(config: CoreConfig, provider: SignatureProvider = "wasm") {
    const json = JSON.stringify(config);
    const created = provider === "host" ? WasmAuthorizer.createWithHostProvider(json) : WasmAuthorizer.create(json);
    const inner = created.takeAuthorizer();
    const error = created.error;
    created.free();
    if (!inner) throw new ConfigurationError(error ? (JSON.parse(error) as { error: string }).error : "invalid configuration");
    this.inner = inner;
  }

  loadKeys(jwks: Uint8Array): KeyReport {
    try {
      return JSON.parse(this.inner.setKeys(jwks)) as KeyReport;
    } catch (e) {
      return { ok: false, error: `internal_error: ${(e as Error).message}` };
    }
  }

  authorize(eventJson: string, nowSeconds: number): ModuleDecision {
    try {
      return JSON.parse(this.inner.authorize(encoder.encode(eventJson), nowSeconds)) as ModuleDecision;
    } catch (e) {
      return internalError(e);
    }
  }

  /** The TOKEN event by its members: the same decision as `authorize` of its JSON. */
  authorizeToken(authorizationToken: string, methodArn: string, nowSeconds: number): ModuleDecision {
    try {
      return JSON.parse(this.inner.authorizeToken(authorizationToken, methodArn, nowSeconds)) as ModuleDecision;
    } catch (e) {
      return internalError(e);
    }
  }

  verify(token: string, nowSeconds: number): ModuleVerification {
    try {
      return JSON.parse(this.inner.verify(token, nowSeconds)) as ModuleVerification;
    } catch (e) {
      return { ok: false, reason: "internal_error", message: (e as Error).message, refresh_keys: false, kid: null };
    }
  }

  free(): void {
    this.inner.free();
  }
}

function internalError(e: unknown): ModuleDecision {
  return {
    outcome: "unauthorized",
    reason: "internal_error",
    message: (e as Error)?.message ?? String(e),
    event: null,
    alg: null,
    kid: null,
    iss: null,
    sub: null,
    client_id: null,
    response: null,
  };
}
