import { invalidInput } from "../core/errors.js";

/**
 * The anti-procyclicality treatment of a factor's vol: one of the three options of EMIR RTS 153/2013 art. 28(1):
 * - `stressWeight` (28(1)(b)): at least 25% weight on stressed observations: var = (1 - w) var_now + w var_stress,
 *   never below the current vol (a new crisis above the worst window is charged in full);
 * - `buffer` (28(1)(a)): a 25% buffer on the current vol in calm markets, released as vol rises:
 *   vol = max(vol_now, min((1 + b) vol_now, (1 + b) vol_longRun)), so the buffer is spent once vol_now exceeds the
 *   long-run vol by the buffer;
 * - `lookback` (28(1)(c)): vol at least the equally weighted vol of the last `years` years.
 */
export type Procyclicality =
  | { kind: "stressWeight"; weight: number }
  | { kind: "buffer"; rate: number }
  | { kind: "lookback"; years: number };

export const PROCYCLICALITY_DEFAULT: Procyclicality = { kind: "stressWeight", weight: 0.25 };

/** Per-factor inputs of the treatment, daily vols. */
export interface VolInputs {
  current: number;
  /** Realised vol of the factor's own most volatile window. */
  stressed: number;
  /** Equally weighted realised vol of the whole lookback (`lookback`: the last `years`; else all the history). */
  longRun: number;
}

export function checkProcyclicality(p: Procyclicality): Procyclicality {
  if (p.kind === "stressWeight" && !(p.weight >= 0.25 && p.weight <= 1)) {
    throw invalidInput("$.procyclicality.weight", "must be in [0.25, 1] (EMIR RTS 153/2013 art. 28(1)(b))");
  }
  if (p.kind === "buffer" && !(p.rate >= 0.25 && p.rate <= 1)) {
    throw invalidInput("$.procyclicality.rate", "must be in [0.25, 1] (EMIR RTS 153/2013 art. 28(1)(a))");
  }
  if (p.kind === "lookback" && !(p.years >= 10 && p.years <= 100)) {
    throw invalidInput("$.procyclicality.years", "must be >= 10 (EMIR RTS 153/2013 art. 28(1)(c))");
  }
  return p;
}

/** The floored daily vol of one factor. */
export function applyProcyclicality(p: Procyclicality, v: VolInputs): number {
  switch (p.kind) {
    case "stressWeight":
      return Math.max(v.current, Math.sqrt((1 - p.weight) * v.current ** 2 + p.weight * v.stressed ** 2));
    case "buffer":
      return Math.max(v.current, Math.min((1 + p.rate) * v.current, (1 + p.rate) * v.longRun));
    case "lookback":
      return Math.max(v.current, v.longRun);
  }
}
