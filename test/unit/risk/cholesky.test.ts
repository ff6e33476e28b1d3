import { describe, expect, it } from "vitest";
import { XmarginError } from "../../../src/core/errors.js";
import { cholesky } from "../../../src/risk/cholesky.js";

function reconstruct(l: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += (l[i * n + k] ?? 0) * (l[j * n + k] ?? 0);
      out[i * n + j] = s;
    }
  }
  return out;
}

describe("cholesky", () => {
  it("factors the textbook example [[4,12,-16],[12,37,-43],[-16,-43,98]] = L L' with L = [[2,0,0],[6,1,0],[-8,5,3]]", () => {
    const res = cholesky(Float64Array.of(4, 12, -16, 12, 37, -43, -16, -43, 98), 3);
    expect(res.jitter).toBe(0);
    expect([...res.lower]).toEqual([2, 0, 0, 6, 1, 0, -8, 5, 3]);
  });

  it("factors a semi-definite matrix (two identical factors) with a tiny jitter", () => {
    const a = Float64Array.of(4e-4, 4e-4, 0, 4e-4, 4e-4, 0, 0, 0, 1e-4);
    const res = cholesky(a, 3);
    expect(res.jitter).toBeGreaterThan(0);
    expect(res.jitter).toBeLessThanOrEqual(1e-10 * 4e-4);
    const back = reconstruct(res.lower, 3);
    for (let p = 0; p < 9; p++) expect(Math.abs((back[p] ?? 0) - (a[p] ?? 0))).toBeLessThan(1e-12);
  });

  it("rejects a non-PSD matrix (eigenvalues 3 and -1) and an asymmetric one", () => {
    expect(() => cholesky(Float64Array.of(1, 2, 2, 1), 2)).toThrow(XmarginError);
    expect(() => cholesky(Float64Array.of(1, 2, 2, 1), 2)).toThrow(/not positive semi-definite/);
    expect(() => cholesky(Float64Array.of(1, 0.5, 0.4, 1), 2)).toThrow(/symmetric/);
    expect(() => cholesky(Float64Array.of(1, 0, 0), 2)).toThrow(/\$\.matrix/);
  });
});
