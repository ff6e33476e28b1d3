import { invalidInput } from "../core/errors.js";
import { normalPdf } from "../core/normal.js";
import { normalQuantile } from "./normalQuantile.js";

/** Basel 2.5 VaR confidence. */
export const DEFAULT_VAR_CONFIDENCE = 0.99;
/** FRTB Expected Shortfall confidence. */
export const DEFAULT_ES_CONFIDENCE = 0.975;

function checkConfidence(c: number): void {
  if (!(c > 0 && c < 1)) throw invalidInput("$.confidence", "must be in (0,1)", `got ${c}`);
}

function checkSample(losses: Float64Array, weights: Float64Array | undefined): number {
  if (losses.length === 0) throw invalidInput("$.losses", "must not be empty");
  for (let k = 0; k < losses.length; k++) {
    if (!Number.isFinite(losses[k])) throw invalidInput(`$.losses[${k}]`, "must be finite");
  }
  if (weights === undefined) return losses.length;
  if (weights.length !== losses.length) throw invalidInput("$.weights", "must have one weight per loss");
  let total = 0;
  for (let k = 0; k < weights.length; k++) {
    const w = weights[k] ?? Number.NaN;
    if (!(w >= 0) || !Number.isFinite(w)) throw invalidInput(`$.weights[${k}]`, "must be finite and >= 0");
    total += w;
  }
  if (!(total > 0)) throw invalidInput("$.weights", "must have a positive sum");
  return total;
}

/** Indices of `losses` sorted by loss, ascending. */
function order(losses: Float64Array): Uint32Array {
  const idx = new Uint32Array(losses.length);
  for (let k = 0; k < idx.length; k++) idx[k] = k;
  return idx.sort((a, b) => (losses[a] ?? 0) - (losses[b] ?? 0));
}

/**
 * Value-at-Risk: the lower `confidence`-quantile of the empirical loss distribution, inf{ l : F(l) >= confidence }.
 * Unweighted this is the order statistic L_(ceil(n c)) (1-based, ascending), e.g. the 99th smallest of 100 losses
 * at 99%; no interpolation, so the VaR is always an observed loss.
 * @param losses loss per scenario (positive = loss), any currency unit.
 * @param confidence in (0, 1), default 0.99.
 * @param weights optional non-negative scenario weights (normalised internally).
 */
export function valueAtRisk(losses: Float64Array, confidence = DEFAULT_VAR_CONFIDENCE, weights?: Float64Array): number {
  checkConfidence(confidence);
  const total = checkSample(losses, weights);
  if (weights === undefined) {
    const sorted = Float64Array.from(losses).sort();
    const k = Math.min(losses.length, Math.max(1, Math.ceil(losses.length * confidence - 1e-9)));
    return sorted[k - 1] ?? Number.NaN;
  }
  const idx = order(losses);
  const target = confidence * total * (1 - 1e-12);
  let cum = 0;
  for (const k of idx) {
    cum += weights[k] ?? 0;
    if (cum >= target && (weights[k] ?? 0) > 0) return losses[k] ?? Number.NaN;
  }
  return losses[idx[idx.length - 1] ?? 0] ?? Number.NaN;
}

/**
 * Expected Shortfall (Acerbi & Tasche 2002): the mean of the worst (1 - confidence) probability mass of the
 * empirical distribution, taking a fraction of the boundary scenario when the mass does not fall on a whole one.
 * Unweighted, with m = n (1 - c): (sum of the floor(m) largest losses + frac(m) * next one) / m. Coherent, and
 * ES >= VaR at the same confidence.
 * @param losses loss per scenario (positive = loss), any currency unit.
 * @param confidence in (0, 1), default 0.975.
 * @param weights optional non-negative scenario weights (normalised internally).
 * @example
 * expectedShortfall(Float64Array.from({ length: 100 }, (_, k) => k + 1), 0.975); // (100 + 99 + 0.5 * 98) / 2.5 = 99.2
 */
export function expectedShortfall(
  losses: Float64Array,
  confidence = DEFAULT_ES_CONFIDENCE,
  weights?: Float64Array,
): number {
  checkConfidence(confidence);
  const total = checkSample(losses, weights);
  const tailMass = (1 - confidence) * total;
  let remaining = tailMass;
  let acc = 0;
  if (weights === undefined) {
    const sorted = Float64Array.from(losses).sort();
    for (let k = sorted.length - 1; k >= 0 && remaining > 1e-9; k--) {
      const take = Math.min(1, remaining);
      acc += take * (sorted[k] ?? 0);
      remaining -= take;
    }
    return acc / tailMass;
  }
  const idx = order(losses);
  for (let p = idx.length - 1; p >= 0 && remaining > 1e-12 * total; p--) {
    const k = idx[p] ?? 0;
    const take = Math.min(weights[k] ?? 0, remaining);
    acc += take * (losses[k] ?? 0);
    remaining -= take;
  }
  return acc / tailMass;
}

/**
 * VaR of a zero-mean normal loss: sigma z_c.
 * @param sigma loss standard deviation (currency unit), >= 0.
 * @param confidence in (0, 1), default 0.99.
 */
export function normalVar(sigma: number, confidence = DEFAULT_VAR_CONFIDENCE): number {
  if (!(sigma >= 0)) throw invalidInput("$.sigma", "must be >= 0");
  return sigma * normalQuantile(confidence);
}

/**
 * ES of a zero-mean normal loss: sigma phi(z_c) / (1 - c).
 * @param sigma loss standard deviation (currency unit), >= 0.
 * @param confidence in (0, 1), default 0.975.
 */
export function normalEs(sigma: number, confidence = DEFAULT_ES_CONFIDENCE): number {
  if (!(sigma >= 0)) throw invalidInput("$.sigma", "must be >= 0");
  return (sigma * normalPdf(normalQuantile(confidence))) / (1 - confidence);
}
