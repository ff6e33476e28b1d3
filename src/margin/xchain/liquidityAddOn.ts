import type { Flag } from "../../core/flags.js";
import { depthFor, executionCostUsd, type MissingDepth } from "../resolve/marketDepth.js";
import type { ResolvedMarket } from "../resolve/resolvedMarket.js";
import type { ResolvedItem } from "../resolve/resolvedPortfolio.js";
import { spotUsdOf } from "../resolve/underlyingFacts.js";
import type { XchainConfig } from "./config.js";
import type { FactorModel } from "./riskFactorModel.js";

/** The model's thin-market assumption as a MissingDepth. */
export function missingDepthOf(config: XchainConfig): MissingDepth {
  return {
    dailyVolumeUsd: config.liquidity.missingDailyVolumeUsd,
    halfSpreadBps: config.liquidity.missingHalfSpreadBps,
    impactCoefficient: config.liquidity.missingImpactCoefficient,
  };
}

interface UnwindMarket {
  chain: string;
  asset: string;
  underlying: string;
  /** Net notional per venue (derivatives) or of the holdings, USD. */
  nets: Map<string, number>;
  /** Item index and |notional|. */
  members: Array<[number, number]>;
}

export interface UnwindCost {
  unwindUsd: number;
  /** Each item's share of its market's cost (by gross notional), USD. */
  itemUsd: Float64Array;
  /** Markets (`asset on chain`) priced with the missing-depth assumption. */
  assumedDepth: Set<string>;
}

/**
 * Cost to unwind a book at once (executionCostUsd). The depth is per (chain, token): derivatives net per (chain,
 * venue, underlying) first (only what really nets: one venue's long against its short), and the venues' nets of one
 * (chain, underlying) then trade into that one market, gross: two venues on one chain cost as one venue of their sum.
 * Deposits of volatile tokens and borrows trade per (chain, token); stablecoin deposits need no trade. The market's
 * side is that of its total (a flat total is bought back, the dearer side).
 */
export function unwindCost(
  items: readonly ResolvedItem[],
  market: ResolvedMarket,
  volDailyOf: (underlying: string) => number,
  missing: MissingDepth,
): UnwindCost {
  const itemUsd = new Float64Array(items.length);
  // (chain, asset) market -> (venue or token) net -> members.
  const markets = new Map<string, UnwindMarket>();
  items.forEach((item, i) => {
    const isDerivative = item.source === "position";
    // Stablecoin deposits and settled (expired) options need no trade; only a USD borrow is bought back.
    if (item.underlying === "USD" && (isDerivative || item.valueUsd >= 0)) return;
    const notional = isDerivative ? item.priced.size * spotUsdOf(market, item.underlying, item.path) : item.valueUsd;
    const asset = isDerivative ? item.underlying : (item.token?.symbol ?? item.underlying);
    const key = `${item.chain}|${asset}`;
    const m: UnwindMarket = markets.get(key) ?? {
      chain: item.chain,
      asset,
      underlying: item.underlying,
      nets: new Map(),
      members: [],
    };
    const netKey = isDerivative ? `venue:${item.venue ?? ""}` : "holdings";
    m.nets.set(netKey, (m.nets.get(netKey) ?? 0) + notional);
    m.members.push([i, Math.abs(notional)]);
    markets.set(key, m);
  });
  let unwindUsd = 0;
  const assumedDepth = new Set<string>();
  for (const m of markets.values()) {
    let gross = 0;
    let total = 0;
    for (const net of m.nets.values()) {
      gross += Math.abs(net);
      total += net;
    }
    if (gross === 0) continue;
    const depth = depthFor(market, m.chain, m.asset, m.underlying, missing, volDailyOf(m.underlying));
    if (depth.assumed) assumedDepth.add(`${m.asset} on ${m.chain}`);
    // Unwinding a long total sells (negative flow); a short or flat total buys back.
    const cost = executionCostUsd(total > 0 ? -gross : gross, depth);
    unwindUsd += cost;
    const memberGross = m.members.reduce((a, [, g]) => a + g, 0);
    for (const [i, g] of m.members) itemUsd[i]! += memberGross > 0 ? (cost * g) / memberGross : 0;
  }
  return { unwindUsd, itemUsd, assumedDepth };
}

export interface LiquidityAddOn {
  unwindUsd: number;
  bridgeUsd: number;
  itemUsd: Float64Array;
  flags: Flag[];
}

/**
 * Liquidity add-on of the xchain model: the cost to unwind the book at once (unwindCost, with the factor model's
 * vols; an underlying outside it takes the model's fallback vol, never 0), plus the route cost of collateral that
 * must be bridged to the risk chain. A market without depth data uses the configured thin market and is flagged.
 */
export function liquidityAddOn(
  items: readonly ResolvedItem[],
  market: ResolvedMarket,
  factors: FactorModel,
  bridgeCostBps: Float64Array,
  config: XchainConfig,
): LiquidityAddOn {
  const volDailyOf = (u: string) =>
    factors.volsDaily[factors.names.indexOf(u)] ?? config.fallbackVolAnnual / Math.sqrt(365);
  const unwind = unwindCost(items, market, volDailyOf, missingDepthOf(config));
  const itemUsd = unwind.itemUsd;
  let bridgeUsd = 0;
  items.forEach((item, i) => {
    const bridge = item.valueUsd > 0 ? (item.valueUsd * bridgeCostBps[i]!) / 10_000 : 0;
    itemUsd[i]! += bridge;
    bridgeUsd += bridge;
  });
  const flags = [...unwind.assumedDepth].map(
    (what): Flag => ({
      code: "LIQUIDITY_MISSING",
      severity: "warning",
      message: `no market depth for ${what}: assumed a thin market`,
    }),
  );
  return { unwindUsd: unwind.unwindUsd, bridgeUsd, itemUsd, flags };
}
