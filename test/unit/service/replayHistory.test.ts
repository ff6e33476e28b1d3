import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { estimateRiskFactors } from "../../../src/risk/estimateRiskFactors.js";
import { buildFactorPanel } from "../../../src/risk/forecast/features.js";
import { fitForecaster } from "../../../src/risk/forecast/walkForward.js";
import { RISK_FACTOR_SERIES } from "../../../src/risk/riskFactorSeries.js";
import { marketSnapshotSchema } from "../../../src/schema/marketSnapshot.js";
import { buildReplaySnapshot, loadReplayHistory } from "../../../src/service/replayHistory.js";
import { gridSurface } from "../../support/gridSurface.js";

// The real daily data sits next to the repository (/work/shared/data); skip when it is not there.
const DATA = new URL("../../../../shared/data", import.meta.url).pathname;
const ROOT = new URL("../../../", import.meta.url).pathname;

describe.skipIf(!existsSync(join(DATA, "BTC-USD.csv")))("service replay on the backtest's history module", () => {
  // examples/market-2023-06-30.json was written by scripts/build-example-market.py from the same files: an
  // independent computation of the closes, the pyth confidence and the EWMA(0.94) vol proxy.
  const example = marketSnapshotSchema.parse(
    JSON.parse(readFileSync(join(ROOT, "examples/market-2023-06-30.json"), "utf8")),
  );
  const replay = loadReplayHistory(DATA);
  const snap = buildReplaySnapshot(replay, "2023-06-30", example);

  it("publishes the example market's quotes for the day (same prices, confidences, publication time)", () => {
    for (const feed of ["BTC/USD", "ETH/USD", "SOL/USD"]) {
      const mine = snap.quotes.filter((q) => q.feed === feed).map((q) => [q.source, q.chain, Number(q.price)]);
      const theirs = example.quotes.filter((q) => q.feed === feed).map((q) => [q.source, q.chain, Number(q.price)]);
      expect(mine).toEqual(theirs);
      const conf = (qs: typeof snap.quotes) =>
        Number(qs.find((q) => q.feed === feed && q.source === "pyth")!.confidence);
      expect(conf(snap.quotes)).toBeCloseTo(conf(example.quotes), 2);
    }
    expect(snap.quotes.every((q) => q.feed === "DAI/USD" || q.publishedAt === "2023-06-30T23:59:00Z")).toBe(true);
  });

  it("sets the vol surfaces at the example market's EWMA vol proxy (4 digits there)", () => {
    for (const u of ["BTC", "ETH", "SOL"]) {
      const mine = Number(gridSurface(snap.volSurfaces.find((v) => v.underlying === u)).expiries[0]!.vols[0]);
      const theirs = Number(gridSurface(example.volSurfaces.find((v) => v.underlying === u)).expiries[0]!.vols[0]);
      expect(mine).toBeCloseTo(theirs, 4);
    }
  });

  it("estimates the day's risk factors with the configured vol method, as estimateRiskFactors does", async () => {
    const btc = { ...replay.history.get("BTC-USD")!, symbol: "BTC" };
    const weights = await fitForecaster([buildFactorPanel(btc, btc, false)], "underlying", "2023-01-01", {
      hidden: 4,
      epochs: 2,
      l2: 1e-3,
      learningRate: 0.01,
      batchSize: 512,
      seed: 3,
    });
    const ml = loadReplayHistory(DATA, { volMethod: "ml", forecastWeights: [weights] });
    const mine = buildReplaySnapshot(ml, "2023-06-30", example).riskFactors!;
    const series = RISK_FACTOR_SERIES.flatMap(({ series: name, factor }) => {
      const s = ml.history.get(name);
      return s ? [{ ...s, symbol: factor }] : [];
    });
    const direct = estimateRiskFactors(series, {
      toDate: "2023-06-30",
      method: "ml",
      ml: { weights: [weights], market: btc },
    });
    const k = direct.names.indexOf("BTC");
    const btcVol = (doc: typeof mine) => Number(doc.factors.find((f) => f.name === "BTC")!.volDaily);
    expect(btcVol(mine)).toBeCloseTo(direct.volsDaily[k]!, 9);
    expect(Math.abs(btcVol(mine) / btcVol(snap.riskFactors!) - 1)).toBeGreaterThan(1e-6);
    expect(() => loadReplayHistory(DATA, { volMethod: "ml" })).toThrow(/volMethod/);
  });

  it("ticks only days with both a BTC and an ETH close", () => {
    expect(replay.dates[0]! >= "2017-11-09").toBe(true); // ETH-USD.csv starts 2017-11-09
    expect(replay.dates.includes("2023-06-30")).toBe(true);
  });
});
