// API Gateway Lambda TOKEN authorizer: verifies the JWT access token in `authorizationToken`
// with jwtgate's WebAssembly core and answers with an IAM policy.
//
// Settings come from the environment (.env for `bun run test`, the function's configuration
// on Lambda): ISSUER, JWKS_URI, AUDIENCE and the optional ones in the package README.
//
// - valid token: an Allow policy with principalId = sub, for the whole stage by default
//   (POLICY_RESOURCE=method for the exact methodArn, as the original sample did);
// - anything else, including a malformed Authorization value: the error `Unauthorized` (401);
// - missing or invalid settings: `Misconfigured environment variables: ...` (500).
// The JWKS is fetched once per warm instance and cached (Cache-Control within bounds).
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from "aws-lambda";
import { createLambdaHandler } from "jwtgate";

const authorize = createLambdaHandler();

export const handler = async (event: APIGatewayTokenAuthorizerEvent): Promise<APIGatewayAuthorizerResult> =>
  (await authorize(event)) as APIGatewayAuthorizerResult;
