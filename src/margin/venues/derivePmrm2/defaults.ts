/**
 * Published PMRM_2 parameter sets (../shared/design/venues/derive-pmrm2.md, sections 3 and 6.8).
 * - `pmrm2GoldenDefaults`: the values most of Derive's golden test cases use (derivexyz/v2-core @ 7736900d,
 *   test/risk-managers/unit-tests/PMRM_2/portfolio_cases).
 * - `pmrm2MainnetDefaults`: `getPMRM2Params` and `getDefaultPM2Scenarios` of the same repository's
 *   scripts/config-mainnet.sol, except the two static-discount bases: the script gives short 0.95 and long 1.05,
 *   which would mark short liabilities down and long assets up, the opposite of what the discounts are for (spec
 *   3.2 asks to confirm them against the deployed contract), so the golden 1.04 / 0.95 are kept until then.
 */
import type { Pmrm2Params, Pmrm2Scenario } from "./params.js";

/** The regular grid: +18% (Up), then +13.5% .. -13.5% each Down, None, Up, then -18% (Up); all undampened. */
function regularGrid(): Pmrm2Scenario[] {
  const out: Pmrm2Scenario[] = [{ spotMult: 1.18, volShock: "up", dampening: 1 }];
  for (const spotMult of [1.135, 1.09, 1.045, 1, 0.955, 0.91, 0.865]) {
    for (const volShock of ["down", "none", "up"] as const) out.push({ spotMult, volShock, dampening: 1 });
  }
  out.push({ spotMult: 0.82, volShock: "up", dampening: 1 });
  return out;
}

/** Tail moves with vol up, dampened by fraction x 0.18 / |m - 1| (largest regular move over the tail move). */
function tails(spotMults: readonly number[], fraction: number): Pmrm2Scenario[] {
  return spotMults.map((spotMult) => ({
    spotMult,
    volShock: "up",
    dampening: (fraction * 0.18) / Math.abs(spotMult - 1),
  }));
}

const SKEWS: Pmrm2Scenario[] = [
  { spotMult: 1, volShock: "linear", dampening: 1 },
  { spotMult: 1, volShock: "abs", dampening: 1 },
];

export const pmrm2GoldenDefaults: Pmrm2Params = {
  volShock: {
    volRangeUp: 0.5,
    volRangeDown: 0.275,
    shortTermPower: 0.3,
    longTermPower: 0.13,
    dteFloorDays: 1,
    minVolUpShock: 0.45,
  },
  margin: {
    imFactor: 1,
    mmFactor: 0.8,
    shortRateMultScale: 0.5,
    longRateMultScale: 1,
    shortRateAddScale: 0.08,
    longRateAddScale: 0.08,
    shortBaseStaticDiscount: 1.04,
    longBaseStaticDiscount: 0.95,
  },
  basisContingency: { scenarioSpotUp: 1.045, scenarioSpotDown: 0.955, basisContAddFactor: 0.5, basisContMultFactor: 2 },
  otherContingency: {
    pegLossThreshold: 0.98,
    pegLossFactor: 2,
    confThreshold: 0.55,
    confMargin: 1,
    mmPerpPercent: 0.015,
    imPerpPercent: 0.005,
    mmOptionPercent: 0.003,
    imOptionPercent: 0.002,
  },
  skewShock: {
    linearBaseCap: 0.15,
    absBaseCap: 0.15,
    linearCBase: -0.05,
    absCBase: -0.05,
    minKStar: 0.01,
    widthScale: 4,
    volParamStatic: 0.6,
    volParamScale: -0.1,
  },
  scenarios: [...regularGrid(), ...tails([0.34, 0.67, 1.5, 2, 3, 4], 0.2), ...SKEWS],
  maxExpiries: 11,
  maxTotalVariance: 144,
  regularMaxMoveRel: 0.18,
};

export const pmrm2MainnetDefaults: Pmrm2Params = {
  volShock: { ...pmrm2GoldenDefaults.volShock, volRangeDown: 0.3, minVolUpShock: 0.4 },
  margin: {
    imFactor: 1,
    mmFactor: 0.8,
    shortRateMultScale: 0,
    longRateMultScale: 0,
    shortRateAddScale: 0.16,
    longRateAddScale: 0.16,
    shortBaseStaticDiscount: 1.04,
    longBaseStaticDiscount: 0.95,
  },
  basisContingency: pmrm2GoldenDefaults.basisContingency,
  otherContingency: {
    pegLossThreshold: 0.99,
    pegLossFactor: 4,
    confThreshold: 0.55,
    confMargin: 1,
    mmPerpPercent: 0.03,
    imPerpPercent: 0.01,
    mmOptionPercent: 0.003,
    imOptionPercent: 0.002,
  },
  skewShock: {
    linearBaseCap: 0.25,
    absBaseCap: 0.25,
    linearCBase: -0.1,
    absCBase: -0.1,
    minKStar: 0.01,
    widthScale: 4,
    volParamStatic: 0.6,
    volParamScale: 0,
  },
  scenarios: [...regularGrid(), ...tails([0.34, 0.67, 1.5, 2, 3, 4, 5, 6], 0.77), ...SKEWS],
  maxExpiries: 30,
  maxTotalVariance: 144,
  regularMaxMoveRel: 0.18,
};
