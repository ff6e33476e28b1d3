import { describe, expect, it } from "vitest";
import { estimateRiskFactors } from "../../../src/risk/estimateRiskFactors.js";
import type { PriceSeries } from "../../../src/risk/priceHistory.js";
import { Prng } from "../../../src/risk/prng.js";

/** Synthetic daily series: 400 days of lognormal closes with daily vol `vol`, starting 2022-01-01. */
function series(symbol: string, vol: number, seed: number, days = 400): PriceSeries {
  const rng = new Prng(seed);
  const dates: string[] = [];
  const closes = new Float64Array(days);
  let p = 100;
  for (let d = 0; d < days; d++) {
    dates.push(new Date(Date.UTC(2022, 0, 1 + d)).toISOString().slice(0, 10));
    closes[d] = p;
    p *= Math.exp(vol * rng.nextNormal());
  }
  return { symbol, dates, closes };
}

describe("estimateRiskFactors", () => {
  const a = series("A", 0.03, 1);
  const b = series("B", 0.01, 2);

  it("uses no data after toDate", () => {
    const base = estimateRiskFactors([a, b], { toDate: "2022-12-01" });
    const changed = { ...a, closes: a.closes.map((c, i) => (a.dates[i]! > "2022-12-01" ? c * 3 : c)) };
    const again = estimateRiskFactors([changed, b], { toDate: "2022-12-01" });
    expect(Array.from(again.volsDaily)).toEqual(Array.from(base.volsDaily));
    expect(Array.from(again.correlation)).toEqual(Array.from(base.correlation));
  });

  it("drops series without a close on toDate and floors vols at the stress window", () => {
    const short = { ...b, symbol: "C", dates: b.dates.slice(0, 100), closes: b.closes.slice(0, 100) };
    const r = estimateRiskFactors([a, b, short], { toDate: "2022-12-01" });
    expect(r.excluded).toEqual(["C"]);
    expect(r.names).toEqual(["A", "B"]);
    for (let i = 0; i < 2; i++) expect(r.volsDaily[i]!).toBeGreaterThanOrEqual(r.currentVolsDaily[i]!);
    // vols near the generating ones (3% and 1% a day)
    expect(r.volsDaily[0]!).toBeGreaterThan(0.024);
    expect(r.volsDaily[0]!).toBeLessThan(0.036);
  });

  it("GARCH is a selectable alternative for the current vols", () => {
    const e = estimateRiskFactors([a, b], { toDate: "2022-12-01" });
    const g = estimateRiskFactors([a, b], { toDate: "2022-12-01", method: "garch" });
    expect(g.source).toContain("GARCH");
    expect(Array.from(g.currentVolsDaily)).not.toEqual(Array.from(e.currentVolsDaily));
    // constant-vol data: the GARCH forecast is near the true 3% a day
    expect(Math.abs(g.currentVolsDaily[0]! / 0.03 - 1)).toBeLessThan(0.2);
  });
});
