/**
 * Keys of aggregated feeds (`AggregatedFeeds.prices`, `ResolvedMarket.tokenPrices`): one home for their spelling, so
 * no caller builds `*:ETH` by hand. `*` stands for "all chains".
 */
export type FeedKey = `${string}:${string}`;

const ALL_CHAINS = "*";

/** Key of a feed aggregated over every chain: `allChainsFeedKey("ETH")` is `*:ETH`. */
export function allChainsFeedKey(symbol: string): FeedKey {
  return `${ALL_CHAINS}:${symbol}`;
}

/** Key of a feed aggregated on one chain: `chainFeedKey("arbitrum", "ETH")` is `arbitrum:ETH`. */
export function chainFeedKey(chain: string, symbol: string): FeedKey {
  return `${chain}:${symbol}`;
}

/** Splits a key back into its chain (`undefined` for all chains) and symbol. */
export function parseFeedKey(key: string): { chain: string | undefined; symbol: string } {
  const i = key.indexOf(":");
  const chain = key.slice(0, i);
  return { chain: chain === ALL_CHAINS ? undefined : chain, symbol: key.slice(i + 1) };
}
