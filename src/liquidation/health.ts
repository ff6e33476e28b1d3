import { z } from "zod";
import type { MarginReport } from "../margin/report.js";
import { resolveMarket } from "../margin/resolve/resolveMarket.js";
import { spotUsdOf, underlyingVolDaily } from "../margin/resolve/underlyingFacts.js";
import type { AnyMarginConfig } from "../margin/resolveConfig.js";
import type { MarketSnapshot } from "../schema/marketSnapshot.js";
import type { Portfolio } from "../schema/portfolio.js";
import { evaluateMargin, liquidationDistance } from "./evaluateMargin.js";
import { brentRoot } from "./findRoot.js";
import { firstPassageProbability, medianFirstPassageDays } from "./firstPassage.js";
import { type AccountInput, parseAccountInput, parseParams } from "./inputs.js";
import { applyMarketMoves } from "./marketMoves.js";
import { pinPortfolio } from "./portfolioEdits.js";

/** Search and time-to-liquidation parameters (plain JSON numbers, like a MarginConfig). */
export const healthParamsSchema = z
  .object({
    /** Lowest spot multiplier searched (0.01 = price -99%). */
    minSpotMult: z.number().gt(0).lt(1).default(0.01),
    /** Highest spot multiplier searched (10 = price x10). */
    maxSpotMult: z.number().gt(1).max(1000).default(10),
    /** Step of the outward scan that brackets the first liquidation level, as a fraction of spot. */
    scanStepRel: z.number().gt(0).max(0.5).default(0.05),
    /** Absolute tolerance of the root on the spot multiplier (1e-7 = 0.00001% of spot). */
    toleranceMult: z.number().positive().max(0.01).default(1e-7),
    /** Horizons for the probability of touching the liquidation price, days. */
    horizonsDays: z.array(z.number().positive().max(3650)).min(1).max(20).default([1, 7]),
    /** Daily vol used when the snapshot has neither a risk-factor vol nor a surface for the underlying. */
    fallbackVolDaily: z.number().positive().max(1).default(0.05),
  })
  .strict();

export type HealthParams = z.infer<typeof healthParamsSchema>;

/** One liquidation level of an underlying, with the model re-run at it. */
export interface LiquidationLevel {
  /** Spot multiplier at the level (0.8 = spot -20%). */
  spotMult: number;
  priceUsd: number;
  /** spotMult - 1. */
  moveRel: number;
  /** The model's health ratio re-run at this price (about 1 where health is continuous). */
  healthAtPrice: number | null;
  /** Probability that a driftless lognormal price touches the level within each horizon. */
  probabilityWithin: Array<{ days: number; probability: number }>;
  /** Days until that probability reaches 50%. */
  medianDays: number;
}

export interface UnderlyingHealth {
  underlying: string;
  spotUsd: number;
  /** Daily log-return vol used for the time to liquidation. */
  volDaily: number;
  /** First level below spot where the account becomes liquidatable, null if none down to minSpotMult. */
  down: LiquidationLevel | null;
  /** First level above spot, null if none up to maxSpotMult. */
  up: LiquidationLevel | null;
  /** Median first-passage days of the nearer level (null if neither exists or the account is liquidatable now). */
  medianDaysToLiquidation: number | null;
}

export interface HealthResult {
  accountId: string;
  model: string;
  asOf: string;
  equityUsd: number;
  initialMarginUsd: number;
  maintenanceMarginUsd: number;
  freeCollateralUsd: number;
  healthRatio: number | null;
  liquidatableNow: boolean;
  /** One entry per underlying the account is exposed to (not USD), each searched with the others held fixed. */
  underlyings: UnderlyingHealth[];
  report: MarginReport;
}

function scanPoints(params: HealthParams, direction: "down" | "up"): number[] {
  const out: number[] = [];
  const step = params.scanStepRel;
  if (direction === "down") {
    for (let m = 1 - step; m > params.minSpotMult + 1e-12; m -= step) out.push(m);
    out.push(params.minSpotMult);
  } else {
    for (let m = 1 + step; m < params.maxSpotMult - 1e-12; m *= 1 + step) out.push(m);
    out.push(params.maxSpotMult);
  }
  return out;
}

