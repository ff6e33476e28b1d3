import { z } from "zod";
import { runMarginModel } from "../margin/computeMargin.js";
import type { MarginReport } from "../margin/report.js";
import { resolveMarket } from "../margin/resolve/resolveMarket.js";
import { resolvePortfolio } from "../margin/resolve/resolvePortfolio.js";
import { spotUsdOf, underlyingVolDaily } from "../margin/resolve/underlyingFacts.js";
import type { AnyMarginConfig } from "../margin/resolveConfig.js";
import type { MarketSnapshot } from "../schema/marketSnapshot.js";
import type { Portfolio } from "../schema/portfolio.js";
import { evaluateMargin, liquidationDistance } from "./evaluateMargin.js";
import { brentRoot } from "./findRoot.js";
import {
  firstExitProbability,
  firstPassageProbability,
  medianFirstExitDays,
  medianFirstPassageDays,
} from "./firstPassage.js";
import { type AccountInput, parseAccountInput, parseParams } from "./inputs.js";
import { moveResolvedMarket } from "./marketMoves.js";
import { pinPortfolio } from "./portfolioEdits.js";

/** Search and time-to-liquidation parameters (plain JSON numbers, like a MarginConfig). */
export const healthParamsSchema = z
  .object({
    /** Lowest spot multiplier searched (0.01 = price -99%). */
    minSpotMult: z.number().gt(0).lt(1).default(0.01),
    /** Highest spot multiplier searched (10 = price x10). */
    maxSpotMult: z.number().gt(1).max(1000).default(10),
    /** Step of the coarse outward scan, as a fraction of spot; option strikes are always scan points too. */
    scanStepRel: z.number().gt(0).max(0.5).default(0.05),
    /**
     * Steepness bound of the search: a coarse interval whose ends are both safe is bisected while health - 1 at its
     * ends is below this x (its width / scanStepRel), down to `fineStepRel`. A narrow liquidation band (a butterfly
     * near expiry) cannot hide between two points near the boundary; far from it one look is enough.
     */
    refineBelowHealthRel: z.number().min(0).max(10).default(0.5),
    /** Finest interval of the bisection, as a fraction of spot (0.001 = 0.1%). */
    fineStepRel: z.number().gt(0).max(0.05).default(0.001),
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
  /**
   * Median days to liquidation (null if no level exists or the account is liquidatable now): with one level its
   * first-passage median, with two the median first exit through either (never the smaller of two medians).
   */
  medianDaysToLiquidation: number | null;
  /** With two levels: probability of the first exit through either within each horizon (else null). */
  exitProbabilityWithin: Array<{ days: number; probability: number }> | null;
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

/**
 * Coarse scan points outward from spot (steps of `scanStepRel`) merged with the kinks of the payoff (every option
 * strike of the underlying, as a spot multiplier), ordered outward.
 */
function scanPoints(params: HealthParams, direction: "down" | "up", kinks: readonly number[]): number[] {
  const out: number[] = [];
  const step = params.scanStepRel;
  if (direction === "down") {
    for (let m = 1 - step; m > params.minSpotMult + 1e-12; m -= step) out.push(m);
    out.push(params.minSpotMult, ...kinks.filter((k) => k < 1 && k > params.minSpotMult));
    return [...new Set(out)].sort((a, b) => b - a);
  }
  for (let m = 1 + step; m < params.maxSpotMult - 1e-12; m *= 1 + step) out.push(m);
  out.push(params.maxSpotMult, ...kinks.filter((k) => k > 1 && k < params.maxSpotMult));
  return [...new Set(out)].sort((a, b) => a - b);
}

/** A bracket of the first liquidation level: `safe` is not liquidatable, `hit` is. */
interface Bracket {
  safe: number;
  safeD: number;
  hit: number;
  hitD: number;
}

/**
 * The first liquidation point in (a, b], outward from `a` (not liquidatable), by bisection. An interval whose ends
 * are both safe is split only while the distance at its ends is below `slope` x its width: a band can hide between
 * two points only if the distance falls that steeply, so far from the boundary one look is enough, near it the search
 * goes down to `fineStepRel` (Lipschitz-style bound, a few evaluations for a smooth approach).
 */
function firstHit(
  d: (m: number) => number,
  a: number,
  da: number,
  b: number,
  db: number,
  slope: number,
  fineStepRel: number,
): Bracket | undefined {
  const width = Math.abs(b - a);
  if (db < 0 && width <= fineStepRel) return { safe: a, safeD: da, hit: b, hitD: db };
  if (db >= 0 && (width <= fineStepRel || Math.min(da, db) >= slope * width)) return undefined;
  const mid = 0.5 * (a + b);
  const dm = d(mid);
  if (dm < 0) return firstHit(d, a, da, mid, dm, slope, fineStepRel);
  return firstHit(d, a, da, mid, dm, slope, fineStepRel) ?? firstHit(d, mid, dm, b, db, slope, fineStepRel);
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
  const items = resolvePortfolio(portfolio, resolved).items;

  const underlyingsOut = exposed.map((u): UnderlyingHealth => {
    const spotUsd = spotUsdOf(resolved, u);
    const volDaily = underlyingVolDaily(resolved, u, params.fallbackVolDaily);
    const cache = new Map<number, MarginReport>([[1, report]]);
    const at = (m: number): MarginReport => {
      let r = cache.get(m);
      if (!r) {
        const moved = moveResolvedMarket(resolved, { [u]: m });
        r = runMarginModel(resolvePortfolio(portfolio, moved), moved, config);
        cache.set(m, r);
      }
      return r;
    };
    const kinks = items
      .filter((it) => it.underlying === u && it.priced.kind === "option")
      .map((it) => it.priced.strikeUsd / spotUsd);
    const level = (direction: "down" | "up"): LiquidationLevel | null => {
      if (liquidatableNow) return null;
      let safe = 1;
      let safeD = base;
      const distance = (m: number) => liquidationDistance(at(m));
      // A distance below refineBelowHealthRel across one coarse step is the steepest fall trusted without a look.
      const slope = params.refineBelowHealthRel / params.scanStepRel;
      for (const coarse of scanPoints(params, direction, kinks)) {
        const bracket = firstHit(distance, safe, safeD, coarse, distance(coarse), slope, params.fineStepRel);
        if (!bracket) {
          safe = coarse;
          safeD = distance(coarse);
          continue;
        }
        {
          const { safe: s0, safeD: d0, hit: m, hitD: d } = bracket;
          const root = brentRoot(distance, s0, m, params.toleranceMult, 200, d0, d);
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
      }
      return null;
    };
    const down = level("down");
    const up = level("up");
    const both = down !== null && up !== null;
    const single = down ?? up;
    return {
      underlying: u,
      spotUsd,
      volDaily,
      down,
      up,
      medianDaysToLiquidation: both
        ? medianFirstExitDays(spotUsd, down.priceUsd, up.priceUsd, volDaily)
        : (single?.medianDays ?? null),
      exitProbabilityWithin: both
        ? params.horizonsDays.map((days) => ({
            days,
            probability: firstExitProbability(spotUsd, down.priceUsd, up.priceUsd, volDaily, days),
          }))
        : null,
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
