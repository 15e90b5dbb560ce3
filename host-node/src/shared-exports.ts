// The public API, the same on every runtime. Entry points add only how the module is found.
export { createAuthorizer, type Authorizer, type AuthorizerConfig, type RuntimeOptions } from "./authorizer.js";
export { verifyWithKeys, type JwksInput } from "./verify-with-keys.js";
export { createLambdaHandler, type LambdaHandler, type LambdaContext } from "./lambda.js";
export { AuthorizerError, ConfigurationError, type ReasonCode, type CoreReason, type HostReason } from "./errors.js";
export type { SettingsOptions, Settings, Signatures, IssuerProfile, JwksObject, CoreConfig, TokenSource, ClaimRule, ClaimValue, RouteRule } from "./settings.js";
export type { Logger, LogLine } from "./log.js";
export type { FetchFunction } from "./fetch-limited.js";
export type { WasmSource } from "./wasm-module.js";
export type * from "./types.js";
