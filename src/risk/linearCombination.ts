/**
 * out[s] = sum_k scales[k] x columns[k][s] on every path, added left to right in column order (the rounding of adding
 * one column at a time), four columns per pass over the paths so that `out` is read and written once per four. No
 * columns: zeros. The hot loop of an xchain report after the tick's scenario set exists (per-chain P&L, control loss).
 */
export function linearCombination(
  out: Float64Array,
  columns: readonly Float64Array[],
  scales: readonly number[],
): void {
  const n = out.length;
  const k = columns.length;
  if (k === 0) {
    out.fill(0);
    return;
  }
  let c = 0;
  for (; c + 4 <= k; c += 4) {
    const a0 = scales[c]!;
    const a1 = scales[c + 1]!;
    const a2 = scales[c + 2]!;
    const a3 = scales[c + 3]!;
    const v0 = columns[c]!;
    const v1 = columns[c + 1]!;
    const v2 = columns[c + 2]!;
    const v3 = columns[c + 3]!;
    if (c === 0) for (let s = 0; s < n; s++) out[s] = a0 * v0[s]! + a1 * v1[s]! + a2 * v2[s]! + a3 * v3[s]!;
    else for (let s = 0; s < n; s++) out[s] = out[s]! + a0 * v0[s]! + a1 * v1[s]! + a2 * v2[s]! + a3 * v3[s]!;
  }
  const left = k - c;
  if (left === 0) return;
  const a0 = scales[c]!;
  const v0 = columns[c]!;
  const a1 = left > 1 ? scales[c + 1]! : 0;
  const v1 = left > 1 ? columns[c + 1]! : v0;
  const a2 = left > 2 ? scales[c + 2]! : 0;
  const v2 = left > 2 ? columns[c + 2]! : v0;
  if (c === 0) {
    if (left === 1) for (let s = 0; s < n; s++) out[s] = a0 * v0[s]!;
    else if (left === 2) for (let s = 0; s < n; s++) out[s] = a0 * v0[s]! + a1 * v1[s]!;
    else for (let s = 0; s < n; s++) out[s] = a0 * v0[s]! + a1 * v1[s]! + a2 * v2[s]!;
  } else if (left === 1) for (let s = 0; s < n; s++) out[s] = out[s]! + a0 * v0[s]!;
  else if (left === 2) for (let s = 0; s < n; s++) out[s] = out[s]! + a0 * v0[s]! + a1 * v1[s]!;
  else for (let s = 0; s < n; s++) out[s] = out[s]! + a0 * v0[s]! + a1 * v1[s]! + a2 * v2[s]!;
}
