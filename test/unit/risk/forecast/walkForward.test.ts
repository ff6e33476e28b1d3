import { describe, expect, it } from "vitest";
import { garchForecasts, harForecasts } from "../../../../src/risk/forecast/baselines.js";
import { buildFactorPanel, type ForecastSeries, N_FEATURES } from "../../../../src/risk/forecast/features.js";
import { type MlpHyper, mlpKernel, predictLogMultiplier } from "../../../../src/risk/forecast/mlp.js";
import type { EvaluationWindow } from "../../../../src/risk/forecast/schedule.js";
import { fitForecaster, mlForecasts } from "../../../../src/risk/forecast/walkForward.js";
import { Prng } from "../../../../src/risk/prng.js";
import { garchSeries } from "./synthetic.js";

// Tiny network and a short window so that CI stays fast; the property does not depend on the size.
const HYPER: MlpHyper = { hidden: 3, epochs: 2, l2: 1e-3, learningRate: 0.01, batchSize: 64, seed: 7 };
const N = 700;
const WINDOW: EvaluationWindow = { from: "2021-01-01", to: "2021-11-30", refitDays: 60 };
const CUT = "2021-06-30";

/** The same series with every close after `cut` scaled by a wild, date-dependent factor. */
function changeFuture(s: ForecastSeries, cut: string): ForecastSeries {
  const closes = Float64Array.from(s.closes, (c, t) => (s.dates[t]! > cut ? c * (1 + 0.5 * Math.sin(t)) ** 2 + 1 : c));
  const volumes = Float64Array.from(s.volumes!, (v, t) => (s.dates[t]! > cut ? v * 7 : v));
  return { ...s, closes, volumes };
}

async function allForecasts(a: ForecastSeries, b: ForecastSeries, market: ForecastSeries) {
  const panels = [buildFactorPanel(a, market, false), buildFactorPanel(b, market, false)];
  const ml = await mlForecasts(panels, "underlying", WINDOW, HYPER);
  return panels.map((p) => ({
    p,
    ml: ml.get(p.factor)!,
    garch: garchForecasts(p, WINDOW),
    har: harForecasts(p, WINDOW),
  }));
}

describe("walk-forward forecasts", () => {
  it("changing data after a date leaves every earlier forecast unchanged (no look-ahead), for ml, GARCH and HAR", async () => {
    const market = garchSeries("BTC-USD", N, 1, 10_000);
    const a = garchSeries("AAA", N, 2);
    const b = garchSeries("BBB", N, 3);
    const before = await allForecasts(a, b, market);
    const after = await allForecasts(changeFuture(a, CUT), changeFuture(b, CUT), changeFuture(market, CUT));
    let compared = 0;
    let changedLater = 0;
    for (let f = 0; f < 2; f++) {
      const x = before[f]!;
      const y = after[f]!;
      for (const m of ["ml", "garch", "har"] as const) {
        expect(Array.from(y[m].rows)).toEqual(Array.from(x[m].rows));
        x[m].rows.forEach((row, q) => {
          // Every forecast made at a close on or before CUT must be bit-for-bit the same.
          if (x.p.asOfDates[row]! <= CUT) {
            expect(y[m].variance[q]).toBe(x[m].variance[q]);
            compared++;
          } else if (y[m].variance[q] !== x[m].variance[q]) changedLater++;
        });
      }
    }
    expect(compared).toBeGreaterThan(6 * 150);
    // The perturbation is real: later forecasts do move.
    expect(changedLater).toBeGreaterThan(100);
  }, 60_000);

  it("is deterministic: the same rows and seed give the same weights", async () => {
    const market = garchSeries("BTC-USD", 400, 1, 10_000);
    const panel = buildFactorPanel(garchSeries("AAA", 400, 2), market, false);
    const w1 = await fitForecaster([panel], "underlying", "2020-12-31", HYPER);
    const w2 = await fitForecaster([panel], "underlying", "2020-12-31", HYPER);
    expect(w2.w1).toEqual(w1.w1);
    expect(w2.b2).toBe(w1.b2);
    const w3 = await fitForecaster([panel], "underlying", "2020-12-31", { ...HYPER, seed: 8 });
    expect(w3.w1).not.toEqual(w1.w1);
  }, 30_000);

  it("learns a signal the EWMA base misses: the fitted multiplier tracks a volume-driven variance", async () => {
    // Next-day variance = base x (volume spike ? 4 : 0.25): the network, given ln(volume / mean), must separate them.
    const market = garchSeries("BTC-USD", 1200, 1, 10_000);
    const s = garchSeries("AAA", 1200, 5);
    const vols = s.volumes!;
    const closes = Float64Array.from(s.closes);
    const rng = new Prng(9);
    for (let t = 0; t < vols.length; t++) vols[t] = rng.nextUniform() < 0.3 ? 5e6 : 1e6;
    for (let t = 1; t < closes.length; t++) {
      const sd = vols[t - 1]! > 2e6 ? 0.04 : 0.01;
      closes[t] = closes[t - 1]! * Math.exp(sd * rng.nextNormal());
    }
    const panel = buildFactorPanel({ ...s, closes, volumes: vols }, market, false);
    const w = await fitForecaster([panel], "underlying", "2099-01-01", { ...HYPER, hidden: 4, epochs: 60 });
    const k = mlpKernel(w);
    let hi = 0;
    let lo = 0;
    let nHi = 0;
    let nLo = 0;
    for (let r = 0; r < panel.nRows; r++) {
      const m = predictLogMultiplier(k, panel.features, r * N_FEATURES);
      if (vols[panel.returnIndex[r]! + 1]! > 2e6) {
        hi += m;
        nHi++;
      } else {
        lo += m;
        nLo++;
      }
    }
    // Spike days should get a clearly higher multiplier than quiet days (true ratio 16x, ln 16 = 2.8).
    expect(hi / nHi - lo / nLo).toBeGreaterThan(1);
  }, 60_000);
});
