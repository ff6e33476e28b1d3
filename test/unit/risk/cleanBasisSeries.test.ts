import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseDailyPriceCsv as parsePriceCsv } from "../../../src/market/dailyPriceCsv.js";
import { cleanBasisSeries } from "../../../src/risk/cleanBasisSeries.js";

describe("cleanBasisSeries", () => {
  it("replaces a close that jumps away and straight back by the geometric mean of its neighbours", () => {
    const c = cleanBasisSeries([1, 1.001, 0.95, 1.0005, 1.0002]);
    expect(c.replaced).toEqual([2]);
    expect(c.closes[2]).toBeCloseTo(Math.sqrt(1.001 * 1.0005), 15);
  });

  it("keeps moves that persist or do not reverse, and small noise", () => {
    expect(cleanBasisSeries([1, 0.95, 0.94, 0.945]).replaced).toEqual([]);
    expect(cleanBasisSeries([1, 1.001, 0.9995, 1.0008]).replaced).toEqual([]);
  });

  it("keeps the real USDC depeg of 2023-03-11 and stETH's June 2022 discount", () => {
    const usdc = parsePriceCsv(readFileSync("../shared/data/USDC-USD.csv", "utf8"), "USDC");
    const k = usdc.dates.indexOf("2023-03-11");
    const cleaned = cleanBasisSeries(usdc.closes);
    expect(cleaned.closes[k]).toBe(usdc.closes[k]);
    const steth = parsePriceCsv(readFileSync("../shared/data/STETH-ETH.csv", "utf8"), "stETH");
    const j = steth.dates.indexOf("2022-06-15");
    expect(cleanBasisSeries(steth.closes).closes[j]).toBe(steth.closes[j]);
    // while the 2021 one-day reversals of the ratio are removed
    expect(cleanBasisSeries(steth.closes).replaced.length).toBeGreaterThan(5);
  });
});
