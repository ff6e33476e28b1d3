import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateXchainVenue, movedSnapshot } from "../../../../bench/generateXchainVenue.js";
import { XmarginError } from "../../../../src/core/errors.js";
import { portfolioStructure } from "../../../../src/margin/resolve/portfolioStructure.js";
import { resolveMarket } from "../../../../src/margin/resolve/resolveMarket.js";
import { resolvePortfolio, resolveStructure } from "../../../../src/margin/resolve/resolvePortfolio.js";
import { resolveMarginConfig } from "../../../../src/margin/resolveConfig.js";
import type { XchainConfig } from "../../../../src/margin/xchain/config.js";
import { remarginShard } from "../../../../src/margin/xchain/venue/remarginShard.js";
import { type MarketSnapshotInput, marketSnapshotSchema } from "../../../../src/schema/marketSnapshot.js";
import { type Portfolio, type PortfolioInput, portfolioSchema } from "../../../../src/schema/portfolio.js";
import { market, portfolio } from "../../../support/fixtures.js";

type Quote = MarketSnapshotInput["quotes"][number];
const quote = (source: string, chain: string, feed: string, price: string, publishedAt = "2023-12-31T23:59:00Z") =>
  ({ source, chain, feed, price, publishedAt }) as Quote;

/** What one resolution gives: its items and flags, or its error's code, path and message. */
function outcome(run: () => ReturnType<typeof resolvePortfolio>) {
  try {
    const r = run();
    return { items: r.items, flags: r.flags };
  } catch (e) {
    if (!(e instanceof XmarginError)) throw e;
    return { error: { code: e.code, path: e.path, message: e.message } };
  }
}

/**
 * Resolves `doc` in each market fresh (`resolvePortfolio`) and through one structure kept across all of them, as a
 * venue does, and checks that the two agree on every market; returns the outcomes in order.
 */
function keptAgrees(doc: PortfolioInput, markets: MarketSnapshotInput[], validate = true) {
  // documents built in code (a liquidation plan's) reach the resolution without the schema
  const parsed = validate ? portfolioSchema.parse(doc) : (doc as Portfolio);
  const kept = portfolioStructure(parsed);
  return markets.map((m) => {
    const resolved = resolveMarket(marketSnapshotSchema.parse(m));
    const fresh = outcome(() => resolvePortfolio(parsed, resolved));
    expect(outcome(() => resolveStructure(kept, resolved))).toStrictEqual(fresh);
    return fresh;
  });
}

const withQuotes = (extra: Quote[], drop: (q: Quote) => boolean = () => false): MarketSnapshotInput => {
  const m = market();
  return { ...m, quotes: [...m.quotes.filter((q) => !drop(q)), ...extra] };
};

const ACCOUNT = portfolio({
  holdings: [
    { chain: "ethereum", token: "USDC", amount: "5000" },
    { chain: "arbitrum", token: "WETH", amount: "2" },
    { chain: "ethereum", token: "wstETH", amount: "1" },
  ],
  positions: [
    { kind: "perp", chain: "arbitrum", venue: "gmx", underlying: "ETH", size: "-1", entryPrice: "2100" },
    { kind: "future", chain: "ethereum", venue: "x", underlying: "BTC", size: "0.1", expiry: "2024-03-29T08:00:00Z" },
    {
      kind: "option",
      chain: "ethereum",
      venue: "derive",
      underlying: "ETH",
      size: "3",
      expiry: "2024-01-31T08:00:00Z",
      strike: "2200",
      optionType: "call",
    },
  ],
});

