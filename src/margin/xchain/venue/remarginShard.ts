import { XmarginError } from "../../../core/errors.js";
import type { Portfolio } from "../../../schema/portfolio.js";
import type { BatchAccountResult } from "../../batch/batchGridEngine.js";
import type { MarginReport } from "../../report.js";
import { type PortfolioStructure, portfolioStructure } from "../../resolve/portfolioStructure.js";
import type { ResolvedMarket } from "../../resolve/resolvedMarket.js";
import { resolveStructure } from "../../resolve/resolvePortfolio.js";
import { computeXchain } from "../computeXchain.js";
import type { XchainConfig } from "../config.js";
import { abandonVectors } from "../sharedScenarios.js";
import type { XchainTailHints } from "../tailHints.js";

/** What a venue needs of one account's report after a tick; `report` holds the whole report when asked for. */
export interface XchainAccountResult extends BatchAccountResult {
  /** Set when the account could not be margined on this tick (the venue must treat it as unhealthy). */
  error?: { code: string; message: string; path?: string };
  report?: MarginReport;
}

/**
 * Re-margins validated accounts against one tick's resolved market with the xchain model, in order. Every report on
 * the tick reads the same shared scenario set (computed by the first one), so after it an account costs its own P&L
 * vectors and tail only. An account that fails to resolve or compute gets `error` and NaN figures instead of a silent
 * number, and the others go on. An account comes as its document or as its kept structure (`portfolioStructure`, made
 * once at a venue's load: then only its prices are resolved on the tick, with the same items, flags and errors as
 * `resolvePortfolio`). `hints`, when given, holds each account's tail levels from its previous tick (kept and updated
 * here: the tails' screening saved, the figures unchanged).
 */
export function remarginShard(
  accounts: readonly (Portfolio | PortfolioStructure)[],
  market: ResolvedMarket,
  config: XchainConfig,
  fullReports: boolean,
  hints?: readonly XchainTailHints[],
): XchainAccountResult[] {
  const venueConfig = venueConfigOf(config);
  return accounts.map((account, i) => {
    try {
      const r = computeXchain(resolveStructure(structureOf(account), market), market, venueConfig, hints?.[i]);
      return {
        accountId: r.accountId,
        initialMarginUsd: r.initialMarginUsd,
        maintenanceMarginUsd: r.maintenanceMarginUsd,
        collateralValueUsd: r.collateralValueUsd,
        freeCollateralUsd: r.freeCollateralUsd,
        healthRatio: r.healthRatio,
        ...(fullReports ? { report: r } : {}),
      };
    } catch (e) {
      abandonVectors();
      const err = e instanceof XmarginError ? e : new XmarginError(String(e), { code: "INTERNAL" });
      return {
        accountId: account.accountId,
        initialMarginUsd: Number.NaN,
        maintenanceMarginUsd: Number.NaN,
        collateralValueUsd: Number.NaN,
        freeCollateralUsd: Number.NaN,
        healthRatio: null,
        error: { code: err.code, message: err.message, ...(err.path ? { path: err.path } : {}) },
      };
    }
  });
}

function structureOf(account: Portfolio | PortfolioStructure): PortfolioStructure {
  return "mayRepeatIds" in account ? account : portfolioStructure(account);
}

/** Each config's venue form, one object per config so that the caches keyed by config hold across ticks. */
const venueConfigs = new WeakMap<XchainConfig, XchainConfig>();

/**
 * A venue's listed options are held by many accounts: one kept vector per instrument serves them all, and without
 * summed option grids one worker and two give the same bits (docs/models/xchain.md, "summed option grids").
 */
function venueConfigOf(config: XchainConfig): XchainConfig {
  let v = venueConfigs.get(config);
  if (!v) {
    v = { ...config, simulation: { ...config.simulation, optionGrids: "perInstrument" } };
    venueConfigs.set(config, v);
  }
  return v;
}
