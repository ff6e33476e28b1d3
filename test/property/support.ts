/** Helpers shared by the property suites: running a model on a spec, comparing reports, checking finiteness. */
import { expect } from "vitest";
import { computeMargin } from "../../src/margin/computeMargin.js";
import type { MarginReport } from "../../src/margin/report.js";
import type { MarketSnapshotInput } from "../../src/schema/marketSnapshot.js";
import { type ModelName, modelConfig, type PortfolioSpec, propertyMarket, toPortfolio } from "./arbitraries.js";

/** Built once: the property market is immutable input. */
export const MARKET: MarketSnapshotInput = propertyMarket();

export function margin(spec: PortfolioSpec, model: ModelName, market: MarketSnapshotInput = MARKET): MarginReport {
  return computeMargin({ portfolio: toPortfolio(spec), market, config: modelConfig(model) });
}

/** Every number anywhere in the value (report, JSON) is finite; returns the path of the first that is not. */
export function firstNonFinite(value: unknown, path = "$"): string | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? undefined : `${path} = ${value}`;
  if (typeof value === "string") {
    return /nan|infinity/i.test(value) && /^-?(nan|infinity)$/i.test(value) ? `${path} = "${value}"` : undefined;
  }
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const bad = firstNonFinite(v, `${path}[${i}]`);
      if (bad) return bad;
    }
    return undefined;
  }
  if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      const bad = firstNonFinite(v, `${path}.${k}`);
      if (bad) return bad;
    }
  }
  return undefined;
}

/** a <= b up to `rel` of the larger magnitude (and an absolute 1e-9 USD for values near 0). */
export function expectAtMost(a: number, b: number, rel = 1e-9, what = ""): void {
  const tol = rel * Math.max(Math.abs(a), Math.abs(b)) + 1e-9;
  if (!(a <= b + tol)) expect.fail(`${what}: expected ${a} <= ${b} (tolerance ${tol})`);
}

/** |a - b| within `rel` of the larger magnitude (plus 1e-9 USD absolute). */
export function expectClose(a: number, b: number, rel = 1e-9, what = ""): void {
  const tol = rel * Math.max(Math.abs(a), Math.abs(b)) + 1e-9;
  if (!(Math.abs(a - b) <= tol)) expect.fail(`${what}: expected ${a} ~ ${b} (|diff| ${Math.abs(a - b)} > ${tol})`);
}

/** Account figures compared by the invariance properties. */
export function figures(r: MarginReport): Record<string, number> {
  return {
    initialMarginUsd: r.initialMarginUsd,
    maintenanceMarginUsd: r.maintenanceMarginUsd,
    equityUsd: r.equityUsd,
    collateralValueUsd: r.collateralValueUsd,
    freeCollateralUsd: r.freeCollateralUsd,
  };
}
