import type { Flag } from "../../core/flags.js";
import { assembleReport } from "../common/assembleReport.js";
import { oracleAddOn } from "../common/oracleAddOn.js";
import { standaloneCollateral, standaloneRequirement } from "../common/standaloneRequirement.js";
import type { MarginComponent, MarginReport } from "../report.js";
import type { ResolvedMarket } from "../resolve/resolvedMarket.js";
import type { ResolvedPortfolio } from "../resolve/resolvedPortfolio.js";
import type { CrossConfig } from "./config.js";

interface Pool {
  equityUsd: number;
  collateralUsd: number;
  maintenanceCollateralUsd: number;
  initialUsd: number;
  maintenanceUsd: number;
}

/**
 * Cross margin, one pool per chain (Drift / Mango v4 style): inside a chain, all deposits (at asset weights), borrows
 * (at liability weights), unrealised P&L and derivative requirements share one pool, and opposite perps/futures of the
 * same market net. Pools on different chains do not support each other: the account's health is its weakest pool's,
 * and a deficit on one chain is not covered by a surplus elsewhere (free collateral is then minus the deficits).
 */
export function computeCross(portfolio: ResolvedPortfolio, market: ResolvedMarket, config: CrossConfig): MarginReport {
  const items = portfolio.items;
  const itemInitial = new Float64Array(items.length);
  const itemMaintenance = new Float64Array(items.length);
  const itemCollateral = new Float64Array(items.length);
  const itemMaintenanceCollateral = new Float64Array(items.length);
  // Share of each item's standalone requirement left after netting within its contract (1: none netted).
  const itemNetScale = new Float64Array(items.length).fill(1);
  items.forEach((item, i) => {
    const state = market.underlyings.get(item.underlying);
    if (!state) return;
    const req = standaloneRequirement(item, state, config);
    const coll = standaloneCollateral(item, config.collateralWeights);
    itemInitial[i] = req.initialUsd;
    itemMaintenance[i] = req.maintenanceUsd;
    itemCollateral[i] = coll.initialUsd;
    itemMaintenanceCollateral[i] = coll.maintenanceUsd;
  });

  if (config.netSameMarket) {
    const markets = new Map<string, number[]>();
    items.forEach((item, i) => {
      const p = item.priced;
      if (p.kind === "spot") return;
      const contract =
        p.kind === "option" ? `${p.expiryYears}|${p.strikeUsd}|${p.isCall}` : p.kind === "future" ? p.expiryYears : "";
      const key = `${item.chain}|${item.venue}|${item.underlying}|${p.kind}|${contract}`;
      markets.set(key, [...(markets.get(key) ?? []), i]);
    });
    for (const indices of markets.values()) {
      let net = 0;
      let gross = 0;
      let shortGross = 0;
      for (const i of indices) {
        const size = items[i]!.priced.size;
        net += size;
        gross += Math.abs(size);
        if (size < 0) shortGross -= size;
      }
      // Linear: the net size is charged. Options: only shorts carry a requirement, and only the net short part.
      const isOption = items[indices[0]!]!.priced.kind === "option";
      const scale = isOption
        ? net >= 0
          ? 0
          : shortGross > 0
            ? -net / shortGross
            : 1
        : gross > 0
          ? Math.abs(net) / gross
          : 1;
      for (const i of indices) {
        itemInitial[i]! *= scale;
        itemMaintenance[i]! *= scale;
        itemNetScale[i] = scale;
      }
    }
  }

  // Oracle uncertainty is a requirement of the pool the exposure sits in.
  // The band moves each (netted) requirement and collateral with the price, as this model counts them.
  const oracle = oracleAddOn(items, market, config.oracleStaleAddOnRel, (item, state, valueUsd, i) => {
    if (!state) return { collateralUsd: 0, initialUsd: 0 };
    const moved = { ...item, valueUsd };
    return {
      collateralUsd: standaloneCollateral(moved, config.collateralWeights).initialUsd,
      initialUsd: standaloneRequirement(moved, state, config).initialUsd * itemNetScale[i]!,
    };
  });
  for (let i = 0; i < items.length; i++) {
    itemInitial[i]! += oracle.itemUsd[i]!;
    itemMaintenance[i]! += oracle.itemUsd[i]!;
  }

  const pools = new Map<string, Pool>();
  items.forEach((item, i) => {
    const pool = pools.get(item.chain) ?? {
      equityUsd: 0,
      collateralUsd: 0,
      maintenanceCollateralUsd: 0,
      initialUsd: 0,
      maintenanceUsd: 0,
    };
    pool.equityUsd += item.valueUsd;
    pool.collateralUsd += itemCollateral[i]!;
    pool.maintenanceCollateralUsd += itemMaintenanceCollateral[i]!;
    pool.initialUsd += itemInitial[i]!;
    pool.maintenanceUsd += itemMaintenance[i]!;
    pools.set(item.chain, pool);
  });

  const oracleByChain = new Map<string, number>();
  items.forEach((item, i) => {
    oracleByChain.set(item.chain, (oracleByChain.get(item.chain) ?? 0) + oracle.itemUsd[i]!);
  });
  const flags: Flag[] = [];
  const components: MarginComponent[] = [];
  let surplusUsd = 0;
  let deficitUsd = 0;
  let health: number | null = null;
  for (const [chain, pool] of [...pools].sort((a, b) => a[0].localeCompare(b[0]))) {
    const oracleUsd = oracleByChain.get(chain) ?? 0;
    components.push({
      id: "chain-pool",
      name: `pool ${chain}`,
      initialMarginUsd: pool.initialUsd - oracleUsd,
      maintenanceMarginUsd: pool.maintenanceUsd - oracleUsd,
      detail: `weighted collateral ${pool.collateralUsd.toFixed(2)} USD on ${chain}`,
    });
    const free = pool.collateralUsd - pool.initialUsd;
    if (free >= 0) surplusUsd += free;
    else deficitUsd += -free;
    const mc = pool.maintenanceCollateralUsd;
    const chainHealth = mc < 0 ? 0 : pool.maintenanceUsd > 0 ? mc / pool.maintenanceUsd : null;
    if (chainHealth !== null) health = health === null ? chainHealth : Math.min(health, chainHealth);
    if (chainHealth !== null && chainHealth < 1) {
      flags.push({
        code: "CHAIN_UNDERCOLLATERALISED",
        severity: "critical",
        message: `${chain}: weighted collateral ${mc.toFixed(2)} is below maintenance ${pool.maintenanceUsd.toFixed(2)} USD`,
      });
    } else if (free < 0) {
      flags.push({
        code: "CHAIN_UNDERCOLLATERALISED",
        severity: "warning",
        message: `${chain}: weighted collateral ${pool.collateralUsd.toFixed(2)} is below initial ${pool.initialUsd.toFixed(2)} USD`,
      });
    }
  }
  components.push({
    id: "oracle-uncertainty",
    name: "oracle uncertainty",
    initialMarginUsd: oracle.addOnUsd,
    maintenanceMarginUsd: oracle.addOnUsd,
    detail: "exposure x (confidence, divergence, staleness), charged in the pool of the exposure's chain",
  });
  return assembleReport({
    model: "cross",
    portfolio,
    market,
    itemInitialUsd: itemInitial,
    itemMaintenanceUsd: itemMaintenance,
    itemCollateralUsd: itemCollateral,
    itemMaintenanceCollateralUsd: itemMaintenanceCollateral,
    components,
    flags,
    freeCollateralUsd: deficitUsd > 0 ? -deficitUsd : surplusUsd,
    healthRatio: health,
  });
}
