// Errors as types. Callers (and API Gateway) only ever see the message `Unauthorized`; the
// stable reason code is for logs and for programs that call the package directly.

/** A stable reason code: the core's (e.g. `token_expired`, `unknown_kid`) or the host's. */
export type ReasonCode = CoreReason | HostReason;

/** Reason codes decided by the verification core (core/src/reason.rs). */
export type CoreReason =
  | "invalid_event" | "missing_token" | "bad_authorization_scheme" | "ambiguous_token"
  | "token_too_large"
  | "malformed_token" | "invalid_base64" | "invalid_json" | "duplicate_member"
  | "unsupported_critical" | "unencoded_payload" | "algorithm_not_allowed" | "no_keys"
  | "unknown_kid" | "no_matching_key" | "key_mismatch" | "bad_signature" | "invalid_claim"
  | "missing_exp" | "missing_sub" | "token_expired" | "token_not_yet_valid" | "issued_in_future" | "missing_iat"
  | "token_too_old" | "issuer_mismatch" | "audience_mismatch" | "token_type_mismatch"
  | "client_not_allowed" | "missing_scope" | "claim_rule_failed" | "route_not_listed" | "response_too_large"
  | "invalid_clock" | "invalid_header_kid" | "invalid_header_typ" | "invalid_header_cty"
  | "jwks_unavailable" | "token_use_mismatch" | "certificate_required" | "certificate_mismatch"
  | "token_not_bound";

/** The reason code a host adds: the module failed (a trap), which is never a reason to allow. */
export type HostReason = "internal_error";

/**
 * A token or event was refused. The message is always exactly `Unauthorized`, so throwing it
 * from a Lambda authorizer makes API Gateway answer 401 and tells the caller nothing more.
 */
export class AuthorizerError extends Error {
  /** True for an `AuthorizerError` of either build of the package (see `isBranded`). */
  static [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class asked about, perhaps a subclass
    return isBranded(this, AuthorizerError, value, AUTHORIZER_ERROR);
  }
  override readonly name = "AuthorizerError";
  constructor(
    /** Why, as a stable code for logs and programs. Never shown to the caller. */
    readonly reason: ReasonCode,
    /** A human explanation of the reason, for logs. */
    readonly detail?: string,
  ) {
    super("Unauthorized");
    brand(this, AUTHORIZER_ERROR);
  }
}

/** The settings are invalid (a missing or malformed variable); the message names the setting. */
export class ConfigurationError extends Error {
  /** True for a `ConfigurationError` of either build of the package (see `isBranded`). */
  static [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class asked about, perhaps a subclass
    return isBranded(this, ConfigurationError, value, CONFIGURATION_ERROR);
  }
  override readonly name = "ConfigurationError";
  constructor(message?: string) {
    super(message);
    brand(this, CONFIGURATION_ERROR);
  }
}

// The package has an ES module and a CommonJS build. A process that loads both (an ES module
// program using a CommonJS library that uses jwtgate) has two copies of each class, and an error
// thrown by one copy would fail `instanceof` against the other. Each error carries a registered
// symbol, the same in both copies, and `instanceof` on the class itself checks that symbol;
// a subclass keeps the ordinary prototype check.
const AUTHORIZER_ERROR = Symbol.for("jwtgate.AuthorizerError");
const CONFIGURATION_ERROR = Symbol.for("jwtgate.ConfigurationError");

function brand(error: Error, symbol: symbol): void {
  Object.defineProperty(error, symbol, { value: true });
}

function isBranded(target: object, base: object, value: unknown, symbol: symbol): boolean {
  if (target !== base) return Function.prototype[Symbol.hasInstance].call(target, value);
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[symbol] === true;
}
