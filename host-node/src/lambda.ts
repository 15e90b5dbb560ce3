// A ready Lambda handler configured from the environment, as the original sample was:
// settings validated when the module loads (the init phase), keys cached across warm
// invocations, `Unauthorized` (401) for every refused token or malformed event.
import { createAuthorizer, type Authorizer, type AuthorizerConfig } from "./authorizer.js";
import { ConfigurationError } from "./errors.js";
import type { AuthorizerResponse } from "./types.js";

export type LambdaHandler = (event: unknown) => Promise<AuthorizerResponse>;

/**
 * The handler for `exports.handler`. Reads `process.env` (fields in `config` take precedence).
 * A configuration error fails every invocation with
 * `Misconfigured environment variables: <which setting and why>` (API Gateway answers 500).
 */
export function createLambdaHandler(config: AuthorizerConfig = {}): LambdaHandler {
  const env = config.env ?? (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};
  // Started at module load so the init phase does the work; the rejection is observed by
  // each invocation (and caught here so it is never an unhandled rejection).
  const ready: Promise<Authorizer> = createAuthorizer({ ...config, env });
  ready.catch(() => {});
  return async (event) => {
    let authorizer: Authorizer;
    try {
      authorizer = await ready;
    } catch (e) {
      if (e instanceof ConfigurationError) throw new Error(`Misconfigured environment variables: ${e.message}`);
      throw e;
    }
    return authorizer.authorize(event);
  };
}
