// The authorizer: settings validated at creation, every decision made by the WebAssembly core
// (which keeps every issuer's keys and says when to fetch them) and logged as one JSON line.
import { AuthorizerError, ConfigurationError, type ReasonCode } from "./errors.js";
import { getWithFetch, type FetchFunction, type FileRead, type HttpGet } from "./fetch-limited.js";
import { KeyFetches } from "./key-fetches.js";
import { guardedLogger, jsonLineLogger, silentLogger, type Logger, type LogLine } from "./log.js";
import { Metrics } from "./metrics.js";
import { ModuleSession, validateSettings, type DecisionFields, type ModuleAnswer, type ModuleDecision } from "./module-session.js";
import type { Settings, SettingsOptions, Signatures } from "./settings.js";
import type { AuthorizerResponse, Decision, Invocation, VerifiedToken } from "./types.js";
import { ensureWasm, type WasmSource } from "./wasm-module.js";

/** Runtime wiring: how to reach the module, the network, the clock and the log. */
export interface RuntimeOptions {
  /** The compiled module or its bytes. Node and bun find the file themselves; edge runtimes
   * pass the imported `jwtgate_wasm_bg.wasm`. */
  wasm?: WasmSource;
  /** The `fetch` used for key sets and discovery (default: `node:http` in Node, the global
   * `fetch` elsewhere). */
  fetch?: FetchFunction;
  /** Clock in milliseconds since the epoch (default `Date.now`); tests move it. */
  now?: () => number;
  /** Where the decision log lines go; `false` for nowhere. Default: JSON lines on stdout. A
   * function receives each line as an object (with its `_aws` metrics member unless
   * `metrics: false`). */
  log?: Logger | false;
  /**
   * Who checks signatures, over the setting `SIGNATURES`: `"host"` (the default: `node:crypto`
   * in Node and bun, for each algorithm whose known answers it gives at start-up; the module's
   * own code where the runtime has no `node:crypto`, as in edge runtimes) or `"wasm"` (the
   * module's own pure-Rust code for every algorithm, the same in every host). Everything else
   * is decided by the module either way, and both give the same answer on every test vector.
   *
   * Deprecated: `"node-crypto"`, this option's name for `"host"` before the setting and the
   * option shared one name, is still accepted as `"host"`; it will be removed.
   */
  signatures?: Signatures | "node-crypto";
}

export type AuthorizerConfig = SettingsOptions & RuntimeOptions;

export interface Authorizer {
  /**
   * Decide an API Gateway authorizer event. Resolves with the response to return (Allow, or
   * Deny for a valid token without the required scopes); rejects with `AuthorizerError`
   * (message `Unauthorized`, so API Gateway answers 401) otherwise. `invocation`: the ids the
   * decision's log line carries (`request_id`, `trace_id`); `createLambdaHandler` passes the
   * Lambda's.
   */
  authorize(event: unknown, invocation?: Invocation): Promise<AuthorizerResponse>;
  /** Like `authorize`, but resolves with the whole decision and never rejects. */
  decide(event: unknown, invocation?: Invocation): Promise<Decision>;
  /** Verify a bare token. Resolves with its header and claims, rejects with `AuthorizerError`. */
  verify(token: string): Promise<VerifiedToken>;
  /** The validated settings (configuration and JWKS rules). */
  readonly settings: Settings;
}

/**
 * What `authorize` needs of a decision: the response, or why there is none. A whole decision is
 * one; the module's answer alone for an allow or deny is the response without an outcome.
 */
type Answer = {
  outcome?: Decision["outcome"];
  reason?: ReasonCode | null;
  message?: string | null;
  response: AuthorizerResponse | null;
};

/** The host verifier's signature (see `setHostVerifier` in the module's glue). */
export type HostVerifier = (alg: string, publicJwk: string, message: Uint8Array, signature: Uint8Array) => boolean;

/** Set by the Node/bun entry point only, so edge bundles never reach `node:crypto`. */
let nodeCryptoLoader: (() => Promise<HostVerifier>) | null = null;

