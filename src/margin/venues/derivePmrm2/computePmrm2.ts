/**
 * Derive's PMRM_2 maintenance and initial margin of one sub-account (spec section 8), with the intermediate
 * figures Derive's golden cases report. MM and IM are surpluses: an account passes when the value is >= 0.
 *
 *   MM = f_MM minSPAN - Cont_MM + MtM + cash
 *   IM = f_IM* minSPAN - Cont_IM - Cont_MM + MtM + cash,  f_IM* = f_IM + f_peg (th_peg - p_stab) below the peg threshold
 *
 * where minSPAN = min(basis contingency, every scenario P&L).
 * @see docs/models/derive-pmrm2.md
 */
import { arrangeSubAccount } from "./arrangeSubAccount.js";
import { basisContingency, confidenceCharge, grossContracts, nakedShorts } from "./contingencies.js";
import { expiryValue } from "./expiryValue.js";
import { pmrm2OptionPrice } from "./optionPrice.js";
import type { Pmrm2Params } from "./params.js";
import { type ScenarioInputs, scenarioPnl } from "./scenarioPnl.js";
import type { Pmrm2SubAccount } from "./subAccount.js";

export type Pmrm2ScenarioGroup = "regular" | "tail" | "skew";

export interface Pmrm2Result {
  maintenanceMargin: number;
  initialMargin: number;
  /** MtM of options, perp cash and collateral, plus cash: what the margins are surpluses over. */
  portfolioMtm: number;
  optionMtm: number;
  optionMtmPerExpiry: Float64Array;
  /** Current value of one contract of each option, per expiry in the sub-account's option order. */
  optionPrices: Float64Array[];
  /** Current value per expiry times its static discount (by the sign of the value). */
  optionMtmPerExpiryDiscounted: Float64Array;
  collateralMtm: number;
  /** Basis contingency B (<= 0), the starting value of the worst-loss search. */
  basisContingency: number;
  scenarioPnl: Float64Array;
  scenarioGroup: Pmrm2ScenarioGroup[];
  /** Worst (lowest) P&L per group; 0 when the group is empty. */
  worstLoss: Record<Pmrm2ScenarioGroup, number>;
  minSpan: number;
  /** Index of the binding scenario; `scenarios.length` when the basis contingency binds. */
  worstIndex: number;
  /** Add-ons as positive amounts (the golden files print them negated). */
  mmPerpCont: number;
  imPerpCont: number;
  mmOptionCont: number;
  imOptionCont: number;
  mmBaseCont: number;
  imBaseCont: number;
  /** Oracle-confidence add-ons, IM only: perp, options (per expiry summed) and collateral. */
  oracleCont: { perp: number; options: number; collateral: number; total: number };
  mmLossFactor: number;
  /** f_IM*, including the peg-loss add-on. */
  imLossFactor: number;
  /** [delta+, delta-] per expiry. */
  discountFactors: Array<[number, number]>;
  volShockUp: Float64Array;
  volShockDown: Float64Array;
}

/** Scenario group for the report: Linear/Abs are skew; other moves beyond the regular range are tails. */
export function scenarioGroup(s: Pmrm2Params["scenarios"][number], regularMaxMoveRel: number): Pmrm2ScenarioGroup {
  if (s.volShock === "linear" || s.volShock === "abs") return "skew";
  return Math.abs(s.spotMult - 1) > regularMaxMoveRel + 1e-12 ? "tail" : "regular";
}

/**
 * @param account the sub-account: options of one underlying by expiry, perp, cash and collaterals
 * @param params PMRM_2 parameters (validated)
 * @throws XmarginError where Derive's contract would revert (spec section 9)
 */
