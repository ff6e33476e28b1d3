import { z } from "zod";
import { RESIDUAL_SCORE_COUNT } from "../core/residualScores.js";
import {
  chainId,
  decimalString,
  identifier,
  isoTime,
  nonNegativeDecimalString,
  positiveDecimalString,
  underlyingSymbol,
} from "./primitives.js";

/**
 * One oracle reading. `feed` is "<SYMBOL>/USD" where SYMBOL is an underlying ("ETH") or a token representation
 * ("stETH", "USDC.e"). `confidence` is the half-width of the source's confidence interval in USD (Pyth `conf`).
 */
export const oracleQuoteSchema = z
  .object({
    source: identifier,
    chain: chainId,
    feed: z.string().regex(/^[A-Za-z0-9_.-]+\/USD$/, { message: 'must look like "ETH/USD"' }),
    price: positiveDecimalString,
    confidence: nonNegativeDecimalString.optional(),
    publishedAt: isoTime,
    /** The source's own staleness limit (a Chainlink heartbeat), seconds; default the aggregation rule's 3600. */
    maxAgeSec: positiveDecimalString.optional(),
  })
  .strict();

export const volSmileSchema = z
  .object({
    expiry: isoTime,
    strikes: z.array(positiveDecimalString).min(1).max(1_000),
    /** Annualised implied vols (0.65 = 65%), one per strike. */
    vols: z.array(positiveDecimalString).min(1).max(1_000),
  })
  .strict()
  .refine((s) => s.strikes.length === s.vols.length, {
    message: "strikes and vols must have the same length",
    path: ["vols"],
  });

/** Strike/expiry grid of implied vols (the default kind when `kind` is absent). */
export const gridVolSurfaceSchema = z
  .object({
    underlying: underlyingSymbol,
    kind: z.literal("grid").optional(),
    expiries: z.array(volSmileSchema).min(1).max(200),
  })
  .strict();

/**
 * Raw-SVI parameters of one expiry: total variance w(k) = a + b (rho (k - m) + sqrt((k - m)^2 + sig^2)) at
 * log-moneyness k = ln(K / forward); vol = sqrt(w / years). See docs/pricing.md and Derive's PMRM_2 spec 4.3.
 */
export const sviSliceSchema = z
  .object({
    expiry: isoTime,
    a: decimalString,
    b: nonNegativeDecimalString,
    rho: decimalString.refine((v) => Math.abs(Number(v)) <= 1, { message: "must lie in [-1, 1]" }),
    m: decimalString,
    sig: nonNegativeDecimalString,
    /** Forward the fit's log-moneyness refers to, USD. */
    forward: positiveDecimalString,
    /** Time the fit's total variance refers to, years; default the time from `asOf` to `expiry`. */
    years: positiveDecimalString.optional(),
  })
  .strict()
  // The smile's minimum total variance is a + b sig sqrt(1 - rho^2); below 0 some strikes have no real vol.
  .refine((s) => Number(s.a) + Number(s.b) * Number(s.sig) * Math.sqrt(1 - Number(s.rho) ** 2) >= 0, {
    message: "a + b sig sqrt(1 - rho^2) must be >= 0 (total variance would be negative somewhere)",
    path: ["a"],
  });

/** One raw-SVI slice per expiry; total variance is capped at `maxTotalVariance` (default 144, Derive's cap). */
export const sviVolSurfaceSchema = z
  .object({
    underlying: underlyingSymbol,
    kind: z.literal("svi"),
    maxTotalVariance: positiveDecimalString.optional(),
    expiries: z.array(sviSliceSchema).min(1).max(200),
  })
  .strict();

export const volSurfaceSchema = z.discriminatedUnion("kind", [gridVolSurfaceSchema, sviVolSurfaceSchema]);

/** Market depth of one (chain, asset) market for the square-root impact model: cost = half spread + k sigma sqrt(q/V). */
export const liquiditySchema = z
  .object({
    chain: chainId,
    /** Token symbol or underlying traded on that chain. */
    asset: identifier,
    dailyVolumeUsd: positiveDecimalString,
    halfSpreadBps: nonNegativeDecimalString.default("5"),
    /** Dimensionless square-root impact coefficient k (typically 0.5-1). */
    impactCoefficient: nonNegativeDecimalString.default("0.7"),
  })
  .strict();

export const chainProfileOverrideSchema = z
  .object({
    chain: chainId,
    finalitySec: nonNegativeDecimalString.optional(),
    blockTimeMs: positiveDecimalString.optional(),
  })
  .strict();

