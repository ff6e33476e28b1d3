import { z } from "zod";
import { TOKEN_EVENTS } from "../../market/tokenEvents.js";
import { findToken } from "../../market/tokenRegistry.js";
import { gridPmConfigSchema, gridPmDefaults } from "../gridPm/config.js";

const jumpSchema = z
  .object({
    /** Relative move of the token against its underlying (-0.13 = -13%; -1 = worthless). */
    sizeRel: z.number().min(-1).max(0),
    /** Probability per year; sets the event's charge, never used to net a jump against a hedge. */
    probabilityAnnual: z.number().min(0).max(1),
  })
  .strict();

/** Override keys must name a registry token ("chain:SYMBOL") or a catalogue event, so none is silently ignored. */
function checkOverrideKeys(
  jumps: { byToken: Record<string, unknown>; byEvent: Record<string, unknown> },
  ctx: z.RefinementCtx,
): void {
  for (const key of Object.keys(jumps.byToken)) {
    const [chain = "", symbol = ""] = key.split(":");
    if (!findToken(chain, symbol)) {
      ctx.addIssue({
        code: "custom",
        path: ["byToken", key],
        message: "must be chain:SYMBOL of a registry token (src/market/tokenRegistry.ts)",
      });
    }
  }
  for (const id of Object.keys(jumps.byEvent)) {
    if (!(id in TOKEN_EVENTS)) {
      ctx.addIssue({
        code: "custom",
        path: ["byEvent", id],
        message: `must be one of ${Object.keys(TOKEN_EVENTS).join(", ")}`,
      });
    }
  }
}

