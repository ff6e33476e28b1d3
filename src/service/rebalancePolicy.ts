import { z } from "zod";
import { identifier } from "../schema/primitives.js";

/**
 * An account's automated-rebalancing policy (plain JSON numbers). When the health ratio leaves
 * `[targetHealth.min, targetHealth.max]` the service computes a rebalancing plan; below 1 (maintenance) a
 * liquidation plan. Plans are dry runs unless `dryRun` is false, in which case the plan's resulting portfolio
 * replaces the stored one (paper execution: the service moves no funds on any chain).
 */
export const rebalancePolicySchema = z
  .object({
    targetHealth: z
      .object({
        /** Lower edge of the band (health ratio = maintenance collateral / maintenance margin); must be >= 1. */
        min: z.number().min(1),
        max: z.number().gt(1),
      })
      .strict()
      .refine((b) => b.min < b.max, { message: "min must be below max", path: ["max"] }),
    /** Bridge routes (snapshot `bridges[].name`) a plan may use; omitted = every route. */
    allowedBridges: z.array(identifier).max(100).optional(),
    /** Slowest route a plan may use, seconds (default 1 hour: no 7-day canonical withdrawals). */
    maxBridgeLatencySec: z.number().min(0).default(3600),
    /** Largest total cost (bridge fees + unwind costs) of a plan, USD; a dearer plan is recorded as over the limit. */
    maxCostUsd: z.number().min(0).default(1000),
    /** Only propose (default). false = apply the plan to the stored portfolio (paper execution). */
    dryRun: z.boolean().default(true),
  })
  .strict();

export type RebalancePolicy = z.infer<typeof rebalancePolicySchema>;

/** Where an account stands against its band. */
export type BandState = "in-band" | "below-band" | "above-band" | "below-maintenance" | "no-requirement";

export function bandStateOf(
  healthRatio: number | null,
  maintenanceCollateralUsd: number,
  policy: RebalancePolicy,
): BandState {
  if ((healthRatio !== null && healthRatio < 1) || maintenanceCollateralUsd < 0) return "below-maintenance";
  if (healthRatio === null) return "no-requirement";
  if (healthRatio < policy.targetHealth.min) return "below-band";
  if (healthRatio > policy.targetHealth.max) return "above-band";
  return "in-band";
}
