import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { emit, measure, summarize } from "./measure.js";
import { instantiateWat } from "./wasm/assembleWat.js";

/** Length of the roofline vectors: 29 grid scenarios x 1000 positions, the revaluation benchmark's matrix. */
export const ROOFLINE_LENGTH = 29_000;
const REPS = 20;

/**
 * The roofline kernel, written as the revaluation kernels are: a plain module-level function over the typed arrays it
 * is given (not a closure over them, which V8 specialises to its one instance and so overstates the rate).
 */
export function multiplyAdd(y: Float64Array, x: Float64Array, a: number, n: number): void {
  for (let i = 0; i < n; i++) y[i] = y[i]! + a * x[i]!;
}

export interface Roofline {
  /** Plain-function JS rate, multiply-adds per second (median). */
  jsPerSec: number;
  /** WebAssembly SIMD (f64x2) rate, multiply-adds per second (median). */
  wasmSimdPerSec: number;
}

/**
 * (a) Roofline: y[i] += a * x[i] over two Float64Arrays of `ROOFLINE_LENGTH` (cache-resident, like the revaluation
 * matrices), in plain JS and in WebAssembly SIMD assembled from bench/wasm/multiplyAdd.wat.
 */
export async function benchRoofline(): Promise<Roofline> {
  const n = ROOFLINE_LENGTH;
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = 1 + (i % 7) * 1e-3;
  const a = 1e-9;
  const js = summarize(
    measure(() => {
      for (let r = 0; r < REPS; r++) multiplyAdd(y, x, a, n);
    }, 300),
  );
  const jsPerSec = (REPS * n) / (js.medianMs / 1e3);
  emit({
    bench: "roofline_f64_multiply_add",
    kernel: "js",
    vectorLength: n,
    ...js,
    multiplyAddsPerSec: Math.round(jsPerSec),
    checksum: y[n - 1],
  });

  const source = join(dirname(fileURLToPath(import.meta.url)), "../../bench/wasm/multiplyAdd.wat");
  const wasm = await instantiateWat(source);
  const memory = wasm.exports.memory as { buffer: ArrayBuffer };
  const kernel = wasm.exports.multiplyAdd as (y: number, x: number, n: number, a: number, reps: number) => void;
  const xOffset = 0;
  const yOffset = 8 * n;
  new Float64Array(memory.buffer, xOffset, n).set(x);
  const simd = summarize(measure(() => kernel(yOffset, xOffset, n, a, REPS), 300));
  const wasmSimdPerSec = (REPS * n) / (simd.medianMs / 1e3);
  emit({
    bench: "roofline_f64_multiply_add",
    kernel: "wasm simd f64x2",
    vectorLength: n,
    ...simd,
    multiplyAddsPerSec: Math.round(wasmSimdPerSec),
    ratioToJs: Number((wasmSimdPerSec / jsPerSec).toFixed(2)),
    checksum: new Float64Array(memory.buffer, yOffset, n)[n - 1],
  });
  return { jsPerSec, wasmSimdPerSec };
}
