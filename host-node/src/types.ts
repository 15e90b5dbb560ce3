// Shapes that cross the package boundary. Documents from the module are described in
// wasm/ABI.md; these types name them for TypeScript users.
import type { ReasonCode } from "./errors.js";

/** An API Gateway authorizer event: TOKEN, REQUEST (REST and HTTP API 1.0) or HTTP API 2.0.
 * Anything else is refused by the core with `invalid_event`. */
export interface AuthorizerEvent {
  type?: string;
  authorizationToken?: string;
  methodArn?: string;
  routeArn?: string;
  headers?: Record<string, string | undefined> | null;
  [member: string]: unknown;
}

export interface PolicyStatement {
  Action: string;
  Effect: "Allow" | "Deny";
  Resource: string | string[];
}

/** What a REST API (or HTTP API in policy mode) Lambda authorizer returns. */
export interface PolicyResponse {
  principalId: string;
  policyDocument: { Version: "2012-10-17"; Statement: PolicyStatement[] };
  context?: Record<string, string | number | boolean>;
}

/** What an HTTP API 2.0 authorizer returns in simple mode. */
export interface SimpleResponse {
  isAuthorized: boolean;
  context?: Record<string, string | number | boolean>;
}

export type AuthorizerResponse = PolicyResponse | SimpleResponse;

export type Outcome = "allow" | "deny" | "unauthorized";

/** One decision: the log fields and, unless unauthorized, the response for API Gateway. */
export interface Decision {
  outcome: Outcome;
  reason: ReasonCode | null;
  message: string | null;
  event: "token" | "request" | "http_v2" | null;
  alg: string | null;
  kid: string | null;
  iss: string | null;
  sub: string | null;
  client_id: string | null;
  /** `null` exactly when the outcome is `unauthorized`. */
  response: AuthorizerResponse | null;
}

/** What identifies one invocation in its decision's log line (`request_id`, `trace_id`); each
 * member left out is left out of the line. */
export interface Invocation {
  /** The platform's request id, e.g. the Lambda context's `awsRequestId`. */
  requestId?: string;
  /** The trace id, e.g. AWS X-Ray's `_X_AMZN_TRACE_ID`. */
  traceId?: string;
}

/** A verified token's protected header and claims. */
export interface VerifiedToken {
  header: { alg: string; kid: string | null; typ: string | null };
  claims: Record<string, unknown>;
}

/** The result of `verifyWithKeys`: the verified token, or the reason it was refused. */
export type VerifyResult =
  | ({ ok: true } & VerifiedToken)
  | { ok: false; reason: ReasonCode; message: string; kid: string | null };
