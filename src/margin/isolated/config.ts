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
  })
  .strict();

export type IsolatedConfig = z.infer<typeof isolatedConfigSchema>;

export const isolatedDefaults: IsolatedConfig = {
  model: "isolated",
  collateralWeights: collateralWeightsDefaults,
  linearRates: linearRatesDefaults,
  shortOptionRates: shortOptionRatesDefaults,
};
