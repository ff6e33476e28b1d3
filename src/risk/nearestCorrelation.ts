import { EigenvalueDecomposition, Matrix } from "ml-matrix";
import { invalidInput } from "../core/errors.js";

/** Settings of the alternating-projections repair. */
export interface NearestCorrelationOptions {
  /** Stop when ||Y - X||_F / ||Y||_F is below this (dimensionless). Default 1e-10. */
  tolerance?: number;
  /** Iteration cap. Default 1000. */
  maxIterations?: number;
}

/** Repaired matrix and how the iteration went. */
export interface NearestCorrelationResult {
  /** Row-major N x N correlation matrix: symmetric, unit diagonal, positive semi-definite. */
  matrix: Float64Array;
  iterations: number;
  converged: boolean;
  /** True when the input already was a valid correlation matrix and was returned as is. */
  unchanged: boolean;
}

function toMatrix(a: Float64Array, n: number): Matrix {
  const m = new Matrix(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) m.set(i, j, a[i * n + j] ?? 0);
  return m;
}

/** Eigen-decomposes symmetric `m` and rebuilds it with eigenvalues max(lambda, floor). Returns the min eigenvalue. */
function projectPsd(m: Matrix, n: number, floor: number, out: Float64Array): number {
  const evd = new EigenvalueDecomposition(m, { assumeSymmetric: true });
  const values = evd.realEigenvalues;
  const vectors = evd.eigenvectorMatrix;
  let minEig = Number.POSITIVE_INFINITY;
  out.fill(0);
  for (let k = 0; k < n; k++) {
    const lam = values[k] ?? 0;
    if (lam < minEig) minEig = lam;
    const l = Math.max(lam, floor);
    if (l === 0) continue;
    for (let i = 0; i < n; i++) {
      const vi = vectors.get(i, k) * l;
      for (let j = 0; j < n; j++) out[i * n + j] = (out[i * n + j] ?? 0) + vi * vectors.get(j, k);
    }
  }
  return minEig;
}

/**
 * Nearest correlation matrix in the Frobenius norm (Higham 2002, "Computing the nearest correlation matrix - a
 * problem from finance", IMA J. Numer. Anal. 22): alternating projections onto the PSD cone and onto unit-diagonal
 * matrices, with Dykstra's correction on the (non-affine) PSD step. The input is symmetrised first. A final PSD
 * clip and diagonal rescaling make the output exactly unit-diagonal and PSD to rounding.
 * @param a row-major N x N symmetric matrix, e.g. a blended or pairwise-estimated correlation.
 * @param n dimension N.
 * @example
 * nearestCorrelation(Float64Array.of(1, 1, 0, 1, 1, 1, 0, 1, 1), 3).matrix; // off-diagonals ~0.7607, 0.1573, 0.7607
 */
export function nearestCorrelation(
  a: Float64Array,
  n: number,
  options?: NearestCorrelationOptions,
): NearestCorrelationResult {
  if (!Number.isInteger(n) || n < 1 || a.length !== n * n) throw invalidInput("$.a", `must be a ${n}x${n} matrix`);
  for (let p = 0; p < n * n; p++) if (!Number.isFinite(a[p])) throw invalidInput(`$.a[${p}]`, "must be finite");
  const tol = options?.tolerance ?? 1e-10;
  const maxIter = options?.maxIterations ?? 1000;
  const y = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) y[i * n + j] = 0.5 * ((a[i * n + j] ?? 0) + (a[j * n + i] ?? 0));
  }

  const scratch = new Float64Array(n * n);
  let shapeOk = true;
  for (let i = 0; i < n; i++) {
    if (a[i * n + i] !== 1) shapeOk = false;
    for (let j = 0; j < i; j++) if (a[i * n + j] !== a[j * n + i]) shapeOk = false;
  }
  if (shapeOk && projectPsd(toMatrix(y, n), n, 0, scratch) >= -1e-14 * n) {
    return { matrix: Float64Array.from(a), iterations: 0, converged: true, unchanged: true };
  }

  const x = new Float64Array(n * n);
  const ds = new Float64Array(n * n);
  const r = new Float64Array(n * n);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIter) {
    iterations++;
    for (let p = 0; p < n * n; p++) r[p] = (y[p] ?? 0) - (ds[p] ?? 0);
    projectPsd(toMatrix(r, n), n, 0, x);
    let diff = 0;
    let norm = 0;
    for (let p = 0; p < n * n; p++) {
      const xp = x[p] ?? 0;
      ds[p] = xp - (r[p] ?? 0);
      y[p] = xp;
    }
    for (let i = 0; i < n; i++) y[i * n + i] = 1;
    for (let p = 0; p < n * n; p++) {
      const d = (y[p] ?? 0) - (x[p] ?? 0);
      diff += d * d;
      norm += (y[p] ?? 0) ** 2;
    }
    if (Math.sqrt(diff / norm) < tol) {
      converged = true;
      break;
    }
  }

  // Final clean-up: clip tiny negative eigenvalues, then rescale to unit diagonal (congruence keeps PSD).
  const out = new Float64Array(n * n);
  projectPsd(toMatrix(y, n), n, 0, out);
  const s = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const d = out[i * n + i] ?? 0;
    s[i] = d > 0 ? 1 / Math.sqrt(d) : 0;
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) out[i * n + j] = i === j ? 1 : (out[i * n + j] ?? 0) * (s[i] ?? 0) * (s[j] ?? 0);
  }
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const m = 0.5 * ((out[i * n + j] ?? 0) + (out[j * n + i] ?? 0));
      out[i * n + j] = m;
      out[j * n + i] = m;
    }
  }
  return { matrix: out, iterations, converged, unchanged: false };
}
