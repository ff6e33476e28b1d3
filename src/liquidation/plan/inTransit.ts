import type { MarginReport } from "../../margin/report.js";

/** The account while a bridge move's funds are on neither chain. */
export interface InTransit {
  /** How long: route latency + the destination's finality. */
  seconds: number;
  freeCollateralUsd: number;
  healthRatio: number | null;
  /** True when the account is worse off during the move than before it (free collateral or health lower). */
  worseInTransit: boolean;
}

/** Summarises the in-transit report of a move against the report before the move. */
export function inTransitOf(transit: MarginReport, before: MarginReport, seconds: number): InTransit {
  const worse =
    transit.freeCollateralUsd < before.freeCollateralUsd - 1e-9 ||
    (transit.healthRatio !== null && before.healthRatio !== null && transit.healthRatio < before.healthRatio - 1e-12);
  return {
    seconds,
    freeCollateralUsd: transit.freeCollateralUsd,
    healthRatio: transit.healthRatio,
    worseInTransit: worse,
  };
}
