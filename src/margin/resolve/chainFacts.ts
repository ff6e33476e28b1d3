import { missingData } from "../../core/errors.js";
import type { ChainProfile } from "../../market/chainProfile.js";
import type { ResolvedBridgeRoute, ResolvedMarket } from "./resolvedMarket.js";

/**
 * The chain profile of `chain` in a resolved market (registry values merged with the snapshot's overrides). An
 * unknown chain is an error naming `path`, never a profile with finality 0: a chain the engine knows nothing about
 * cannot be given a liquidation horizon.
 */
export function chainProfileOf(market: ResolvedMarket, chain: string, path = "$"): Readonly<ChainProfile> {
  const profile = market.chains.get(chain);
  if (!profile) {
    throw missingData(
      path,
      `unknown chain "${chain}"`,
      `known chains: ${[...market.chains.keys()].join(", ")}; a chain without a profile has no liquidation horizon`,
    );
  }
  return profile;
}

/** Seconds until a transaction on `chain` is final (see chainProfileOf for unknown chains). */
export function chainFinalitySec(market: ResolvedMarket, chain: string, path = "$"): number {
  return chainProfileOf(market, chain, path).finalitySec;
}

/** The fastest bridge route of the snapshot from `from` to `to`; undefined when it has none. */
export function fastestBridgeRoute(market: ResolvedMarket, from: string, to: string): ResolvedBridgeRoute | undefined {
  let best: ResolvedBridgeRoute | undefined;
  for (const b of market.bridges) {
    if (b.from === from && b.to === to && (!best || b.latencySec < best.latencySec)) best = b;
  }
  return best;
}
