import type { Flag } from "../../core/flags.js";
import { SECONDS_PER_DAY } from "../../core/time.js";
import { chainFinalitySec, fastestBridgeRoute } from "../resolve/chainFacts.js";
import type { ResolvedMarket } from "../resolve/resolvedMarket.js";
import type { ResolvedItem } from "../resolve/resolvedPortfolio.js";
import { spotUsdOf } from "../resolve/underlyingFacts.js";
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

/** One contract's net size on its chain and its underlying's spot. */
interface ContractSum {
  chain: string;
  size: number;
  spotUsd: number;
}

/**
 * Net sizes per contract (chain, venue, underlying, kind, expiry, strike, call/put), in order of first appearance.
 * Looked up by its text fields, then by its expiry and strike as numbers (a Map's key equality on numbers is the
 * same as on their text, without formatting them per item).
 */
class ContractSums {
  readonly list: ContractSum[] = [];
  private readonly byKey = new Map<string, Map<number, Map<number, ContractSum>>>();

  add(item: ResolvedItem, market: ResolvedMarket): void {
    const p = item.priced;
    const key = `${item.chain}|${item.venue}|${item.underlying}|${p.kind}|${p.isCall}`;
    let byExpiry = this.byKey.get(key);
    if (!byExpiry) {
      byExpiry = new Map();
      this.byKey.set(key, byExpiry);
    }
    let byStrike = byExpiry.get(p.expiryYears);
    if (!byStrike) {
      byStrike = new Map();
      byExpiry.set(p.expiryYears, byStrike);
    }
    let c = byStrike.get(p.strikeUsd);
    if (!c) {
      c = { chain: item.chain, size: 0, spotUsd: spotUsdOf(market, item.underlying, item.path) };
      byStrike.set(p.strikeUsd, c);
      this.list.push(c);
    }
    c.size += p.size;
  }
}

/**
 * The chain where an account's derivative risk sits: the chain with the largest net notional per contract (a flat
 * +100/-100 pair on one chain is no risk there); an account without derivatives takes the chain of its largest
 * borrow. Ties go to the first chain by name; undefined when there is neither. The cascade and the plans use this
 * same function, so an account is liquidated where the model says its risk is.
 */
export function riskChainOf(items: readonly ResolvedItem[], market: ResolvedMarket): string | undefined {
  const contracts = new ContractSums();
  for (const item of items) {
    // Settled (expired) options are USD amounts: no contract risk.
    if (item.source !== "position" || item.underlying === "USD") continue;
    contracts.add(item, market);
  }
  const byChain = new Map<string, number>();
  const add = (chain: string, usd: number) => byChain.set(chain, (byChain.get(chain) ?? 0) + usd);
  for (const c of contracts.list) if (c.size !== 0) add(c.chain, netNotionalUsd(c.size, c.spotUsd));
  if (byChain.size === 0) for (const item of items) if (item.valueUsd < 0) add(item.chain, -item.valueUsd);
  let riskChain: string | undefined;
  let best = -1;
  for (const [chain, v] of [...byChain].sort((a, b) => a[0].localeCompare(b[0]))) {
    if (v > best) {
      best = v;
      riskChain = chain;
    }
  }
  return riskChain;
}

/** How collateral on one chain reaches the risk chain: the fastest route, or the configured worst case. */
export interface SeizureRoute {
  latencySec: number;
  costBps: number;
  /** True when the snapshot has no route and the configured worst case was assumed. */
  missing: boolean;
}

/**
 * Seizure of collateral on `from` for a liquidation on `to`: nothing when they are the same chain, else the fastest
 * bridge route of the snapshot, else `horizon.missingBridgeLatencySec` / `missingBridgeCostBps` (a canonical
 * 7-day withdrawal by default).
 */
export function seizureRoute(
  market: ResolvedMarket,
  from: string,
  to: string,
  horizon: XchainConfig["horizon"],
): SeizureRoute {
  if (from === to) return { latencySec: 0, costBps: 0, missing: false };
  const route = fastestBridgeRoute(market, from, to);
  if (route) return { latencySec: route.latencySec, costBps: route.costBps, missing: false };
  return { latencySec: horizon.missingBridgeLatencySec, costBps: horizon.missingBridgeCostBps, missing: true };
}

/** A liquidation horizon, days: base period + `waitSec` (finality, plus a bridge when collateral must move), rounded up. */
function horizonDays(waitSec: number, config: XchainConfig): number {
  return roundUp(config.horizon.baseDays + waitSec / SECONDS_PER_DAY, config);
}

/** A horizon as a time point's key: days to 1e-9, so horizons equal but for rounding share one point. */
const timeKey = (d: number) => Math.round(d * 1e9) / 1e9;

/** Every chain's own horizon (no bridge) in one market and config, and their time-point keys in the chains' order. */
interface ChainHorizons {
  days: Map<string, number>;
  keys: number[];
}

/** Per market object (a tick) and config: the chains' own horizons, the same for every account on the tick. */
const chainHorizonsByMarket = new WeakMap<ResolvedMarket, WeakMap<XchainConfig, ChainHorizons>>();

function chainHorizons(market: ResolvedMarket, config: XchainConfig): ChainHorizons {
  let byConfig = chainHorizonsByMarket.get(market);
  if (!byConfig) {
    byConfig = new WeakMap();
    chainHorizonsByMarket.set(market, byConfig);
  }
  let out = byConfig.get(config);
  if (!out) {
    const days = new Map<string, number>();
    for (const [chain, c] of market.chains) days.set(chain, horizonDays(c.finalitySec, config));
    out = { days, keys: Array.from(days.values(), timeKey) };
    byConfig.set(config, out);
  }
  return out;
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
  const riskChain = riskChainOf(items, market);
  const n = items.length;
  const itemDays = new Float64Array(n);
  const itemBridgeCostBps = new Float64Array(n);
  const missingRoutes = new Set<string>();
  const chains = chainHorizons(market, config);
  items.forEach((item, i) => {
    if (riskChain && item.source === "holding" && item.valueUsd > 0 && item.chain !== riskChain) {
      const finalitySec = chainFinalitySec(market, item.chain, `${item.path}.chain`);
      const route = seizureRoute(market, item.chain, riskChain, config.horizon);
      itemBridgeCostBps[i] = route.costBps;
      if (route.missing) missingRoutes.add(`${item.chain}->${riskChain}`);
      itemDays[i] = horizonDays(finalitySec + route.latencySec, config);
    } else {
      // an unknown chain is the error chainFinalitySec raises
      itemDays[i] =
        chains.days.get(item.chain) ?? horizonDays(chainFinalitySec(market, item.chain, `${item.path}.chain`), config);
    }
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
  const distinct = [...new Set([...chains.keys, ...Array.from(itemDays, timeKey)])].sort((a, b) => a - b);
  const timesDays = Float64Array.from(distinct.length > 0 ? distinct : [config.horizon.baseDays]);
  const itemTime = Int32Array.from(itemDays, (d) => distinct.indexOf(timeKey(d)));
  return { riskChain, itemDays, timesDays, itemTime, itemBridgeCostBps, flags };
}
