// Module compile time in a fresh Node process (V8 caches compiled modules within a process,
// so every sample is its own process): new WebAssembly.Module over the .wasm bytes, which is
// what the package's initSync does.
import { readFileSync } from "node:fs";

const bytes = readFileSync(process.argv[2]);
const t = performance.now();
const module = new WebAssembly.Module(bytes);
const compileMs = performance.now() - t;
process.stdout.write(`@@bench ${JSON.stringify({ compile_ms: compileMs, exports: WebAssembly.Module.exports(module).length })}\n`);