export function setNodeCryptoLoader(loader: () => Promise<HostVerifier>): void {
  nodeCryptoLoader = loader;
}

/** Set by the Node entry point only: how keys are fetched when the caller gives no `fetch`. */
let defaultHttpGetLoader: (() => Promise<HttpGet>) | null = null;

export function setDefaultHttpGetLoader(loader: () => Promise<HttpGet>): void {
  defaultHttpGetLoader = loader;
}

/** Set by the Node/bun entry point only: how a key set file of the deployment is read. */
let fileReader: FileRead | undefined;

export function setFileReader(reader: FileRead): void {
  fileReader = reader;
}

/** How many times one decision waits for key fetches: missing or expired keys, then an unknown
 * `kid` in the keys they brought, and one more for a fetch another decision queued meanwhile.
 * The core's rules end every round (a source fetched is not due again within the cooldown). */
const FETCH_ROUNDS = 3;

/** The caller's `fetch`, else the runtime's default: `node:http` in Node, `fetch` elsewhere. */
async function httpGet(fetchFn: FetchFunction | undefined): Promise<HttpGet> {
  if (fetchFn !== undefined) return getWithFetch(fetchFn);
  if (defaultHttpGetLoader !== null) return defaultHttpGetLoader();
  return getWithFetch((input, init) => fetch(input, init));
}

/** The `signatures` option (or setting) checked, with `node:crypto` registered with the module
 * when it asks for the host's provider. A runtime without `node:crypto` (the edge entry) has no
 * host provider: the module's own checks every signature. */
export async function signatureProvider(choice: RuntimeOptions["signatures"]): Promise<Signatures> {
  if (choice === "wasm") return "wasm";
  if (choice !== undefined && choice !== "host" && choice !== "node-crypto") {
    throw new ConfigurationError(`signatures: \`${String(choice)}\` is not "wasm" or "host"`);
  }
  if (nodeCryptoLoader === null) return "wasm";
  const [verify, { setHostVerifier }] = await Promise.all([nodeCryptoLoader(), import("../pkg/host-provider.js")]);
  setHostVerifier(verify);
  return "host";
}

