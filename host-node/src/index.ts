// Node and bun entry point: the module's bytes are read from beside the package.
import { readWasmBesideModule } from "./wasm-node.js";
import { setDefaultWasmLocator } from "./wasm-module.js";
import { setDefaultHttpGetLoader, setNodeCryptoLoader } from "./authorizer.js";

setDefaultWasmLocator(readWasmBesideModule);
setNodeCryptoLoader(async () => (await import("./node-crypto-verifier.js")).nodeCryptoVerify);
// Node fetches keys through node:http (see node-http-get.ts); bun's own fetch is native and fast.
if (typeof process !== "undefined" && process.versions?.bun === undefined) {
  setDefaultHttpGetLoader(async () => (await import("./node-http-get.js")).nodeHttpGet);
}

export * from "./shared-exports.js";
