import { z } from "zod";
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
  })
  .strict();

export const volSmileSchema = z
  .object({
    expiry: isoTime,
    strikes: z.array(positiveDecimalString).min(1),
    /** Annualised implied vols (0.65 = 65%), one per strike. */
    vols: z.array(positiveDecimalString).min(1),
  })
  .strict()
  .refine((s) => s.strikes.length === s.vols.length, {
    message: "strikes and vols must have the same length",
    path: ["vols"],
  });

export const volSurfaceSchema = z
  .object({
    underlying: underlyingSymbol,
    expiries: z.array(volSmileSchema).min(1),
  })
  .strict();

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

export const marketSnapshotSchema = z
  .object({
    asOf: isoTime,
    description: z.string().max(500).optional(),
    quotes: z.array(oracleQuoteSchema).min(1),
    volSurfaces: z.array(volSurfaceSchema).default([]),
    rates: z
      .object({
        /** Continuously compounded annual USD rate for discounting option premiums. */
        riskFreeAnnual: decimalString.default("0"),
        /** Annual carry (futures basis) per underlying: forward = spot * exp(carry * years). */
        carryAnnual: z.record(underlyingSymbol, decimalString).default({}),
      })
      .strict()
      .default({ riskFreeAnnual: "0", carryAnnual: {} }),
    liquidity: z.array(liquiditySchema).default([]),
    chains: z.array(chainProfileOverrideSchema).default([]),
    bridges: z.array(bridgeRouteSchema).default([]),
  })
  .strict();

export type OracleQuote = z.infer<typeof oracleQuoteSchema>;
export type VolSurfaceDoc = z.infer<typeof volSurfaceSchema>;
export type LiquidityDoc = z.infer<typeof liquiditySchema>;
export type BridgeRouteDoc = z.infer<typeof bridgeRouteSchema>;
export type MarketSnapshot = z.infer<typeof marketSnapshotSchema>;
export type MarketSnapshotInput = z.input<typeof marketSnapshotSchema>;
