import { describe, expect, it } from "vitest";
import { XmarginError } from "../../../src/core/errors.js";
import { Prng } from "../../../src/risk/prng.js";

/** Sample mean, variance and kurtosis (fourth standardised moment). */
function moments(draw: () => number, n: number): { mean: number; variance: number; kurtosis: number } {
  let s1 = 0;
  let s2 = 0;
  const xs = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const x = draw();
    xs[k] = x;
    s1 += x;
  }
  const mean = s1 / n;
  let s4 = 0;
  for (const x of xs) {
    const d = (x - mean) ** 2;
    s2 += d;
    s4 += d * d;
  }
  const variance = s2 / n;
  return { mean, variance, kurtosis: s4 / n / variance ** 2 };
}

describe("Prng", () => {
  it("matches the reference C xoshiro128** seeded by splitmix32", () => {
    // Produced by Blackman & Vigna's xoshiro128starstar.c (v1.1) compiled with gcc, state seeded with four splitmix32
    // outputs (x += 0x9e3779b9; t = x ^ x>>16; t *= 0x21f0aaad; t ^= t>>15; t *= 0x735a2d97; t ^= t>>15) from x = 42.
    const expected = [660444221, 3652823732, 77672526, 910233633, 2297337756, 3786072677];
    const rng = new Prng(42);
    expect(expected.map(() => rng.nextUint32())).toEqual(expected);
  });

  it("builds a 53-bit uniform from two raw outputs as (hi27 * 2^26 + lo26 + 0.5) / 2^53", () => {
    const hi = 660444221 >>> 5;
    const lo = 3652823732 >>> 6;
    expect(new Prng(42).nextUniform()).toBe((hi * 2 ** 26 + lo + 0.5) / 2 ** 53);
  });

  it("is reproducible for a seed and differs across seeds", () => {
    const a = new Prng(7);
    const b = new Prng(7);
    const c = new Prng(8);
    const xa = Float64Array.from({ length: 1000 }, () => a.nextNormal());
    const xb = Float64Array.from({ length: 1000 }, () => b.nextNormal());
    const xc = Float64Array.from({ length: 1000 }, () => c.nextNormal());
    expect(xa).toEqual(xb);
    expect(xa).not.toEqual(xc);
  });

  it("uniform stays in (0,1) with mean 1/2 and variance 1/12", () => {
    const rng = new Prng(1);
    let min = 1;
    let max = 0;
    const m = moments(() => {
      const u = rng.nextUniform();
      min = Math.min(min, u);
      max = Math.max(max, u);
      return u;
    }, 200_000);
    expect(min).toBeGreaterThan(0);
    expect(max).toBeLessThan(1);
    // Standard error of the mean: sqrt(1/12 / 2e5) = 6.5e-4; allow ~4 SE.
    expect(Math.abs(m.mean - 0.5)).toBeLessThan(0.0026);
    expect(Math.abs(m.variance - 1 / 12)).toBeLessThan(0.001);
  });

  it("normal has mean 0, variance 1, kurtosis 3", () => {
    const rng = new Prng(2);
    const m = moments(() => rng.nextNormal(), 200_000);
    // SEs: mean 0.0022, variance sqrt(2/n) = 0.0032, kurtosis sqrt(24/n) = 0.011.
    expect(Math.abs(m.mean)).toBeLessThan(0.01);
    expect(Math.abs(m.variance - 1)).toBeLessThan(0.013);
    expect(Math.abs(m.kurtosis - 3)).toBeLessThan(0.05);
  });

  it("Student-t is scaled to unit variance with kurtosis 3 + 6 / (nu - 4)", () => {
    const rng = new Prng(3);
    const m = moments(() => rng.nextStudentT(10), 200_000);
    expect(Math.abs(m.mean)).toBeLessThan(0.01);
    // Var(X^2) = kurtosis - 1 = 3, SE of the variance sqrt(3/n) = 0.0039.
    expect(Math.abs(m.variance - 1)).toBeLessThan(0.016);
    expect(Math.abs(m.kurtosis - 4)).toBeLessThan(0.25);
  });

  it("gamma has mean and variance equal to the shape, also below shape 1", () => {
    for (const shape of [0.5, 3]) {
      const rng = new Prng(4);
      const m = moments(() => rng.nextGamma(shape), 100_000);
      expect(Math.abs(m.mean - shape) / shape).toBeLessThan(0.02);
      expect(Math.abs(m.variance - shape) / shape).toBeLessThan(0.04);
    }
  });

  it("rejects bad seeds and degrees of freedom, naming the parameter", () => {
    expect(() => new Prng(-1)).toThrow(XmarginError);
    expect(() => new Prng(1.5)).toThrow(/\$\.seed/);
    expect(() => new Prng(2 ** 32)).toThrow(/\$\.seed/);
    expect(() => new Prng(1).nextStudentT(2)).toThrow(/\$\.nu/);
  });
});
