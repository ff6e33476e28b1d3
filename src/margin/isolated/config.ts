import { z } from "zod";
import { collateralWeightsDefaults, collateralWeightsSchema } from "../common/collateralWeights.js";
import {
  linearRatesDefaults,
  linearRatesSchema,
  shortOptionRatesDefaults,
  shortOptionRatesSchema,
} from "../common/derivativeRates.js";

/** Isolated margin: each position stands alone; see docs/models/isolated.md. */
export const isolatedConfigSchema = z
  .object({
    model: z.literal("isolated"),
    collateralWeights: collateralWeightsSchema,
    linearRates: linearRatesSchema,
    shortOptionRates: shortOptionRatesSchema,
    /** Extra relative price uncertainty charged on exposures whose every oracle source is stale. */
    oracleStaleAddOnRel: z.number().min(0).max(1),
  })
  .strict();

export type IsolatedConfig = z.infer<typeof isolatedConfigSchema>;

export const isolatedDefaults: IsolatedConfig = {
  model: "isolated",
  collateralWeights: collateralWeightsDefaults,
  linearRates: linearRatesDefaults,
  shortOptionRates: shortOptionRatesDefaults,
  oracleStaleAddOnRel: 0.05,
};
