import { z } from "zod";
import { collateralWeightsDefaults, collateralWeightsSchema } from "../common/collateralWeights.js";
import {
  linearRatesDefaults,
  linearRatesSchema,
  shortOptionRatesDefaults,
  shortOptionRatesSchema,
} from "../common/derivativeRates.js";

/** Cross margin with one collateral pool per chain (Drift / Mango v4 style); see docs/models/cross.md. */
export const crossConfigSchema = z
  .object({
    model: z.literal("cross"),
    collateralWeights: collateralWeightsSchema,
    linearRates: linearRatesSchema,
    shortOptionRates: shortOptionRatesSchema,
    /** Extra relative price uncertainty charged on exposures whose every oracle source is stale. */
    oracleStaleAddOnRel: z.number().min(0).max(1),
    /** Net perps/futures/options of the same contract, venue and chain before applying the rate. */
    netSameMarket: z.boolean(),
  })
  .strict();

export type CrossConfig = z.infer<typeof crossConfigSchema>;

export const crossDefaults: CrossConfig = {
  model: "cross",
  collateralWeights: collateralWeightsDefaults,
  linearRates: linearRatesDefaults,
  shortOptionRates: shortOptionRatesDefaults,
  oracleStaleAddOnRel: 0.05,
  netSameMarket: true,
};
