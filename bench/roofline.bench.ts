import { emit, measure, summarize } from "./measure.js";

/** Length of the roofline vectors: 29 grid scenarios x 1000 positions, the revaluation benchmark's matrix. */
export const ROOFLINE_LENGTH = 29_000;

/**
 * (a) Roofline: y[i] += a * x[i] over two Float64Arrays of `ROOFLINE_LENGTH` (cache-resident, like the revaluation
 * matrices). One multiply-add per element; the figure is elements (multiply-adds) per second.
 * @returns multiply-adds per second (median)
 */
export function benchRoofline(): number {
  const n = ROOFLINE_LENGTH;
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = 1 + (i % 7) * 1e-3;
  const reps = 20;
  const a = 1e-9;
  const kernel = () => {
    for (let r = 0; r < reps; r++) {
      for (let i = 0; i < n; i++) y[i] = y[i]! + a * x[i]!;
    }
  };
  const stats = summarize(measure(kernel, 200, 50));
  const opsPerSec = (reps * n) / (stats.medianMs / 1e3);
  emit({
    bench: "roofline_f64_multiply_add",
    vectorLength: n,
    ...stats,
    multiplyAddsPerSec: Math.round(opsPerSec),
    checksum: y[n - 1],
  });
  return opsPerSec;
}
