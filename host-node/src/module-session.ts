// A thin typed wrapper around the module's `Authorizer` class (one configuration and its key
// cache). Any throw from the module (a trap) becomes `internal_error`: never an allow.
import { Settings as ModuleSettings, Authorizer as WasmAuthorizer } from "../pkg/jwtgate_wasm.js";
import type { FetchRequest, ReplyDocument } from "./fetch-limited.js";
import { moduleInput, parseSettings, type CoreConfig, type Settings, type SettingsOptions, type Signatures } from "./settings.js";
import { ConfigurationError, type ReasonCode } from "./errors.js";
import { wasmMemory } from "./wasm-module.js";
import type { AuthorizerResponse, Decision, VerifiedToken } from "./types.js";

/** The module's `fetch_keys` outcome is internal to the host: it never leaves this package. */
export type ModuleDecision = Omit<Decision, "outcome"> & { outcome: Decision["outcome"] | "fetch_keys" };

/**
 * The answer alone: what `authorize` resolves with (the response, allow or deny), or why it
 * rejects (`outcome`, `reason`, `message`, and no response). A whole decision is one too.
 */
export type ModuleAnswer =
  | { outcome?: undefined; reason?: undefined; message?: undefined; response: AuthorizerResponse }
  | Pick<ModuleDecision, "outcome" | "reason" | "message" | "response">;

/** What a decision call asks the module for: the whole decision, or the answer alone. */
export type DecisionFields = "all" | "answer";

export type ModuleVerification =
  | ({ ok: true } & VerifiedToken)
  | { ok: false; reason: ReasonCode; message: string; fetch_keys: boolean; kid: string | null };

const encoder = new TextEncoder();

/**
 * The largest input area a session keeps in the module's memory for the TOKEN fast path: far
 * above any real token and method ARN. Longer members (beyond the default token limit; most
 * likely a hostile event) go the event JSON's way, to the same decision, without growing the
 * area.
 */
const MAX_AREA_BYTES = 64 * 1024;
const MIN_AREA_BYTES = 4 * 1024;

/**
 * `resolveSettings` (settings.ts), keeping what the module validated: `validated` holds the
 * configuration the settings make, which a `ModuleSession` takes as it is, without the module
 * reading it again. The caller frees `validated`. (Here, not in settings.ts: the package's
 * public declarations name nothing of the module's glue.)
 */
export function validateSettings(options: SettingsOptions): { settings: Settings; validated: ModuleSettings } {
  const validated = ModuleSettings.fromEnv(...moduleInput(options));
  try {
    return { settings: parseSettings(validated.document), validated };
  } catch (e) {
    validated.free();
    throw e;
  }
}

export class ModuleSession {
  private readonly inner: WasmAuthorizer;
  /** A view of the module's input area; emptied (detached) when the module's memory grows. */
  private area = new Uint8Array(0);
  /** The algorithms whose known answers the host's provider failed: the module checks them. */
  readonly knownAnswersFailed: readonly string[];

  /** `config`: the configuration, or its JSON text, or settings the module validated
   * (`validateSettings`), whose configuration it then takes as it is, without reading it again.
   * `signatures`: `"host"` checks them with the verifier registered with the module's
   * `setHostVerifier`. */
  constructor(config: CoreConfig | string | ModuleSettings, signatures: Signatures = "wasm") {
    const created =
      config instanceof ModuleSettings
        ? WasmAuthorizer.createFromSettings(config, signatures)
        : createdFromJson(typeof config === "string" ? config : JSON.stringify(config), signatures);
    const inner = created.takeAuthorizer();
    const error = created.error;
    const report = created.report;
    created.free();
    if (!inner) throw new ConfigurationError(error ? (JSON.parse(error) as { error: string }).error : "invalid configuration");
    this.inner = inner;
    this.knownAnswersFailed = (JSON.parse(report) as { known_answers_failed?: string[] }).known_answers_failed ?? [];
  }

