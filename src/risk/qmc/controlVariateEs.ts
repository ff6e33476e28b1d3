import type { TailLevel } from "../tailExpectation.js";

/** ES with a control variate, and what went into it. */
export interface ControlledEs {
  expectedShortfall: number;
  /** Coefficient on the control's error: 0 when the control carries no information (then the plain estimate). */
  beta: number;
}

/**
 * Control-variate ES (Glasserman, Monte Carlo Methods in Financial Engineering, 2004, sections 4.1 and 9.3):
 * ES_cv = ES^(L) - beta (ES^(Y) - ES(Y)), where Y is a control loss on the same paths whose ES is known exactly
 * (`controlEs`), and ES^ the sample estimates. The error of an ES estimate is, to first order, the mean of
 * (L - VaR)^+ / (1 - a) over the paths, so the variance-minimising beta is the regression coefficient of
 * X = (L - VaR_L)^+ on Z = (Y - VaR_Y)^+, estimated on the same paths. Any fixed beta keeps the estimator unbiased;
 * the estimated one adds a bias of order 1 / paths.
 *
 * X and Z are 0 outside their own tails, so the weighted sums the regression needs run over the tails' paths only:
 * cov = sum w X Z - (sum w X)(sum w Z) / W and var Z = sum w Z^2 - (sum w Z)^2 / W, W the total weight (X Z over
 * the loss tail, where X > 0). `lossTail` and `controlTail` are the two samples' tails at the same confidence, on
 * the same `pathWeights` (importance-sampling weights of the paths, if any); neither needs its paths in order.
 */
export function controlVariateEs(
  losses: Float64Array,
  controls: Float64Array,
  lossTail: TailLevel,
  controlTail: TailLevel,
  controlEs: number,
  pathWeights?: Float64Array,
): ControlledEs {
  const vl = lossTail.valueAtRisk;
  const vy = controlTail.valueAtRisk;
  let sx = 0;
  let sxz = 0;
  for (const s of lossTail.indices) {
    const w = pathWeights ? pathWeights[s]! : 1;
    const x = losses[s]! - vl;
    if (!(x > 0)) continue;
    sx += w * x;
    const z = controls[s]! - vy;
    if (z > 0) sxz += w * x * z;
  }
  let sz = 0;
  let szz = 0;
  for (const s of controlTail.indices) {
    const w = pathWeights ? pathWeights[s]! : 1;
    const z = controls[s]! - vy;
    if (!(z > 0)) continue;
    sz += w * z;
    szz += w * z * z;
  }
  const total = lossTail.totalWeight;
  const cov = sxz - (sx * sz) / total;
  const varZ = szz - (sz * sz) / total;
  const beta = varZ > 0 ? cov / varZ : 0;
  return {
    expectedShortfall: lossTail.expectedShortfall - beta * (controlTail.expectedShortfall - controlEs),
    beta,
  };
}
