import { invalidInput, missingData } from "../../core/errors.js";
import { runMarginModel } from "../../margin/computeMargin.js";
import type { MarginReport } from "../../margin/report.js";
import type { ResolvedMarket } from "../../margin/resolve/resolvedMarket.js";
import type { ResolvedItem, ResolvedPortfolio } from "../../margin/resolve/resolvedPortfolio.js";
import { resolveHolding, resolvePortfolio, resolvePosition } from "../../margin/resolve/resolvePortfolio.js";
import { underlyingStateOf } from "../../margin/resolve/underlyingFacts.js";
import type { AnyMarginConfig } from "../../margin/resolveConfig.js";
import { valuePosition } from "../../pricing/valuePosition.js";
import type { Holding, Portfolio, Position } from "../../schema/portfolio.js";
import { cashTokenFor, roundToTokenDecimals, toDecimalString, toTokenAmountString } from "../portfolioEdits.js";

/**
 * A portfolio being edited by a plan, what-if or cascade: resolved items against one fixed resolved market (no
 * document round trip per candidate). The document is written once, at the end (`writePortfolio`).
 */
export interface PlanState {
  /** The (pinned) document the edits started from. */
  start: Portfolio;
  resolved: ResolvedPortfolio;
  /** Size of each item when the state was created, by id (to write back only what changed). */
  startSizes: ReadonlyMap<string, number>;
  /** Index the next new holding takes (`h<index>`), after the document's holdings. */
  nextHoldingIndex: number;
  /** Positions added by the edits (what-if trades), in order, as documents. */
  addedPositions: readonly Position[];
}

/** Resolves a (pinned) document once against a market: the starting state of every edit. */
export function planStateOf(start: Portfolio, market: ResolvedMarket): PlanState {
  const resolved = resolvePortfolio(start, market);
  return {
    start,
    resolved,
    startSizes: new Map(resolved.items.map((it) => [it.id, it.priced.size])),
    nextHoldingIndex: start.holdings.length,
    addedPositions: [],
  };
}

/** Adds a new position (a validated, pinned document) after the others, resolved at `market`. */
export function addPosition(state: PlanState, market: ResolvedMarket, doc: Position): PlanState {
  const index = state.start.positions.length + state.addedPositions.length;
  const flags = [...state.resolved.flags];
  const item = resolvePosition(doc, index, market, flags);
  return {
    ...state,
    resolved: { ...state.resolved, items: [...state.resolved.items, item], flags },
    startSizes: new Map([...state.startSizes, [item.id, item.priced.size]]),
    addedPositions: [...state.addedPositions, doc],
  };
}

/** The configured model on the state's items (the only margin figure of src/liquidation). */
export function evaluateState(state: PlanState, market: ResolvedMarket, config: AnyMarginConfig): MarginReport {
  return runMarginModel(state.resolved, market, config);
}

/** Tradable size of an item: |size| for positions (underlying units), the token amount for holdings. */
export function unitsOf(item: ResolvedItem): number {
  return item.source === "position" ? Math.abs(item.priced.size) : item.priced.size;
}

export function findItem(state: PlanState, id: string): ResolvedItem | undefined {
  return state.resolved.items.find((it) => it.id === id);
}

/** The item with a new signed size, revalued at `market`: value is linear in size for every kind (funding scales). */
export function resizeItem(item: ResolvedItem, size: number, market: ResolvedMarket): ResolvedItem {
  const u = underlyingStateOf(market, item.underlying, item.path);
  const s = item.source === "holding" && item.token ? roundToTokenDecimals(size, item.token.decimals) : size;
  const old = item.priced.size;
  const funding = old !== 0 ? (item.priced.fundingAccruedUsd * s) / old : 0;
  const priced = { ...item.priced, size: s, fundingAccruedUsd: funding };
  return { ...item, priced, valueUsd: valuePosition(priced, u, item.volAnnual, item.path) };
}

/** Replaces (or, with undefined, removes) the item with id `id`. */
export function withItem(state: PlanState, id: string, next: ResolvedItem | undefined): PlanState {
  const items = state.resolved.items.flatMap((it) => (it.id !== id ? [it] : next ? [next] : []));
  return { ...state, resolved: { ...state.resolved, items } };
}

