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
    // market flags reach the accounts that read the feed (a BTC perp here)
    const btc = portfolio({
      positions: [{ kind: "perp", chain: "arbitrum", venue: "x", underlying: "BTC", size: "1" }],
    });
    const r = computeMargin({ portfolio: btc, market: m });
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

  it("raises margin under every model when every source of a feed is stale", () => {
    const p = portfolio({
      holdings: [{ chain: "arbitrum", token: "USDC", amount: "50000" }],
      positions: [{ kind: "perp", chain: "arbitrum", venue: "gmx", underlying: "ETH", size: "10" }],
    });
    const stale = market();
    stale.quotes = stale.quotes.map((q) => (q.feed === "ETH/USD" ? { ...q, publishedAt: "2023-12-31T12:00:00Z" } : q));
    for (const model of MARGIN_MODEL_NAMES) {
      const fresh = computeMargin({ portfolio: p, market: market(), config: { model } });
      const old = computeMargin({ portfolio: p, market: stale, config: { model } });
      expect(old.initialMarginUsd, model).toBeGreaterThan(fresh.initialMarginUsd);
      if (model === "derive-pmrm2") {
        // Derive's own confidence add-on: a stale feed has confidence 0, so IM charges the whole 20000 notional;
        // xmargin's band add-on below comes on top.
        expect(old.components.find((c) => c.id === "pmrm2-oracle-confidence")?.initialMarginUsd).toBeCloseTo(20_000, 6);
      }
      // the stale add-on, 5% of the 20000 ETH exposure, plus the 0.5% band of a price no fresh source backs (R9):
      // 1100 (grid and xchain may add more through their floors); xchain's components are its MM, IM is MM / 0.8
      const oracle = old.components.find((c) => c.id === "oracle-uncertainty")!;
      expect(model === "xchain" ? oracle.maintenanceMarginUsd : oracle.initialMarginUsd, model).toBeCloseTo(1100, 6);
    }
  });

  it("does not use a chain's stale quote when other chains are fresh", () => {
    const m = market();
    m.quotes.push({
      source: "chainlink",
      chain: "arbitrum",
      feed: "USDC/USD",
      price: "1.5",
      publishedAt: "2023-12-30T00:00:00Z",
    });
    const p = portfolio({ holdings: [{ chain: "arbitrum", token: "USDC", amount: "1000" }] });
    const r = computeMargin({ portfolio: p, market: m, config: { model: "cross" } });
    expect(r.equityUsd).toBeCloseTo(1000, 9);
    expect(r.flags.some((f) => f.code === "ORACLE_STALE" && f.path === "$.holdings[0]")).toBe(true);
  });

  it("values collateral at 0 when its underlying has no price, even with a feed of its own", () => {
    const m = market();
    m.quotes = m.quotes.filter((q) => q.feed !== "ETH/USD");
    m.quotes.push({ source: "chainlink", chain: "ethereum", feed: "stETH/USD", price: "1990", publishedAt: AS_OF });
    m.volSurfaces = [];
    const p = portfolio({ holdings: [{ chain: "ethereum", token: "stETH", amount: "1" }] });
    const r = computeMargin({ portfolio: p, market: m, config: { model: "cross" } });
    expect(r.equityUsd).toBe(0);
    expect(r.flags.some((f) => f.code === "PRICE_MISSING")).toBe(true);
  });

  it("rejects an amount finer than the token's decimals and duplicate ids", () => {
    const fine = portfolio({ holdings: [{ chain: "ethereum", token: "USDC", amount: "1.1234567" }] });
    expect(() => computeMargin({ portfolio: fine, market: market() })).toThrow(
      /\$\.holdings\[0\]\.amount: more than 6 fractional digits/,
    );
    const dup = portfolio({
      holdings: [{ chain: "ethereum", token: "USDC", amount: "1" }],
      positions: [{ id: "h0", kind: "perp", chain: "arbitrum", venue: "gmx", underlying: "ETH", size: "1" }],
    });
    expect(() => computeMargin({ portfolio: dup, market: market() })).toThrow(
      /\$\.positions\[0\]\.id: duplicate id "h0"/,
    );
  });

  it("honours a quote's own heartbeat: stale at 5 minutes old with a 60 s heartbeat", () => {
    const m = market();
    m.quotes = m.quotes.map((q) =>
      q.feed === "BTC/USD" ? { ...q, publishedAt: "2023-12-31T23:55:00Z", maxAgeSec: "60" } : q,
    );
    const p = portfolio({ positions: [{ kind: "perp", chain: "arbitrum", venue: "x", underlying: "BTC", size: "1" }] });
    const r = computeMargin({ portfolio: p, market: m, config: { model: "grid" } });
    expect(
      r.flags.some((f) => f.code === "ORACLE_STALE" && f.severity === "critical" && f.message.includes("BTC")),
    ).toBe(true);
    // without the heartbeat the same 5-minute-old quote is fresh under the 1 h default
    const d = market();
    d.quotes = d.quotes.map((q) => (q.feed === "BTC/USD" ? { ...q, publishedAt: "2023-12-31T23:55:00Z" } : q));
    const r2 = computeMargin({ portfolio: p, market: d, config: { model: "grid" } });
    expect(r2.flags.some((f) => f.code === "ORACLE_STALE" && f.message.includes("BTC"))).toBe(false);
  });
});
