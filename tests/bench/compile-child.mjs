// Module compile time in a fresh process of Node, bun or Deno (engines cache compiled modules
// within a process, so every sample is its own process): new WebAssembly.Module over the .wasm
// bytes, the work the package's WebAssembly.compile does off the main thread, timed here on it.
import { readFileSync } from "node:fs";
import process from "node:process";

const bytes = readFileSync(process.argv[2]);
const t = performance.now();
const module = new WebAssembly.Module(bytes);
const compileMs = performance.now() - t;
process.stdout.write(`@@bench ${JSON.stringify({ compile_ms: compileMs, exports: WebAssembly.Module.exports(module).length })}\n`);
