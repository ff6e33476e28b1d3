import type { Flag } from "../../core/flags.js";
import type { TokenRepresentation } from "../../market/tokenRegistry.js";
import { allChainsFeedKey, chainFeedKey } from "../../oracles/feedKey.js";
import type { ResolvedMarket } from "./resolvedMarket.js";

/**
 * USD price of one token representation in a resolved market, the one rule every layer uses. Order: the token's own
 * feed on its chain if any of its sources there is fresh, else the token's feed over all chains (whose staleness is
 * flagged by the market), then (for 1:1 tokens only) the underlying's price with a PRICE_FROM_UNDERLYING flag.
 * Returns undefined when there is no defensible price (the caller decides: collateral counts for nothing, a borrow
 * is an error).
 */
export function tokenPriceUsd(
  market: ResolvedMarket,
  token: Pick<TokenRepresentation, "chain" | "symbol" | "underlying" | "pegUnits">,
  path = "$",
  flags: Flag[] = [],
): number | undefined {
  const { chain, symbol } = token;
  const onChain = market.tokenPrices.get(chainFeedKey(chain, symbol));
  const allChains = market.tokenPrices.get(allChainsFeedKey(symbol));
  if (onChain && onChain.freshSources > 0) return onChain.priceUsd;
  if (onChain && allChains && allChains.freshSources > 0) {
    flags.push({
      code: "ORACLE_STALE",
      severity: "warning",
      message: `${symbol} on ${chain}: every source on that chain is stale; priced from other chains`,
      path,
    });
    return allChains.priceUsd;
  }
  if (allChains) return allChains.priceUsd;
  const u = market.underlyings.get(token.underlying);
  if (token.pegUnits === undefined || !u) return undefined;
  if (symbol !== u.symbol) {
    flags.push({
      code: "PRICE_FROM_UNDERLYING",
      severity: "info",
      message: `${symbol} on ${chain} has no feed of its own; priced at ${token.pegUnits} ${u.symbol}`,
      path,
    });
  }
  return token.pegUnits * u.spotUsd;
}
