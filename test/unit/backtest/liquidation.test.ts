import { describe, expect, it } from "vitest";
import { backtestConfig } from "../../../src/backtest/compare.js";
import { historyOf } from "../../../src/backtest/history/history.js";
import { liquidationReplay } from "../../../src/backtest/liquidation.js";
import { templateFor } from "../../../src/backtest/replay.js";
import { buildMarketTimeline } from "../../../src/backtest/timeline.js";
import { portfolioSchema } from "../../../src/schema/portfolio.js";
import { isoDates } from "./synthetic.js";

// BTC only, 60 days: 45 days alternating 100 / 101, then the open at 100 (day 45), a crash to 97 and 90, then 92
// flat; a quiet second window 92 -> 91.5 -> 92 (days 52-54). Volume 1e9 USD a day.
const dates = isoDates("2024-01-01", 60);
const closes = dates.map((_, k) => {
  if (k < 45) return 100 + (k % 2);
  return [100, 97, 90, 92, 92, 92, 92, 92, 92, 91.5][k - 45] ?? 92;
});
const history = historyOf([
  { symbol: "BTC-USD", dates, closes: Float64Array.from(closes), volumes: Float64Array.from(dates, () => 1e9) },
]);
const portfolio = portfolioSchema.parse({
  accountId: "tiny",
  positions: [{ id: "btc", kind: "perp", chain: "arbitrum", venue: "gmx", underlying: "BTC", size: "1" }],
});

describe("liquidationReplay on a hand-built history", () => {
  const timeline = buildMarketTimeline(history, portfolio, { warmupDays: 31 });
  const windows = [
    { id: "crash", label: "crash", start: dates[46]!, end: dates[48]! },
    { id: "quiet", label: "quiet", start: dates[53]!, end: dates[55]! },
    { id: "early", label: "before the data", start: "2023-06-01", end: "2023-06-05" },
  ];
  const [crash, quiet, early] = liquidationReplay(
    timeline,
    templateFor(history, portfolio),
    backtestConfig("isolated"),
    windows,
  );

  it("funds the account at its initial margin, liquidates on the maintenance breach and books the bad debt", () => {
    // Open at the close of day 45 (S = 100): 1 BTC perp entered at 100 is worth 0; isolated IM = 5% x 100 = 5, so the
    // account gets 5 USD of cash.
    expect(crash!.covered).toBe(true);
    expect(crash!.openDate).toBe(dates[45]);
    expect(crash!.fundedEquityUsd).toBeCloseTo(5, 9);
    expect(crash!.cashUsd).toBeCloseTo(5, 9);
    // Day 46, S = 97: equity 5 - 3 = 2 < MM = 3% x 97 = 2.91 -> breach seen at that close.
    expect(crash!.liquidated).toBe(true);
    expect(crash!.triggerDate).toBe(dates[46]);
    // Unwound one day later at S = 90: equity = (90 - 100) + 5 = -5.
    expect(crash!.executionDate).toBe(dates[47]);
    expect(crash!.equityAtExecutionUsd).toBeCloseTo(-5, 9);
    // Square-root sale of Q = 90 USD at the price it moves to: Q x (1 - (1 - 5 bps) exp(-0.7 x sigma x sqrt(Q / V))),
    // V = 1e9 x 5% (arbitrum share); about Q x (5 bps + impact) for so small an order.
    const sigma = timeline.days.find((d) => d.date === dates[47])!.riskFactors!.volsDaily[0]!;
    const cost = 90 * (1 - (1 - 0.0005) * Math.exp(-0.7 * sigma * Math.sqrt(90 / 5e7)));
    expect(crash!.unwindCostUsd).toBeCloseTo(cost, 9);
    // Bad debt = what the unwound account cannot pay: 5 + cost.
    expect(crash!.badDebtUsd).toBeCloseTo(5 + cost, 9);
  });

  it("does not liquidate when the loss stays within IM - MM, and reports no bad debt", () => {
    // Open day 52 at 92: IM = 4.6, MM at 91.5 = 2.745; equity 4.6 - 0.5 = 4.1 > 2.745.
    expect(quiet!.covered).toBe(true);
    expect(quiet!.liquidated).toBe(false);
    expect(quiet!.badDebtUsd).toBe(0);
    expect(quiet!.minEquityUsd).toBeCloseTo(4.6 - 0.5, 9);
  });

  it("says when the data cannot cover a window", () => {
    expect(early!.covered).toBe(false);
    expect(early!.reason).toMatch(/replay starts 2024-02-01/);
  });
});

describe("liquidationReplay within the day on the open/high/low", () => {
  // The same 45 quiet days, then day 45 closes at 100; day 46 trades down to 90 and closes at 99 (a close-only check
  // sees no breach); in the gap variant day 46 opens at 96, already past the breach.
  const ohlcHistory = (open46: number) => {
    const closes = dates.map((_, k) => (k < 45 ? 100 + (k % 2) : k === 45 ? 100 : 99));
    const lows = closes.map((c, k) => (k === 46 ? 90 : c));
    const opens = closes.map((c, k) => (k === 46 ? open46 : c));
    const highs = closes.map((c, k) => (k === 46 ? Math.max(100, open46) : c));
    return historyOf([
      {
        symbol: "BTC-USD",
        dates,
        closes: Float64Array.from(closes),
        volumes: Float64Array.from(dates, () => 1e9),
        opens: Float64Array.from(opens),
        highs: Float64Array.from(highs),
        lows: Float64Array.from(lows),
      },
    ]);
  };
  const window = { id: "dip", label: "dip", start: dates[46]!, end: dates[48]! };
  const replay = (open46: number) => {
    const h = ohlcHistory(open46);
    const timeline = buildMarketTimeline(h, portfolio, { warmupDays: 31 });
    return liquidationReplay(timeline, templateFor(h, portfolio), backtestConfig("isolated"), [window])[0]!;
  };

  it("catches a breach the close never shows and unwinds at the breach price plus the unwind cost", () => {
    const o = replay(100);
    // Cash 5 (IM = 5% x 100); equity 5 + (P - 100) falls below MM = 3% P at P* = 95 / 0.97 on the way to the low.
    const breach = 95 / 0.97;
    expect(o.liquidated).toBe(true);
    expect(o.triggerDate).toBe(dates[46]);
    expect(o.executionDate).toBe(dates[46]);
    expect(o.executionRule).toBe("breach");
    // 8 bisection steps over the 10 USD path locate P* to 10 / 256.
    expect(Math.abs(o.equityAtExecutionUsd! - (5 + breach - 100))).toBeLessThan(10 / 256 + 1e-9);
    expect(o.unwindCostUsd!).toBeGreaterThan(0);
    expect(o.badDebtUsd).toBe(0);
    expect(o.minEquityUsd).toBeCloseTo(5 - 10, 9); // the day's low was seen
  });

  it("unwinds at the worst of the day when the open has already gapped past the breach", () => {
    const o = replay(96);
    expect(o.executionRule).toBe("gap");
    // Worst of the day: the low, 90: equity 5 - 10 = -5; bad debt 5 + the unwind cost.
    expect(o.equityAtExecutionUsd).toBeCloseTo(-5, 9);
    expect(o.badDebtUsd).toBeCloseTo(5 + o.unwindCostUsd!, 9);
  });
});
