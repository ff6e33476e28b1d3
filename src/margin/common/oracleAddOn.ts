import type { Flag } from "../../core/flags.js";
import type { AggregatedPrice } from "../../oracles/aggregateQuotes.js";
import { allChainsFeedKey, chainFeedKey } from "../../oracles/feedKey.js";
import { KIND_CODE, type UnderlyingState } from "../../pricing/types.js";
import { positionValueUnchecked } from "../../pricing/valuePosition.js";
import type { ResolvedMarket } from "../resolve/resolvedMarket.js";
import type { ResolvedItem } from "../resolve/resolvedPortfolio.js";
import { underlyingStateOf } from "../resolve/underlyingFacts.js";

export interface OracleAddOn {
  addOnUsd: number;
  itemUsd: Float64Array;
}

/** The (chain, feed) buckets of one account in first-appearance order: each bucket's rate and member item indices. */
export interface OracleBuckets {
  rel: number[];
  members: number[][];
}

/**
 * Where in its band a bucket's price is moved, as fractions of the band's half-width: both edges and the half-way
 * points. The half-way points matter because a diverging source moves the price by half the band (rule R4 of
 * docs/oracles.md), so the price before the move lies there; the edges, because the band reaches that far.
 */
export const BAND_POINTS: readonly number[] = [-1, -0.5, 0.5, 1];

/** Price multiplier of band point `c` for a relative band `rel`. */
export function bandMultiplier(c: number, rel: number): number {
  return 1 + BAND_POINTS[c]! * rel;
}

/** Relative uncertainty of one aggregated price: its band over price, plus the stale add-on if every source is stale. */
function relativeUncertainty(p: AggregatedPrice | undefined, staleAddOnRel: number): number {
  if (!p) return 0;
  const stale = p.flags.some((f: Flag) => f.code === "ORACLE_STALE" && f.severity === "critical");
  return p.uncertaintyUsd / p.priceUsd + (stale ? staleAddOnRel : 0);
}

/**
 * The feed an item's price is read from for the oracle add-on: the token's own feed where one exists, else the
 * underlying's (derivatives, and holdings priced through their underlying).
 */
export function oracleFeedSymbol(
  token: { symbol: string } | undefined,
  underlying: string,
  market: ResolvedMarket,
): string {
  return ownFeedPriced(token, market) ? token.symbol : underlying;
}

/** Relative band of a (chain, feed): the larger of the chain's and the all-chain band; 0 for USD or without a feed. */
export function oracleFeedRel(market: ResolvedMarket, chain: string, symbol: string, staleAddOnRel: number): number {
  if (symbol === "USD") return 0;
  return Math.max(
    relativeUncertainty(market.tokenPrices.get(chainFeedKey(chain, symbol)), staleAddOnRel),
    relativeUncertainty(market.tokenPrices.get(allChainsFeedKey(symbol)), staleAddOnRel),
  );
}

/**
 * Groups items into (chain, feed) buckets (`oracleFeedSymbol`, `oracleFeedRel`). Items without uncertainty belong
 * to no bucket.
 */
export function oracleBuckets(
  items: readonly ResolvedItem[],
  market: ResolvedMarket,
  staleAddOnRel: number,
): OracleBuckets {
  return oracleBucketsOf(
    items.length,
    (i) => items[i]!.chain,
    (i) => oracleFeedSymbol(items[i]!.token, items[i]!.underlying, market),
    (chain, symbol) => oracleFeedRel(market, chain, symbol, staleAddOnRel),
  );
}

/**
 * `oracleBuckets` over any item layout: item i's chain and feed symbol, and the band of a (chain, feed) (`rel`, which
 * a caller may memoise). Buckets in first-appearance order; a bucket's rate is its members' largest.
 */
export function oracleBucketsOf(
  n: number,
  chainOf: (i: number) => string,
  feedOf: (i: number) => string,
  rel: (chain: string, symbol: string) => number,
): OracleBuckets {
  const byKey = new Map<string, number>();
  const out: OracleBuckets = { rel: [], members: [] };
  for (let i = 0; i < n; i++) {
    const chain = chainOf(i);
    const symbol = feedOf(i);
    const r = rel(chain, symbol);
    if (r <= 0) continue;
    const key = `${chain}|${symbol}`;
    let b = byKey.get(key);
    if (b === undefined) {
      b = out.rel.length;
      byKey.set(key, b);
      out.rel.push(0);
      out.members.push([]);
    }
    out.rel[b] = Math.max(out.rel[b]!, r);
    out.members[b]!.push(i);
  }
  return out;
}

/**
 * Price exposure of an item as the delta-one term of the add-on counts it: holdings their value, derivatives size x
 * spot (the notional that scenario and notional-based requirements scale with).
 * @param isSpot true for spot holdings
 */
export function oracleExposureUsd(isSpot: boolean, valueUsd: number, size: number, spotUsd: number): number {
  return isSpot ? valueUsd : size * spotUsd;
}

