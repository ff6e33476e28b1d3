import { describe, expect, it } from "vitest";
import { monteCarloScenarios } from "../../../src/risk/scenarios/monteCarloScenarios.js";
import { expectedShortfall, normalEs, normalVar, valueAtRisk } from "../../../src/risk/varEs.js";

/** Losses 1, 2, ..., n in scrambled order. */
function oneToN(n: number): Float64Array {
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) out[k] = ((k * 37) % n) + 1;
  return out;
}

describe("valueAtRisk", () => {
  it("is the ceil(n c)-th smallest loss", () => {
    const losses = oneToN(100);
    expect(valueAtRisk(losses, 0.99)).toBe(99); // ceil(99) = 99
    expect(valueAtRisk(losses, 0.975)).toBe(98); // ceil(97.5) = 98
    expect(valueAtRisk(losses, 0.995)).toBe(100); // ceil(99.5) = 100
    expect(valueAtRisk(oneToN(1000), 0.975)).toBe(975); // 0.975 * 1000 must not round up to 976
  });

  it("with weights: first loss whose cumulative weight reaches c", () => {
    // Losses 1, 2, 3 with weights 0.5, 0.3, 0.2: cumulative 0.5, 0.8, 1.0.
    const losses = Float64Array.of(3, 1, 2);
    const weights = Float64Array.of(0.2, 0.5, 0.3);
    expect(valueAtRisk(losses, 0.8, weights)).toBe(2);
    expect(valueAtRisk(losses, 0.81, weights)).toBe(3);
    expect(valueAtRisk(losses, 0.5, weights)).toBe(1);
  });
});

describe("expectedShortfall", () => {
  it("averages the worst n (1 - c) losses, splitting the boundary one", () => {
    // 2.5 worst of 1..100: (100 + 99 + 0.5 * 98) / 2.5 = 248 / 2.5 = 99.2
    expect(expectedShortfall(oneToN(100), 0.975)).toBeCloseTo(99.2, 12);
    // 1 worst of 1..100: 100
    expect(expectedShortfall(oneToN(100), 0.99)).toBeCloseTo(100, 12);
    // tail mass 0.5 of a sample: the worst loss
    expect(expectedShortfall(oneToN(100), 0.995)).toBeCloseTo(100, 12);
  });

  it("equal weights give the unweighted answer; weight 2 equals a duplicated scenario", () => {
    const losses = oneToN(100);
    expect(expectedShortfall(losses, 0.975, new Float64Array(100).fill(3))).toBeCloseTo(99.2, 12);
    // Losses 1..10, loss 10 duplicated -> 11 scenarios; tail 0.2 * 11 = 2.2 scenarios: (10 + 10 + 0.2 * 9) / 2.2
    const dup = Float64Array.of(...oneToN(10), 10);
    const expected = (10 + 10 + 0.2 * 9) / 2.2;
    expect(expectedShortfall(dup, 0.8)).toBeCloseTo(expected, 12);
    const w = new Float64Array(10).fill(1);
    const base = oneToN(10);
    w[base.indexOf(10)] = 2;
    expect(expectedShortfall(base, 0.8, w)).toBeCloseTo(expected, 12);
  });

  it("is at least the VaR at the same confidence", () => {
    const losses = Float64Array.from({ length: 257 }, (_, k) => Math.sin(k * 1.7) * k);
    for (const c of [0.9, 0.95, 0.975, 0.99]) {
      expect(expectedShortfall(losses, c)).toBeGreaterThanOrEqual(valueAtRisk(losses, c));
    }
  });

  it("rejects bad confidence, empty samples and bad weights", () => {
    expect(() => expectedShortfall(new Float64Array(0))).toThrow(/\$\.losses/);
    expect(() => valueAtRisk(Float64Array.of(1), 1)).toThrow(/\$\.confidence/);
    expect(() => valueAtRisk(Float64Array.of(1, 2), 0.9, Float64Array.of(1, -1))).toThrow(/\$\.weights\[1\]/);
  });
});

describe("normal closed forms", () => {
  it("normalVar = sigma z_c and normalEs = sigma phi(z_c) / (1 - c)", () => {
    // z_0.99 = 2.326347874; phi(1.959963985) = exp(-1.959963985^2 / 2) / sqrt(2 pi) = 0.058445069
    expect(normalVar(2, 0.99)).toBeCloseTo(2 * 2.326347874, 8);
    expect(normalEs(1, 0.975)).toBeCloseTo(0.058445069 / 0.025, 6); // 2.337802760
  });

  it("Monte Carlo ES of a normal position (100k draws) is within 2% of the closed form", () => {
    const sigmaDaily = 0.04;
    const sizeUsd = 1_000_000;
    const set = monteCarloScenarios({
      factorNames: ["BTC"],
      covarianceDaily: Float64Array.of(sigmaDaily ** 2),
      timesDays: [1],
      nScenarios: 100_000,
      seed: 12345,
    });
    // Linear position: loss = -size * log-return, normal with sd size * sigma.
    const losses = set.logReturns.map((r) => -sizeUsd * r);
    const es = expectedShortfall(losses, 0.975);
    const closed = normalEs(sizeUsd * sigmaDaily, 0.975);
    expect(Math.abs(es / closed - 1)).toBeLessThan(0.02);
    const v = valueAtRisk(losses, 0.99);
    expect(Math.abs(v / normalVar(sizeUsd * sigmaDaily, 0.99) - 1)).toBeLessThan(0.03);
  });
});
