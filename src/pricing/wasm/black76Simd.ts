/**
 * The WASM SIMD Black-76 kernel (`black76.wat` beside this file) and the one switch that turns it on or off.
 *
 * The kernel prices `n` options from six f64 columns in its memory (forward, strike, stdDev = vol sqrt(years),
 * discount factor, sign +1 call / -1 put, output price), two at a time. Its prices agree with
 * `black76PriceUnchecked` within 1e-14 x (forward + strike) (tested over a wide grid; measured 2e-16).
 *
 * The module's bytes are assembled from the WAT source by `scripts/build-wasm.mjs` (WABT from npm) into
 * `black76.wasm` beside the compiled loader; reading that file is loading code, not market data, so the pricing
 * layer stays free of data I/O. Switch: `XMARGIN_BLACK76=js` in the environment, or `setBlack76Backend("js")`,
 * selects the JS path; the default is the kernel when WebAssembly SIMD is available and its bytes are found.
 */
import { readFileSync } from "node:fs";

/** Prices one kernel call holds (the WAT's column stride is 4096 f64 = 32768 bytes). */
export const BLACK76_SIMD_CAPACITY = 4096;
const COLUMN_BYTES = BLACK76_SIMD_CAPACITY * 8;

export type Black76Backend = "wasm" | "js";

/** Input and output columns of the kernel (views of its memory) and its entry point. */
export interface Black76SimdKernel {
  forwardUsd: Float64Array;
  strikeUsd: Float64Array;
  stdDev: Float64Array;
  discountFactor: Float64Array;
  /** +1 for a call, -1 for a put. */
  sign: Float64Array;
  /** Output: price USD per unit, filled by `price(n)`. */
  priceUsd: Float64Array;
  /** Prices entries 0 .. n-1, n <= capacity (an odd n also prices the slot n, which the capacity, even, holds). */
  price(n: number): void;
}

/** The part of the WebAssembly JS API used here (the compiler's lib has no DOM typings). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const wasmApi = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

let requested: Black76Backend = process.env.XMARGIN_BLACK76 === "js" ? "js" : "wasm";
let kernel: Black76SimdKernel | null | undefined;

/**
 * The one switch between the WASM SIMD kernel and the JS path for the batch revaluation's Black-76 prices. Also
 * written to `XMARGIN_BLACK76`, so worker threads started afterwards follow it.
 */
export function setBlack76Backend(backend: Black76Backend): void {
  requested = backend;
  process.env.XMARGIN_BLACK76 = backend;
}

/** Reads the assembled module beside this file; undefined when it was not built (e.g. a source checkout). */
function readKernelBytes(): Uint8Array | undefined {
  try {
    return readFileSync(new URL("./black76.wasm", import.meta.url));
  } catch {
    return undefined;
  }
}

function instantiate(): Black76SimdKernel | null {
  const bytes = readKernelBytes();
  // validate() is false where the engine lacks SIMD: the JS path is then used.
  if (!wasmApi || !bytes || !wasmApi.validate(bytes)) return null;
  const { exports } = new wasmApi.Instance(new wasmApi.Module(bytes), {});
  const buffer = (exports.memory as { buffer: ArrayBuffer }).buffer;
  const column = (k: number) => new Float64Array(buffer, k * COLUMN_BYTES, BLACK76_SIMD_CAPACITY);
  return {
    forwardUsd: column(0),
    strikeUsd: column(1),
    stdDev: column(2),
    discountFactor: column(3),
    sign: column(4),
    priceUsd: column(5),
    price: exports.price as (n: number) => void,
  };
}

/** The kernel when the switch selects it and it loads; undefined means: use the JS path. */
export function black76SimdKernel(): Black76SimdKernel | undefined {
  if (requested === "js") return undefined;
  if (kernel === undefined) kernel = instantiate();
  return kernel ?? undefined;
}

/** Which path the batch revaluation uses now (for reports and benchmarks). */
export function black76Backend(): Black76Backend {
  return black76SimdKernel() ? "wasm" : "js";
}
