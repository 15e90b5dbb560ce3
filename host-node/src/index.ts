// Node and bun entry point: the module's bytes are read from beside the package.
import { readFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { readWasmBesideModule } from "./wasm-node.js";
import { setDefaultWasmLocator } from "./wasm-module.js";
import { setDefaultHttpGetLoader, setFileReader, setNodeCryptoLoader } from "./authorizer.js";
import { TooLarge } from "./fetch-limited.js";
import { setConfigFileReader } from "./settings.js";

setDefaultWasmLocator(readWasmBesideModule);
// CONFIG_FILE and key set files of the deployment (relative paths from the working directory).
setConfigFileReader((path) => readFileSync(path, "utf8"));
setFileReader(async (path, maxBytes) => {
  const file = await open(path, "r");
  try {
    const buffer = new Uint8Array(maxBytes + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await file.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > maxBytes) throw new TooLarge();
    }
    return buffer.subarray(0, length);
  } finally {
    await file.close();
  }
});
setNodeCryptoLoader(async () => (await import("./node-crypto-verifier.js")).nodeCryptoVerify);
// Node fetches keys through node:http (see node-http-get.ts); bun's own fetch is native and fast.
if (typeof process !== "undefined" && process.versions?.bun === undefined) {
  setDefaultHttpGetLoader(async () => (await import("./node-http-get.js")).nodeHttpGet);
}

export * from "./shared-exports.js";
