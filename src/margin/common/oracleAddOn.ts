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

/** Relative uncertainty of one aggregated price: its band over price, plus the stale add-on if every source is stale. */
function relativeUncertainty(p: AggregatedPrice | undefined, staleAddOnRel: number): number {
  if (!p) return 0;
  const stale = p.flags.some((f: Flag) => f.code === "ORACLE_STALE" && f.severity === "critical");
  return p.uncertaintyUsd / p.priceUsd + (stale ? staleAddOnRel : 0);
}

/**
 * Oracle uncertainty: each item's price exposure (holdings: value; derivatives: size x spot) times the relative
 * uncertainty of the price it is marked with (confidence, divergence between sources and chains, staleness). The
 * token's own feed on its chain is used where it exists, else the underlying's; the larger of the chain's and the
 * all-chain band counts. Exposures net within one (chain, feed), never across chains, because each chain's oracle
 * can be wrong on its own. The add-on can only add margin.
 */
export function oracleAddOn(
  items: readonly ResolvedItem[],
  market: ResolvedMarket,
  staleAddOnRel: number,
): OracleAddOn {
  const itemUsd = new Float64Array(items.length);
  const buckets = new Map<
    string,
    { net: number; gross: number; rel: number; members: number[]; exposures: number[] }
  >();
  items.forEach((item, i) => {
    const symbol =
      item.token && market.tokenPrices.has(allChainsFeedKey(item.token.symbol)) ? item.token.symbol : item.underlying;
    if (symbol === "USD") return;
    const rel = Math.max(
      relativeUncertainty(market.tokenPrices.get(chainFeedKey(item.chain, symbol)), staleAddOnRel),
      relativeUncertainty(market.tokenPrices.get(allChainsFeedKey(symbol)), staleAddOnRel),
    );
    if (rel <= 0) return;
    const exposure =
      item.priced.kind === "spot" ? item.valueUsd : item.priced.size * spotUsdOf(market, item.underlying, item.path);
    const key = `${item.chain}|${symbol}`;
    const b = buckets.get(key) ?? { net: 0, gross: 0, rel: 0, members: [], exposures: [] };
    b.net += exposure;
    b.gross += Math.abs(exposure);
    b.rel = Math.max(b.rel, rel);
    b.members.push(i);
    b.exposures.push(Math.abs(exposure));
    buckets.set(key, b);
  });
  let addOnUsd = 0;
  for (const b of buckets.values()) {
    const charge = Math.abs(b.net) * b.rel;
    addOnUsd += charge;
    b.members.forEach((i, k) => {
      itemUsd[i] = b.gross > 0 ? (charge * b.exposures[k]!) / b.gross : 0;
    });
  }
  return { addOnUsd, itemUsd };
}
