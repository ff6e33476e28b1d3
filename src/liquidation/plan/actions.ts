import { chainFinalitySec } from "../../margin/resolve/chainFacts.js";
import { type Depth, depthFor, executionCostUsd } from "../../margin/resolve/marketDepth.js";
import type { ResolvedMarket } from "../../margin/resolve/resolvedMarket.js";
import type { ResolvedItem } from "../../margin/resolve/resolvedPortfolio.js";
import { underlyingStateOf, underlyingVolDaily } from "../../margin/resolve/underlyingFacts.js";
import { findToken } from "../../market/tokenRegistry.js";
import type { UnderlyingState } from "../../pricing/types.js";
import { positionGreeks } from "../../pricing/valuePosition.js";
import type { MarketSnapshot } from "../../schema/marketSnapshot.js";
import { type BridgeRoute, chooseRoute } from "../bridgePolicy.js";
import type { TradingAssumptions } from "./planStart.js";
import {
  addCashUsd,
  addTokenUnits,
  type PlanState,
  resizeItem,
  scalePosition,
  unitsOf,
  withItem,
} from "./planState.js";

/** What a plan step does. */
export type ActionKind = "reduce-position" | "sell-collateral" | "bridge-collateral";

/** A candidate action on one item: reduce a derivative, sell a holding for cash, or bridge a holding. */
export interface Action {
  kind: ActionKind;
  /** Resolved item id (position id, or `h<index>` for a holding). */
  itemId: string;
  label: string;
  chain: string;
  toChain?: string;
  underlying: string;
  /** Token symbol for holdings. */
  token?: string;
  /** Units of the underlying (positions) or of the token (holdings) this action closes, sells or moves. */
  units: number;
  route?: BridgeRoute;
}

/** An action applied: the new state, its cost and what it traded. */
export interface AppliedAction {
  state: PlanState;
  costUsd: number;
  /** Notional traded or moved, USD. */
  notionalUsd: number;
  /** Key of the (chain, asset) market traded (for the cumulative impact cost), undefined for bridges. */
  marketKey?: string;
  /** Signed notional traded in that market, USD (negative = sold). */
  signedUsd?: number;
  /** Seconds until the action is final: its chain's finality, or bridge latency + destination finality. */
  readyAfterSec: number;
  /** Bridges: the state while the funds are in transit (gone from the source, not yet on the destination). */
  inTransit?: PlanState;
}

/** Shared context of a plan: the market (fixed during the plan) and the trading assumptions. */
export interface ActionContext extends TradingAssumptions {
  snapshot: MarketSnapshot;
  market: ResolvedMarket;
  /** Signed notional already traded per (chain, asset) market in this plan, USD: later trades pay the marginal cost. */
  tradedUsd: Map<string, number>;
}

/** The tradable items of a state: positions and holdings with their size in units. */
export interface PlanItem {
  item: ResolvedItem;
  /** |size| for positions, token amount for holdings. */
  units: number;
}

export function planItems(state: PlanState): PlanItem[] {
  return state.resolved.items.map((item) => ({ item, units: unitsOf(item) }));
}

function marketDepth(ctx: ActionContext, chain: string, asset: string, underlying: string): Depth {
  const volDaily = underlyingVolDaily(ctx.market, underlying, ctx.fallbackVolDaily);
  return depthFor(ctx.market, chain, asset, underlying, ctx.missingDepth, volDaily);
}

/**
 * Marginal execution cost of adding a signed notional (negative = sale) to what the plan already traded in that
 * (chain, asset) market: trades in the same direction pay the square-root cost of the cumulative flow; a trade
 * against the earlier flow pays its own full cost (no netting across steps).
 */
function marginalCost(ctx: ActionContext, key: string, depth: Depth, signedUsd: number): number {
  const before = ctx.tradedUsd.get(key) ?? 0;
  if (before !== 0 && Math.sign(before) !== Math.sign(signedUsd)) return executionCostUsd(signedUsd, depth);
  return executionCostUsd(before + signedUsd, depth) - executionCostUsd(before, depth);
}

/**
 * What closing `fraction` of an option costs beyond its delta hedge: the half spread of its premium and the vol it
 * pushes against itself (|vega| x `optionVolImpact` in vol points). Buying back far out-of-the-money shorts is never
 * free.
 */
