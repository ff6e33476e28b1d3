import type { Flag } from "../../core/flags.js";
import { depthFor, type MissingDepth, sqrtImpactCostUsd } from "../resolve/marketDepth.js";
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

export interface LiquidityAddOn {
  unwindUsd: number;
  bridgeUsd: number;
  itemUsd: Float64Array;
  flags: Flag[];
}

/**
 * Cost to unwind, square-root impact model: for a net quantity of notional Q in a market with daily volume V,
 * cost = Q x (half spread + k x daily vol x sqrt(Q / V)). Derivatives net per (chain, venue, underlying); deposits of
 * volatile tokens and borrows are traded per (chain, token). Stablecoin deposits need no trade. Collateral that must be
 * bridged to the risk chain also pays the route's cost. A market without depth data uses the configured thin market
 * and is flagged.
 */
export function liquidityAddOn(
  items: readonly ResolvedItem[],
  market: ResolvedMarket,
  factors: FactorModel,
  bridgeCostBps: Float64Array,
  config: XchainConfig,
): LiquidityAddOn {
  const itemUsd = new Float64Array(items.length);
  const flags: Flag[] = [];
  const missing = new Set<string>();
  const markets = new Map<
    string,
    { chain: string; asset: string; underlying: string; net: number; members: number[]; gross: number[] }
  >();
  let bridgeUsd = 0;
  items.forEach((item, i) => {
    const bridge = item.valueUsd > 0 ? (item.valueUsd * (bridgeCostBps[i] ?? 0)) / 10_000 : 0;
    itemUsd[i] = bridge;
    bridgeUsd += bridge;
    const isDerivative = item.source === "position";
    if (!isDerivative && item.underlying === "USD" && item.valueUsd >= 0) return;
    const spot = spotUsdOf(market, item.underlying, item.path);
    const notional = isDerivative ? item.priced.size * spot : item.valueUsd;
    const asset = isDerivative ? item.underlying : (item.token?.symbol ?? item.underlying);
    const key = isDerivative ? `${item.chain}|${item.venue}|${item.underlying}` : `${item.chain}|${asset}`;
    const m = markets.get(key) ?? {
      chain: item.chain,
      asset,
      underlying: item.underlying,
      net: 0,
      members: [],
      gross: [],
    };
    m.net += notional;
    m.members.push(i);
    m.gross.push(Math.abs(notional));
    markets.set(key, m);
  });
  let unwindUsd = 0;
  for (const m of markets.values()) {
    const q = Math.abs(m.net);
    if (q === 0) continue;
    const f = factors.names.indexOf(m.underlying);
    // An underlying outside the factor model takes the model's fallback vol, never 0.
    const volDaily = factors.volsDaily[f] ?? config.fallbackVolAnnual / Math.sqrt(365);
    const depth = depthFor(market, m.chain, m.asset, m.underlying, missingDepthOf(config), volDaily);
    if (depth.assumed) missing.add(`${m.asset} on ${m.chain}`);
    const cost = sqrtImpactCostUsd(q, depth);
    unwindUsd += cost;
    const gross = m.gross.reduce((a, b) => a + b, 0);
    m.members.forEach((i, n) => {
      itemUsd[i] = (itemUsd[i] ?? 0) + (gross > 0 ? (cost * m.gross[n]!) / gross : 0);
    });
  }
  for (const what of missing) {
    flags.push({
      code: "LIQUIDITY_MISSING",
      severity: "warning",
      message: `no market depth for ${what}: assumed a thin market`,
    });
  }
  return { unwindUsd, bridgeUsd, itemUsd, flags };
}