/** Scales position `id` to `keep` of its size; a position scaled to (almost) nothing is closed. */
export function scalePosition(state: PlanState, id: string, keep: number, market: ResolvedMarket): PlanState {
  const item = findItem(state, id);
  if (!item) return state;
  const size = item.priced.size * keep;
  return withItem(state, id, keep <= 1e-12 || Math.abs(size) < 1e-12 ? undefined : resizeItem(item, size, market));
}

/**
 * Adds `delta` token units of `token` on `chain`: to the first holding of that token there, or as a new holding
 * after the others (existing ids stay valid). A negative result is a borrow.
 */
export function addTokenUnits(
  state: PlanState,
  market: ResolvedMarket,
  chain: string,
  token: string,
  delta: number,
): PlanState {
  const item = state.resolved.items.find(
    (it) => it.source === "holding" && it.chain === chain && it.token?.symbol === token,
  );
  if (item) return withItem(state, item.id, resizeItem(item, item.priced.size + delta, market));
  const index = state.nextHoldingIndex;
  const flags = [...state.resolved.flags];
  const created = resolveHolding({ chain, token, amount: "0" }, index, market, flags);
  if (!created) throw missingData(`$.holdings[${index}]`, `no price for ${token} on ${chain}`);
  const items = [...state.resolved.items, resizeItem(created, delta, market)];
  return { ...state, resolved: { ...state.resolved, items, flags }, nextHoldingIndex: index + 1 };
}

/** USD price of one unit of a holding item (its value per token). */
function unitPriceUsd(item: ResolvedItem, market: ResolvedMarket): number {
  return resizeItem(item, 1, market).valueUsd;
}

/** Adds `usd` of cash (the chain's cash stablecoin at its price) on `chain`; negative amounts are paid out. */
export function addCashUsd(state: PlanState, market: ResolvedMarket, chain: string, usd: number): PlanState {
  const token = cashTokenFor(chain);
  if (token === undefined) throw invalidInput("$", `no stablecoin known on ${chain} to settle ${usd.toFixed(2)} USD`);
  const existing = state.resolved.items.find(
    (it) => it.source === "holding" && it.chain === chain && it.token?.symbol === token,
  );
  if (existing)
    return withItem(
      state,
      existing.id,
      resizeItem(existing, existing.priced.size + usd / unitPriceUsd(existing, market), market),
    );
  const withToken = addTokenUnits(state, market, chain, token, 0);
  const created = withToken.resolved.items.at(-1)!;
  return withItem(withToken, created.id, resizeItem(created, usd / unitPriceUsd(created, market), market));
}

/**
 * The document of a state: the start document with every changed holding amount and position size written back
 * (12 significant digits for sizes, the token's decimals for amounts), closed positions removed and new holdings
 * appended.
 */
export function writePortfolio(state: PlanState): Portfolio {
  const byPath = new Map(state.resolved.items.map((it) => [it.path, it]));
  const changed = (it: ResolvedItem) => state.startSizes.get(it.id) !== it.priced.size;
  const amountOf = (it: ResolvedItem): Holding => ({
    chain: it.chain,
    token: it.token?.symbol ?? it.underlying,
    amount: toTokenAmountString(it.priced.size, it.chain, it.token?.symbol ?? it.underlying),
  });
  const holdings = state.start.holdings.map((h, i): Holding => {
    const it = byPath.get(`$.holdings[${i}]`);
    return it && changed(it) ? amountOf(it) : h;
  });
  for (let i = state.start.holdings.length; i < state.nextHoldingIndex; i++) {
    const it = byPath.get(`$.holdings[${i}]`);
    if (it) holdings.push(amountOf(it));
  }
  const positions: Position[] = [];
  [...state.start.positions, ...state.addedPositions].forEach((p, i) => {
    const it = state.resolved.items.find((x) => x.source === "position" && x.path === `$.positions[${i}]`);
    if (!it) return;
    if (!changed(it)) {
      positions.push(p);
      return;
    }
    const scaled = { ...p, size: toDecimalString(it.priced.size) };
    if (scaled.kind === "perp" && scaled.fundingAccruedUsd !== undefined) {
      scaled.fundingAccruedUsd = toDecimalString(it.priced.fundingAccruedUsd);
    }
    positions.push(scaled);
  });
  return { ...state.start, holdings, positions };
}
