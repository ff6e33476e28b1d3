import { z } from "zod";
import { underlyingSymbol } from "../../schema/primitives.js";
import { missingDepthSchema } from "../liquidationPlan.js";

/** Cascade stress-test parameters (plain JSON numbers, like a MarginConfig). */
export const cascadeParamsSchema = z
  .object({
    /** The initial shock: relative spot moves per underlying (-0.3 = -30%), applied on every chain at time 0. */
    shocks: z
      .array(z.object({ underlying: underlyingSymbol, spotShockRel: z.number().gt(-1).max(10) }).strict())
      .min(1),
    /** MarginConfig documents, one cascade each, reported side by side. */
    models: z
      .array(z.unknown())
      .min(1)
      .default([{ model: "isolated" }, { model: "cross" }, { model: "grid" }, { model: "xchain" }]),
    /** Multiplies every market's daily volume; null = unlimited depth (no impact, no cost). */
    depthMultiplier: z.number().positive().nullable().default(1),
    /** Liquidation rounds (waves) at most; later waves are not run and the result says it was truncated. */
    maxRounds: z.number().int().min(1).max(1000).default(50),
    /** Depth where the snapshot has none for a market. */
    missingDepth: missingDepthSchema.prefault({}),
    /** Daily vol for impact when the snapshot has none for the underlying. */
    fallbackVolDaily: z.number().positive().max(1).default(0.05),
  })
  .strict();

export type CascadeParams = z.infer<typeof cascadeParamsSchema>;
