import { describe, expect, it } from "vitest";
import { backtestConfig } from "../../../src/backtest/compare.js";
import { historyOf } from "../../../src/backtest/history/history.js";
import { replayMargin, templateFor } from "../../../src/backtest/replay.js";
import { buildMarketTimeline } from "../../../src/backtest/timeline.js";
import type { DailySeries } from "../../../src/market/dailyPriceCsv.js";
import type { PortfolioInput } from "../../../src/schema/portfolio.js";
import { portfolioSchema } from "../../../src/schema/portfolio.js";
import { isoDates, randomWalk } from "./synthetic.js";

const dates = isoDates("2022-01-01", 140);
const REFERENCE = dates[100]!;
const CUT = 110; // prices after dates[CUT] are changed in the look-ahead test

function history(changeAfter?: number) {
  const series: DailySeries[] = [
    randomWalk("BTC-USD", dates, 40_000, 0.03, 11),
    randomWalk("ETH-USD", dates, 2_500, 0.04, 12),
    randomWalk("USDC-USD", dates, 1, 0.0005, 13),
  ];
  if (changeAfter !== undefined) {
    for (const s of series) {
      for (let k = changeAfter + 1; k < s.closes.length; k++) s.closes[k] = s.closes[k]! * (k % 2 === 0 ? 0.7 : 1.25);
    }
  }
  return historyOf(series);
}

const portfolioDoc: PortfolioInput = {
  accountId: "synthetic",
  holdings: [{ chain: "arbitrum", token: "USDC", amount: "50000" }],
  positions: [
    { id: "btc", kind: "perp", chain: "arbitrum", venue: "gmx", underlying: "BTC", size: "0.8" },
    {
      id: "eth-c",
      kind: "option",
      chain: "arbitrum",
      venue: "derive",
      underlying: "ETH",
      size: "-10",
      strike: "2800",
      optionType: "call",
      // 30 days after the reference close (dates[100] + 1 day).
      expiry: `${dates[131]}T00:00:00Z`,
    },
  ],
};
const portfolio = portfolioSchema.parse(portfolioDoc);

describe("replayMargin", () => {
  it("never lets a day's margin depend on a later close (future prices changed -> earlier days identical)", () => {
    const base = history();
    const changed = history(CUT);
    for (const model of ["isolated", "cross", "grid", "xchain"]) {
      const config = backtestConfig(model, 500);
      const run = (h: typeof base) => {
        const timeline = buildMarketTimeline(h, portfolio, { warmupDays: 40 });
        return { timeline, replay: replayMargin(timeline, templateFor(h, portfolio, REFERENCE), config) };
      };
      const a = run(base);
      const b = run(changed);
      expect(a.replay.days.length).toBe(b.replay.days.length);
      let checked = 0;
      a.replay.days.forEach((d, t) => {
        const e = b.replay.days[t]!;
        if (d.date > dates[CUT]!) return;
        checked++;
        expect(e.date).toBe(d.date);
        expect(e.initialMarginUsd).toBe(d.initialMarginUsd);
        expect(e.maintenanceMarginUsd).toBe(d.maintenanceMarginUsd);
        expect(e.marginUsd).toBe(d.marginUsd);
        expect(e.equityUsd).toBe(d.equityUsd);
        expect(b.timeline.days[t]!.snapshot).toEqual(a.timeline.days[t]!.snapshot);
        // The loss looks one day ahead by definition: it may change only for the last day before the cut.
        if (d.date < dates[CUT]!) expect(e.lossUsd).toBe(d.lossUsd);
      });
      expect(checked).toBe(CUT - 40 + 1);
      // The test can see a change: the first day after the cut differs.
      const after = a.replay.days.findIndex((d) => d.date > dates[CUT]!);
      expect(b.replay.days[after]!.initialMarginUsd).not.toBe(a.replay.days[after]!.initialMarginUsd);
    }
  });

  it("measures the realised loss of the day's book: a perp's loss is size x (S_t - S_t+1)", () => {
    const h = history();
    const perpOnly = portfolioSchema.parse({
      accountId: "perp",
      holdings: [{ chain: "arbitrum", token: "USDC", amount: "1000" }],
      positions: [{ kind: "perp", chain: "arbitrum", venue: "gmx", underlying: "BTC", size: "2" }],
    });
    const timeline = buildMarketTimeline(h, perpOnly, { warmupDays: 40 });
    const replay = replayMargin(timeline, templateFor(h, perpOnly), backtestConfig("grid"));
    const btc = h.get("BTC-USD")!;
    const usdc = h.get("USDC-USD")!;
    expect(replay.horizonDays).toBe(1);
    expect(replay.days[0]!.date).toBe(dates[40]);
    for (const t of [0, 10, 50]) {
      const d = replay.days[t]!;
      const k = 40 + t;
      const loss = 2 * (btc.closes[k]! - btc.closes[k + 1]!) + 1000 * (usdc.closes[k]! - usdc.closes[k + 1]!);
      expect(d.lossUsd!).toBeCloseTo(loss, 6);
      expect(d.exception).toBe(loss > d.marginUsd);
    }
    expect(replay.days.at(-1)!.lossUsd).toBeNull();
  });

  it("rolls options: the book keeps the moneyness and time to expiry of the reference date", () => {
    const h = history();
    const timeline = buildMarketTimeline(h, portfolio, { warmupDays: 40 });
    const template = templateFor(h, portfolio, REFERENCE);
    const eth = h.get("ETH-USD")!;
    const opt = template.positions.find((p) => p.kind === "option");
    expect(opt?.kind).toBe("option");
    if (opt?.kind !== "option") return;
    // moneyness = 2800 / ETH close on the reference date; tenor = expiry - (reference date + 1 day) = 30 days.
    expect(opt.moneyness).toBeCloseTo(2800 / eth.closes[100]!, 14);
    expect(opt.tenorSec).toBe(30 * 86_400);
    expect(timeline.days.length).toBe(140 - 40);
  });
});

