import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { marketSnapshotSchema } from "../../../src/schema/marketSnapshot.js";
import { buildReplaySnapshot, loadReplayHistory } from "../../../src/service/replayHistory.js";

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
      const mine = Number(snap.volSurfaces.find((v) => v.underlying === u)!.expiries[0]!.vols[0]);
      const theirs = Number(example.volSurfaces.find((v) => v.underlying === u)!.expiries[0]!.vols[0]);
      expect(mine).toBeCloseTo(theirs, 4);
    }
  });

  it("ticks only days with both a BTC and an ETH close", () => {
    expect(replay.dates[0]! >= "2017-11-09").toBe(true); // ETH-USD.csv starts 2017-11-09
    expect(replay.dates.includes("2023-06-30")).toBe(true);
  });
});
