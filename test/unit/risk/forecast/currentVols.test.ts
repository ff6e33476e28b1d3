import { describe, expect, it } from "vitest";
import { loadForecastWeights } from "../../../../src/cli/commands/trainCommand.js";
import { estimateRiskFactors } from "../../../../src/risk/estimateRiskFactors.js";
import { buildFactorPanel, N_FEATURES } from "../../../../src/risk/forecast/features.js";
import { mlpKernel, predictLogMultiplier } from "../../../../src/risk/forecast/mlp.js";
import { garchSeries } from "./synthetic.js";

describe("learned vols in the risk estimate", () => {
  const market = garchSeries("BTC-USD", 500, 1, 10_000);
  const btc = { ...market, symbol: "BTC" };
  const basis = { ...garchSeries("X", 500, 4, 1), symbol: "basis:stETH" };
  const toDate = market.dates[499]!;

  it("the committed artefacts validate and give EWMA base x exp(network output) as the current vol", () => {
    const weights = loadForecastWeights();
    expect(weights.map((w) => w.group).sort()).toEqual(["basis", "underlying"]);
    const e = estimateRiskFactors([btc, basis], { toDate, method: "ml", ml: { weights, market } });
    const w = weights.find((x) => x.group === "underlying")!;
    const panel = buildFactorPanel(btc, market, false);
    const last = panel.nRows - 1;
    const expected = Math.sqrt(
      panel.baseVariance[last]! * Math.exp(predictLogMultiplier(mlpKernel(w), panel.features, last * N_FEATURES)),
    );
    expect(e.currentVolsDaily[0]).toBeCloseTo(expected, 14);
    expect(e.source).toMatch(/learned forecaster/);
  });

  it("needs its weights, and names a factor it cannot forecast instead of guessing", () => {
    expect(() => estimateRiskFactors([btc], { toDate, method: "ml" })).toThrow(/ml/);
    const onlyUnderlying = loadForecastWeights().filter((w) => w.group === "underlying");
    const e = estimateRiskFactors([btc, basis], { toDate, method: "ml", ml: { weights: onlyUnderlying, market } });
    const ewma = estimateRiskFactors([btc, basis], { toDate });
    expect(e.source).toMatch(/no learned forecast for basis:stETH \(no basis forecaster\)/);
    expect(e.currentVolsDaily[1]).toBe(ewma.currentVolsDaily[1]);
  });

  it('"auto" uses the learned vol only where the report moved the default (defaultFor), EWMA elsewhere', () => {
    const weights = loadForecastWeights().map((w) => ({ ...w, defaultFor: w.group === "underlying" ? ["BTC"] : [] }));
    const auto = estimateRiskFactors([btc, basis], { toDate, method: "auto", ml: { weights, market } });
    const ml = estimateRiskFactors([btc, basis], { toDate, method: "ml", ml: { weights, market } });
    const ewma = estimateRiskFactors([btc, basis], { toDate });
    expect(auto.currentVolsDaily[0]).toBe(ml.currentVolsDaily[0]);
    expect(auto.currentVolsDaily[1]).toBe(ewma.currentVolsDaily[1]);
    expect(ml.currentVolsDaily[1]).not.toBe(ewma.currentVolsDaily[1]);
    expect(auto.source).toMatch(/learned forecaster vols for BTC,/);
  });
});