/** Create an authorizer. Rejects with `ConfigurationError` when a setting is missing or invalid. */
export async function createAuthorizer(config: AuthorizerConfig = {}): Promise<Authorizer> {
  // While the module compiles, the signature provider and the key getter load what they need;
  // both are asked again below (their loads then cached), the provider once the settings name
  // a `SIGNATURES` choice.
  await ensureWasm(config.wasm, () => Promise.all([signatureProvider(config.signatures), httpGet(config.fetch)]));
  // The module configures the session from the settings it validated: the configuration is
  // read and checked once (wasm/ABI.md).
  const { settings, validated } = validateSettings(config);
  let session: ModuleSession;
  try {
    session = new ModuleSession(validated, await signatureProvider(config.signatures ?? settings.signatures));
  } finally {
    validated.free();
  }
  const nowMs = config.now ?? Date.now;
  // A log function that throws loses its line, never the decision (see `guardedLogger`).
  const log = config.log === false ? silentLogger : guardedLogger(config.log ?? jsonLineLogger);
  if (session.knownAnswersFailed.length > 0) {
    log({
      level: "warn",
      msg: "the host's signature provider failed its known answers; the module checks these algorithms itself",
      algorithms: [...session.knownAnswersFailed],
    });
  }
  const metrics = settings.metricsNamespace === null ? null : new Metrics(settings.metricsNamespace);
  const keys = new KeyFetches(session, await httpGet(config.fetch), fileReader, nowMs, log, metrics);

  /** The decision's log line: the same members, names and units as the Lambda host's. */
  function logDecision(
    d: Decision | ModuleDecision,
    started: number,
    kind: "authorize" | "verify",
    fetched: boolean,
    invocation?: Invocation,
  ): void {
    if (log === silentLogger) return;
    const line: LogLine = {
      level: d.outcome === "unauthorized" ? "warn" : "info",
      msg: "authorizer decision",
      call: kind,
      outcome: d.outcome,
      reason: d.reason,
      event: d.event,
      alg: d.alg,
      kid: d.kid,
      iss: d.iss,
      sub: d.sub,
      client_id: d.client_id,
      latency_ms: Math.round((performance.now() - started) * 1000) / 1000,
      keys_fetched: fetched,
    };
    if (metrics !== null) {
      line.decisions = 1;
      line._aws = metrics.decision(d.reason, nowMs);
    }
    if (invocation !== undefined) {
      if (typeof invocation.requestId === "string") line.request_id = invocation.requestId;
      if (typeof invocation.traceId === "string") line.trace_id = invocation.traceId;
    }
    log(line);
  }

  /** Timing for the log line; nothing to time when nothing is logged. */
  const startClock = (): number => (log === silentLogger ? 0 : performance.now());

  /**
   * Decide and log. The warm path (the module has the keys) decides synchronously and returns
   * the answer itself, which the public calls settle as one promise: the async layers it would
   * otherwise pass through cost more than a quarter of the work that is not the signature
   * check. `fields: "answer"` (only when nothing is logged) leaves the log fields out of the
   * module's document.
   */
  function decideWith(event: unknown, fields: "all", invocation?: Invocation): Decision | Promise<Decision>;
  function decideWith(event: unknown, fields: DecisionFields, invocation?: Invocation): Answer | Promise<Answer>;
  function decideWith(event: unknown, fields: DecisionFields, invocation?: Invocation): Answer | Promise<Answer> {
    const started = startClock();
    try {
      const members = tokenEventMembers(event);
      const eventJson = members === undefined ? eventText(event) : undefined;
      if (members === undefined && eventJson === undefined) return logged(refused("invalid_event", "the event is not JSON"), false);
      const decideOnce = (): ModuleAnswer =>
        members
          ? session.authorizeToken(members[0], members[1], nowMs(), fields)
          : session.authorize(eventJson as string, nowMs(), fields);
      const first = decideOnce();
      if (first.outcome !== "fetch_keys") return logged(first as Answer, false);
      return decideWaiting(decideOnce, first).then(
        (d) => logged(d, true),
        (e: unknown) => logged(hostFailed(e), true),
      );
    } catch (e) {
      // Only the host's own parts throw here (the `now` or `fetch` the caller gave, a bug): the
      // module never does (a trap is `internal_error` already). Refused, as anything that is
      // not a decision must be: API Gateway answers 401 only to `Unauthorized`.
      return logged(hostFailed(e), false);
    }

    function logged(d: Answer, fetched: boolean): Answer {
      // Logging implies `fields: "all"` (see `authorize`).
      logDecision(d as Decision, started, "authorize", fetched, invocation);
      return d;
    }
  }

  /** The rest of `decideWith`: the keys the module asked for, fetched, then decided again. */
  async function decideWaiting(decideOnce: () => ModuleAnswer, first: ModuleAnswer): Promise<Answer> {
    let d = first;
    for (let round = 0; round < FETCH_ROUNDS && d.outcome === "fetch_keys"; round++) {
      await keys.run();
      d = decideOnce();
    }
    if (d.outcome === "fetch_keys") return { ...d, outcome: "unauthorized", response: null };
    return d as Answer;
  }

  async function verify(token: string): Promise<VerifiedToken> {
    try {
      return await verifyOnce(token);
    } catch (e) {
      // As in `decideWith`: what is not the module's refusal is the host's failure, refused.
      if (e instanceof AuthorizerError) throw e;
      throw new AuthorizerError("internal_error", hostFailure(e));
    }
  }

  async function verifyOnce(token: string): Promise<VerifiedToken> {
    const started = startClock();
    const fields = { event: null, alg: null, kid: null, iss: null, sub: null, client_id: null } as const;
    if (typeof token !== "string") {
      logDecision({ ...fields, outcome: "unauthorized", reason: "malformed_token", message: null, response: null }, started, "verify", false);
      throw new AuthorizerError("malformed_token", "the token is not a string");
    }
    let r = session.verify(token, nowMs());
    let fetched = false;
    for (let round = 0; round < FETCH_ROUNDS && !r.ok && r.fetch_keys; round++) {
      await keys.run();
      fetched = true;
      r = session.verify(token, nowMs());
    }
    if (r.ok) {
      const c = r.claims;
      const str = (v: unknown) => (typeof v === "string" ? v : null);
      logDecision(
        { ...fields, outcome: "allow", reason: null, message: null, response: null, alg: r.header.alg, kid: r.header.kid, iss: str(c.iss), sub: str(c.sub), client_id: str(c.client_id) },
        started,
        "verify",
        fetched,
      );
      return { header: r.header, claims: r.claims };
    }
    logDecision({ ...fields, outcome: "unauthorized", reason: r.reason, message: r.message, response: null, kid: r.kid }, started, "verify", fetched);
    throw new AuthorizerError(r.reason, r.message);
  }

  return {
    settings,
    decide: (event: unknown, invocation?: Invocation) => Promise.resolve(decideWith(event, "all", invocation)),
    verify,
    authorize(event: unknown, invocation?: Invocation): Promise<AuthorizerResponse> {
      const d = decideWith(event, log === silentLogger ? "answer" : "all", invocation);
      return d instanceof Promise ? d.then(responseOf) : responseOf(d);
    },
  };
}

