import { calculationFailed } from "../core/errors.js";
export interface RootResult {
  /** The root (a point where `f` changes sign, within `tolerance`). */
  x: number;
  /** f at `x`. */
  fx: number;
  iterations: number;
}

/**
 * Brent's method (Brent 1973, "zeroin"): inverse quadratic interpolation and secant steps, falling back to
 * bisection, on a bracket [a, b] where f(a) and f(b) have opposite signs. It always keeps a sign change inside the
 * bracket, so on a discontinuous f it converges to the jump.
 * @param tolerance absolute tolerance on x
 * @throws RangeError when f(a) and f(b) have the same sign
 */
export function brentRoot(
  f: (x: number) => number,
  a: number,
  b: number,
  tolerance = 1e-9,
  maxIterations = 100,
  fa = f(a),
  fb = f(b),
): RootResult {
  if (fa === 0) return { x: a, fx: 0, iterations: 0 };
  if (fb === 0) return { x: b, fx: 0, iterations: 0 };
  if (Math.sign(fa) === Math.sign(fb))
    throw calculationFailed("no root: no sign change on the bracket", `[${a}, ${b}]`);
  let c = a;
  let fc = fa;
  let d = b - a;
  let e = d;
  for (let i = 1; i <= maxIterations; i++) {
    if (Math.sign(fb) === Math.sign(fc)) {
      c = a;
      fc = fa;
      d = b - a;
      e = d;
    }
    if (Math.abs(fc) < Math.abs(fb)) {
      a = b;
      b = c;
      c = a;
      fa = fb;
      fb = fc;
      fc = fa;
    }
    const tol = 2 * Number.EPSILON * Math.abs(b) + 0.5 * tolerance;
    const m = 0.5 * (c - b);
    if (Math.abs(m) <= tol || fb === 0) return { x: b, fx: fb, iterations: i };
    if (Math.abs(e) >= tol && Math.abs(fa) > Math.abs(fb)) {
      let p: number;
      let q: number;
      const s = fb / fa;
      if (a === c) {
        p = 2 * m * s;
        q = 1 - s;
      } else {
        const qa = fa / fc;
        const r = fb / fc;
        p = s * (2 * m * qa * (qa - r) - (b - a) * (r - 1));
        q = (qa - 1) * (r - 1) * (s - 1);
      }
      if (p > 0) q = -q;
      else p = -p;
      if (2 * p < Math.min(3 * m * q - Math.abs(tol * q), Math.abs(e * q))) {
        e = d;
        d = p / q;
      } else {
        d = m;
        e = m;
      }
    } else {
      d = m;
      e = m;
    }
    a = b;
    fa = fb;
    b += Math.abs(d) > tol ? d : m > 0 ? tol : -tol;
    fb = f(b);
  }
  return { x: b, fx: fb, iterations: maxIterations };
}
