// A thin typed wrapper around the module's `Authorizer` class (one configuration and its
// current keys). Any throw from the module (a trap) becomes `internal_error`: never an allow.
import { Authorizer as WasmAuthorizer } from "../pkg/jwtgate_wasm.js";
import type { KeyReport } from "./jwks-cache.js";
import type { CoreConfig } from "./settings.js";
import { ConfigurationError, type ReasonCode } from "./errors.js";
import type { Decision, VerifiedToken } from "./types.js";

/** The module's `refresh_keys` outcome is internal to the host: it never leaves this package. */
export type ModuleDecision = Omit<Decision, "outcome"> & { outcome: Decision["outcome"] | "refresh_keys" };

/** The answer alone (the module leaves out the log fields when asked to). */
export type ModuleAnswer = Pick<ModuleDecision, "outcome" | "reason" | "message" | "response">;

/** What a decision call asks the module for: the whole decision, or the answer alone. */
export type DecisionFields = "all" | "answer";

export type ModuleVerification =
  | ({ ok: true } & VerifiedToken)
  | { ok: false; reason: ReasonCode; message: string; refresh_keys: boolean; kid: string | null };

const encoder = new TextEncoder();

/** Who checks signatures: the module's pure-Rust code, or the host verifier it imports. */
export type SignatureProvider = "wasm" | "host";

/**
 * The TOKEN fast path's encoding buffer, far above any real token and method ARN. One for all
 * sessions (`verifyWithKeys` makes a session per call and never needs it): every use is consumed
 * by the synchronous module call it is made for.
 */
const SCRATCH_BYTES = 64 * 1024;
let scratch: Uint8Array | undefined;

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

  authorize(eventJson: string, nowSeconds: number, fields?: "all"): ModuleDecision;
  authorize(eventJson: string, nowSeconds: number, fields: DecisionFields): ModuleAnswer;
  authorize(eventJson: string, nowSeconds: number, fields: DecisionFields = "all"): ModuleAnswer {
    try {
      return JSON.parse(this.inner.authorize(encoder.encode(eventJson), nowSeconds, fields === "all")) as ModuleAnswer;
    } catch (e) {
      return internalError(e);
    }
  }

  /** The TOKEN event by its members: the same decision as `authorize` of its JSON. */
  authorizeToken(authorizationToken: string, methodArn: string, nowSeconds: number, fields?: "all"): ModuleDecision;
  authorizeToken(authorizationToken: string, methodArn: string, nowSeconds: number, fields: DecisionFields): ModuleAnswer;
  authorizeToken(authorizationToken: string, methodArn: string, nowSeconds: number, fields: DecisionFields = "all"): ModuleAnswer {
    try {
      const [token, arn] = this.encodePair(authorizationToken, methodArn);
      return JSON.parse(this.inner.authorizeToken(token, arn, nowSeconds, fields === "all")) as ModuleAnswer;
    } catch (e) {
      return internalError(e);
    }
  }

  /**
   * Both strings as UTF-8 in the reused buffer: `encodeInto` is native, and reusing the buffer
   * keeps the warm path free of garbage. Inputs too long for it (a hostile event) are encoded
   * once and not kept; the module refuses them by size.
   */
  private encodePair(a: string, b: string): [Uint8Array, Uint8Array] {
    const worst = (a.length + b.length) * 3; // UTF-8 takes at most 3 bytes per UTF-16 unit
    if (worst > SCRATCH_BYTES) return [encoder.encode(a), encoder.encode(b)];
    scratch ??= new Uint8Array(SCRATCH_BYTES);
    const first = encoder.encodeInto(a, scratch).written;
    const second = encoder.encodeInto(b, scratch.subarray(first)).written;
    return [scratch.subarray(0, first), scratch.subarray(first, first + second)];
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