describe("replayMargin loss horizons per item", () => {
  // BTC perp on Arbitrum (the risk chain) and WETH on Ethereum: no bridge route in the timeline, so the model measures
  // the WETH at 1 day + the assumed 7-day withdrawal (+ finality), the perp at 1 day (+ finality).
  const h = history();
  const book = portfolioSchema.parse({
    accountId: "bridged",
    holdings: [{ chain: "ethereum", token: "WETH", amount: "10" }],
    positions: [{ id: "btc", kind: "perp", chain: "arbitrum", venue: "gmx", underlying: "BTC", size: "1" }],
  });
  const config = { ...backtestConfig("xchain", 200) };
  const closeOf = (symbol: string, date: string) => {
    const s = h.get(symbol)!;
    return s.closes[s.dates.indexOf(date)]!;
  };

  it("measures each item over its own horizon in that day's report, and keeps the 1-day loss beside it", () => {
    const timeline = buildMarketTimeline(h, book, { warmupDays: 40, to: dates[70] });
    const r = replayMargin(timeline, templateFor(h, book, dates[60]), config);
    expect(r.horizonDays).toBe(8);
    const row = r.days[0]!;
    const d = (k: number) => dates[dates.indexOf(row.date) + k]!;
    // Perp re-based at the day's close: its loss is -(S1 - S0); the WETH loses 10 x (ETH0 - ETH8).
    const perpLoss = -(closeOf("BTC-USD", d(1)) - closeOf("BTC-USD", d(0)));
    const wethLoss8 = 10 * (closeOf("ETH-USD", d(0)) - closeOf("ETH-USD", d(8)));
    const wethLoss1 = 10 * (closeOf("ETH-USD", d(0)) - closeOf("ETH-USD", d(1)));
    expect(row.lossUsd).toBeCloseTo(perpLoss + wethLoss8, 6);
    expect(row.oneDayLossUsd).toBeCloseTo(perpLoss + wethLoss1, 6);
  });

  it("gives a day the same loss and exception whatever day the replay starts on", () => {
    const early = replayMargin(
      buildMarketTimeline(h, book, { warmupDays: 40, to: dates[80] }),
      templateFor(h, book, dates[60]),
      config,
    );
    const late = replayMargin(
      buildMarketTimeline(h, book, { warmupDays: 40, from: dates[55], to: dates[80] }),
      templateFor(h, book, dates[60]),
      config,
    );
    const byDate = new Map(early.days.map((d) => [d.date, d]));
    for (const d of late.days) {
      expect(d.lossUsd).toBe(byDate.get(d.date)!.lossUsd);
      expect(d.exception).toBe(byDate.get(d.date)!.exception);
    }
  });
});
