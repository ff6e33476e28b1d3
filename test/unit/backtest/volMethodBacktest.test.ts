import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { backtestConfig, volMethodOf } from "../../../src/backtest/compare.js";
import { loadHistoryFolder } from "../../../src/backtest/history/loadHistoryFolder.js";
import { RISK_FACTOR_SERIES_BY_FACTOR } from "../../../src/backtest/history/seriesMap.js";
import { buildMarketTimeline } from "../../../src/backtest/timeline.js";
import { resolveMarginConfig } from "../../../src/margin/resolveConfig.js";
import { estimateRiskFactors } from "../../../src/risk/estimateRiskFactors.js";
import { buildFactorPanel } from "../../../src/risk/forecast/features.js";
import { fitForecaster } from "../../../src/risk/forecast/walkForward.js";
import { portfolioSchema } from "../../../src/schema/portfolio.js";

const DATA = new URL("../../../../shared/data", import.meta.url).pathname;
const ROOT = new URL("../../../", import.meta.url).pathname;
const hasData = existsSync(join(DATA, "BTC-USD.csv"));

describe("xchain config riskFactors.volMethod", () => {
  it("defaults to ewma and rejects an unknown method naming the field", () => {
    expect(volMethodOf(resolveMarginConfig({ model: "xchain" }))).toBe("ewma");
    expect(volMethodOf(backtestConfig("xchain", 200, "ml"))).toBe("ml");
    expect(volMethodOf(backtestConfig("grid"))).toBeUndefined();
    expect(() => resolveMarginConfig({ model: "xchain", riskFactors: { volMethod: "neural" } })).toThrow(
      /riskFactors\.volMethod/,
    );
  });
});

describe.skipIf(!hasData)("backtest risk factors with the config's vol method", () => {
  it("uses the learned forecaster only with weights trained through the day, as estimateRiskFactors does", async () => {
    const history = loadHistoryFolder(DATA);
    const portfolio = portfolioSchema.parse(
      JSON.parse(readFileSync(join(ROOT, "examples/portfolios/directional-perp.json"), "utf8")),
    );
    const btc = { ...history.get("BTC-USD")!, symbol: "BTC" };
    // A small walk-forward artefact: the underlying forecaster fitted on BTC targets dated before 2022-01-01.
    const weights = await fitForecaster([buildFactorPanel(btc, btc, false)], "underlying", "2022-01-01", {
      hidden: 4,
      epochs: 3,
      l2: 1e-3,
      learningRate: 0.01,
      batchSize: 512,
      seed: 7,
    });
    expect(weights.trainedThrough).toBe("2021-12-31");
    const window = { from: "2021-12-28", to: "2022-01-05" };
    const config = backtestConfig("xchain", 200, "ml");
    const ml = buildMarketTimeline(history, portfolio, {
      ...window,
      volMethod: volMethodOf(config)!,
      forecastWeights: [weights],
    });
    const ewma = buildMarketTimeline(history, portfolio, { ...window, volMethod: "ewma" });
    const factors = ml.needs.factors.map((f) => ({ ...history.get(RISK_FACTOR_SERIES_BY_FACTOR[f]!)!, symbol: f }));
    const b = ml.days[0]!.riskFactors!.names.indexOf("BTC");
    expect(b).toBeGreaterThanOrEqual(0);
    for (const [k, day] of ml.days.entries()) {
      const ew = ewma.days[k]!.riskFactors!;
      const got = day.riskFactors!;
      if (day.date < "2021-12-31") {
        // The artefact was trained on later targets: no look-ahead, the EWMA vol stays.
        expect(got.currentVolsDaily[b]).toBe(ew.currentVolsDaily[b]);
        continue;
      }
      expect(Math.abs(got.currentVolsDaily[b]! / ew.currentVolsDaily[b]! - 1)).toBeGreaterThan(1e-6);
      const direct = estimateRiskFactors(factors, {
        toDate: day.date,
        method: "ml",
        ml: { weights: [weights], market: btc },
      });
      expect(Array.from(got.currentVolsDaily)).toEqual(Array.from(direct.currentVolsDaily));
      expect(Array.from(got.volsDaily)).toEqual(Array.from(direct.volsDaily));
      // The snapshot carries the same vols.
      expect(day.snapshot.riskFactors).toBeDefined();
    }
    expect(ml.days.some((d) => d.date >= "2021-12-31")).toBe(true);
    expect(ml.days.some((d) => d.date < "2021-12-31")).toBe(true);
  });

  it("refuses ml without artefacts, naming the config field", () => {
    const history = loadHistoryFolder(DATA);
    const portfolio = portfolioSchema.parse(
      JSON.parse(readFileSync(join(ROOT, "examples/portfolios/directional-perp.json"), "utf8")),
    );
    expect(() =>
      buildMarketTimeline(history, portfolio, { from: "2022-01-03", to: "2022-01-04", volMethod: "ml" }),
    ).toThrow(/riskFactors\.volMethod/);
  });
});
