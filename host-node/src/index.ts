// Node and bun entry point: the module's bytes are read from beside the package.
import { readWasmBesideModule } from "./wasm-node.js";
import { setDefaultWasmLocator } from "./wasm-module.js";
import { setNodeCryptoLoader } from "./authorizer.js";

setDefaultWasmLocator(readWasmBesideModule);
setNodeCryptoLoader(async () => (await import("./node-crypto-verifier.js")).nodeCryptoVerify);

export * from "./shared-exports.js";
