import { invalidInput, missingData } from "../core/errors.js";
import { nelderMead } from "./nelderMead.js";

const LN_2PI = Math.log(2 * Math.PI);

/** GARCH(1,1) parameters for daily log-returns: sigma^2_t = omega + alpha r^2_{t-1} + beta sigma^2_{t-1}. */
export interface GarchParams {
  /** Constant, daily variance units (> 0). */
  omega: number;
  /** ARCH weight (>= 0, dimensionless). */
  alpha: number;
  /** GARCH weight (>= 0, dimensionless); alpha + beta < 1 for a finite unconditional variance. */
  beta: number;
}

/** Maximum-likelihood GARCH(1,1) fit. */
export interface GarchFit {
  params: GarchParams;
  /** Gaussian log-likelihood at `params` (natural log). */
  logLikelihood: number;
  /** Daily conditional vol sigma_t of each return r_t, length T. */
  condVol: Float64Array;
  /** One-step-ahead forecast sigma^2_T for the day after the last return (daily variance). */
  forecastVariance: number;
  /** sqrt(forecastVariance), daily. */
  forecastVol: number;
  /** Variance used for sigma^2_0. */
  initialVariance: number;
  converged: boolean;
  evaluations: number;
}

/** Fit settings. */
export interface GarchFitOptions {
  /** sigma^2_0 (daily variance). Default mean(r^2), the zero-mean sample variance of the whole series. */
  initialVariance?: number;
  /** Starting point of the search. Default alpha 0.05, beta 0.90, omega = 0.05 * initialVariance. */
  start?: GarchParams;
}

function checkReturns(returns: Float64Array): number {
  if (returns.length < 2) throw missingData("$.returns", "need at least 2 returns");
  let s = 0;
  for (let t = 0; t < returns.length; t++) {
    const r = returns[t] ?? Number.NaN;
    if (!Number.isFinite(r)) throw invalidInput(`$.returns[${t}]`, "must be finite");
    s += r * r;
  }
  return s / returns.length;
}

/**
 * Gaussian log-likelihood of zero-mean returns under GARCH(1,1):
 * sum_t -0.5 (ln 2 pi + ln sigma^2_t + r_t^2 / sigma^2_t), with sigma^2_0 = `initialVariance` and the recursion for
 * t >= 1. Returns -Infinity for a non-positive variance.
 * @param returns daily log-returns (demean first if the mean matters).
 * @param initialVariance sigma^2_0, daily variance; default mean(r^2).
 */
export function garchLogLikelihood(returns: Float64Array, params: GarchParams, initialVariance?: number): number {
  const v0 = initialVariance ?? checkReturns(returns);
  const { omega, alpha, beta } = params;
  let v = v0;
  let ll = 0;
  for (let t = 0; t < returns.length; t++) {
    const r = returns[t] ?? 0;
    if (t > 0) {
      const prev = returns[t - 1] ?? 0;
      v = omega + alpha * prev * prev + beta * v;
    }
    if (!(v > 0)) return Number.NEGATIVE_INFINITY;
    ll -= 0.5 * (LN_2PI + Math.log(v) + (r * r) / v);
  }
  return ll;
}

const logistic = (u: number): number => 1 / (1 + Math.exp(-u));
const logit = (p: number): number => Math.log(p / (1 - p));

/** Unconstrained u -> params: omega = e^u0, alpha + beta = logistic(u1), alpha = (alpha + beta) logistic(u2). */
function toParams(u: Float64Array): GarchParams {
  const persistence = logistic(u[1] ?? 0);
  const alpha = persistence * logistic(u[2] ?? 0);
  return { omega: Math.exp(u[0] ?? 0), alpha, beta: persistence - alpha };
}

/**
 * Fits GARCH(1,1) to zero-mean daily returns by Gaussian maximum likelihood with Nelder-Mead over a reparametrisation
 * that enforces omega > 0, alpha >= 0, beta >= 0, alpha + beta < 1 (see `toParams`). The search is restarted from
 * its best point until the likelihood stops improving, the usual guard against a collapsed simplex.
 * @param returns daily log-returns, at least 2 (in practice hundreds).
 */
export function fitGarch(returns: Float64Array, options?: GarchFitOptions): GarchFit {
  const meanSq = checkReturns(returns);
  const v0 = options?.initialVariance ?? meanSq;
  if (!(v0 > 0)) throw invalidInput("$.initialVariance", "must be > 0 (all returns zero?)");
  const start = options?.start ?? { omega: 0.05 * v0, alpha: 0.05, beta: 0.9 };
  const p0 = start.alpha + start.beta;
  if (!(start.omega > 0 && start.alpha > 0 && start.beta >= 0 && p0 < 1)) {
    throw invalidInput("$.start", "needs omega > 0, alpha > 0, beta >= 0, alpha + beta < 1");
  }
  // The search runs on logit(alpha / (alpha + beta)); a start on the boundary beta = 0 would be logit(1) = infinity,
  // so the share is pulled just inside (0, 1).
  const share = Math.min(1 - 1e-6, Math.max(1e-6, start.alpha / p0));
  let u: Float64Array = Float64Array.of(Math.log(start.omega), logit(p0), logit(share));
  const objective = (x: Float64Array): number => -garchLogLikelihood(returns, toParams(x), v0);
  let best = Number.POSITIVE_INFINITY;
  let evaluations = 0;
  let converged = false;
  for (let restart = 0; restart < 10; restart++) {
    const res = nelderMead(objective, u, { step: 0.5, maxIterations: 2000 });
    evaluations += res.evaluations;
    u = res.x;
    const improved = best - res.fx;
    best = Math.min(best, res.fx);
    if (res.converged && improved < 1e-9 * Math.max(1, Math.abs(best))) {
      converged = true;
      break;
    }
  }
  const params = toParams(u);
  const condVol = new Float64Array(returns.length);
  let v = v0;
  for (let t = 0; t < returns.length; t++) {
    if (t > 0) v = params.omega + params.alpha * (returns[t - 1] ?? 0) ** 2 + params.beta * v;
    condVol[t] = Math.sqrt(v);
  }
  const last = returns[returns.length - 1] ?? 0;
  const forecastVariance = params.omega + params.alpha * last * last + params.beta * v;
  return {
    params,
    logLikelihood: -best,
    condVol,
    forecastVariance,
    forecastVol: Math.sqrt(forecastVariance),
    initialVariance: v0,
    converged,
    evaluations,
  };
}
