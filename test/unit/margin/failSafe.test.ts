import { describe, expect, it } from "vitest";
import { computeMargin } from "../../../src/margin/computeMargin.js";
import { MARGIN_MODEL_NAMES } from "../../../src/margin/models.js";
import { AS_OF, market, portfolio } from "../../support/fixtures.js";

describe("fail-safe handling of missing and stale data", () => {
  it("values collateral without any price at 0 and flags it, never borrows", () => {
    const p = portfolio({ holdings: [{ chain: "ethereum", token: "wstETH", amount: "10" }] });
    const r = computeMargin({ portfolio: p, market: market(), config: { model: "cross" } });
    expect(r.equityUsd).toBe(0);
    expect(r.flags.some((f) => f.code === "PRICE_MISSING" && f.path === "$.holdings[0]")).toBe(true);
    const borrow = portfolio({ holdings: [{ chain: "ethereum", token: "wstETH", amount: "-10" }] });
    expect(() => computeMargin({ portfolio: borrow, market: market() })).toThrow(/wstETH/);
  });

  it("prices a 1:1 token without a feed from its underlying and says so", () => {
    const p = portfolio({ holdings: [{ chain: "ethereum", token: "stETH", amount: "1" }] });
    const r = computeMargin({ portfolio: p, market: market(), config: { model: "cross" } });
    expect(r.equityUsd).toBeCloseTo(2000, 9);
    expect(r.flags.some((f) => f.code === "PRICE_FROM_UNDERLYING")).toBe(true);
  });

  it("flags a feed whose every source is stale as critical", () => {
    const m = market();
    m.quotes = m.quotes.map((q) => (q.feed === "BTC/USD" ? { ...q, publishedAt: "2023-12-31T20:00:00Z" } : q));
    const p = portfolio({ positions: [{ kind: "perp", chain: "arbitrum", venue: "x", underlying: "BTC", size: "1" }] });
    const r = computeMargin({ portfolio: p, market: m });
    expect(r.flags.some((f) => f.code === "ORACLE_STALE" && f.severity === "critical")).toBe(true);
  });

  it("flags sources that diverge by more than 2%", () => {
    const m = market();
    m.quotes.push({ source: "pyth", chain: "solana", feed: "BTC/USD", price: "42000", publishedAt: AS_OF });
    const r = computeMargin({ portfolio: portfolio(), market: m });
    expect(r.flags.some((f) => f.code === "ORACLE_DIVERGENT")).toBe(true);
  });

  it("flags accounts below maintenance under every model", () => {
    const p = portfolio({
      holdings: [{ chain: "arbitrum", token: "USDC", amount: "100" }],
      positions: [{ kind: "perp", chain: "arbitrum", venue: "gmx", underlying: "ETH", size: "10", entryPrice: "2050" }],
    });
    for (const model of MARGIN_MODEL_NAMES) {
      const r = computeMargin({ portfolio: p, market: market(), config: { model } });
      expect(
        r.flags.some((f) => f.code === "BELOW_MAINTENANCE"),
        model,
      ).toBe(true);
    }
  });

  it("reads raw base units exactly", () => {
    const raw = portfolio({ holdings: [{ chain: "ethereum", token: "USDC", amountRaw: "1234567890" }] });
    const dec = portfolio({ holdings: [{ chain: "ethereum", token: "USDC", amount: "1234.56789" }] });
    const a = computeMargin({ portfolio: raw, market: market(), config: { model: "cross" } });
    const b = computeMargin({ portfolio: dec, market: market(), config: { model: "cross" } });
    expect(a.equityUsd).toBe(b.equityUsd);
  });
});