export const bridgeRouteSchema = z
  .object({
    from: chainId,
    to: chainId,
    latencySec: nonNegativeDecimalString,
    costBps: nonNegativeDecimalString.default("0"),
    name: identifier.optional(),
  })
  .strict();

/**
 * Daily volatilities and correlations of the risk factors, as `xmargin risk` estimates them from price history.
 * Factor names: an underlying ("ETH"), a token's basis against its underlying ("basis:stETH"), or an underlying's
 * implied-vol level ("vol:ETH").
 */
export const riskFactorsSchema = z
  .object({
    /** How the figures were estimated (method, window, data source, as-of date). */
    source: z.string().max(500),
    factors: z
      .array(
        z
          .object({
            name: z
              .string()
              .regex(/^((basis|vol):)?[A-Za-z0-9_.-]+$/, { message: 'must look like "ETH" or "basis:stETH"' }),
            /** Standard deviation of the daily log-return (0.035 = 3.5% a day), after any anti-procyclicality floor. */
            volDaily: nonNegativeDecimalString,
            /**
             * Vol of the 1-day P&L for VaR backtests, when the estimate gives it: the current vol before the
             * anti-procyclicality floor (raw closes for basis series). Basel 2.5 backtests VaR, not stressed VaR; never
             * used to charge margin.
             */
            backtestVolDaily: nonNegativeDecimalString.optional(),
            /**
             * Empirical quantiles of the factor's standardised residuals (daily log-return over the vol forecast the
             * day before), ascending, at the normal scores -4, -3.9, ..., 4 (src/core/residualScores.ts): the marginal
             * law of filtered historical simulation. Absent: the simulation uses its parametric law for the factor.
             */
            residualQuantiles: z
              .array(decimalString)
              .length(RESIDUAL_SCORE_COUNT)
              .refine((q) => q.every((v, k) => k === 0 || Number(v) >= Number(q[k - 1])), {
                message: "must be ascending",
              })
              .optional(),
            /**
             * An implied-vol factor ("vol:X") estimated from an implied-vol history: its fitted response to X's move,
             * k in log change = k (z^2 - 1) + e, z the move in its sd; the factor's vol is then that of e. Absent: the
             * model's configured response.
             */
            moveResponse: decimalString.optional(),
          })
          .strict(),
      )
      .min(1)
      .max(1_000),
    /** Correlation matrix, row-major as rows of decimal strings, same order as `factors`. */
    correlations: z.array(z.array(decimalString)),
  })
  .strict()
  .refine(
    (r) => r.correlations.length === r.factors.length && r.correlations.every((row) => row.length === r.factors.length),
    {
      message: "correlations must be a square matrix with one row and column per factor",
      path: ["correlations"],
    },
  );

export const marketSnapshotSchema = z
  .object({
    asOf: isoTime,
    description: z.string().max(500).optional(),
    quotes: z.array(oracleQuoteSchema).min(1).max(100_000),
    volSurfaces: z.array(volSurfaceSchema).max(1_000).default([]),
    rates: z
      .object({
        /** Continuously compounded annual USD rate for discounting option premiums. */
        riskFreeAnnual: decimalString.default("0"),
        /** Annual carry (futures basis) per underlying: forward = spot * exp(carry * years). */
        carryAnnual: z.record(underlyingSymbol, decimalString).default({}),
      })
      .strict()
      .default({ riskFreeAnnual: "0", carryAnnual: {} }),
    liquidity: z.array(liquiditySchema).max(100_000).default([]),
    chains: z.array(chainProfileOverrideSchema).max(1_000).default([]),
    bridges: z.array(bridgeRouteSchema).max(10_000).default([]),
    riskFactors: riskFactorsSchema.optional(),
  })
  .strict();

export type OracleQuote = z.infer<typeof oracleQuoteSchema>;
export type VolSurfaceDoc = z.infer<typeof volSurfaceSchema>;
export type GridVolSurfaceDoc = z.infer<typeof gridVolSurfaceSchema>;
export type SviVolSurfaceDoc = z.infer<typeof sviVolSurfaceSchema>;
export type LiquidityDoc = z.infer<typeof liquiditySchema>;
export type BridgeRouteDoc = z.infer<typeof bridgeRouteSchema>;
export type RiskFactorsDoc = z.infer<typeof riskFactorsSchema>;
export type MarketSnapshot = z.infer<typeof marketSnapshotSchema>;
export type MarketSnapshotInput = z.input<typeof marketSnapshotSchema>;