  /** The next request the module asks for, if one is due. A trap gives none. */
  nextFetch(nowMs: number): FetchRequest | undefined {
    try {
      const request = this.inner.nextFetch(nowMs);
      return request === undefined ? undefined : (JSON.parse(request) as FetchRequest);
    } catch {
      return undefined;
    }
  }

  /** Hand the module what a request got; the log line to write, or "". */
  fetched(reply: ReplyDocument, body: Uint8Array, nowMs: number): string {
    try {
      return this.inner.fetched(encoder.encode(JSON.stringify(reply)), body, nowMs);
    } catch (e) {
      return JSON.stringify({ level: "error", msg: "keys fetch failed", failure: "internal_error", error: (e as Error).message });
    }
  }

  /** Queue the first fetch of every issuer's keys. */
  warmUp(nowMs: number): void {
    try {
      this.inner.warmUp(nowMs);
    } catch {
      // A trap here leaves nothing queued: the first decision asks again.
    }
  }

  authorize(eventJson: string, nowMs: number, fields?: "all"): ModuleDecision;
  authorize(eventJson: string, nowMs: number, fields: DecisionFields): ModuleAnswer;
  authorize(eventJson: string, nowMs: number, fields: DecisionFields = "all"): ModuleAnswer {
    try {
      return answer(this.inner.authorize(encoder.encode(eventJson), nowMs, fields === "all"));
    } catch (e) {
      return internalError(e);
    }
  }

  /** The TOKEN event by its members: the same decision as `authorize` of its JSON. */
  authorizeToken(authorizationToken: string, methodArn: string, nowMs: number, fields?: "all"): ModuleDecision;
  authorizeToken(authorizationToken: string, methodArn: string, nowMs: number, fields: DecisionFields): ModuleAnswer;
  authorizeToken(authorizationToken: string, methodArn: string, nowMs: number, fields: DecisionFields = "all"): ModuleAnswer {
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    const worst = (authorizationToken.length + methodArn.length) * 3;
    if (worst > MAX_AREA_BYTES) {
      return this.authorize(JSON.stringify({ type: "TOKEN", authorizationToken, methodArn }), nowMs, fields);
    }
    try {
      // Encoded natively, straight into the module's memory: nothing copied, nothing allocated.
      const area = this.inputArea(worst);
      const token = encoder.encodeInto(authorizationToken, area);
      const arn = encoder.encodeInto(methodArn, area.subarray(token.written));
      // The area always holds both (see `worst`); were it ever short, a cut member must not be
      // decided as if whole.
      if (token.read !== authorizationToken.length || arn.read !== methodArn.length) return internalError(new Error("input area too small"));
      return answer(this.inner.authorizeTokenAt(token.written, arn.written, nowMs, fields === "all"));
    } catch (e) {
      return internalError(e);
    }
  }

  /** A view of at least `len` bytes of the module's input area for this session. */
  private inputArea(len: number): Uint8Array {
    if (this.area.length < len) {
      const size = Math.max(len, MIN_AREA_BYTES);
      const at = this.inner.inputArea(size);
      this.area = new Uint8Array(wasmMemory().buffer, at, size);
    }
    return this.area;
  }

  verify(token: string, nowMs: number): ModuleVerification {
    try {
      return JSON.parse(this.inner.verify(token, nowMs)) as ModuleVerification;
    } catch (e) {
      return { ok: false, reason: "internal_error", message: (e as Error).message, fetch_keys: false, kid: null };
    }
  }

  free(): void {
    this.inner.free();
  }
}

function createdFromJson(json: string, signatures: Signatures) {
  return signatures === "host" ? WasmAuthorizer.createWithHostProvider(json) : WasmAuthorizer.create(json);
}

/**
 * A decision document read: the whole decision, or the answer alone, which is the response
 * itself when there is one (a response never has an `outcome` member; see ABI.md).
 */
function answer(text: string): ModuleAnswer {
  const doc = JSON.parse(text) as ModuleAnswer | AuthorizerResponse;
  return "outcome" in doc ? (doc as ModuleAnswer) : { response: doc as AuthorizerResponse };
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
