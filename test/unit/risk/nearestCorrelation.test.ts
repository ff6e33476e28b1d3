import { EigenvalueDecomposition, Matrix } from "ml-matrix";
import { describe, expect, it } from "vitest";
import { nearestCorrelation } from "../../../src/risk/nearestCorrelation.js";

function minEigenvalue(a: Float64Array, n: number): number {
  const m = new Matrix(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) m.set(i, j, a[i * n + j] ?? 0);
  return Math.min(...new EigenvalueDecomposition(m, { assumeSymmetric: true }).realEigenvalues);
}

function expectCorrelation(a: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    expect(a[i * n + i]).toBe(1);
    for (let j = 0; j < n; j++) expect(a[i * n + j]).toBe(a[j * n + i]);
  }
  expect(minEigenvalue(a, n)).toBeGreaterThan(-1e-12);
}

describe("nearestCorrelation", () => {
  it("reproduces Higham (2002)'s 3x3 example", () => {
    // Higham, IMA J. Numer. Anal. 22 (2002), section 4: A = [1 1 0; 1 1 1; 0 1 1] has nearest correlation matrix
    // with off-diagonals 0.7607 (neighbours) and 0.1573 (corners).
    const a = Float64Array.of(1, 1, 0, 1, 1, 1, 0, 1, 1);
    const res = nearestCorrelation(a, 3);
    expect(res.converged).toBe(true);
    expect(res.unchanged).toBe(false);
    const x = res.matrix;
    expect(Math.abs((x[1] ?? 0) - 0.7607)).toBeLessThan(1e-4);
    expect(Math.abs((x[5] ?? 0) - 0.7607)).toBeLessThan(1e-4);
    expect(Math.abs((x[2] ?? 0) - 0.1573)).toBeLessThan(1e-4);
    expectCorrelation(x, 3);
  });

  it("returns a valid correlation matrix unchanged", () => {
    const c = Float64Array.of(1, 0.3, -0.2, 0.3, 1, 0.5, -0.2, 0.5, 1);
    const res = nearestCorrelation(c, 3);
    expect(res.unchanged).toBe(true);
    expect(res.matrix).toEqual(c);
  });

  it("repairs an indefinite 4x4 and moves it no further than any other valid matrix we try", () => {
    // Pairwise-style estimate that is not PSD: rho12 = rho23 = 0.9 but rho13 = -0.9.
    const a = Float64Array.of(1, 0.9, -0.9, 0.1, 0.9, 1, 0.9, 0.1, -0.9, 0.9, 1, 0.1, 0.1, 0.1, 0.1, 1);
    expect(minEigenvalue(a, 4)).toBeLessThan(0);
    const x = nearestCorrelation(a, 4).matrix;
    expectCorrelation(x, 4);
    const dist = (b: Float64Array): number => Math.sqrt(a.reduce((s, v, p) => s + (v - (b[p] ?? 0)) ** 2, 0));
    // Shrinking A toward the identity gives valid correlation matrices; the nearest one must beat them all.
    let compared = 0;
    for (const s of [0.3, 0.4, 0.5, 0.6, 0.7]) {
      const shrunk = a.map((v, p) => (p % 5 === 0 ? 1 : s * v));
      if (minEigenvalue(shrunk, 4) < 0) continue;
      compared++;
      expect(dist(x)).toBeLessThanOrEqual(dist(shrunk) + 1e-12);
    }
    expect(compared).toBeGreaterThan(0);
  });

  it("symmetrises an asymmetric input instead of returning it as valid", () => {
    const res = nearestCorrelation(Float64Array.of(1, 0.2, 0.4, 1), 2);
    expect(res.unchanged).toBe(false);
    // (0.2 + 0.4) / 2 = 0.3 is already a valid 2x2 correlation, so the repair lands on it.
    expect(res.matrix[1]).toBeCloseTo(0.3, 10);
    expect(res.matrix[2]).toBe(res.matrix[1]);
  });

  it("rejects non-square and non-finite input", () => {
    expect(() => nearestCorrelation(Float64Array.of(1, 2, 3), 2)).toThrow(/\$\.a/);
    expect(() => nearestCorrelation(Float64Array.of(1, Number.NaN, 0, 1), 2)).toThrow(/\$\.a\[1\]/);
  });
});
