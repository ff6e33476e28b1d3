import { depthFor, fillCostUsd, type MissingDepth, sqrtImpactRel } from "../../margin/resolve/marketDepth.js";
import type { ResolvedMarket } from "../../margin/resolve/resolvedMarket.js";
import { underlyingVolDaily } from "../../margin/resolve/underlyingFacts.js";
import type { AccountState, Leg } from "./closeOut.js";

/**
 * Bounds of a price moved by impact, as multipliers of the snapshot's: a market sold into without depth falls toward
 * 0 but never reaches it (a 0 price is not a quote: the oracle layer rejects it), nor does a bought one overflow.
 */
const MIN_SPOT_MULT = 1e-9;
const MAX_SPOT_MULT = 1e9;

/** One batch of liquidation trades in one market at one instant. */
export interface CascadeTrade {
  timeSec: number;
  /** Liquidation round (wave) of the accounts trading; round 1 is triggered by the shock itself. */
  round: number;
  chain: string;
  underlying: string;
  /** Token (holdings) or underlying (derivatives) traded: the depth used. */
  asset: string;
  /** Sum of |notional| of the legs, USD. */
  grossNotionalUsd: number;
  /** Net notional, USD (negative = net selling). */
  netNotionalUsd: number;
  /** Relative price impact of the net flow (square-root model). */
  impactRel: number;
  priceAfterUsd: number;
}

/** Market assumptions of a cascade's execution. */
export interface ExecutionParams {
  /** Multiplies every market's daily volume; null = unlimited depth (no impact, no cost). */
  depthMultiplier: number | null;
  missingDepth: MissingDepth;
  fallbackVolDaily: number;
}

/** Running totals of a cascade, updated by each instant. */
export interface CascadeBook {
  /** Spot multiplier per underlying against the snapshot (shock x impacts so far). */
  mult: Record<string, number>;
  states: Map<number, AccountState>;
  trades: CascadeTrade[];
  volumeByChainUsd: Record<string, number>;
  badDebtByChainUsd: Record<string, number>;
  badDebtUsd: number;
}

/** Books an account's bad debt once, when it has no leg left: its negative equity. */
export function settleAccount(book: CascadeBook, st: AccountState): void {
  if (st.settled || st.pendingLegs > 0) return;
  st.settled = true;
  const equity = st.cashUsd + st.proceedsUsd;
  if (equity < 0) {
    book.badDebtUsd -= equity;
    book.badDebtByChainUsd[st.riskChain] = (book.badDebtByChainUsd[st.riskChain] ?? 0) - equity;
  }
}

/**
 * Executes the legs due at instant `t`. Legs in the same (chain, asset) market meet one depth (the token's own, per
 * findDepth); their net flow moves the underlying's price (one price for all chains, arbitrage assumed instantaneous)
 * by exp(-+k sigma sqrt(|net| / V)), and every leg fills at that moved price less its own half spread (fillCostUsd):
 * spread on gross volume, impact from what really nets, and a sale's proceeds never below zero. Returns whether a
 * price moved and the latest round that traded.
 */
export function executeInstant(
  now: readonly Leg[],
  t: number,
  base: ResolvedMarket,
  book: CascadeBook,
  params: ExecutionParams,
  spotOf: (underlying: string) => number,
): { moved: boolean; round: number } {
  const groups = new Map<string, Leg[]>();
  for (const l of now) {
    const key = `${l.chain}|${l.asset}`;
    groups.set(key, [...(groups.get(key) ?? []), l]);
  }
  let moved = false;
  let round = 0;
  for (const [, group] of [...groups].sort((a, b) => a[0].localeCompare(b[0]))) {
    const { chain, asset, underlying } = group[0]!;
    const spot = spotOf(underlying);
    const net = group.reduce((s, l) => s + l.flowUnits, 0);
    const gross = group.reduce((s, l) => s + Math.abs(l.flowUnits), 0);
    const netUsd = net * spot;
    let halfSpreadRel = 0;
    let impactRel = 0;
    if (params.depthMultiplier !== null) {
      const volDaily = underlyingVolDaily(base, underlying, params.fallbackVolDaily);
      const d = depthFor(base, chain, asset, underlying, params.missingDepth, volDaily);
      halfSpreadRel = d.halfSpreadRel;
      impactRel = sqrtImpactRel(netUsd, { ...d, dailyVolumeUsd: d.dailyVolumeUsd * params.depthMultiplier });
    }
    const moveLog = Math.sign(net) * impactRel;
    for (const l of group) {
      const st = book.states.get(l.account)!;
      st.proceedsUsd += l.valueAt(spot) - fillCostUsd(l.flowUnits * spot, moveLog, halfSpreadRel);
      st.pendingLegs--;
      round = Math.max(round, l.round);
      settleAccount(book, st);
    }
    if (impactRel > 0) {
      const next = (book.mult[underlying] ?? 1) * Math.exp(moveLog);
      book.mult[underlying] = Math.min(MAX_SPOT_MULT, Math.max(MIN_SPOT_MULT, next));
      moved = true;
    }
    book.volumeByChainUsd[chain] = (book.volumeByChainUsd[chain] ?? 0) + gross * spot;
    book.trades.push({
      timeSec: t,
      round: group.reduce((m, l) => Math.max(m, l.round), 0),
      chain,
      underlying,
      asset,
      grossNotionalUsd: gross * spot,
      netNotionalUsd: netUsd,
      impactRel,
      priceAfterUsd: spotOf(underlying),
    });
  }
  return { moved, round };
}
