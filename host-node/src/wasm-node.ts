// Node and bun: read jwtgate_wasm_bg.wasm from the package or from beside the running bundle.
// Where this code runs decides how it knows its own place:
//   - the package's ES module build, dist/wasm-node.js: `import.meta.url`;
//   - the package's CommonJS build, cjs/index.js (one file, built by esbuild): `__dirname`,
//     as there is no `import.meta` in CommonJS;
//   - a user's bundle (the Lambda zip's index.cjs, or an ES module bundle): either one.
// A bundle has the .wasm copied beside it; the package keeps it in pkg/, beside dist/ and cjs/.
// Static imports: this file is only in the Node and bun entry. A dynamic `import()` of a
// built-in from a CommonJS bundle starts Node's ES module loader, about 2-3 ms of a cold start.
// The file is read synchronously: once per process, at start-up, where nothing else waits on
// the event loop; an asynchronous read of its 300 KB goes through libuv's thread pool in
// chunks and reaches the module later.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { WasmSource } from "./wasm-module.js";

const WASM_FILE = "jwtgate_wasm_bg.wasm";

export async function readWasmBesideModule(): Promise<WasmSource> {
  // This module's folder, by ES module URL or by CommonJS `__dirname`.
  const folders: string[] = [];
  const here = (import.meta as { url?: string }).url;
  if (typeof here === "string" && here.startsWith("file:")) folders.push(dirname(fileURLToPath(here)));
  if (typeof __dirname === "string") folders.push(__dirname);
  const candidates: string[] = [];
  for (const folder of folders) {
    candidates.push(join(folder, WASM_FILE), join(folder, "..", "pkg", WASM_FILE));
  }
  for (const path of candidates) {
    try {
      return readFileSync(path);
    } catch {
      // try the next layout
    }
  }
  throw new Error(`jwtgate: ${WASM_FILE} not found (looked in: ${candidates.join(", ")})`);
}