function optionExecutionCostUsd(ctx: ActionContext, item: ResolvedItem, u: UnderlyingState, fraction: number): number {
  const g = positionGreeks(item.priced, u, item.volAnnual, item.path);
  const spread = Math.abs(item.valueUsd) * ctx.optionHalfSpreadRel;
  const volImpact = Math.abs(g.vegaUsdPerVolPoint) * (ctx.optionVolImpact / 0.01);
  return fraction * (spread + volImpact);
}

/** Applies an action to a state (nothing is recorded in the context). */
export function applyAction(ctx: ActionContext, state: PlanState, pi: PlanItem, action: Action): AppliedAction {
  const { item } = pi;
  const { market } = ctx;
  const finality = (chain: string) => chainFinalitySec(market, chain);
  const fraction = pi.units > 0 ? Math.min(1, action.units / pi.units) : 0;
  if (action.kind === "reduce-position") {
    const u = underlyingStateOf(market, item.underlying, item.path);
    // Closing trades the position's delta the other way: a long (delta > 0) is sold.
    const deltaPerUnit =
      item.priced.kind === "option" ? positionGreeks({ ...item.priced, size: 1 }, u, item.volAnnual).delta : 1;
    const notionalUsd = action.units * u.spotUsd * Math.abs(deltaPerUnit);
    const signedUsd = -Math.sign(item.priced.size * deltaPerUnit) * notionalUsd;
    // Depth is per (chain, underlying): every venue of a chain trades into the same market.
    const key = `${item.chain}|${item.underlying}`;
    const costUsd = marginalCost(ctx, key, marketDepth(ctx, item.chain, item.underlying, item.underlying), signedUsd);
    const optionUsd = item.priced.kind === "option" ? optionExecutionCostUsd(ctx, item, u, fraction) : 0;
    let next = scalePosition(state, item.id, 1 - fraction, market);
    next = addCashUsd(next, market, item.chain, fraction * item.valueUsd - costUsd - optionUsd);
    return {
      state: next,
      costUsd: costUsd + optionUsd,
      notionalUsd,
      marketKey: key,
      signedUsd,
      readyAfterSec: finality(item.chain),
    };
  }
  const token = item.token?.symbol ?? item.underlying;
  const priceUsd = pi.units !== 0 ? item.valueUsd / pi.units : 0;
  const notionalUsd = action.units * priceUsd;
  const remaining = withItem(state, item.id, resizeItem(item, pi.units - action.units, market));
  if (action.kind === "sell-collateral") {
    const key = `${item.chain}|${token}`;
    const signedUsd = -notionalUsd;
    const costUsd = marginalCost(ctx, key, marketDepth(ctx, item.chain, token, item.underlying), signedUsd);
    const next = addCashUsd(remaining, market, item.chain, notionalUsd - costUsd);
    return { state: next, costUsd, notionalUsd, marketKey: key, signedUsd, readyAfterSec: finality(item.chain) };
  }
  const route = action.route!;
  const arrived = action.units * (1 - route.costBps / 10_000);
  return {
    state: addTokenUnits(remaining, market, route.to, token, arrived),
    inTransit: remaining,
    costUsd: (notionalUsd * route.costBps) / 10_000,
    notionalUsd,
    readyAfterSec: route.latencySec + finality(route.to),
  };
}

/** Records a chosen action's traded notional so later trades in the same market pay the marginal cost. */
export function recordAction(ctx: ActionContext, applied: Pick<AppliedAction, "marketKey" | "signedUsd">): void {
  if (applied.marketKey && applied.signedUsd !== undefined) {
    ctx.tradedUsd.set(applied.marketKey, (ctx.tradedUsd.get(applied.marketKey) ?? 0) + applied.signedUsd);
  }
}

/**
 * Bridge actions for a holding: to every other chain of the account (`chains`) where the same token symbol exists
 * and the policy allows a route.
 */
export function bridgeActions(ctx: ActionContext, pi: PlanItem, chains: readonly string[], units: number): Action[] {
  const { item } = pi;
  const token = item.token?.symbol;
  if (token === undefined || pi.units <= 0 || item.valueUsd <= 0) return [];
  const out: Action[] = [];
  for (const to of chains) {
    if (to === item.chain || findToken(to, token) === undefined) continue;
    const route = chooseRoute(ctx.snapshot, item.chain, to, ctx.bridge);
    if (!route) continue;
    out.push({
      kind: "bridge-collateral",
      itemId: item.id,
      label: item.label,
      chain: item.chain,
      toChain: to,
      underlying: item.underlying,
      token,
      units,
      route,
    });
  }
  return out;
}