describe("a portfolio's kept structure priced per market (the venue's path) against resolvePortfolio", () => {
  it("agrees on moved prices and on markets that change what the account reads", () => {
    const moved = withQuotes([], () => false);
    moved.quotes = moved.quotes.map((q) => (q.feed === "ETH/USD" ? { ...q, price: "2050.5" } : q));
    const later = { expiry: "2024-06-28T08:00:00Z", strikes: ["1000", "3000"], vols: ["0.5", "0.5"] };
    const expired = market({ asOf: "2024-02-15T00:00:00Z", volSurfaces: [{ underlying: "ETH", expiries: [later] }] });
    expired.quotes = expired.quotes.map((q) => ({ ...q, publishedAt: "2024-02-14T23:59:00Z" }));
    const [base, movedOut, priced, stale, noSurface, noBtc, settled] = keptAgrees(ACCOUNT, [
      market(),
      moved,
      // a feed for wstETH appears: the holding that counted for nothing is priced
      withQuotes([quote("chainlink", "ethereum", "wstETH/USD", "2250")]),
      // every wstETH source on ethereum is stale, arbitrum's is fresh: priced from other chains, flagged
      withQuotes([
        quote("chainlink", "ethereum", "wstETH/USD", "2250", "2023-12-31T20:00:00Z"),
        quote("chainlink", "arbitrum", "wstETH/USD", "2260"),
      ]),
      market({ volSurfaces: [] }),
      withQuotes([], (q) => q.feed === "BTC/USD"),
      expired,
    ]);
    // the figures each market should give, read off the documents (not off either path)
    expect(base!.items!.map((it) => it.id)).toEqual(["h0", "h1", "p0", "p1", "p2"]);
    expect(base!.flags!.map((f) => f.code)).toEqual(["PRICE_FROM_UNDERLYING", "PRICE_MISSING"]);
    expect(base!.items![2]!.priced.entryPriceUsd).toBe(2100);
    expect(base!.items![1]!.valueUsd).toBe(4000);
    expect(movedOut!.items![1]!.valueUsd).toBe(4101);
    expect(priced!.items!.map((it) => it.id)).toEqual(["h0", "h1", "h2", "p0", "p1", "p2"]);
    expect(priced!.items![2]!.valueUsd).toBe(2250);
    expect(stale!.flags!.map((f) => [f.code, f.path])).toContainEqual(["ORACLE_STALE", "$.holdings[2]"]);
    expect(stale!.items![2]!.valueUsd).toBe(2260);
    expect(noSurface!.error).toMatchObject({ code: "MISSING_DATA", path: "$.positions[2].underlying" });
    expect(noBtc!.error).toMatchObject({ code: "MISSING_DATA", path: "$.positions[1].underlying" });
    expect(settled!.flags!.map((f) => f.code)).toContain("OPTION_EXPIRED");
    const option = settled!.items!.find((it) => it.id === "p2")!;
    expect([option.underlying, option.valueUsd]).toEqual(["USD", 0]);
  });

  it("raises the same first error as resolvePortfolio when document and market errors meet", () => {
    const doc = portfolio({
      holdings: [
        { chain: "ethereum", token: "wstETH", amount: "-1" },
        { chain: "ethereum", token: "NOPE", amount: "1" },
      ],
      positions: [{ kind: "perp", chain: "arbitrum", venue: "gmx", underlying: "BTC", size: "1e3" }],
    });
    const wsteth = quote("chainlink", "ethereum", "wstETH/USD", "2250");
    const [unpricedBorrow, unknownToken] = keptAgrees(doc, [market(), withQuotes([wsteth])], false);
    // a borrow without a price is an error at its holding, before the next holding's unknown token
    expect(unpricedBorrow!.error).toMatchObject({ code: "MISSING_DATA", path: "$.holdings[0]" });
    expect(unknownToken!.error?.path).toBe("$.holdings[1].token");
    const positionOnly = { ...doc, holdings: [] };
    const [missingBtc, badSize] = keptAgrees(
      positionOnly,
      [withQuotes([], (q) => q.feed === "BTC/USD"), market()],
      false,
    );
    // within a position the underlying's price is checked before the size is read (resolvePortfolio's order)
    expect(missingBtc!.error).toMatchObject({ code: "MISSING_DATA", path: "$.positions[0].underlying" });
    expect(badSize!.error).toMatchObject({ code: "INVALID_INPUT", path: "$.positions[0].size" });
    expect(badSize!.error?.message).toMatch(/not a decimal/);
  });

  it("finds a repeated id only among the items the market prices", () => {
    const doc = portfolio({
      holdings: [{ chain: "ethereum", token: "wstETH", amount: "1" }],
      positions: [{ kind: "perp", chain: "arbitrum", venue: "gmx", underlying: "ETH", size: "1", id: "h0" }],
    });
    const [dropped, repeated] = keptAgrees(doc, [
      market(),
      withQuotes([quote("chainlink", "ethereum", "wstETH/USD", "2250")]),
    ]);
    expect(dropped!.items!.map((it) => it.id)).toEqual(["h0"]);
    expect(repeated!.error).toMatchObject({ code: "INVALID_INPUT", path: "$.positions[0].id" });
    expect(portfolioStructure(portfolioSchema.parse(doc)).mayRepeatIds).toBe(true);
    expect(portfolioStructure(portfolioSchema.parse(ACCOUNT)).mayRepeatIds).toBe(false);
  });

  it("gives the venue's reports bit for bit from kept structures and from documents, tick after tick", () => {
    const file = join(import.meta.dirname, "../../../../examples/market-2023-06-30.json");
    const snapshot = JSON.parse(readFileSync(file, "utf8"));
    const docs = generateXchainVenue(12, 5).map((d) => portfolioSchema.parse(d));
    const kept = docs.map(portfolioStructure);
    const config = resolveMarginConfig({ model: "xchain" }) as XchainConfig;
    const noEth = { ...snapshot, quotes: snapshot.quotes.filter((q: Quote) => q.feed !== "ETH/USD") };
    let failed = 0;
    for (const tick of [snapshot, movedSnapshot(snapshot, "ETH/USD", 0.002), noEth, snapshot]) {
      const m = resolveMarket(marketSnapshotSchema.parse(tick));
      const fromKept = remarginShard(kept, m, config, true);
      expect(JSON.stringify(fromKept)).toBe(JSON.stringify(remarginShard(docs, m, config, true)));
      failed += fromKept.filter((r) => r.error).length;
    }
    // the tick without an ETH price fails the accounts that read it, on both paths
    expect(failed).toBeGreaterThan(0);
  });
});
