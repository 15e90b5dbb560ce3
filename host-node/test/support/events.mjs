// API Gateway authorizer events, shaped as API Gateway sends them.
export const METHOD_ARN = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/pets";
export const STAGE_ARN = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/*/*";

export const tokenEvent = (token, scheme = "Bearer") => ({
  type: "TOKEN",
  authorizationToken: `${scheme} ${token}`,
  methodArn: METHOD_ARN,
});

export const requestEvent = (authorization) => ({
  type: "REQUEST",
  methodArn: METHOD_ARN,
  resource: "/pets",
  path: "/pets",
  httpMethod: "GET",
  headers: { Authorization: authorization },
});
