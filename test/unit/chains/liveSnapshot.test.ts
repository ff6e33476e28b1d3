import { describe, expect, it } from "vitest";
import { liveMarketSnapshot } from "../../../src/chains/live/liveSnapshot.js";
import type { MarketSnapshot } from "../../../src/schema/marketSnapshot.js";

const template = {
  asOf: "2023-06-30T00:00:00Z",
  quotes: [
    { source: "chainlink", chain: "ethereum", feed: "ETH/USD", price: "1900", publishedAt: "2023-06-30T00:00:00Z" },
    { source: "pyth", chain: "solana", feed: "ETH/USD", price: "1901", publishedAt: "2023-06-30T00:00:00Z" },
    { source: "chainlink", chain: "ethereum", feed: "BTC/USD", price: "30000", publishedAt: "2023-06-30T00:00:00Z" },
  ],
  volSurfaces: [
    {
      underlying: "ETH",
      expiries: [
        { expiry: "2023-07-01T08:00:00Z", strikes: ["2000"], vols: ["0.5"] },
        { expiry: "2023-09-29T08:00:00Z", strikes: ["2000"], vols: ["0.6"] },
      ],
    },
    { underlying: "BTC", expiries: [{ expiry: "2023-07-01T08:00:00Z", strikes: ["30000"], vols: ["0.4"] }] },
  ],
} as unknown as MarketSnapshot;

describe("liveMarketSnapshot", () => {
  it("replaces every template quote of a live feed, keeps the others, stamps the clock and drops expired smiles", () => {
    const live = [
      { source: "chainlink", chain: "arbitrum", feed: "ETH/USD", price: "2000", publishedAt: "2023-07-02T00:00:00Z" },
    ];
    const asOfSec = Date.parse("2023-07-02T00:00:00Z") / 1000;
    const s = liveMarketSnapshot(template, live, asOfSec);
    expect(s.asOf).toBe("2023-07-02T00:00:00.000Z");
    expect(s.quotes.map((q) => `${q.chain} ${q.feed} ${q.price}`)).toEqual([
      "ethereum BTC/USD 30000",
      "arbitrum ETH/USD 2000",
    ]);
    expect(s.volSurfaces).toEqual([
      { underlying: "ETH", expiries: [{ expiry: "2023-09-29T08:00:00Z", strikes: ["2000"], vols: ["0.6"] }] },
    ]);
  });
});
