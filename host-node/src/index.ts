// Node and bun entry point: the module's bytes are read from beside the package.
import { readWasmBesideModule } from "./wasm-node.js";
import { setDefaultWasmLocator } from "./wasm-module.js";

setDefaultWasmLocator(readWasmBesideModule);

export * from "./shared-exports.js";
