// Edge entry point (workerd, Deno, browsers): no file system, so callers pass the module,
// e.g. `import wasm from "jwtgate/jwtgate_wasm_bg.wasm"` and `createAuthorizer({ wasm, ... })`.
export * from "./shared-exports.js";