/** Scratch of `oracleCharge`'s column sums, grown once to the widest call (the hot loop allocates nothing). */
let columnSums = new Float64Array(2 * BAND_POINTS.length);

/**
 * Charge of buckets `from` .. `to - 1` laid out in columns (bucket k's members are
 * `members[memberStart[k]] .. members[memberStart[k + 1] - 1]`); the members net within their bucket. A bucket's
 * charge is the larger of two terms, never below 0:
 * - delta-one: |net exposure| x rate (`exposureUsd`, see `oracleExposureUsd`): requirements that scale with the
 *   notional (a scenario grid's losses, a rate x notional) move with the price by about that much;
 * - band revaluation: the worst column of the members' summed `lossUsd[i * columns + c]`, member i's loss with its
 *   bucket's price at band point c (`BAND_POINTS`; a model may add columns, such as the rise of its requirement).
 *   Options are revalued at full value, so a delta-hedged bucket still pays for its convexity.
 * With `itemUsd`, each member's share of the charge (by |exposure|, or by its positive loss in the worst column) is
 * written at `itemUsd[member - itemOffset]`. Allocation-free: the batch grid engine calls it per account on every tick.
 */
export function oracleCharge(
  rel: Float64Array,
  memberStart: Int32Array,
  members: Int32Array,
  exposureUsd: Float64Array,
  lossUsd: Float64Array,
  columns: number,
  from: number,
  to: number,
  itemUsd?: Float64Array,
  itemOffset = 0,
): number {
  let addOnUsd = 0;
  for (let k = from; k < to; k++) {
    const start = memberStart[k]!;
    const end = memberStart[k + 1]!;
    let net = 0;
    for (let m = start; m < end; m++) net += exposureUsd[members[m]!]!;
    let charge = Math.abs(net) * rel[k]!;
    let worst = -1;
    // One pass over the members (a member's columns are contiguous), summing every column at once.
    if (columnSums.length < columns) columnSums = new Float64Array(columns);
    const sums = columnSums;
    sums.fill(0, 0, columns);
    for (let m = start; m < end; m++) {
      const at = members[m]! * columns;
      for (let c = 0; c < columns; c++) sums[c]! += lossUsd[at + c]!;
    }
    for (let c = 0; c < columns; c++) {
      if (sums[c]! > charge) {
        charge = sums[c]!;
        worst = c;
      }
    }
    addOnUsd += charge;
    if (itemUsd) {
      // Share of member i: its |exposure| (delta-one term) or its positive loss in the worst column.
      const share = (i: number) => (worst < 0 ? Math.abs(exposureUsd[i]!) : Math.max(0, lossUsd[i * columns + worst]!));
      let total = 0;
      for (let m = start; m < end; m++) total += share(members[m]!);
      for (let m = start; m < end; m++) {
        const i = members[m]!;
        itemUsd[i - itemOffset] = total > 0 ? (charge * share(i)) / total : 0;
      }
    }
  }
  return addOnUsd;
}

/** An item's figures in a model at a given price: what it counts for as collateral and what it requires. */
export interface ItemFigures {
  collateralUsd: number;
  initialUsd: number;
}

/**
 * A model's figures of one item, given its underlying's state and its value at that state (both moved with the
 * bucket's price); `index` is the item's place in the portfolio. The default, `valueFigures`, counts the item at its value and requires nothing.
 */
export type ItemFiguresAt = (
  item: ResolvedItem,
  state: UnderlyingState | undefined,
  valueUsd: number,
  index: number,
) => ItemFigures;

/** The default figures: collateral is the value, no requirement moves with the price. */
export const valueFigures: ItemFiguresAt = (_item, _state, valueUsd) => ({ collateralUsd: valueUsd, initialUsd: 0 });

/** Columns per item of `oracleAddOn`'s losses: free-collateral loss at each band point, then the requirement's rise. */
const ADD_ON_COLUMNS = 2 * BAND_POINTS.length;

/**
 * An item's value with its price multiplied by `mult`: holdings scale (a token's own feed or its underlying's),
 * derivatives are revalued at the moved spot (options at full Black-76 value at their implied vol, sticky strike).
 */
export function itemValueAt(item: ResolvedItem, state: UnderlyingState | undefined, mult: number): number {
  const p = item.priced;
  if (p.kind === "spot" || !state) return item.valueUsd * mult;
  return positionValueUnchecked(
    KIND_CODE[p.kind],
    p.size,
    state.spotUsd * mult,
    state.carryRateAnnual,
    state.riskFreeRateAnnual,
    item.volAnnual,
    p.expiryYears,
    p.priceRatio,
    p.entryPriceUsd,
    p.fundingAccruedUsd,
    p.strikeUsd,
    p.isCall,
  );
}

