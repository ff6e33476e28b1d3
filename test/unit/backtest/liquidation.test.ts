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
