import { chainFinalitySec } from "../../margin/resolve/chainFacts.js";
import type { ResolvedMarket } from "../../margin/resolve/resolvedMarket.js";
import type { ResolvedItem } from "../../margin/resolve/resolvedPortfolio.js";
import type { XchainConfig } from "../../margin/xchain/config.js";
import { riskChainOf, seizureRoute } from "../../margin/xchain/horizons.js";
import { positionGreeks, valuePosition } from "../../pricing/valuePosition.js";

/** One liquidation leg: what closing one item of one account trades, and when. */
export interface Leg {
  timeSec: number;
  /** Liquidation round (wave) of the account; round 1 is triggered by the shock itself. */
  round: number;
  account: number;
  chain: string;
  underlying: string;
  /** What is traded: the token for holdings (its own depth: an LST is not WETH), the underlying for derivatives. */
  asset: string;
  /** Signed flow in units of the underlying (negative = sell). */
  flowUnits: number;
  /** Value of what the leg closes at a spot price, USD. */
  valueAt: (spotUsd: number) => number;
}

/** What a closed-out account owes and holds while its legs execute. */
export interface AccountState {
  cashUsd: number;
  proceedsUsd: number;
  pendingLegs: number;
  /** The margin model's risk chain of the account (margin/xchain/horizons.ts), where its bad debt is booked. */
  riskChain: string;
  /** True once the account's bad debt (if any) has been booked. */
  settled: boolean;
}

/**
 * Closes out an account at `timeSec`: each derivative is closed on its chain and each volatile holding sold on its
 * chain, after that chain's finality; collateral away from the account's risk chain first waits for seizure (the
 * model's own route rule: fastest bridge route, else the configured worst case). Cash stays as cash.
 */
export function closeOutAccount(
  items: readonly ResolvedItem[],
  market: ResolvedMarket,
  account: number,
  timeSec: number,
  round: number,
  horizon: XchainConfig["horizon"],
): { state: AccountState; legs: Leg[] } {
  const riskChain = riskChainOf(items, market) ?? items[0]?.chain ?? "unknown";
  const state: AccountState = { cashUsd: 0, proceedsUsd: 0, pendingLegs: 0, riskChain, settled: false };
  const legs: Leg[] = [];
  for (const it of items) {
    const u = market.underlyings.get(it.underlying);
    if (!u || it.underlying === "USD") {
      state.cashUsd += it.valueUsd;
      continue;
    }
    const rates = { carryRateAnnual: u.carryRateAnnual, riskFreeRateAnnual: u.riskFreeRateAnnual };
    const valueAt = (spotUsd: number) => valuePosition(it.priced, { ...rates, spotUsd }, it.volAnnual);
    const deltaUnits =
      it.priced.kind === "option"
        ? positionGreeks(it.priced, u, it.volAnnual).delta
        : it.priced.kind === "spot"
          ? it.priced.size * it.priced.priceRatio
          : it.priced.size;
    const seizureSec = it.source === "holding" ? seizureRoute(market, it.chain, riskChain, horizon).latencySec : 0;
    legs.push({
      timeSec: timeSec + seizureSec + chainFinalitySec(market, it.chain, `${it.path}.chain`),
      round,
      account,
      chain: it.chain,
      underlying: it.underlying,
      asset: it.source === "holding" ? (it.token?.symbol ?? it.underlying) : it.underlying,
      flowUnits: -deltaUnits,
      valueAt,
    });
    state.pendingLegs++;
  }
  return { state, legs };
}
