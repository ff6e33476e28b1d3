import type { Flag } from "../../core/flags.js";
import { SECONDS_PER_DAY } from "../../core/time.js";
import type { ResolvedMarket } from "../resolve/resolvedMarket.js";
import type { ResolvedItem } from "../resolve/resolvedPortfolio.js";
import type { XchainConfig } from "./config.js";

export interface Horizons {
  /** The chain where the account's derivative risk (largest net notional per contract) sits; undefined if none. */
  riskChain: string | undefined;
  /** Liquidation horizon of each item, days. */
  itemDays: Float64Array;
  /** Distinct horizons, ascending: the simulation's time points. */
  timesDays: Float64Array;
  /** Index into timesDays of each item. */
  itemTime: Int32Array;
  /** Bridge cost of each item that must be moved to the risk chain, bps (0 otherwise). */
  itemBridgeCostBps: Float64Array;
  flags: Flag[];
}

/** Notional of a contract's net size, USD (options: |size| x spot, a bound on their delta exposure). */
function netNotionalUsd(size: number, spotUsd: number): number {
  return Math.abs(size) * spotUsd;
}

/** Rounds a horizon up to the configured step: only ever longer, so only ever more risk. */
function roundUp(days: number, config: XchainConfig): number {
  const step = config.horizon.roundUpDays;
  // The 1e-9 guard keeps exact multiples of the step in place.
  return step > 0 ? Math.ceil(days / step - 1e-9) * step : days;
}

/**
 * Liquidation horizon of each holding and position: base margin period + its chain's finality; a deposit on a chain
 * other than the risk chain also waits for the bridge route to it (the fastest known route; a missing route takes
 * the configured worst case and is flagged).
 */
export function liquidationHorizons(
  items: readonly ResolvedItem[],
  market: ResolvedMarket,
  config: XchainConfig,
): Horizons {
  const flags: Flag[] = [];
  // Net size per contract first: a flat +100/-100 pair on one chain is no risk there.
  const contracts = new Map<string, { chain: string; size: number; spotUsd: number }>();
  for (const item of items) {
    if (item.source !== "position") continue;
    const p = item.priced;
    const key = `${item.chain}|${item.venue}|${item.underlying}|${p.kind}|${p.expiryYears}|${p.strikeUsd}|${p.isCall}`;
    const c = contracts.get(key) ?? {
      chain: item.chain,
      size: 0,
      spotUsd: market.underlyings.get(item.underlying)?.spotUsd ?? 0,
    };
    c.size += p.size;
    contracts.set(key, c);
  }
  const byChain = new Map<string, number>();
  for (const c of contracts.values()) {
    if (c.size !== 0) byChain.set(c.chain, (byChain.get(c.chain) ?? 0) + netNotionalUsd(c.size, c.spotUsd));
  }
  if (byChain.size === 0) {
    for (const item of items) {
      if (item.valueUsd < 0) byChain.set(item.chain, (byChain.get(item.chain) ?? 0) - item.valueUsd);
    }
  }
  let riskChain: string | undefined;
  let best = -1;
  for (const [chain, v] of [...byChain].sort((a, b) => a[0].localeCompare(b[0]))) {
    if (v > best) {
      best = v;
      riskChain = chain;
    }
  }

  const n = items.length;
  const itemDays = new Float64Array(n);
  const itemBridgeCostBps = new Float64Array(n);
  const missingRoutes = new Set<string>();
  items.forEach((item, i) => {
    const finalitySec = market.chains.get(item.chain)?.finalitySec ?? 0;
    let bridgeSec = 0;
    if (riskChain && item.source === "holding" && item.valueUsd > 0 && item.chain !== riskChain) {
      const routes = market.bridges.filter((b) => b.from === item.chain && b.to === riskChain);
      if (routes.length > 0) {
        const fastest = routes.reduce((a, b) => (b.latencySec < a.latencySec ? b : a));
        bridgeSec = fastest.latencySec;
        itemBridgeCostBps[i] = fastest.costBps;
      } else {
        bridgeSec = config.horizon.missingBridgeLatencySec;
        itemBridgeCostBps[i] = config.horizon.missingBridgeCostBps;
        missingRoutes.add(`${item.chain}->${riskChain}`);
      }
    }
    itemDays[i] = roundUp(config.horizon.baseDays + (finalitySec + bridgeSec) / SECONDS_PER_DAY, config);
  });
  for (const route of missingRoutes) {
    flags.push({
      code: "BRIDGE_ROUTE_MISSING",
      severity: "warning",
      message: `no bridge route ${route} in the snapshot: assumed ${config.horizon.missingBridgeLatencySec}s and ${config.horizon.missingBridgeCostBps} bps`,
    });
  }
  // Every chain's own horizon is a time point whether or not the portfolio uses it, so that adding a position on
  // another chain does not add a point and re-assign the Monte Carlo draws; only bridged collateral adds points.
  const chainDays = [...market.chains.values()].map((c) =>
    roundUp(config.horizon.baseDays + c.finalitySec / SECONDS_PER_DAY, config),
  );
  const key = (d: number) => Math.round(d * 1e9) / 1e9;
  const distinct = [...new Set([...chainDays, ...itemDays].map(key))].sort((a, b) => a - b);
  const timesDays = Float64Array.from(distinct.length > 0 ? distinct : [config.horizon.baseDays]);
  const itemTime = Int32Array.from(itemDays, (d) => distinct.indexOf(key(d)));
  return { riskChain, itemDays, timesDays, itemTime, itemBridgeCostBps, flags };
}
