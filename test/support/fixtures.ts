import type { MarketSnapshotInput } from "../../src/schema/marketSnapshot.js";
import type { PortfolioInput } from "../../src/schema/portfolio.js";

export const AS_OF = "2024-01-01T00:00:00Z";

/** A small market: ETH 2000, BTC 40000, USDC 1, each on two agreeing sources (no band, R9 needs a second); flat 50% ETH surface; no rates unless given. */
export function market(overrides: Partial<MarketSnapshotInput> = {}): MarketSnapshotInput {
  const q = (source: string, chain: string, feed: string, price: string) => ({
    source,
    chain,
    feed,
    price,
    publishedAt: "2023-12-31T23:59:00Z",
  });
  return {
    asOf: AS_OF,
    quotes: [
      q("chainlink", "ethereum", "ETH/USD", "2000"),
      q("pyth", "solana", "ETH/USD", "2000"),
      q("chainlink", "ethereum", "BTC/USD", "40000"),
      q("pyth", "solana", "BTC/USD", "40000"),
      q("chainlink", "ethereum", "USDC/USD", "1"),
      q("pyth", "solana", "USDC/USD", "1"),
    ],
    volSurfaces: [
      {
        underlying: "ETH",
        expiries: [
          { expiry: "2024-01-31T08:00:00Z", strikes: ["1000", "3000"], vols: ["0.5", "0.5"] },
          { expiry: "2024-06-28T08:00:00Z", strikes: ["1000", "3000"], vols: ["0.5", "0.5"] },
        ],
      },
    ],
    ...overrides,
  };
}

export function portfolio(p: Partial<PortfolioInput> = {}): PortfolioInput {
  return { accountId: "test", holdings: [], positions: [], ...p };
}
