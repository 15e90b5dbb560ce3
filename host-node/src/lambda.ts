// A ready Lambda handler configured from the environment, as the original sample was:
// settings validated when the module loads (the init phase), keys cached across warm
// invocations, `Unauthorized` (401) for every refused token or malformed event.
import { createAuthorizer, type Authorizer, type AuthorizerConfig } from "./authorizer.js";
import { ConfigurationError } from "./errors.js";
import type { AuthorizerResponse, Invocation } from "./types.js";

/** What the handler reads of the Lambda context: the request id for the log line. */
export interface LambdaContext {
  awsRequestId?: string;
}

export type LambdaHandler = (event: unknown, context?: LambdaContext) => Promise<AuthorizerResponse>;

/**
 * The handler for `exports.handler`. Reads `process.env` (fields in `config` take precedence).
 * A configuration error fails every invocation with
 * `Misconfigured environment variables: <which setting and why>` (API Gateway answers 500).
 * Each decision's log line carries the invocation's `request_id` (the context's
 * `awsRequestId`) and `trace_id` (`_X_AMZN_TRACE_ID`, which the runtime sets per invocation).
 */
export function createLambdaHandler(config: AuthorizerConfig = {}): LambdaHandler {
  const processEnv = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env;
  const env = config.env ?? processEnv ?? {};
  // Started at module load so the init phase does the work; the rejection is observed by
  // each invocation (and caught here so it is never an unhandled rejection).
  const ready: Promise<Authorizer> = createAuthorizer({ ...config, env });
  ready.catch(() => {});
  return async (event, context) => {
    let authorizer: Authorizer;
    try {
      authorizer = await ready;
    } catch (e) {
      if (e instanceof ConfigurationError) throw new Error(`Misconfigured environment variables: ${e.message}`);
      throw e;
    }
    return authorizer.authorize(event, invocation(context, processEnv?._X_AMZN_TRACE_ID));
  };
}

function invocation(context: LambdaContext | undefined, traceId: string | undefined): Invocation {
  const ids: Invocation = {};
  if (typeof context?.awsRequestId === "string") ids.requestId = context.awsRequestId;
  if (typeof traceId === "string" && traceId !== "") ids.traceId = traceId;
  return ids;
}
