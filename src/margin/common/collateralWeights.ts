import { z } from "zod";
import type { TokenKind } from "../../market/tokenKind.js";
import type { TokenRepresentation } from "../../market/tokenRegistry.js";

const weight = z.number().min(0).max(1);
const liabilityWeight = z.number().min(1).max(10);

/**
 * Drift / Mango-v4 style weights. A deposit counts at `asset` weight (< 1), a borrow at `liability` weight (> 1); the
 * weight of a token is its underlying's weight times its representation's multiplier.
 */
export const collateralWeightsSchema = z
  .object({
    byUnderlying: z.record(
      z.string(),
      z
        .object({
          initialAsset: weight,
          maintenanceAsset: weight,
          initialLiability: liabilityWeight,
          maintenanceLiability: liabilityWeight,
        })
        .strict(),
    ),
    /** Fallback for underlyings not listed in byUnderlying. */
    otherUnderlying: z
      .object({
        initialAsset: weight,
        maintenanceAsset: weight,
        initialLiability: liabilityWeight,
        maintenanceLiability: liabilityWeight,
      })
      .strict(),
    /** Multiplier on the asset weight per token kind (representation risk). */
    kindMultiplier: z.record(z.enum(["native", "wrapped", "bridged", "lst", "stablecoin"]), weight),
  })
  .strict();

export type CollateralWeights = z.infer<typeof collateralWeightsSchema>;

/**
 * Defaults follow Drift v2's published spot-market weights for the majors (SOL/BTC/ETH: initial asset weight 0.8,
 * maintenance 0.9, liability 1.2 / 1.1; USD 1.0) and apply the long-tail weights to the rest. Kind multipliers are
 * xmargin's own choice (docs/models/weights.md): stablecoins count 0.98 of USD (depeg risk, so USDC counts 0.98, not
 * Drift's 1.0), bridged copies and LSTs a little less than the canonical token.
 */
export const collateralWeightsDefaults: CollateralWeights = {
  byUnderlying: {
    USD: { initialAsset: 1, maintenanceAsset: 1, initialLiability: 1, maintenanceLiability: 1 },
    BTC: { initialAsset: 0.8, maintenanceAsset: 0.9, initialLiability: 1.2, maintenanceLiability: 1.1 },
    ETH: { initialAsset: 0.8, maintenanceAsset: 0.9, initialLiability: 1.2, maintenanceLiability: 1.1 },
    SOL: { initialAsset: 0.8, maintenanceAsset: 0.9, initialLiability: 1.2, maintenanceLiability: 1.1 },
  },
  otherUnderlying: { initialAsset: 0.6, maintenanceAsset: 0.7, initialLiability: 1.4, maintenanceLiability: 1.3 },
  kindMultiplier: { native: 1, wrapped: 1, stablecoin: 0.98, lst: 0.95, bridged: 0.9 },
};

export interface WeightedValue {
  /** Value counted against initial margin, USD. */
  initialUsd: number;
  /** Value counted against maintenance margin, USD. */
  maintenanceUsd: number;
}

/**
 * What a holding counts for as collateral: a deposit worth V counts V x asset weight (x kind multiplier); a borrow
 * worth -V counts -V x liability weight (a larger liability). Adding a deposit therefore never lowers collateral and
 * never touches the requirement.
 */
export function weightedHoldingValue(
  valueUsd: number,
  underlying: string,
  kind: TokenKind,
  weights: CollateralWeights,
): WeightedValue {
  const w = weights.byUnderlying[underlying] ?? weights.otherUnderlying;
  if (valueUsd >= 0) {
    const m = weights.kindMultiplier[kind] ?? 1;
    return { initialUsd: valueUsd * w.initialAsset * m, maintenanceUsd: valueUsd * w.maintenanceAsset * m };
  }
  return { initialUsd: valueUsd * w.initialLiability, maintenanceUsd: valueUsd * w.maintenanceLiability };
}

export function tokenKindOf(token: Readonly<TokenRepresentation> | undefined): TokenKind {
  return token?.kind ?? "native";
}
