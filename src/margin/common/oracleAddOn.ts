import type { Flag } from "../../core/flags.js";
import type { AggregatedPrice } from "../../oracles/aggregateQuotes.js";
import { allChainsFeedKey, chainFeedKey } from "../../oracles/feedKey.js";
import type { ResolvedMarket } from "../resolve/resolvedMarket.js";
import type { ResolvedItem } from "../resolve/resolvedPortfolio.js";
import { spotUsdOf } from "../resolve/underlyingFacts.js";

export interface OracleAddOn {
  addOnUsd: number;
  itemUsd: Float64Array;
}

/** The (chain, feed) buckets of one account in first-appearance order: each bucket's rate and member item indices. */
export interface OracleBuckets {
  rel: number[];
  members: number[][];
}

/** Relative uncertainty of one aggregated price: its band over price, plus the stale add-on if every source is stale. */
function relativeUncertainty(p: AggregatedPrice | undefined, staleAddOnRel: number): number {
  if (!p) return 0;
  const stale = p.flags.some((f: Flag) => f.code === "ORACLE_STALE" && f.severity === "critical");
  return p.uncertaintyUsd / p.priceUsd + (stale ? staleAddOnRel : 0);
}

/**
 * Price exposure of an item as the add-on counts it: holdings their value, derivatives size x spot.
 * @param isSpot true for spot holdings
 */
export function oracleExposureUsd(isSpot: boolean, valueUsd: number, size: number, spotUsd: number): number {
  return isSpot ? valueUsd : size * spotUsd;
}

/**
 * Groups items into (chain, feed) buckets: the token's own feed where one exists, else the underlying's; the larger of
 * the chain's and the all-chain band counts. Items without uncertainty belong to no bucket.
 */
export function oracleBuckets(
  items: readonly ResolvedItem[],
  market: ResolvedMarket,
  staleAddOnRel: number,
): OracleBuckets {
  const byKey = new Map<string, number>();
  const out: OracleBuckets = { rel: [], members: [] };
  items.forEach((item, i) => {
    const symbol =
      item.token && market.tokenPrices.has(allChainsFeedKey(item.token.symbol)) ? item.token.symbol : item.underlying;
    if (symbol === "USD") return;
    const rel = Math.max(
      relativeUncertainty(market.tokenPrices.get(chainFeedKey(item.chain, symbol)), staleAddOnRel),
      relativeUncertainty(market.tokenPrices.get(allChainsFeedKey(symbol)), staleAddOnRel),
    );
    if (rel <= 0) return;
    const key = `${item.chain}|${symbol}`;
    let b = byKey.get(key);
    if (b === undefined) {
      b = out.rel.length;
      byKey.set(key, b);
      out.rel.push(0);
      out.members.push([]);
    }
    out.rel[b] = Math.max(out.rel[b]!, rel);
    out.members[b]!.push(i);
  });
  return out;
}

/**
 * Charge of buckets `from` .. `to - 1` laid out in columns (bucket k's members are
 * `members[memberStart[k]] .. members[memberStart[k + 1] - 1]`): sum over buckets of |net exposure| x rate. With
 * `itemUsd`, each member's share, charge x |its exposure| / gross, is written at `itemUsd[member - itemOffset]`.
 * Allocation-free: the batch grid engine calls it per account on every tick.
 */
export function oracleCharge(
  rel: Float64Array,
  memberStart: Int32Array,
  members: Int32Array,
  exposureUsd: Float64Array,
  from: number,
  to: number,
  itemUsd?: Float64Array,
  itemOffset = 0,
): number {
  let addOnUsd = 0;
  for (let k = from; k < to; k++) {
    let net = 0;
    const end = memberStart[k + 1]!;
    for (let m = memberStart[k]!; m < end; m++) net += exposureUsd[members[m]!]!;
    const charge = Math.abs(net) * rel[k]!;
    addOnUsd += charge;
    if (itemUsd) {
      let gross = 0;
      for (let m = memberStart[k]!; m < end; m++) gross += Math.abs(exposureUsd[members[m]!]!);
      for (let m = memberStart[k]!; m < end; m++) {
        const i = members[m]!;
        itemUsd[i - itemOffset] = gross > 0 ? (charge * Math.abs(exposureUsd[i]!)) / gross : 0;
      }
    }
  }
  return addOnUsd;
}

/**
 * Oracle uncertainty: each item's price exposure (holdings: value; derivatives: size x spot) times the relative
 * uncertainty of the price it is marked with (confidence, divergence between sources and chains, staleness). The
 * token's own feed on its chain is used where it exists, else the underlying's; the larger of the chain's and the
 * all-chain band counts. Exposures net within one (chain, feed), never across chains, because each chain's oracle
 * can be wrong on its own. The add-on can only add margin.
 * @throws XmarginError `MISSING_DATA` for a derivative whose underlying has no price (resolution prevents it)
 */
export function oracleAddOn(
  items: readonly ResolvedItem[],
  market: ResolvedMarket,
  staleAddOnRel: number,
): OracleAddOn {
  const buckets = oracleBuckets(items, market, staleAddOnRel);
  const exposure = new Float64Array(items.length);
  const memberStart = [0];
  const members: number[] = [];
  for (const list of buckets.members) {
    for (const i of list) {
      const item = items[i]!;
      exposure[i] = oracleExposureUsd(
        item.priced.kind === "spot",
        item.valueUsd,
        item.priced.size,
        spotOf(item, market),
      );
      members.push(i);
    }
    memberStart.push(members.length);
  }
  const itemUsd = new Float64Array(items.length);
  // Typed columns, as the batch grid engine passes them, so the shared loop sees one array shape.
  const addOnUsd = oracleCharge(
    Float64Array.from(buckets.rel),
    Int32Array.from(memberStart),
    Int32Array.from(members),
    exposure,
    0,
    buckets.rel.length,
    itemUsd,
  );
  return { addOnUsd, itemUsd };
}

/** Spot of an item's underlying; spot holdings do not need one (their exposure is their value). */
function spotOf(item: ResolvedItem, market: ResolvedMarket): number {
  return item.priced.kind === "spot" ? Number.NaN : spotUsdOf(market, item.underlying, item.path);
}