/** What `authorize` settles with: the response, or `AuthorizerError` when there is none. */
function responseOf(d: Answer): Promise<AuthorizerResponse> {
  return d.response === null
    ? Promise.reject(new AuthorizerError(d.reason ?? "internal_error", d.message ?? undefined))
    : Promise.resolve(d.response);
}

/** The event as JSON text, or undefined when it cannot be (circular or BigInt members). */
function eventText(event: unknown): string | undefined {
  try {
    return JSON.stringify(event);
  } catch {
    return undefined;
  }
}

/**
 * `[authorizationToken, methodArn]` when `event` is exactly a plain REST API TOKEN event (those
 * three members, strings, well-formed UTF-16 so their UTF-8 is the JSON's), else undefined.
 */
function tokenEventMembers(event: unknown): [string, string] | undefined {
  if (typeof event !== "object" || event === null || Object.getPrototypeOf(event) !== Object.prototype) return undefined;
  const names = Object.keys(event);
  if (names.length !== 3) return undefined;
  const { type, authorizationToken, methodArn } = event as Record<string, unknown>;
  if (type !== "TOKEN" || typeof authorizationToken !== "string" || typeof methodArn !== "string") return undefined;
  if (!names.every((n) => n === "type" || n === "authorizationToken" || n === "methodArn")) return undefined;
  if (!isWellFormed(authorizationToken) || !isWellFormed(methodArn)) return undefined;
  return [authorizationToken, methodArn];
}

const isWellFormed = (s: string): boolean =>
  typeof (s as { isWellFormed?: () => boolean }).isWellFormed === "function"
    ? (s as unknown as { isWellFormed: () => boolean }).isWellFormed()
    : !/[\uD800-\uDFFF]/.test(s);

/** What the log says of a host part that threw (the caller's `now` or `fetch`, a bug). */
function hostFailure(e: unknown): string {
  return `the host failed: ${e instanceof Error ? e.message : String(e)}`;
}

/** A host part that threw: refused as `internal_error`. */
function hostFailed(e: unknown): Decision {
  return refused("internal_error", hostFailure(e));
}

function refused(reason: ReasonCode, message: string): Decision {
  return {
    outcome: "unauthorized",
    reason,
    message,
    event: null,
    alg: null,
    kid: null,
    iss: null,
    sub: null,
    client_id: null,
    response: null,
  };
}
