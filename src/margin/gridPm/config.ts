import { z } from "zod";
import { TOKEN_KINDS } from "../../market/tokenKind.js";

const shock = z.number().gt(-1).lt(10);

/**
 * Scenario-grid portfolio margin parameters, grouped by concern. Defaults and their public sources are in
 * `gridPmDefaults` and docs/models/grid.md.
 */
export const gridPmConfigSchema = z
  .object({
    model: z.literal("grid"),
    /** Relative spot shocks of the core grid (0.16 = +16%). Must include 0. */
    priceShocks: z.array(shock).min(1).max(101),
    /** Relative implied-vol shocks of the core grid at the reference tenor (0.4 = vol x 1.4). */
    volShocks: z.array(z.number().gt(-1).lt(10)).min(1).max(21),
    volShockTenor: z
      .object({
        /** Tenor, days, at which `volShocks` apply unscaled. */
        referenceDays: z.number().positive(),
        /** Shock scales as (referenceDays / max(floorDays, days to expiry)) ^ power. */
        power: z.number().min(0).max(2),
        floorDays: z.number().positive(),
      })
      .strict(),
    /** Lowest vol any shock may produce, annualised. */
    minVolAnnual: z.number().min(0).max(5),
    extremeMoves: z
      .object({
        /** Extreme moves are +- multiple x the largest core price shock (down moves capped at -95%), vol shock up. */
        multiple: z.number().min(0).max(10),
        /** Fraction of the extreme-move loss that counts. */
        weight: z.number().min(0).max(1),
      })
      .strict(),
    /** Charge per option as a fraction of the underlying value of its size (long or short). */
    optionContingencyRel: z.number().min(0).max(1),
    /** Maintenance margin = this fraction of the initial margin. */
    maintenanceRatio: z.number().gt(0).max(1),
    /** Extra relative price uncertainty charged on exposures whose every oracle source is stale. */
    oracleStaleAddOnRel: z.number().min(0).max(1),
    /** Collateral haircut per token kind: representation risk the price grid does not see. */
    haircutByKind: z.record(z.enum(TOKEN_KINDS as [string, ...string[]]), z.number().min(0).max(1)),
  })
  .strict()
  .refine((c) => c.priceShocks.includes(0), { message: "priceShocks must include 0", path: ["priceShocks"] });

export type GridPmConfig = z.infer<typeof gridPmConfigSchema>;

/**
 * Defaults:
 * - price shocks: 9 evenly spaced moves over +-16% including 0 (Deribit Portfolio Margin, 2024-25 support article);
 * - vol shocks: down / same / up by 40% scaled by sqrt(30 / days to expiry) (Deribit's older published PM
 *   parameters); the 7-day floor on days to expiry follows Paradex's DTE floor so that weeklies are not shocked
 *   without bound;
 * - extreme moves: 3 x the price range with vol up, 33% of the loss counted (CME SPAN's extreme scenarios; the weight
 *   is set just below 1/3 so a linear position is still margined by the core range);
 * - option contingency 1% of the underlying value of all options (Deribit's older published contingency);
 * - maintenance 50% of initial (Paradex: MMR = 50% of net IMR);
 * - haircuts by token kind: xmargin's own choice, the `xchain` model replaces them with jump scenarios;
 * - oracle uncertainty: exposure x the aggregated price band, +5% where every source is stale (xmargin's choice).
 */
export const gridPmDefaults: GridPmConfig = {
  model: "grid",
  priceShocks: [-0.16, -0.12, -0.08, -0.04, 0, 0.04, 0.08, 0.12, 0.16],
  volShocks: [-0.4, 0, 0.4],
  volShockTenor: { referenceDays: 30, power: 0.5, floorDays: 7 },
  minVolAnnual: 0.05,
  extremeMoves: { multiple: 3, weight: 0.33 },
  optionContingencyRel: 0.01,
  maintenanceRatio: 0.5,
  oracleStaleAddOnRel: 0.05,
  haircutByKind: { native: 0, wrapped: 0, stablecoin: 0.02, lst: 0.05, bridged: 0.1 },
};
