import { computeCross } from "./cross/computeCross.js";
import { crossConfigSchema, crossDefaults } from "./cross/config.js";
import { computeGridPm } from "./gridPm/computeGridPm.js";
import { gridPmConfigSchema, gridPmDefaults } from "./gridPm/config.js";
import { computeIsolated } from "./isolated/computeIsolated.js";
import { isolatedConfigSchema, isolatedDefaults } from "./isolated/config.js";
import { defineMarginModel } from "./marginModel.js";
import { MARGIN_MODEL_NAMES as MODEL_NAMES, type MarginModelName as ModelName } from "./modelNames.js";
import { computeXchain } from "./xchain/computeXchain.js";
import { xchainConfigSchema, xchainDefaults } from "./xchain/config.js";

/** The one map from model name to its schema, defaults and compute function. */
export const marginModels = {
  isolated: defineMarginModel({
    name: "isolated",
    description: "each position alone at per-position rates, no offsets",
    configSchema: isolatedConfigSchema,
    defaults: isolatedDefaults,
    compute: computeIsolated,
  }),
  cross: defineMarginModel({
    name: "cross",
    description: "one pool per chain with asset/liability weights (Drift/Mango style)",
    configSchema: crossConfigSchema,
    defaults: crossDefaults,
    compute: computeCross,
  }),
  grid: defineMarginModel({
    name: "grid",
    description: "scenario-grid portfolio margin per underlying (Deribit/SPAN style)",
    configSchema: gridPmConfigSchema,
    defaults: gridPmDefaults,
    compute: computeGridPm,
  }),
  xchain: defineMarginModel({
    name: "xchain",
    description:
      "cross-chain portfolio margin: Monte Carlo ES at per-chain liquidation horizons + jump, oracle, liquidity add-ons",
    configSchema: xchainConfigSchema,
    defaults: xchainDefaults,
    compute: computeXchain,
  }),
} as const;

/** The closed list of names (defined in modelNames.ts, which has no imports, so low layers can use it). */
export type MarginModelName = ModelName;
export const MARGIN_MODEL_NAMES: readonly MarginModelName[] = MODEL_NAMES;

/** Compile-time proof that the map above and the closed list of names agree (both directions). */
type SameKeys<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const MODEL_MAP_MATCHES_NAMES: SameKeys<keyof typeof marginModels, MarginModelName> = true;
