// Node and bun: read jwtgate_wasm_bg.wasm from beside this module. Two layouts exist:
//   - the package as installed (ESM): dist/wasm-node.js next to ../pkg/jwtgate_wasm_bg.wasm;
//   - bundled into one CommonJS file (the Lambda zip): the .wasm copied beside index.cjs,
//     where `import.meta` is empty and `__dirname` names the bundle's folder.
import type { WasmSource } from "./wasm-module.js";

const WASM_FILE = "jwtgate_wasm_bg.wasm";

export async function readWasmBesideModule(): Promise<WasmSource> {
  const { readFile } = await import("node:fs/promises");
  const { join } = await import("node:path");
  const { fileURLToPath } = await import("node:url");
  const candidates: string[] = [];
  const here = (import.meta as { url?: string }).url;
  if (typeof here === "string" && here.startsWith("file:")) {
    candidates.push(fileURLToPath(new URL(`../pkg/${WASM_FILE}`, here)));
    candidates.push(fileURLToPath(new URL(WASM_FILE, here)));
  }
  if (typeof __dirname === "string") candidates.push(join(__dirname, WASM_FILE));
  for (const path of candidates) {
    try {
      return await readFile(path);
    } catch {
      // try the next layout
    }
  }
  throw new Error(`jwtgate: ${WASM_FILE} not found (looked in: ${candidates.join(", ")})`);
}
