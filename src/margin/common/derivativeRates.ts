import { z } from "zod";

const rate = z.number().min(0).max(1);

/** Initial and maintenance margin rates of linear derivatives (perps, futures) as a fraction of notional. */
export const linearRatesSchema = z
  .object({
    byUnderlying: z.record(z.string(), z.object({ initial: rate, maintenance: rate }).strict()),
    other: z.object({ initial: rate, maintenance: rate }).strict(),
  })
  .strict()
  .refine(
    (r) =>
      Object.values(r.byUnderlying).every((x) => x.maintenance <= x.initial) && r.other.maintenance <= r.other.initial,
    {
      message: "maintenance rate must not exceed initial rate",
    },
  );

/** dYdX v4 liquidity tiers: "large-cap" BTC/ETH 5% initial / 3% maintenance, "mid-cap" 10% / 5%. */
export const linearRatesDefaults: z.infer<typeof linearRatesSchema> = {
  byUnderlying: { BTC: { initial: 0.05, maintenance: 0.03 }, ETH: { initial: 0.05, maintenance: 0.03 } },
  other: { initial: 0.1, maintenance: 0.05 },
};

export type LinearRates = z.infer<typeof linearRatesSchema>;

/**
 * Standard (non-portfolio) margin of a short option per unit of underlying, after Deribit's published formula:
 * IM = max(base - OTM/underlying, min) * underlying + mark; MM = maintenance * underlying + mark.
 */
export const shortOptionRatesSchema = z
  .object({ base: rate, minimum: rate, maintenance: rate })
  .strict()
  .refine((r) => r.minimum <= r.base, { message: "minimum must not exceed base" });

export const shortOptionRatesDefaults: z.infer<typeof shortOptionRatesSchema> = {
  base: 0.15,
  minimum: 0.1,
  maintenance: 0.075,
};

export type ShortOptionRates = z.infer<typeof shortOptionRatesSchema>;
