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
 * (L - VaR_L)^+ on (Y - VaR_Y)^+, estimated on the same paths. Any fixed beta keeps the estimator unbiased; the
 * estimated one adds a bias of order 1 / paths. `lossVar` / `controlVar` are the two samples' VaR at the same level;
 * `pathWeights` the importance-sampling weights of the paths, if any.
 */
export function controlVariateEs(
  losses: Float64Array,
  controls: Float64Array,
  lossVar: number,
  controlVar: number,
  lossEs: number,
  controlEsSample: number,
  controlEs: number,
  pathWeights?: Float64Array,
): ControlledEs {
  const n = losses.length;
  const w = (s: number) => (pathWeights ? pathWeights[s]! : 1);
  let sl = 0;
  let sy = 0;
  let sw = 0;
  for (let s = 0; s < n; s++) {
    sl += w(s) * Math.max(0, losses[s]! - lossVar);
    sy += w(s) * Math.max(0, controls[s]! - controlVar);
    sw += w(s);
  }
  const ml = sl / sw;
  const my = sy / sw;
  let cov = 0;
  let varY = 0;
  for (let s = 0; s < n; s++) {
    const dy = Math.max(0, controls[s]! - controlVar) - my;
    cov += w(s) * (Math.max(0, losses[s]! - lossVar) - ml) * dy;
    varY += w(s) * dy * dy;
  }
  const beta = varY > 0 ? cov / varY : 0;
  return { expectedShortfall: lossEs - beta * (controlEsSample - controlEs), beta };
}
