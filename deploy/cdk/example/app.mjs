// An example CDK app: stacks of both flavours for each API type, each an API with one route
// behind the jwtgate authorizer. Deploy one (README "Deploy with the AWS CDK"):
//   npx cdk deploy -a "node example/app.mjs" -c issuer=https://YOUR_IDP/ -c audience=YOUR_API JwtGateRustHttpApi
// Context: issuer, audience, allowedClientIds, jwksUri, requiredScopes (space-separated),
// routeRules, architecture (x86_64 | arm64), rustCode, nodePackage.
import { App, CfnOutput, Duration, Stack } from "aws-cdk-lib";
import * as apigateway from "aws-cdk-lib/aws-apigateway";
import { HttpApi, HttpMethod, WebSocketApi, WebSocketStage } from "aws-cdk-lib/aws-apigatewayv2";
import { HttpUrlIntegration, WebSocketMockIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import { JwtGateAuthorizer } from "../lib/index.js";

const app = new App();
const context = (name) => app.node.tryGetContext(name);
const list = (value) => (value === undefined || value === "" ? undefined : String(value).split(/[ ,]+/).filter(Boolean));

const settings = {
  issuer: context("issuer") ?? "https://id.example.com/",
  audience: list(context("audience")) ?? (context("allowedClientIds") ? undefined : ["api://example"]),
  allowedClientIds: list(context("allowedClientIds")),
  jwksUri: context("jwksUri"),
  requiredScopes: list(context("requiredScopes")),
};
const architecture = context("architecture") ?? "x86_64";
const rustCode = context("rustCode");
const nodePackage = context("nodePackage");
// The backend: a public echo of the request, standing for your integration.
const BACKEND = "https://httpbin.org/anything";

function restApi(id, flavour, apiType, extra = {}) {
  const stack = new Stack(app, id);
  const gate = new JwtGateAuthorizer(stack, "JwtGate", {
    flavour, apiType, architecture, rustCode, nodePackage,
    settings: { ...settings, ...extra },
    resultsCacheTtl: Duration.minutes(5),
  });
  const api = new apigateway.RestApi(stack, "Api", { deployOptions: { stageName: "prod" } });
  api.root.addResource("hello").addMethod("GET", new apigateway.HttpIntegration(BACKEND), { authorizer: gate.restAuthorizer });
  new CfnOutput(stack, "HelloUrl", { value: api.urlForPath("/hello") });
}

function httpApi(id, flavour, extra = {}) {
  const stack = new Stack(app, id);
  const gate = new JwtGateAuthorizer(stack, "JwtGate", {
    flavour, apiType: "http-api", architecture, rustCode, nodePackage,
    settings: { ...settings, ...extra },
    resultsCacheTtl: Duration.minutes(5),
  });
  const api = new HttpApi(stack, "Api", { defaultAuthorizer: gate.httpAuthorizer });
  api.addRoutes({ path: "/hello", methods: [HttpMethod.GET], integration: new HttpUrlIntegration("Backend", BACKEND) });
  new CfnOutput(stack, "HelloUrl", { value: `${api.apiEndpoint}/hello` });
}

function webSocketApi(id, flavour, extra = {}) {
  const stack = new Stack(app, id);
  const gate = new JwtGateAuthorizer(stack, "JwtGate", {
    flavour, apiType: "websocket", architecture, rustCode, nodePackage,
    settings: { ...settings, ...extra },
  });
  const api = new WebSocketApi(stack, "Api", {
    connectRouteOptions: { integration: new WebSocketMockIntegration("Connect"), authorizer: gate.webSocketAuthorizer },
  });
  const stage = new WebSocketStage(stack, "Stage", { webSocketApi: api, stageName: "prod", autoDeploy: true });
  new CfnOutput(stack, "WebSocketUrl", { value: stage.url });
}

restApi("JwtGateRustRestToken", "rust", "rest-token");
restApi("JwtGateNodeRestRequest", "node", "rest-request", { tokenSources: ["cookie:__Host-access"] });
httpApi("JwtGateRustHttpApi", "rust", { routeRules: context("routeRules") ?? "GET /hello=hello:read" });
httpApi("JwtGateNodeHttpApi", "node", { tokenSources: ["query:access_token"] });
webSocketApi("JwtGateRustWebSocket", "rust", { tokenSources: ["query:token"], routeRules: "$connect=chat:join" });
app.synth();
