import { describe, expect, it } from "vitest";
import { parseDailyPriceCsv } from "../../../src/market/dailyPriceCsv.js";
import { alignSeries, logReturns } from "../../../src/risk/priceHistory.js";

const HEADER = "date,open,high,low,close,volume";
describe("alignSeries and logReturns", () => {
  const a = parseDailyPriceCsv(
    `${HEADER}\n2021-01-01,,,,100,\n2021-01-02,,,,110,\n2021-01-03,,,,99,\n2021-01-04,,,,121,\n`,
    "A",
  );
  const b = parseDailyPriceCsv(`${HEADER}\n2021-01-02,,,,2,\n2021-01-04,,,,3,\n2021-01-05,,,,4,\n`, "B");

  it("keeps only the common dates, row-major [date][symbol]", () => {
    const al = alignSeries([a, b]);
    expect(al.symbols).toEqual(["A", "B"]);
    expect(al.dates).toEqual(["2021-01-02", "2021-01-04"]);
    expect([...al.closes]).toEqual([110, 2, 121, 3]);
  });

  it("computes ln(P_{t+1} / P_t) per factor, dated at the later close", () => {
    const r = logReturns(alignSeries([a]));
    expect(r.nObs).toBe(3);
    expect(r.dates).toEqual(["2021-01-02", "2021-01-03", "2021-01-04"]);
    // ln(1.1), ln(0.9), ln(121/99) = ln(11/9)
    expect(r.data[0]).toBeCloseTo(0.0953101798043249, 14);
    expect(r.data[1]).toBeCloseTo(-0.1053605156578263, 14);
    expect(r.data[2]).toBeCloseTo(0.2006706954621511, 14);
    const joint = logReturns(alignSeries([a, b]));
    expect(joint.nObs).toBe(1);
    expect(joint.data[0]).toBeCloseTo(Math.log(1.1), 14);
    expect(joint.data[1]).toBeCloseTo(Math.log(1.5), 14);
  });

  it("rejects duplicate symbols, disjoint dates and a single date", () => {
    expect(() => alignSeries([a, a])).toThrow(/distinct/);
    const c = parseDailyPriceCsv(`${HEADER}\n2022-01-01,,,,1,\n`, "C");
    expect(() => alignSeries([a, c])).toThrow(/no common date/);
    expect(() => logReturns(alignSeries([c]))).toThrow(/at least 2/);
  });
});
