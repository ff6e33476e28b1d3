import { describe, expect, it } from "vitest";
import { Prng } from "../../../src/risk/prng.js";
import { zigguratNormal } from "../../../src/risk/zigguratNormal.js";

describe("ziggurat normal", () => {
  const n = 1_000_000;
  const rng = new Prng(2024);
  const xs = Float64Array.from({ length: n }, () => zigguratNormal(rng));

  it("has the moments of a standard normal", () => {
    let m1 = 0;
    let m2 = 0;
    let m4 = 0;
    for (const x of xs) {
      m1 += x;
      m2 += x * x;
      m4 += x ** 4;
    }
    // standard errors with n = 1e6: mean 0.001, variance 0.0014, fourth moment ~0.01
    expect(Math.abs(m1 / n)).toBeLessThan(0.004);
    expect(Math.abs(m2 / n - 1)).toBeLessThan(0.006);
    expect(Math.abs(m4 / n - 3)).toBeLessThan(0.04);
  });

  it("puts the right mass in the tails, beyond the ziggurat's base strip at 3.44", () => {
    const count = (t: number) => xs.reduce((c, x) => c + (Math.abs(x) > t ? 1 : 0), 0) / n;
    // P(|Z| > 2) = 0.0455003, P(|Z| > 3) = 0.0026998, P(|Z| > 3.5) = 0.00046527 (normal table)
    expect(count(2)).toBeCloseTo(0.0455003, 3);
    expect(Math.abs(count(3) - 0.0026998)).toBeLessThan(0.0003);
    expect(Math.abs(count(3.5) - 0.00046527)).toBeLessThan(0.00012);
  });

  it("is reproducible for a seed", () => {
    const a = new Prng(5);
    const b = new Prng(5);
    for (let i = 0; i < 1000; i++) expect(zigguratNormal(a)).toBe(zigguratNormal(b));
  });
});
