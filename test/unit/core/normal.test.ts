import { describe, expect, it } from "vitest";
import { erfc, normalCdf, normalPdf } from "../../../src/core/normal.js";

/**
 * Reference values [x, Phi(x), phi(x)] computed with mpmath 1.3 at 40 significant digits (`mp.ncdf`, `mp.npdf`),
 * evaluated at the double nearest to the decimal x, then written as the nearest double (shortest round-trip form).
 * Independent of the code under test.
 */
const NORMAL_REFERENCE: ReadonlyArray<readonly [number, number, number]> = [
  [-37.0, 5.725571222524577e-300, 2.1200065515246056e-298],
  [-20.0, 2.7536241186062337e-89, 5.520948362159764e-88],
  [-10.0, 7.619853024160525e-24, 7.694598626706419e-23],
  [-5.0, 2.866515718791939e-7, 0.0000014867195147342977],
  [-3.0, 0.0013498980316300946, 0.0044318484119380075],
  [-1.96, 0.024997895148220435, 0.05844094433345146],
  [-1.0, 0.15865525393145705, 0.24197072451914334],
  [-0.5, 0.3085375387259869, 0.35206532676429947],
  [-0.2, 0.42074029056089696, 0.3910426939754559],
  [0.0, 0.5, 0.3989422804014327],
  [0.3, 0.6179114221889527, 0.3813878154605241],
  [1.0, 0.8413447460685429, 0.24197072451914334],
  [1.96, 0.9750021048517795, 0.05844094433345146],
  [3.0, 0.9986501019683699, 0.0044318484119380075],
  [5.0, 0.9999997133484281, 0.0000014867195147342977],
  [8.2, 0.9999999999999999, 9.99837874849721e-16],
];

/** [x, erfc(x)] from mpmath 1.3 at 40 digits; x spans Cody's three intervals (|x| <= 0.46875, <= 4, > 4). */
const ERFC_REFERENCE: ReadonlyArray<readonly [number, number]> = [
  [-2.0, 1.9953222650189526],
  [-0.3, 1.3286267594591274],
  [0.1, 0.887537083981715],
  [0.46875, 0.507386526782062],
  [0.5, 0.4795001221869535],
  [1.0, 0.15729920705028513],
  [2.5, 0.0004069520174449589],
  [4.0, 1.541725790028002e-8],
  [4.5, 1.9661604415428876e-10],
  [10.0, 2.088487583762545e-45],
  [26.0, 5.663192408856143e-296],
];

/** Absolute accuracy asked of Phi near the centre. */
const CDF_ABS_TOL = 1e-15;
/** Relative accuracy of erfc and of phi (a few ulps). */
const REL_TOL = 1e-15;

function relErr(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.abs(expected);
}

describe("normalCdf", () => {
  it("matches 40-digit reference values to 1e-15 absolute", () => {
    for (const [x, cdf] of NORMAL_REFERENCE) {
      expect(Math.abs(normalCdf(x) - cdf), `x = ${x}`).toBeLessThanOrEqual(CDF_ABS_TOL);
    }
  });

  it("keeps relative accuracy in the lower tail (within 2e-16 x^2, the cost of rounding x / sqrt 2)", () => {
    for (const [x, cdf] of NORMAL_REFERENCE) {
      if (x >= 0) continue;
      const tol = Math.max(2e-15, 2e-16 * x * x);
      expect(relErr(normalCdf(x), cdf), `x = ${x}`).toBeLessThanOrEqual(tol);
    }
  });

  it("is symmetric: Phi(x) + Phi(-x) = 1", () => {
    for (let x = -8; x <= 8; x += 0.173) {
      expect(Math.abs(normalCdf(x) + normalCdf(-x) - 1)).toBeLessThanOrEqual(2e-16);
    }
  });

  it("equals 1/2 + the integral of exp(-t^2/2)/sqrt(2 pi) from 0 to x (composite Simpson, Math.exp only)", () => {
    const simpson = (b: number, n: number): number => {
      const h = b / n;
      let sum = 1 + Math.exp(-0.5 * b * b);
      for (let i = 1; i < n; i++) {
        const t = i * h;
        sum += (i % 2 === 1 ? 4 : 2) * Math.exp(-0.5 * t * t);
      }
      return (sum * h) / 3 / Math.sqrt(2 * Math.PI);
    };
    /** Simpson with 4000 panels on [0, 6]: truncation error ~ h^4 max|f''''| / 180 ~ 1e-15; rounding ~ 1e-15. */
    const INTEGRATION_TOL = 5e-15;
    for (const x of [0.25, 0.8, 1.5, 2.2, 3.7, 6]) {
      expect(Math.abs(normalCdf(x) - (0.5 + simpson(x, 4000))), `x = ${x}`).toBeLessThanOrEqual(INTEGRATION_TOL);
    }
  });

  it("has derivative normalPdf (central difference)", () => {
    const h = 1e-5;
    /** Central difference: truncation h^2 |phi''| / 6 ~ 1e-11, rounding eps / h ~ 1e-11. */
    const FD_TOL = 5e-10;
    for (const x of [-4, -1.3, -0.1, 0.7, 2.9]) {
      const fd = (normalCdf(x + h) - normalCdf(x - h)) / (2 * h);
      expect(Math.abs(fd - normalPdf(x))).toBeLessThanOrEqual(FD_TOL);
    }
  });

  it("handles the infinities and NaN", () => {
    expect(normalCdf(Number.NEGATIVE_INFINITY)).toBe(0);
    expect(normalCdf(Number.POSITIVE_INFINITY)).toBe(1);
    expect(normalCdf(-40)).toBe(0);
    expect(normalCdf(40)).toBe(1);
    expect(normalCdf(Number.NaN)).toBeNaN();
  });
});

describe("normalPdf", () => {
  it("matches 40-digit reference values to a few ulps, tails included", () => {
    for (const [x, , pdf] of NORMAL_REFERENCE) {
      expect(relErr(normalPdf(x), pdf), `x = ${x}`).toBeLessThanOrEqual(REL_TOL);
    }
  });
});

describe("erfc", () => {
  it("matches 40-digit reference values in all three of Cody's intervals", () => {
    for (const [x, value] of ERFC_REFERENCE) {
      expect(relErr(erfc(x), value), `x = ${x}`).toBeLessThanOrEqual(REL_TOL);
    }
  });

  it("is 0 beyond the underflow point and 2 far to the left", () => {
    expect(erfc(27)).toBe(0);
    expect(erfc(-27)).toBe(2);
    expect(erfc(0)).toBe(1);
  });
});