/** `oracleAddOn`'s working columns (losses, exposures, bucket rates and members), grown to the largest account seen. */
interface AddOnWork {
  loss: Float64Array;
  exposure: Float64Array;
  rel: Float64Array;
  memberStart: Int32Array;
  members: Int32Array;
}

let addOnColumns: AddOnWork = {
  loss: new Float64Array(0),
  exposure: new Float64Array(0),
  rel: new Float64Array(0),
  memberStart: new Int32Array(1),
  members: new Int32Array(0),
};

/**
 * The working columns for `nItems` items in `nBuckets` buckets, reused from one call to the next (the add-on runs once
 * per report, synchronously, and its columns never leave it): allocating five small typed arrays per report had been
 * most of its own time. Only members' entries are read, and each call writes every member's.
 */
function addOnWork(nItems: number, nBuckets: number): AddOnWork {
  const w = addOnColumns;
  if (w.exposure.length < nItems || w.rel.length < nBuckets) {
    const items = Math.max(nItems, w.exposure.length);
    const buckets = Math.max(nBuckets, w.rel.length);
    addOnColumns = {
      loss: new Float64Array(items * ADD_ON_COLUMNS),
      exposure: new Float64Array(items),
      rel: new Float64Array(buckets),
      memberStart: new Int32Array(buckets + 1),
      members: new Int32Array(items),
    };
  }
  return addOnColumns;
}

/**
 * Oracle uncertainty: each (chain, feed) bucket of the account is revalued with its price moved across its band
 * (`BAND_POINTS` of the relative uncertainty: confidence, divergence between sources and chains, staleness), and the
 * worse side is charged: the fall in free collateral or the rise in requirement, whichever is larger, of the bucket's
 * items in the model's own terms (`figuresAt`). The token's own feed on its chain is used where it exists, else the
 * underlying's; the larger of the chain's and the all-chain band counts. Items net within one (chain, feed), never
 * across chains, because each chain's oracle can be wrong on its own. Because a lost or diverging source only ever
 * widens the band (docs/oracles.md, R4 and R7), and the band reaches past the price before the move, the charge pays
 * for whatever the move gained the account. The add-on can only add margin.
 * @throws XmarginError `MISSING_DATA` for a derivative whose underlying has no price (resolution prevents it)
 * @param figuresAt the model's figures of an item at a moved price (default: its value, no requirement)
 */
export function oracleAddOn(
  items: readonly ResolvedItem[],
  market: ResolvedMarket,
  staleAddOnRel: number,
  figuresAt: ItemFiguresAt = valueFigures,
): OracleAddOn {
  const buckets = oracleBuckets(items, market, staleAddOnRel);
  const nPoints = BAND_POINTS.length;
  const nBuckets = buckets.rel.length;
  const w = addOnWork(items.length, nBuckets);
  const { loss, exposure, rel, memberStart, members } = w;
  let nMembers = 0;
  memberStart[0] = 0;
  buckets.members.forEach((list, k) => {
    rel[k] = buckets.rel[k]!;
    for (const i of list) {
      const item = items[i]!;
      // A derivative needs its underlying's state (MISSING_DATA otherwise); a holding's value is its own.
      const state =
        item.priced.kind === "spot"
          ? market.underlyings.get(item.underlying)
          : underlyingStateOf(market, item.underlying, item.path);
      const base = figuresAt(item, state, itemValueAt(item, state, 1), i);
      exposure[i] = oracleExposureUsd(
        item.priced.kind === "spot",
        item.valueUsd,
        item.priced.size,
        state?.spotUsd ?? Number.NaN,
      );
      // A token priced by its own feed moves alone; a derivative or an underlying-priced holding moves its spot.
      const movesSpot = state !== undefined && !ownFeedPriced(item.token, market);
      for (let c = 0; c < nPoints; c++) {
        const mult = bandMultiplier(c, rel[k]!);
        const moved = movesSpot ? { ...state, spotUsd: state.spotUsd * mult } : state;
        const at = figuresAt(item, moved, itemValueAt(item, state, mult), i);
        loss[i * ADD_ON_COLUMNS + c] = base.collateralUsd - base.initialUsd - (at.collateralUsd - at.initialUsd);
        loss[i * ADD_ON_COLUMNS + nPoints + c] = at.initialUsd - base.initialUsd;
      }
      members[nMembers++] = i;
    }
    memberStart[k + 1] = nMembers;
  });
  const itemUsd = new Float64Array(items.length);
  const addOnUsd = oracleCharge(rel, memberStart, members, exposure, loss, ADD_ON_COLUMNS, 0, nBuckets, itemUsd);
  return { addOnUsd, itemUsd };
}

/** True when a holding's token is priced by its own feed (then its underlying's spot does not move with it). */
function ownFeedPriced<T extends { symbol: string }>(token: T | undefined, market: ResolvedMarket): token is T {
  return token !== undefined && market.tokenPrices.has(allChainsFeedKey(token.symbol));
}