/** Cross-chain portfolio margin parameters, grouped by concern; defaults and sources in `xchainDefaults`. */
export const xchainConfigSchema = z
  .object({
    model: z.literal("xchain"),
    simulation: z
      .object({
        /** Monte Carlo paths. */
        paths: z.number().int().min(100).max(1_000_000),
        /** PRNG seed: the same seed and inputs give the same report bit for bit. */
        seed: z.number().int().min(0).max(4_294_967_295),
        /**
         * "sobol": randomised quasi-Monte Carlo (scrambled Sobol points, Brownian bridge, src/risk/qmc/) with a
         * delta control variate on the ES; the seed picks the scramble. "pseudoRandom": plain Monte Carlo with
         * per-factor xoshiro streams (the earlier sampler, kept for comparison).
         */
        sampler: z.enum(["sobol", "pseudoRandom"]),
        /** Antithetic pairs of paths (each odd path mirrors the one before); pseudoRandom sampler only. */
        antithetic: z.boolean(),
        /** Options: exact Black-76 on every path, or cubic interpolation on a grid of exact values (much faster). */
        optionRevaluation: z.enum(["exact", "interpolated"]),
        /**
         * Interpolated options: "summed" sums the options of one group (underlying, chain, horizon, expiry, grid) into
         * one grid and reads each one's own P&L on the tail paths only (the same figures up to summation order);
         * "perInstrument" gives every option its own vector on every path (the reference path).
         */
        optionGrids: z.enum(["summed", "perInstrument"]),
        /** Largest 1-day move a factor may make, in its own daily sd (scaled by sqrt(dt)); keeps t tails plausible. */
        tailCapSd: z.number().positive().max(1000),
        innovations: z.discriminatedUnion("kind", [
          z.object({ kind: z.literal("normal") }).strict(),
          z.object({ kind: z.literal("studentT"), nu: z.number().gt(2).max(1000) }).strict(),
          /**
           * Filtered historical simulation (Barone-Adesi et al. 1999): each factor's marginal is its own empirical
           * EWMA-standardised residuals (snapshot `residualQuantiles`) times its vol, joined by a Student-t(nu) copula;
           * a factor without residuals in the snapshot keeps the t(nu) marginal.
           */
          z.object({ kind: z.literal("filteredHistorical"), nu: z.number().gt(2).max(1000) }).strict(),
        ]),
      })
      .strict(),
    /** Expected Shortfall confidence of the joint loss. */
    esConfidence: z.number().gt(0.5).lt(1),
    /** VaR confidence, reported alongside. */
    varConfidence: z.number().gt(0.5).lt(1),
    horizon: z
      .object({
        /** Base margin period of risk, days, before chain finality and bridge latency are added. */
        baseDays: z.number().positive().max(30),
        /** Horizons are rounded UP to a multiple of this (days; 0 = exact), so that few time points are simulated. */
        roundUpDays: z.number().min(0).max(1),
        /** Latency assumed for collateral whose chain has no bridge route to the risk chain, seconds. */
        missingBridgeLatencySec: z.number().min(0),
        /** Cost assumed for such a route, bps of the value moved. */
        missingBridgeCostBps: z.number().min(0).max(10_000),
      })
      .strict(),
    /** Share of gains on one chain that may offset losses on another (0 = none, 1 = perfect). */
    crossChainOffsetRate: z.number().min(0).max(1),
    /** Used when the snapshot has no vol for a factor: annualised vol of a missing underlying. */
    fallbackVolAnnual: z.number().positive().max(10),
    impliedVol: z
      .object({
        /** Daily standard deviation of log changes of implied vol. */
        volOfVolDaily: z.number().min(0).max(1),
        /** Correlation of an underlying's implied-vol factor with its own price. */
        spotCorrelation: z.number().min(-1).max(1),
        /**
         * Response of implied vol to the size of the underlying's move: log change + k (z^2 - 1), z the move in its sd
         * (impliedVolMove.ts); 0 = none.
         */
        moveResponse: z.number().min(0).max(1),
        /** Lowest vol any path may produce, annualised. */
        minVolAnnual: z.number().min(0).max(5),
      })
      .strict(),
    jumps: z
      .object({
        /**
         * Per-token overrides, keyed "chain:SYMBOL": the token's move in each of its events, and a floor on those
         * events' probability; a token with no event (ETH, WETH on Ethereum) gets one of its own.
         */
        byToken: z.record(z.string(), jumpSchema),
        /** Per-event overrides of the catalogue (src/market/tokenEvents.ts), keyed by event id. */
        byEvent: z.record(z.string(), jumpSchema.partial()),
        /** Events in the default-fund stress figure Cover-N of the report (not in IM; Cover-1 and -2 always shown). */
        coverEvents: z.number().int().min(1).max(100),
      })
      .strict()
      .superRefine(checkOverrideKeys),
    oracle: z
      .object({
        /** Extra relative uncertainty when every source of a feed is stale. */
        staleAddOnRel: z.number().min(0).max(1),
      })
      .strict(),
    liquidity: z
      .object({
        /** Daily volume assumed where the snapshot has no depth for a market, USD (small on purpose). */
        missingDailyVolumeUsd: z.number().positive(),
        missingHalfSpreadBps: z.number().min(0),
        missingImpactCoefficient: z.number().min(0),
      })
      .strict(),
    /**
     * The grid model used as a floor, the fraction of its requirement the floor keeps, and the largest share of the
     * summed per-underlying grid loss that offsets between underlyings may credit (SPAN inter-commodity credits).
     */
    gridFloor: z
      .object({ fraction: z.number().min(0).max(1), maxCreditRel: z.number().min(0).max(1), grid: gridPmConfigSchema })
      .strict(),
    /**
     * The 1-day VaR a backtest compares with the realised 1-day P&L (backtestVar.ts): off on the hot path, on in
     * `xmargin backtest` and `xchain-validation`; reported as `backtestVarUsd`, never charged.
     */
    backtesting: z.object({ oneDayVar: z.boolean(), confidence: z.number().gt(0.5).lt(1) }).strict(),
    /** MM / IM: MM is the risk over the liquidation horizon, IM = MM / this (a buffer of 1 / ratio - 1). */
    maintenanceRatio: z.number().gt(0).max(1),
    /** How many worst paths the report lists. */
    reportWorstPaths: z.number().int().min(0).max(100),
    /**
     * How xmargin estimates the risk factors when it does so on behalf of a run of this model (the backtest's daily
     * estimate): the vol method of `estimateRiskFactors` (src/risk/estimateRiskFactors.ts). "ml" and "auto" need the
     * learned forecaster's artefacts (`xmargin train`). A snapshot's own riskFactors are used as given.
     */
    riskFactors: z.object({ volMethod: z.enum(["ewma", "garch", "ml", "auto"]) }).strict(),
  })
  .strict();

