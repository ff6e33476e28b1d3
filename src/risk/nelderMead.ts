import { invalidInput } from "../core/errors.js";

/** Settings of the simplex search. */
export interface NelderMeadOptions {
  /** Initial simplex step per coordinate (units of x). Default 0.1 * max(|x0_i|, 1). */
  step?: number | Float64Array;
  /** Stop when max |f_i - f_best| over the simplex is below this (units of f). Default 1e-10. */
  fTolerance?: number;
  /** ...and max |x_i - x_best| (units of x) is below this. Default 1e-10. */
  xTolerance?: number;
  /** Cap on iterations. Default 200 * dimension. */
  maxIterations?: number;
}

/** Best point found. */
export interface NelderMeadResult {
  x: Float64Array;
  fx: number;
  iterations: number;
  evaluations: number;
  converged: boolean;
}

/**
 * Unconstrained minimisation by the Nelder-Mead simplex (Lagarias et al. 1998 conventions: reflection 1, expansion
 * 2, contraction 0.5, shrink 0.5). Derivative-free, so it suits small likelihoods such as GARCH(1,1); constraints go
 * into a reparametrisation. A NaN objective value counts as +Infinity.
 * @param f objective; must not keep a reference to its argument (the buffer is reused).
 * @param x0 starting point.
 */
export function nelderMead(
  f: (x: Float64Array) => number,
  x0: ArrayLike<number>,
  options?: NelderMeadOptions,
): NelderMeadResult {
  const n = x0.length;
  if (n < 1) throw invalidInput("$.x0", "must have at least one coordinate");
  const fTol = options?.fTolerance ?? 1e-10;
  const xTol = options?.xTolerance ?? 1e-10;
  const maxIter = options?.maxIterations ?? 200 * n;
  let evaluations = 0;
  const evalF = (x: Float64Array): number => {
    evaluations++;
    const v = f(x);
    return Number.isNaN(v) ? Number.POSITIVE_INFINITY : v;
  };

  // Simplex: n + 1 vertices, vertex k at pts[k*n .. k*n+n).
  const pts = new Float64Array((n + 1) * n);
  const fv = new Float64Array(n + 1);
  for (let k = 0; k <= n; k++) {
    for (let i = 0; i < n; i++) {
      const base = x0[i] ?? 0;
      const step = options?.step;
      const h = step === undefined ? 0.1 * Math.max(Math.abs(base), 1) : typeof step === "number" ? step : step[i];
      pts[k * n + i] = base + (k === i + 1 ? (h ?? 0.1) : 0);
    }
    fv[k] = evalF(pts.subarray(k * n, k * n + n));
  }
  const order = Array.from({ length: n + 1 }, (_, k) => k);
  const centroid = new Float64Array(n);
  const xr = new Float64Array(n);
  const xe = new Float64Array(n);
  const xc = new Float64Array(n);
  const at = (k: number, i: number): number => pts[k * n + i] ?? 0;
  const set = (k: number, x: Float64Array, fx: number): void => {
    pts.set(x, k * n);
    fv[k] = fx;
  };

  let iterations = 0;
  let converged = false;
  while (iterations < maxIter) {
    order.sort((p, q) => (fv[p] ?? 0) - (fv[q] ?? 0));
    const best = order[0] ?? 0;
    const worst = order[n] ?? 0;
    const second = order[n - 1] ?? 0;
    let fSpread = 0;
    let xSpread = 0;
    for (let k = 0; k <= n; k++) {
      fSpread = Math.max(fSpread, Math.abs((fv[k] ?? 0) - (fv[best] ?? 0)));
      for (let i = 0; i < n; i++) xSpread = Math.max(xSpread, Math.abs(at(k, i) - at(best, i)));
    }
    if (fSpread <= fTol && xSpread <= xTol) {
      converged = true;
      break;
    }
    iterations++;
    centroid.fill(0);
    for (let k = 0; k <= n; k++)
      if (k !== worst) for (let i = 0; i < n; i++) centroid[i] = (centroid[i] ?? 0) + at(k, i) / n;
    for (let i = 0; i < n; i++) xr[i] = 2 * (centroid[i] ?? 0) - at(worst, i);
    const fr = evalF(xr);
    const fBest = fv[best] ?? 0;
    const fSecond = fv[second] ?? 0;
    const fWorst = fv[worst] ?? 0;
    if (fr < fBest) {
      for (let i = 0; i < n; i++) xe[i] = 3 * (centroid[i] ?? 0) - 2 * at(worst, i);
      const fe = evalF(xe);
      if (fe < fr) set(worst, xe, fe);
      else set(worst, xr, fr);
      continue;
    }
    if (fr < fSecond) {
      set(worst, xr, fr);
      continue;
    }
    // Contraction: outside if the reflected point beats the worst, inside otherwise.
    const outside = fr < fWorst;
    for (let i = 0; i < n; i++) {
      const c = centroid[i] ?? 0;
      xc[i] = outside ? c + 0.5 * ((xr[i] ?? 0) - c) : c + 0.5 * (at(worst, i) - c);
    }
    const fc = evalF(xc);
    if (fc < (outside ? fr : fWorst)) {
      set(worst, xc, fc);
      continue;
    }
    // Shrink toward the best vertex.
    for (let k = 0; k <= n; k++) {
      if (k === best) continue;
      for (let i = 0; i < n; i++) pts[k * n + i] = at(best, i) + 0.5 * (at(k, i) - at(best, i));
      fv[k] = evalF(pts.subarray(k * n, k * n + n));
    }
  }
  let best = 0;
  for (let k = 1; k <= n; k++) if ((fv[k] ?? 0) < (fv[best] ?? 0)) best = k;
  return {
    x: pts.slice(best * n, best * n + n),
    fx: fv[best] ?? Number.NaN,
    iterations,
    evaluations,
    converged,
  };
}
