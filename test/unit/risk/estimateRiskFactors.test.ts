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

describe("estimateRiskFactors: per-factor estimation (issue 13 cause 1)", () => {
  const a = series("A", 0.03, 1, 600);
  const b = series("B", 0.01, 2, 600);
  // Y starts 400 days later: it must not truncate A's history.
  const young = { ...series("Y", 0.02, 3, 600), dates: a.dates.slice(400), closes: series("Y", 0.02, 3, 200).closes };
  const toDate = a.dates[599]!;

  it("a factor's vol comes from its own history only: the same alone, beside others and beside a young series", () => {
    const alone = estimateRiskFactors([a], { toDate });
    const set = estimateRiskFactors([a, b, young], { toDate });
    expect(set.volsDaily[0]).toBe(alone.volsDaily[0]);
    expect(set.currentVolsDaily[0]).toBe(alone.currentVolsDaily[0]);
    expect(set.stressWindows[0]).toEqual(alone.stressWindows[0]);
    expect(set.fromDate).toBe(a.dates[0]);
  });

  it("25% weight on stressed observations: var = 0.75 var_now + 0.25 var_stress (never below the current vol)", () => {
    // A calm 300 days at 1%, a 250-day 5% spell, then calm again: the stress window is the spell.
    const rng = new Prng(9);
    const dates = a.dates;
    const closes = new Float64Array(600);
    let p = 100;
    const r: number[] = [];
    for (let d = 0; d < 600; d++) {
      closes[d] = p;
      const x = (d >= 100 && d < 350 ? 0.05 : 0.01) * rng.nextNormal();
      if (d < 599) r.push(x);
      p *= Math.exp(x);
    }
    const e = estimateRiskFactors([{ symbol: "S", dates, closes }], { toDate });
    // the window the estimator found (return k ends on dates[k + 1]) lies on the spell
    const w = e.stressWindows[0]!;
    const first = dates.indexOf(w.startDate) - 1;
    expect(Math.abs(first - 100)).toBeLessThan(5);
    const window = r.slice(first, first + 250);
    expect(dates[first + 250]).toBe(w.endDate);
    const stressed = Math.sqrt(window.reduce((s, x) => s + x * x, 0) / 250);
    const now = e.currentVolsDaily[0]!;
    expect(e.volsDaily[0]).toBeCloseTo(Math.sqrt(0.75 * now ** 2 + 0.25 * stressed ** 2), 6);
    // the lookback option: at least the equally weighted vol of the whole (< 10 years) history
    const all = Math.sqrt(r.reduce((s, x) => s + x * x, 0) / r.length);
    const look = estimateRiskFactors([{ symbol: "S", dates, closes }], {
      toDate,
      procyclicality: { kind: "lookback", years: 10 },
    });
    expect(look.volsDaily[0]).toBeCloseTo(Math.max(now, all), 10);
    // the buffer option in calm markets: 1.25 x the current vol while that is below 1.25 x the long-run vol
    const buf = estimateRiskFactors([{ symbol: "S", dates, closes }], {
      toDate,
      procyclicality: { kind: "buffer", rate: 0.25 },
    });
    expect(buf.volsDaily[0]).toBeCloseTo(Math.max(now, Math.min(1.25 * now, 1.25 * all)), 10);
  });

  it("a gap of k days is one return scaled by 1/sqrt(k), not a one-day move", () => {
    // a 69-day gap (as AVAX in 2020) carrying a 30% move must not look like a 30% day
    const dates = [...a.dates.slice(0, 200), ...a.dates.slice(269)];
    const closes = Float64Array.from([...a.closes.slice(0, 200), ...Array.from(a.closes.slice(269), (c) => c * 1.3)]);
    const e = estimateRiskFactors([{ symbol: "G", dates, closes }], { toDate });
    const k = 69 + 1;
    const jump = Math.log((a.closes[269]! * 1.3) / a.closes[199]!);
    expect(e.largestMoveLog[0]!).toBeLessThanOrEqual(Math.max(jump / Math.sqrt(k), 0.2));
    expect(e.volsDaily[0]!).toBeLessThan(0.05);
  });

  it("refuses a factor with fewer than 30 returns, naming it", () => {
    const short = { ...b, symbol: "C", dates: b.dates.slice(0, 20), closes: b.closes.slice(0, 20) };
    expect(() => estimateRiskFactors([short], { toDate: b.dates[19]! })).toThrow(/C up to/);
    expect(() => estimateRiskFactors([a], { toDate, procyclicality: { kind: "stressWeight", weight: 0.1 } })).toThrow(
      /28\(1\)\(b\)/,
    );
  });

  it("the correlation is a valid correlation matrix from pairwise overlaps", () => {
    const e = estimateRiskFactors([a, b, young], { toDate });
    for (let i = 0; i < 3; i++) expect(e.correlation[i * 3 + i]).toBeCloseTo(1, 12);
    // independent generators: small correlations
    for (const p of [1, 2, 5]) expect(Math.abs(e.correlation[p]!)).toBeLessThan(0.3);
  });
});

describe("estimateRiskFactors: token-event days stay out of the basis (issue 13 cause 4)", () => {
  it("USDC's 2023-03-11 depeg is charged as the issuer event, not again in the basis vol", async () => {
    const { readFileSync } = await import("node:fs");
    const { parseDailyPriceCsv } = await import("../../../src/market/dailyPriceCsv.js");
    const usdc = parseDailyPriceCsv(readFileSync("../shared/data/USDC-USD.csv", "utf8"), "basis:USDC");
    const s = { symbol: "basis:USDC", dates: usdc.dates, closes: usdc.closes };
    const withEvent = estimateRiskFactors([s], { toDate: "2023-03-31", excludeDays: new Map() });
    const without = estimateRiskFactors([s], { toDate: "2023-03-31" });
    expect(without.source).toContain("token-event days left out");
    // the depeg and its reversal dominate the EWMA three weeks later: leaving them out lowers the current vol a lot
    expect(without.currentVolsDaily[0]!).toBeLessThan(0.5 * withEvent.currentVolsDaily[0]!);
    // the event day itself as toDate keeps its own close (the estimate is of that day)
    const onTheDay = estimateRiskFactors([s], { toDate: "2023-03-11" });
    expect(onTheDay.toDate).toBe("2023-03-11");
  });
});
