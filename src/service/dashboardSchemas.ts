import { z } from "zod";

/**
 * Answers of the read-only routes the dashboard's account and market pages use (liquidation levels, net greeks,
 * oracle quotes per source and chain, sampled vol smiles). Published in the OpenAPI document; the dashboard's types
 * are inferred from these, so changing a field here breaks the dashboard's build.
 */

const usd = z.string().describe("USD amount as a decimal string, 2 decimals");
const dec = z.string().describe("decimal string");
const probability = z.array(z.object({ days: dec.nullable(), probability: dec.nullable() }));
const level = z
  .object({
    price: usd,
    spotMult: dec.nullable(),
    move: dec.nullable().describe("relative spot move to the level (-0.2 = -20%)"),
    healthAtPrice: dec.nullable(),
    probabilityWithin: probability,
    medianDays: dec.nullable(),
  })
  .nullable();

/** `GET /v1/accounts/:id/health`: liquidation prices per underlying (src/liquidation/resultJson.ts healthToJson). */
export const accountHealthSchema = z.object({
  accountId: z.string(),
  version: z.number(),
  seq: z.number(),
  model: z.string(),
  asOf: z.string(),
  currency: z.literal("USD"),
  equity: usd,
  initialMargin: usd,
  maintenanceMargin: usd,
  freeCollateral: usd,
  healthRatio: dec.nullable(),
  liquidatableNow: z.boolean(),
  /** The smallest |move| to any liquidation level (null when none is within the searched range). */
  distanceToLiquidation: dec.nullable(),
  underlyings: z.array(
    z.object({
      underlying: z.string(),
      spot: usd,
      volDaily: dec.nullable(),
      down: level,
      up: level,
      medianDaysToLiquidation: dec.nullable(),
      exitProbabilityWithin: probability.nullable(),
    }),
  ),
});

const greekFields = {
  underlying: z.string(),
  delta: dec.describe("dV/dS in units of the underlying"),
  deltaUsd: usd,
  gamma: dec.describe("d2V/dS2, units per USD"),
  vegaUsdPerVolPoint: dec,
  thetaUsdPerDay: dec,
};

/** `GET /v1/accounts/:id/greeks`: greeks per position and net per underlying at the live market. */
export const accountGreeksSchema = z.object({
  accountId: z.string(),
  seq: z.number(),
  asOf: z.string(),
  positions: z.array(
    z.object({ id: z.string(), label: z.string(), chain: z.string(), kind: z.string(), ...greekFields }),
  ),
  net: z.array(z.object({ spot: dec, ...greekFields })),
});

/** `GET /v1/markets/oracles`: every quote of the live market against its feed's aggregated price. */
export const marketOraclesSchema = z.object({
  seq: z.number(),
  asOf: z.string(),
  feeds: z.array(
    z.object({
      symbol: z.string(),
      price: dec.nullable().describe("aggregated all-chain price; null when the feed could not be aggregated"),
      uncertainty: dec.nullable(),
      crossChainSpread: dec.nullable().describe("largest distance of one chain's median from the price, USD"),
      quotes: z.array(
        z.object({
          source: z.string(),
          chain: z.string(),
          price: dec,
          confidence: dec.nullable(),
          publishedAt: z.string(),
          ageSeconds: z.number().describe("asOf - publishedAt; negative when future-dated"),
          maxAgeSeconds: z.number().describe("the staleness limit that applies to this quote"),
          state: z.enum(["fresh", "stale", "future"]),
          deviationRel: dec.nullable().describe("(quote - aggregated price) / aggregated price"),
        }),
      ),
      flags: z.array(
        z.object({
          code: z.string(),
          severity: z.enum(["info", "warning", "critical"]),
          message: z.string(),
          path: z.string().optional(),
        }),
      ),
    }),
  ),
});

/** `GET /v1/markets/vol-surfaces`: each surface's smiles sampled on a strike grid around spot. */
export const volSurfacesSchema = z.object({
  seq: z.number(),
  asOf: z.string(),
  surfaces: z.array(
    z.object({
      underlying: z.string(),
      kind: z.enum(["grid", "svi"]),
      spot: dec,
      strikes: z.array(dec).describe("USD, ascending, shared by every smile"),
      smiles: z.array(
        z.object({
          expiry: z.string().nullable(),
          years: dec,
          vols: z.array(dec).describe("annualised implied vol per strike (0.6 = 60%)"),
        }),
      ),
    }),
  ),
});

export type AccountHealthJson = z.infer<typeof accountHealthSchema>;
export type AccountGreeksJson = z.infer<typeof accountGreeksSchema>;
export type MarketOraclesJson = z.infer<typeof marketOraclesSchema>;
export type VolSurfacesJson = z.infer<typeof volSurfacesSchema>;
