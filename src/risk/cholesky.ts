import { invalidInput } from "../core/errors.js";

/** Lower Cholesky factor and the diagonal jitter that was needed. */
export interface CholeskyResult {
  /** Row-major N x N lower-triangular L with L L^T = matrix + jitter I. */
  lower: Float64Array;
  n: number;
  /** Added to the diagonal; 0 for a positive definite input. Same units as the matrix entries. */
  jitter: number;
}

/** Plain Cholesky of `a + jitter I` into `l`; returns false on a non-positive pivot. */
function tryCholesky(a: Float64Array, n: number, jitter: number, l: Float64Array): boolean {
  l.fill(0);
  for (let j = 0; j < n; j++) {
    let d = (a[j * n + j] ?? 0) + jitter;
    for (let k = 0; k < j; k++) d -= (l[j * n + k] ?? 0) ** 2;
    if (!(d > 0)) return false;
    const ljj = Math.sqrt(d);
    l[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j] ?? 0;
      for (let k = 0; k < j; k++) s -= (l[i * n + k] ?? 0) * (l[j * n + k] ?? 0);
      l[i * n + j] = s / ljj;
    }
  }
  return true;
}

/**
 * Cholesky factor of a symmetric positive semi-definite matrix (e.g. a daily covariance). A semi-definite input
 * (zero eigenvalue, e.g. two perfectly correlated factors) is factored with a tiny diagonal jitter, tried at
 * 1e-14, 1e-12, 1e-10 times the largest diagonal entry; that changes variances by at most 1e-10 relative, far below
 * estimation error. An input that still fails is not PSD and is rejected.
 * @param matrix row-major N x N symmetric matrix.
 * @param n dimension N.
 */
export function cholesky(matrix: Float64Array, n: number): CholeskyResult {
  if (!Number.isInteger(n) || n < 1 || matrix.length !== n * n) {
    throw invalidInput("$.matrix", `must be a ${n}x${n} row-major matrix`, `got length ${matrix.length}`);
  }
  let maxDiag = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const v = matrix[i * n + j] ?? Number.NaN;
      if (!Number.isFinite(v)) throw invalidInput(`$.matrix[${i * n + j}]`, "must be finite");
      if (Math.abs(v - (matrix[j * n + i] ?? Number.NaN)) > 1e-12 * Math.max(1, Math.abs(v))) {
        throw invalidInput("$.matrix", "must be symmetric", `entry (${i},${j}) differs from (${j},${i})`);
      }
    }
    maxDiag = Math.max(maxDiag, matrix[i * n + i] ?? 0);
  }
  const lower = new Float64Array(n * n);
  if (tryCholesky(matrix, n, 0, lower)) return { lower, n, jitter: 0 };
  if (maxDiag > 0) {
    for (const rel of [1e-14, 1e-12, 1e-10]) {
      const jitter = rel * maxDiag;
      if (tryCholesky(matrix, n, jitter, lower)) return { lower, n, jitter };
    }
  } else if (maxDiag === 0 && matrix.every((v) => v === 0)) {
    return { lower, n, jitter: 0 };
  }
  throw invalidInput("$.matrix", "is not positive semi-definite", "Cholesky failed even with diagonal jitter");
}
