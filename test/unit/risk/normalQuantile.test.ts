import { describe, expect, it } from "vitest";
import { normalCdf } from "../../../src/core/normal.js";
import { normalQuantile } from "../../../src/risk/normalQuantile.js";

describe("normalQuantile", () => {
  it("matches published quantiles", () => {
    // Standard tables / Wichura AS241: z_0.99 = 2.326347874, z_0.975 = 1.959963985, z_0.999 = 3.090232306,
    // z_0.95 = 1.644853627, z_0.3 = -0.524400513.
    expect(normalQuantile(0.99)).toBeCloseTo(2.326347874, 9);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963985, 9);
    expect(normalQuantile(0.999)).toBeCloseTo(3.090232306, 9);
    expect(normalQuantile(0.95)).toBeCloseTo(1.644853627, 9);
    expect(normalQuantile(0.3)).toBeCloseTo(-0.524400513, 9);
    expect(normalQuantile(0.5)).toBe(0);
  });

  it("is odd around 1/2 and inverts the CDF, including across Acklam's region boundary p = 0.02425", () => {
    for (const p of [1e-10, 1e-6, 0.001, 0.02, 0.02425, 0.03, 0.2, 0.45]) {
      const z = normalQuantile(p);
      // 1 - p rounds for tiny p; the exact complement of the double 1 - p is 1 - (1 - p).
      const q = 1 - p;
      expect(normalQuantile(q)).toBeCloseTo(-normalQuantile(1 - q), 12);
      expect(Math.abs(normalCdf(-normalQuantile(q)) - (1 - q)) / (1 - q)).toBeLessThan(1e-9);
      expect(Math.abs(normalCdf(z) - p) / p).toBeLessThan(1e-9);
    }
  });

  it("rejects p outside (0,1)", () => {
    expect(() => normalQuantile(0)).toThrow(/\$\.p/);
    expect(() => normalQuantile(1)).toThrow(/\$\.p/);
    expect(() => normalQuantile(Number.NaN)).toThrow(/\$\.p/);
  });
});

describe("normalCdf", () => {
  it("matches 0.5 erfc(-x / sqrt 2) values from tables", () => {
    // Phi(-1) = 0.158655253931457, Phi(-2) = 0.022750131948179, Phi(-3) = 0.001349898031630, Phi(1.5) = 0.933192798731142
    expect(normalCdf(-1)).toBeCloseTo(0.158655253931457, 14);
    expect(normalCdf(-2)).toBeCloseTo(0.022750131948179, 14);
    expect(normalCdf(-3)).toBeCloseTo(0.00134989803163, 14);
    expect(normalCdf(1.5)).toBeCloseTo(0.933192798731142, 14);
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(-40)).toBe(0);
    expect(normalCdf(40)).toBe(1);
  });
});