/**
 * Health of validated documents: the model's report plus, per underlying, the spot levels where the account becomes
 * liquidatable, found by re-running the model (never a linear extrapolation): an outward scan brackets the first
 * sign change of `health - 1`, then Brent's method narrows it to `toleranceMult`.
 * @see docs/liquidation.md
 */
export function healthOf(
  portfolioDoc: Portfolio,
  snapshot: MarketSnapshot,
  config: AnyMarginConfig,
  params: HealthParams,
): HealthResult {
  const resolved = resolveMarket(snapshot);
  const portfolio = pinPortfolio(portfolioDoc, resolved);
  const report = evaluateMargin(portfolio, snapshot, config);
  const base = liquidationDistance(report);
  const liquidatableNow = base < 0;
  const exposed = [...new Set(report.byPosition.map((r) => r.underlying))].filter((u) => u !== "USD").sort();

  const underlyingsOut = exposed.map((u): UnderlyingHealth => {
    const spotUsd = spotUsdOf(resolved, u);
    const volDaily = underlyingVolDaily(resolved, u, params.fallbackVolDaily);
    const cache = new Map<number, MarginReport>([[1, report]]);
    const at = (m: number): MarginReport => {
      let r = cache.get(m);
      if (!r) {
        r = evaluateMargin(portfolio, applyMarketMoves(snapshot, { spotMult: { [u]: m } }), config);
        cache.set(m, r);
      }
      return r;
    };
    const level = (direction: "down" | "up"): LiquidationLevel | null => {
      if (liquidatableNow) return null;
      let safe = 1;
      let safeD = base;
      for (const m of scanPoints(params, direction)) {
        const d = liquidationDistance(at(m));
        if (d < 0) {
          const root = brentRoot((x) => liquidationDistance(at(x)), safe, m, params.toleranceMult, 200, safeD, d);
          const x = root.x;
          const priceUsd = spotUsd * x;
          return {
            spotMult: x,
            priceUsd,
            moveRel: x - 1,
            healthAtPrice: at(x).healthRatio,
            probabilityWithin: params.horizonsDays.map((days) => ({
              days,
              probability: firstPassageProbability(spotUsd, priceUsd, volDaily, days),
            })),
            medianDays: medianFirstPassageDays(spotUsd, priceUsd, volDaily),
          };
        }
        safe = m;
        safeD = d;
      }
      return null;
    };
    const down = level("down");
    const up = level("up");
    const times = [down, up].filter((l): l is LiquidationLevel => l !== null).map((l) => l.medianDays);
    return {
      underlying: u,
      spotUsd,
      volDaily,
      down,
      up,
      medianDaysToLiquidation: times.length > 0 ? Math.min(...times) : null,
    };
  });
  return {
    accountId: report.accountId,
    model: report.model,
    asOf: report.asOf,
    equityUsd: report.equityUsd,
    initialMarginUsd: report.initialMarginUsd,
    maintenanceMarginUsd: report.maintenanceMarginUsd,
    freeCollateralUsd: report.freeCollateralUsd,
    healthRatio: report.healthRatio,
    liquidatableNow,
    underlyings: underlyingsOut,
    report,
  };
}

export interface HealthInput extends AccountInput {
  /** Search parameters (healthParamsSchema); omitted fields take the defaults. */
  params?: unknown;
}

/**
 * Validates the documents and computes the account's health: equity, IM, MM, health ratio, liquidation prices per
 * underlying and the time to reach them.
 * @example
 * const h = computeHealth({ portfolio, market, config: { model: "grid" } });
 * console.log(h.underlyings[0]?.down?.priceUsd);
 * @see docs/liquidation.md
 */
export function computeHealth(input: HealthInput): HealthResult {
  const docs = parseAccountInput(input);
  const params = parseParams(healthParamsSchema, input.params, "HealthParams");
  return healthOf(docs.portfolio, docs.market, docs.config, params);
}
