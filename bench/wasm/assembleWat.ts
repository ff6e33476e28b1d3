import { readFileSync } from "node:fs";
import wabtInit from "wabt";

/** The part of the WebAssembly JS API used here (the compiler's lib has no DOM typings). */
export interface WasmInstance {
  exports: Record<string, unknown>;
}
interface WasmApi {
  compile(bytes: Uint8Array): Promise<unknown>;
  instantiate(module: unknown, imports: object): Promise<WasmInstance>;
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/**
 * Assembles a WebAssembly text file of the repository (SIMD enabled) with WABT from npm and instantiates it: the
 * kernels are built from their source on every run, no binary is checked in.
 * @param watPath path of the .wat file
 */
export async function instantiateWat(watPath: string): Promise<WasmInstance> {
  const wabt = await wabtInit();
  const module = wabt.parseWat(watPath, readFileSync(watPath, "utf8"), { simd: true });
  try {
    module.validate();
    const { buffer } = module.toBinary({});
    return await wasmApi.instantiate(await wasmApi.compile(buffer), {});
  } finally {
    module.destroy();
  }
}
