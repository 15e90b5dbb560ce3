// JwtGateAuthorizer: the jwtgate authorizer (Rust or Node flavour) as a REST API TOKEN or
// REQUEST authorizer, an HTTP API Lambda authorizer with simple responses, or a WebSocket API's
// $connect authorizer.
import { Duration, Token } from "aws-cdk-lib/core";
import * as apigateway from "aws-cdk-lib/aws-apigateway";
import { HttpLambdaAuthorizer, HttpLambdaResponseType, WebSocketLambdaAuthorizer } from "aws-cdk-lib/aws-apigatewayv2-authorizers";
import * as lambda from "aws-cdk-lib/aws-lambda";
import { Construct } from "constructs";
import { type Architecture, nodeCode, nodePackageDir, rustCode } from "./code";
import { ALGORITHMS, type JwtGateSettings, environment } from "./settings";
import { type ApiType, identitySources, parseTokenSources } from "./token-sources";

export { ALGORITHMS, VARIABLES, environment, type Algorithm, type JwtGateSettings, type RouteRule, type Signatures } from "./settings";
export { RUST_ZIPS, NODE_HANDLER, NODE_HANDLER_FILE, type Architecture } from "./code";
export { identitySources, parseTokenSources, type ApiType, type TokenSource } from "./token-sources";

export type Flavour = "rust" | "node";

export interface JwtGateAuthorizerProps {
  /** `rust`: the Rust Lambda (provided.al2023, `make lambda-zip`); `node`: the npm package. */
  readonly flavour: Flavour;
  /** The function's instruction set (default x86_64); the Rust flavour deploys the matching zip. */
  readonly architecture?: Architecture;
  /**
   * `rest-token`, `rest-request` (apigateway.RestApi), `http-api` (apigatewayv2.HttpApi) or
   * `websocket` (apigatewayv2.WebSocketApi, the `$connect` route).
   */
  readonly apiType: ApiType;
  /** The authorizer's settings, written to the function's environment. */
  readonly settings: JwtGateSettings;
  /**
   * How long API Gateway caches a decision per identity source (default 300 s; 0 turns it off).
   * WebSocket authorizers have no cache.
   */
  readonly resultsCacheTtl?: Duration;
  /** Rust flavour: the zip (or a directory holding `bootstrap`); default: the repository's build. */
  readonly rustCode?: string;
  /** Node flavour: the built npm package `jwtgate`; default: the installed one, else the repository's. */
  readonly nodePackage?: string;
  /** Node flavour: the runtime (default Node.js 22). */
  readonly nodeRuntime?: lambda.Runtime;
  /** Memory (default 128 MB for Rust, 256 MB for Node). */
  readonly memorySize?: number;
  /** Timeout (default 10 s, API Gateway's limit for an authorizer's answer). */
  readonly timeout?: Duration;
}

// Turns away what can never be `Bearer <compact JWS>` without invoking the function.
const BEARER_JWS = "^[Bb][Ee][Aa][Rr][Ee][Rr] [A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$";

/** What the authorizer would refuse at start, refused at synth (the setting's variable named). */
export function checkSettings(settings: JwtGateSettings): void {
  const given = (v: string | readonly unknown[] | undefined) => v !== undefined && (typeof v === "string" ? v.trim() !== "" : v.length > 0);
  if (!given(settings.issuers)) {
    if (!given(settings.issuer) && !given(settings.cognitoUserPoolId)) {
      throw new Error("jwtgate: ISSUER: required (the token issuer, exactly as in `iss`), or COGNITO_USER_POOL_ID, or ISSUERS");
    }
    if (!given(settings.audience) && !given(settings.allowedClientIds)) {
      throw new Error("jwtgate: AUDIENCE: required unless ALLOWED_CLIENT_IDS (there is no \"any audience\")");
    }
  }
  const uri = settings.jwksUri;
  if (uri !== undefined && !Token.isUnresolved(uri) && !/^https:\/\/[^/\s]/.test(uri)) {
    throw new Error(`jwtgate: JWKS_URI: \`${uri}\` is not an https URL`);
  }
  for (const alg of settings.algorithms ?? []) {
    if (!(ALGORITHMS as readonly string[]).includes(alg)) throw new Error(`jwtgate: ALGORITHMS: unsupported algorithm \`${alg}\``);
  }
}

/**
 * The jwtgate authorizer function and its API Gateway authorizer. Use `restAuthorizer` on a
 * RestApi's methods (`rest-token`, `rest-request`), `httpAuthorizer` on an HttpApi's routes, or
 * `webSocketAuthorizer` on a WebSocketApi's `$connect` route.
 */
export class JwtGateAuthorizer extends Construct {
  readonly function: lambda.Function;
  readonly apiType: ApiType;
  /** The identity sources the authorizer is keyed by (where TOKEN_SOURCES reads the token). */
  readonly identitySources: readonly string[];
  private readonly rest?: apigateway.IAuthorizer;
  private readonly http?: HttpLambdaAuthorizer;
  private readonly webSocket?: WebSocketLambdaAuthorizer;