export function computePmrm2(account: Pmrm2SubAccount, params: Pmrm2Params, path = "$"): Pmrm2Result {
  const a = arrangeSubAccount(account, params, path);
  const other = params.otherContingency;
  const n = a.expiryCount;

  const mtm = new Float64Array(n);
  const mtmDiscounted = new Float64Array(n);
  let optionMtm = 0;
  let nakedNotional = 0;
  let optionConfidence = 0;
  for (let e = 0; e < n; e++) {
    const v = expiryValue(a, e, 1, a.vol);
    mtm[e] = v;
    mtmDiscounted[e] = v * (v >= 0 ? a.discountPositive[e]! : a.discountNegative[e]!);
    optionMtm += v;
    nakedNotional += nakedShorts(a, e) * account.spot;
    optionConfidence += confidenceCharge(a.confidence[e]!, account.spot * grossContracts(a, e), other);
  }

  let collateralMtm = 0;
  let riskCancellingValue = 0;
  let mmBaseCont = 0;
  let imBaseCont = 0;
  let collateralConfidence = 0;
  for (const c of account.collaterals) {
    const value = (c.amount * c.priceUsd) / account.stablePrice;
    collateralMtm += value;
    if (c.isRiskCancelling) riskCancellingValue += value;
    mmBaseCont += c.mmHaircut * value;
    imBaseCont += c.imHaircut * value;
    // The collateral confidence takes the spot's, not the perp's (spec 5.4).
    collateralConfidence += confidenceCharge(Math.min(c.confidence, account.spotConfidence), value, other);
  }

  const perpNotional = Math.abs(account.perpAmount) * account.spot;
  const perpConfidence = confidenceCharge(a.portfolioConfidence, perpNotional, other);
  const oracleTotal = perpConfidence + optionConfidence + collateralConfidence;

  const basis = basisContingency(a, mtm, params.basisContingency);
  const inputs: ScenarioInputs = {
    perpAmount: account.perpAmount,
    perpPrice: account.perpAmount !== 0 ? account.perpPrice : 0,
    riskCancellingValue,
    mtm,
  };
  const scenarios = params.scenarios;
  const pnl = new Float64Array(scenarios.length);
  const groups = scenarios.map((s) => scenarioGroup(s, params.regularMaxMoveRel));
  const worstLoss: Record<Pmrm2ScenarioGroup, number> = { regular: 0, tail: 0, skew: 0 };
  const seen = { regular: false, tail: false, skew: false };
  let minSpan = basis;
  let worstIndex = scenarios.length;
  for (let k = 0; k < scenarios.length; k++) {
    const v = scenarioPnl(a, scenarios[k]!, params, inputs);
    pnl[k] = v;
    const g = groups[k]!;
    if (!seen[g] || v < worstLoss[g]) worstLoss[g] = v;
    seen[g] = true;
    // A tie keeps the earlier candidate, so the basis contingency wins ties.
    if (v < minSpan) {
      minSpan = v;
      worstIndex = k;
    }
  }

  const mmLossFactor = params.margin.mmFactor;
  const imLossFactor =
    account.pegStablePrice < other.pegLossThreshold
      ? params.margin.imFactor + other.pegLossFactor * (other.pegLossThreshold - account.pegStablePrice)
      : params.margin.imFactor;
  const mmPerpCont = other.mmPerpPercent * perpNotional;
  const imPerpCont = other.imPerpPercent * perpNotional;
  const mmOptionCont = other.mmOptionPercent * nakedNotional;
  const imOptionCont = other.imOptionPercent * nakedNotional;
  const contMm = mmPerpCont + mmOptionCont + mmBaseCont;
  const contIm = imPerpCont + imOptionCont + imBaseCont + oracleTotal;
  const portfolioMtm = account.perpUnsettledCash + optionMtm + collateralMtm + account.cash;

  return {
    maintenanceMargin: mmLossFactor * minSpan - contMm + portfolioMtm,
    initialMargin: imLossFactor * minSpan - contIm - contMm + portfolioMtm,
    portfolioMtm,
    optionMtm,
    optionMtmPerExpiry: mtm,
    optionPrices: Array.from({ length: n }, (_, e) => {
      const from = a.optionStart[e]!;
      const forward = a.forwardVariable[e]! + a.forwardFixed[e]!;
      return Float64Array.from({ length: a.optionStart[e + 1]! - from }, (_, j) =>
        pmrm2OptionPrice(
          forward,
          a.strike[from + j]!,
          a.vol[from + j]!,
          a.years[e]!,
          a.discount[e]!,
          a.isCall[from + j] === 1,
        ),
      );
    }),
    optionMtmPerExpiryDiscounted: mtmDiscounted,
    collateralMtm,
    basisContingency: basis,
    scenarioPnl: pnl,
    scenarioGroup: groups,
    worstLoss,
    minSpan,
    worstIndex,
    mmPerpCont,
    imPerpCont,
    mmOptionCont,
    imOptionCont,
    mmBaseCont,
    imBaseCont,
    oracleCont: {
      perp: perpConfidence,
      options: optionConfidence,
      collateral: collateralConfidence,
      total: oracleTotal,
    },
    mmLossFactor,
    imLossFactor,
    discountFactors: Array.from({ length: n }, (_, e) => [a.discountPositive[e]!, a.discountNegative[e]!]),
    volShockUp: a.volUp,
    volShockDown: a.volDown,
  };
}
