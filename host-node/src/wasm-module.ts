// The one jwtgate WebAssembly module, shared by every authorizer in this JavaScript realm.
// wasm-bindgen's glue keeps a single instance per realm, so it is initialised once.
import { initSync } from "../pkg/jwtgate_wasm.js";

/** The compiled module (edge runtimes import the .wasm as one) or its bytes. */
export type WasmSource = WebAssembly.Module | BufferSource;

/** Finds the module's bytes where no caller passed them (Node, bun: the file next to us). */
export type WasmLocator = () => Promise<WasmSource>;

let memory: WebAssembly.Memory | undefined;
let defaultLocator: WasmLocator | undefined;

/** Registered by the Node/bun entry point; edge entry points register none. */
export function setDefaultWasmLocator(locator: WasmLocator): void {
  defaultLocator = locator;
}

/** Make the module usable: from `source` if given, else from the runtime's default locator.
 * Bytes are compiled with `WebAssembly.compile`, which decodes and validates them off the main
 * thread; `meanwhile`, if given, runs on the main thread in that time (the host loads what it
 * needs next, instead of after the module is ready). Its failures are not this function's:
 * whatever it loads reports them again where it is used. */
export async function ensureWasm(source?: WasmSource, meanwhile?: () => Promise<unknown>): Promise<void> {
  if (memory !== undefined) return;
  if (source === undefined) {
    if (!defaultLocator) {
      throw new Error(
        "jwtgate: no WebAssembly module: pass `wasm` (a WebAssembly.Module or the bytes of jwtgate_wasm_bg.wasm) on this runtime",
      );
    }
    source = await defaultLocator();
    if (memory !== undefined) return; // another caller finished first while we were reading
  }
  let module: WebAssembly.Module;
  if (source instanceof WebAssembly.Module) {
    module = source;
  } else {
    const compiling = WebAssembly.compile(source);
    // Awaited below; until then a rejection must not count as unhandled (Node ends the
    // process on one).
    compiling.catch(() => undefined);
    await meanwhile?.().catch(() => undefined);
    module = await compiling;
  }
  if (memory !== undefined) return; // another caller finished first while we were compiling
  memory = initSync({ module }).memory;
}

/** The module's memory, where the TOKEN fast path writes its input (after `ensureWasm`). */
export function wasmMemory(): WebAssembly.Memory {
  if (memory === undefined) throw new Error("jwtgate: the WebAssembly module is not initialised");
  return memory;
}