export type XchainConfig = z.infer<typeof xchainConfigSchema>;

/**
 * Defaults (docs/models/xchain.md):
 * - 10,000 randomised quasi-Monte Carlo paths with a control variate, seed 1, drawn Student-t (nu = 4) and given each
 *   factor's own filtered-historical marginal (its EWMA-standardised residuals of the last 4 years, Barone-Adesi et al.
 *   1999; t(4) for a factor without them, src/risk/scenarios/residualMarginals.ts), capped at 15
 *   sd per factor (the largest 1-day moves of the history are 8.6-14.5 sd of the floored price vols; docs/models/xchain.md);
 * - ES 97.5% (FRTB) and VaR 99% (Basel 2.5);
 * - base margin period 1 day, horizons rounded up to 15 minutes (more risk, never less); a missing bridge route costs a canonical optimistic-rollup withdrawal (7 days) and 50 bps;
 * - cross-chain offset 80%: gains on another chain arrive only after seizure, bridging and finality and may not arrive;
 * - events: the catalogue of src/market/tokenEvents.ts, charged at their probability over the horizon; Cover-2 reported;
 * - stale oracle: +5% uncertainty; missing depth: 1M USD daily volume, 30 bps half spread;
 * - implied vol: where the snapshot estimates `vol:<underlying>` from an implied-vol history, its vol, correlations and
 *   move response k come from that history (src/risk/impliedVolResponse.ts); otherwise it moves 5% a day (relative)
 *   with spot correlation -0.3 (xmargin's assumption, no IV history in data),
 *   plus 0.015 (z^2 - 1) after a move of z sd: half the first-order answer of a lambda = 0.94 1-day vol estimate to a
 *   squared return, since an option's implied vol prices the average variance to its expiry, which a shock moves
 *   less than tomorrow's (xmargin's choice; with 0.03 the short strangle's 1-day VaR was too conservative, 14 / 2396
 *   exceptions, with 0 too aggressive, 42 / 2396, reports/xchain-validation.md);
 * - floor at 50% of the default grid requirement with offsets across underlyings credited up to 50% of the summed
 *   per-underlying losses (xmargin's choice, in the range of exchange SPAN inter-commodity credit rates);
 * - backtesting: the 1-day 99% VaR at current vols (Basel 2.5 / FRTB backtest 1-day 99% VaR), computed on request;
 * - maintenance = the risk over the liquidation horizon (breach to completed liquidation); IM = MM / 0.8, a 25% buffer
 *   for the moves between an IM check and the breach (xmargin's choice);
 * - risk factors estimated with EWMA vols: reports/forecasting.md found the learned forecaster better out of sample for
 *   AVAX only, which "auto" applies per factor; "ewma" stays the default because it needs no trained artefact.
 */
export const xchainDefaults: XchainConfig = {
  model: "xchain",
  simulation: {
    paths: 10_000,
    seed: 1,
    sampler: "sobol",
    antithetic: true,
    optionRevaluation: "interpolated",
    optionGrids: "summed",
    tailCapSd: 15,
    innovations: { kind: "filteredHistorical", nu: 4 },
  },
  esConfidence: 0.975,
  varConfidence: 0.99,
  horizon: { baseDays: 1, roundUpDays: 1 / 96, missingBridgeLatencySec: 604_800, missingBridgeCostBps: 50 },
  crossChainOffsetRate: 0.8,
  fallbackVolAnnual: 1.5,
  impliedVol: { volOfVolDaily: 0.05, spotCorrelation: -0.3, moveResponse: 0.015, minVolAnnual: 0.05 },
  jumps: {
    byToken: {},
    byEvent: {},
    coverEvents: 2,
  },
  oracle: { staleAddOnRel: 0.05 },
  liquidity: { missingDailyVolumeUsd: 1_000_000, missingHalfSpreadBps: 30, missingImpactCoefficient: 1 },
  gridFloor: { fraction: 0.5, maxCreditRel: 0.5, grid: gridPmDefaults },
  riskFactors: { volMethod: "ewma" },
  maintenanceRatio: 0.8,
  reportWorstPaths: 5,
  backtesting: { oneDayVar: false, confidence: 0.99 },
};