  constructor(scope: Construct, id: string, props: JwtGateAuthorizerProps) {
    super(scope, id);
    const architecture = props.architecture ?? "x86_64";
    if (architecture !== "x86_64" && architecture !== "arm64") throw new Error(`jwtgate: architecture \`${architecture}\` is not x86_64 or arm64`);
    checkSettings(props.settings);
    this.apiType = props.apiType;
    const sources = parseTokenSources(props.settings.tokenSources);
    const ttl = props.resultsCacheTtl ?? Duration.seconds(300);
    const env = environment(props.settings);

    const common = {
      architecture: architecture === "arm64" ? lambda.Architecture.ARM_64 : lambda.Architecture.X86_64,
      environment: env,
      timeout: props.timeout ?? Duration.seconds(10),
      description: `jwtgate authorizer (${props.flavour})`,
    };
    if (props.flavour === "rust") {
      this.function = new lambda.Function(this, "Function", {
        ...common,
        runtime: lambda.Runtime.PROVIDED_AL2023,
        handler: "bootstrap",
        code: rustCode(architecture, props.rustCode),
        memorySize: props.memorySize ?? 128,
      });
    } else if (props.flavour === "node") {
      this.function = new lambda.Function(this, "Function", {
        ...common,
        runtime: props.nodeRuntime ?? lambda.Runtime.NODEJS_22_X,
        handler: "index.handler",
        code: nodeCode(nodePackageDir(props.nodePackage)),
        memorySize: props.memorySize ?? 256,
      });
    } else {
      throw new Error(`jwtgate: flavour \`${props.flavour as string}\` is not rust or node`);
    }

    switch (props.apiType) {
      case "rest-token": {
        // A TOKEN authorizer gets one header's value, read with the rule of the first header source.
        const header = sources.find((s) => s.kind === "header");
        if (header === undefined) throw new Error("jwtgate: TOKEN_SOURCES: a rest-token authorizer needs a header source (authorization or header:NAME)");
        const bearer = header.name.toLowerCase() === "authorization" && header.scheme?.toLowerCase() === "bearer";
        this.identitySources = [`method.request.header.${header.name}`];
        this.rest = new apigateway.TokenAuthorizer(this, "Authorizer", {
          handler: this.function,
          identitySource: this.identitySources[0],
          validationRegex: bearer ? BEARER_JWS : undefined,
          resultsCacheTtl: ttl,
        });
        break;
      }
      case "rest-request":
        this.identitySources = identitySources("rest-request", sources);
        this.rest = new apigateway.RequestAuthorizer(this, "Authorizer", {
          handler: this.function,
          identitySources: [...this.identitySources],
          resultsCacheTtl: ttl,
        });
        break;
      case "http-api": {
        const simple = (props.settings.httpApiResponse ?? "simple") === "simple";
        const ids = identitySources("http-api", sources);
        // Simple responses are cached per identity source values; with route rules the answer
        // depends on the route, so the route key joins them (README "Route rules").
        if (simple && props.settings.routeRules !== undefined && props.settings.routeRules.length > 0) ids.push("$context.routeKey");
        this.identitySources = ids;
        this.http = new HttpLambdaAuthorizer("jwtgate", this.function, {
          authorizerName: "jwtgate",
          identitySource: ids,
          responseTypes: [simple ? HttpLambdaResponseType.SIMPLE : HttpLambdaResponseType.IAM],
          resultsCacheTtl: ttl,
        });
        break;
      }
      case "websocket":
        // Only $connect takes an authorizer; its Allow policy covers the stage's routes.
        if (props.resultsCacheTtl !== undefined) throw new Error("jwtgate: resultsCacheTtl: WebSocket authorizers have no cache");
        this.identitySources = identitySources("websocket", sources);
        this.webSocket = new WebSocketLambdaAuthorizer("jwtgate", this.function, {
          authorizerName: "jwtgate",
          identitySource: [...this.identitySources],
        });
        break;
      default:
        throw new Error(`jwtgate: apiType \`${props.apiType as string}\` is not rest-token, rest-request, http-api or websocket`);
    }
  }

  /** The authorizer for a RestApi's methods (`rest-token`, `rest-request`). */
  get restAuthorizer(): apigateway.IAuthorizer {
    if (this.rest === undefined) throw new Error(`jwtgate: restAuthorizer of a ${this.apiType} authorizer`);
    return this.rest;
  }

  /** The authorizer for an HttpApi's routes (`http-api`). */
  get httpAuthorizer(): HttpLambdaAuthorizer {
    if (this.http === undefined) throw new Error(`jwtgate: httpAuthorizer of a ${this.apiType} authorizer`);
    return this.http;
  }

  /** The authorizer for a WebSocketApi's `$connect` route (`websocket`). */
  get webSocketAuthorizer(): WebSocketLambdaAuthorizer {
    if (this.webSocket === undefined) throw new Error(`jwtgate: webSocketAuthorizer of a ${this.apiType} authorizer`);
    return this.webSocket;
  }
}
