import { describe, expect, it } from "vitest";
import { computeMargin } from "../../../src/margin/computeMargin.js";
import { normalQuantile } from "../../../src/risk/normalQuantile.js";
import { market, portfolio } from "../../support/fixtures.js";

// One ETH perp; the snapshot's floored vol is 6%/day and the current (backtest) vol 3%/day.
const FLOORED = 0.06;
const CURRENT = 0.03;
const snapshot = (backtestVolDaily?: string) =>
  market({
    riskFactors: {
      source: "test",
      factors: [{ name: "ETH", volDaily: String(FLOORED), ...(backtestVolDaily ? { backtestVolDaily } : {}) }],
      correlations: [["1"]],
    },
  });
const longPerp = portfolio({
  holdings: [{ chain: "arbitrum", token: "USDC", amount: "100000" }],
  positions: [{ kind: "perp", chain: "arbitrum", venue: "v", underlying: "ETH", size: "10" }],
});
const config = (oneDayVar: boolean) => ({
  model: "xchain",
  simulation: { paths: 40_000, seed: 3, innovations: { kind: "normal" } },
  backtesting: { oneDayVar },
});

describe("xchain 1-day backtest VaR (Basel 2.5 / FRTB: backtest VaR, charge the stressed measure)", () => {
  it("is the 99% quantile of the 1-day lognormal loss at the current vol, not the floored one", () => {
    const r = computeMargin({ portfolio: longPerp, market: snapshot(String(CURRENT)), config: config(true) });
    const spot = 2000; // fixtures' ETH/USD
    // Long 10 ETH: loss = 10 S (1 - exp(x)), x ~ N(0, 0.03^2) over exactly one day: VaR99 = 10 S (1 - exp(-z99 sigma)).
    const expected = 10 * spot * (1 - Math.exp(-normalQuantile(0.99) * CURRENT));
    expect(r.backtestVarUsd).toBeDefined();
    expect(Math.abs(r.backtestVarUsd! / expected - 1)).toBeLessThan(0.03);
  });

  it("falls back to the floored vol when the snapshot gives no current vol, and is absent unless asked for", () => {
    const floored = computeMargin({ portfolio: longPerp, market: snapshot(), config: config(true) });
    const expected = 10 * 2000 * (1 - Math.exp(-normalQuantile(0.99) * FLOORED));
    expect(Math.abs(floored.backtestVarUsd! / expected - 1)).toBeLessThan(0.03);
    const off = computeMargin({ portfolio: longPerp, market: snapshot(String(CURRENT)), config: config(false) });
    expect(off.backtestVarUsd).toBeUndefined();
  });

  it("never changes the requirement: IM is the same with and without the backtest VaR", () => {
    const on = computeMargin({ portfolio: longPerp, market: snapshot(String(CURRENT)), config: config(true) });
    const off = computeMargin({ portfolio: longPerp, market: snapshot(String(CURRENT)), config: config(false) });
    expect(on.initialMarginUsd).toBe(off.initialMarginUsd);
  });
});
