import { describe, expect, it } from "vitest";
import type { ReturnsMatrix } from "../../../../src/risk/priceHistory.js";
import { filteredHistoricalScenarios } from "../../../../src/risk/scenarios/filteredHistoricalScenarios.js";
import { historicalScenarios } from "../../../../src/risk/scenarios/historicalScenarios.js";

// 6 daily returns of two factors; factor B = 10 x factor A to tell them apart.
const a = [0.01, -0.02, 0.03, 0.005, -0.01, 0.02];
const returns: ReturnsMatrix = {
  factorNames: ["A", "B"],
  dates: ["d1", "d2", "d3", "d4", "d5", "d6"],
  nObs: 6,
  nFactors: 2,
  data: Float64Array.from(a.flatMap((x) => [x, 10 * x])),
};

describe("historicalScenarios", () => {
  it("cuts overlapping paths: sqrt(t) r_s below a day, sum of ceil(t) returns above", () => {
    const set = historicalScenarios(returns, [0.25, 1, 2.5]);
    // Longest window ceil(2.5) = 3 days -> 6 - 3 + 1 = 4 scenarios.
    expect(set.nScenarios).toBe(4);
    expect(set.nTimes).toBe(3);
    expect(set.labels).toEqual(["d1", "d2", "d3", "d4"]);
    const at = (s: number, j: number, i: number): number => set.logReturns[(s * 3 + j) * 2 + i] ?? Number.NaN;
    // Scenario 1 starts at r_1 = -0.02: t=0.25 -> 0.5 * -0.02; t=1 -> -0.02; t=2.5 -> -0.02 + 0.03 + 0.005 = 0.015
    expect(at(1, 0, 0)).toBeCloseTo(-0.01, 15);
    expect(at(1, 1, 0)).toBeCloseTo(-0.02, 15);
    expect(at(1, 2, 0)).toBeCloseTo(0.015, 15);
    expect(at(1, 2, 1)).toBeCloseTo(0.15, 14);
    // Scenario 3: 0.005 - 0.01 + 0.02 = 0.015
    expect(at(3, 2, 0)).toBeCloseTo(0.015, 15);
  });

  it("treats integer horizons exactly (t = 2 is a 2-day window, not 3)", () => {
    const set = historicalScenarios(returns, [2]);
    expect(set.nScenarios).toBe(5);
    expect(set.logReturns[0]).toBeCloseTo(0.01 - 0.02, 15);
  });

  it("rejects unsorted times and too short a history", () => {
    expect(() => historicalScenarios(returns, [2, 1])).toThrow(/\$\.timesDays\[1\]/);
    expect(() => historicalScenarios(returns, [0])).toThrow(/\$\.timesDays\[0\]/);
    expect(() => historicalScenarios(returns, [7])).toThrow(/need at least 7 returns/);
  });
});

describe("filteredHistoricalScenarios", () => {
  it("rescales each return by sigma_now / sigma_t (EWMA, lambda 0.9, seed on 2 returns, burn-in 2)", () => {
    const single: ReturnsMatrix = {
      factorNames: ["A"],
      dates: ["d1", "d2", "d3", "d4"],
      nObs: 4,
      nFactors: 1,
      data: Float64Array.of(0.01, -0.02, 0.03, 0.01),
    };
    // sigma^2: days 0..2 seed (1e-4 + 4e-4)/2 = 2.5e-4; day 3 = 0.9*2.5e-4 + 0.1*9e-4 = 3.15e-4;
    // now = 0.9*3.15e-4 + 0.1*1e-4 = 2.935e-4.
    const set = filteredHistoricalScenarios(single, [1], { ewma: { lambda: 0.9, initWindow: 2 }, burnIn: 2 });
    expect(set.nScenarios).toBe(2);
    expect(set.labels).toEqual(["d3", "d4"]);
    expect(set.logReturns[0]).toBeCloseTo(0.03 * Math.sqrt(2.935e-4 / 2.5e-4), 15);
    expect(set.logReturns[1]).toBeCloseTo(0.01 * Math.sqrt(2.935e-4 / 3.15e-4), 15);
  });

  it("leaves a constant-vol series unchanged", () => {
    // |r| = 0.01 every day: every EWMA vol is 0.01, so every ratio is 1.
    const n = 50;
    const data = Float64Array.from({ length: n }, (_, t) => (t % 2 === 0 ? 0.01 : -0.01));
    const r: ReturnsMatrix = {
      factorNames: ["A"],
      dates: Array.from({ length: n }, (_, t) => `d${t}`),
      nObs: n,
      nFactors: 1,
      data,
    };
    const set = filteredHistoricalScenarios(r, [1]);
    for (let s = 0; s < set.nScenarios; s++) expect(Math.abs(set.logReturns[s] ?? 0)).toBeCloseTo(0.01, 15);
  });
});
