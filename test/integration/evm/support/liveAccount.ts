import { readFileSync } from "node:fs";
import type { LiveFeed } from "../../../../src/chains/live/liveFeed.js";
import { type MarketSnapshot, marketSnapshotSchema } from "../../../../src/schema/marketSnapshot.js";
import type { Portfolio } from "../../../../src/schema/portfolio.js";

/** A followed account: its on-chain holdings as the live feed counts them, plus a static short ETH perp on arbitrum. */
export function followedPortfolio(feed: LiveFeed, account: string, perpSize: string): Portfolio {
  return {
    accountId: account,
    holdings: feed.holdingsOf(account),
    positions: [
      {
        id: "eth-short",
        kind: "perp",
        chain: "arbitrum",
        venue: "gmx",
        underlying: "ETH",
        size: perpSize,
        entryPrice: "2000",
      },
    ],
  } as Portfolio;
}

/** The example market's static parts (bridges, risk factors) as the live template. */
export function exampleTemplate(): MarketSnapshot {
  return marketSnapshotSchema.parse(JSON.parse(readFileSync("examples/market-2023-06-30.json", "utf8")));
}
