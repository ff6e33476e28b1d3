/**
 * Derive's golden PMRM_2 case files ({Scenario, Parameters, Result}) mapped to a sub-account and parameters the way
 * Derive's test harness does (spec section 10): expiries are seconds from the reference time, forwards split into
 * fixed and variable parts inside the 30-minute settlement window, vols read from each expiry's SVI parameters.
 * Only the fields the methodology reads are validated; generator bookkeeping is ignored.
 */
import { z } from "zod";
import { XmarginError } from "../../../core/errors.js";
import { sviImpliedVol } from "../../../pricing/sviVol.js";
import { parseDocument } from "../../../schema/validate.js";
import { checkScenarioList, PMRM2_VOL_DIRECTIONS, type Pmrm2Params, pmrm2ParamsFieldsSchema } from "./params.js";
import type { Pmrm2Expiry, Pmrm2SubAccount } from "./subAccount.js";

/** Settlement TWAP window: inside it part of the forward is already fixed (spec 4.2). */
const SETTLEMENT_WINDOW_SEC = 1_800;

const num = z.number().finite();
/** A number given either as a JSON number or as a numeric string (the SVI parameters). */
const numeric = z.union([
  num,
  z
    .string()
    .regex(/^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/, { message: "must be a number" })
    .transform(Number),
]);
const confidence = z.number().min(0).max(1);

const goldenOption = z
  .object({
    Expiry: z.number().int(),
    Strike: z.number().min(0),
    IsCall: z.union([z.literal(0), z.literal(1), z.boolean()]),
    Amount: num,
  })
  .loose();

const goldenFeed = z
  .object({
    FeedExpiry: z.number().int(),
    Forward: z.number().min(0),
    ForwardConfidence: confidence,
    Rate: num,
    RateConfidence: confidence,
    SVIparam: z.tuple([numeric, numeric, numeric, numeric, numeric, numeric, numeric]),
    OptionVolConfidences: confidence,
  })
  .loose();

const goldenCollateral = z
  .object({
    Name: z.string(),
    Amount: z.number().min(0),
    Price: z.number().min(0),
    Confidence: confidence,
    IsRiskCancelling: z.union([z.boolean(), z.literal(0), z.literal(1)]),
    MMHaircut: z.number().min(0).max(1),
    IMHaircut: z.number().min(0).max(1),
  })
  .loose()
  .refine((c) => c.MMHaircut + c.IMHaircut <= 1 + 1e-12, {
    message: "MMHaircut + IMHaircut must be at most 1",
    path: ["IMHaircut"],
  });

/** The generator writes "None", "Up", "Down", "LINEAR" and "ABS"; any letter case is accepted. */
const volDirection = z
  .string()
  .transform((s) => s.toLowerCase())
  .pipe(z.enum(PMRM2_VOL_DIRECTIONS));

export const goldenCaseSchema = z
  .object({
    Scenario: z
      .object({
        Cash: num,
        Collaterals: z.array(goldenCollateral).max(100),
        SpotPrice: z.number().min(0),
        SpotConfidence: confidence,
        NumPerps: num,
        PerpPrice: num,
        PerpConfidence: confidence,
        UnrealisedPerpPNL: num,
        UnrealisedFunding: num,
        StablePrice: z.number().gt(0),
        Options: z.array(goldenOption).max(10_000),
        OptionFeeds: z.array(goldenFeed).max(100),
      })
      .loose(),
    Parameters: z
      .object({
        Scenarios: z.array(
          z
            .object({
              SpotShock: num,
              VolShockDirection: volDirection,
              DampeningFactor: num,
            })
            .strict(),
        ),
        VolShock: z
          .object({
            VOLRANGEUP: num,
            VOLRANGEDOWN: num,
            SHORTTERMPOWER: num,
            LONGTERMPOWER: num,
            DTE_FLOOR: num,
            MIN_VOL_EVAL_SHOCKED: num,
          })
          .loose(),
        Margin: z
          .object({
            MM_LOSS_FACTOR: num,
            IM_LOSS_FACTOR: num,
            SHORT_RATE_MULTSCALE: num,
            LONG_RATE_MULTSCALE: num,
            SHORT_RATE_ADDSCALE: num,
            LONG_RATE_ADDSCALE: num,
            BASE_STATIC_DISCOUNT: num,
            BASE_STATIC_DISCOUNT_NEG: num,
          })
          .loose(),
        BasisContingency: z
          .object({
            SCENARIO_SPOT_UP: num,
            SCENARIO_SPOT_DOWN: num,
            BASIS_CONT_ADD_FACTOR: num,
            BASIS_CONT_MULT_FACTOR: num,
          })
          .loose(),
        OtherContingency: z
          .object({
            PEG_LOSS_THRESHOLD: num,
            PEG_LOSS_FACTOR: num,
            CONF_THRESHOLD: num,
            CONF_MARGIN: num,
            MM_PERP_PERCENT: num,
            IM_PERP_PERCENT: num,
            MM_OPTION_PERCENT: num,
            IM_OPTION_PERCENT: num,
          })
          .loose(),
        SkewShock: z
          .object({
            LINEAR_SCALE_CAP: num,
            LINEAR_CBASE: num,
            ABS_SCALE_CAP: num,
            ABS_CBASE: num,
            MIN_K_STAR: num,
            MIN_WIDTH_SCALE: num,
            VOL_PARAM_STATIC: num,
            VOL_PARAM_SCALE: num,
          })
          .loose(),
      })
      .loose(),
    Result: z.object({ MM: num, IM: num }).loose(),
  })
  .loose();

export type GoldenCase = z.infer<typeof goldenCaseSchema>;

export interface GoldenCaseInputs {
  account: Pmrm2SubAccount;
  params: Pmrm2Params;
  expectedMM: number;
  expectedIM: number;
  /** Scenario-list rules the case breaks (spec 6.7); the case is still computed, as Derive's generator did. */
  scenarioListViolations: string[];
  /** For each entry of `Scenario.Options`: its expiry's index in `account.expiries` and its index there. */
  optionIndex: Array<{ expiry: number; option: number }>;
}

export interface GoldenCaseOptions {
  /** Cap on SVI total variance; 144 (Derive's current) by default. The generator's MarkVol implies 20. */
  maxTotalVariance?: number;
  /**
   * Most expiries per sub-account: 30 by default, the contract's own limit. Derive's harness configures 11, but a
   * case from the off-chain generator is computed whatever the harness would accept.
   */
  maxExpiries?: number;
}

/** Golden `Parameters` in the engine's parameter groups (spec 10.3; DTE_FLOOR is in days). */
function paramsOf(p: GoldenCase["Parameters"], options: GoldenCaseOptions): Pmrm2Params {
  const doc = {
    volShock: {
      volRangeUp: p.VolShock.VOLRANGEUP,
      volRangeDown: p.VolShock.VOLRANGEDOWN,
      shortTermPower: p.VolShock.SHORTTERMPOWER,
      longTermPower: p.VolShock.LONGTERMPOWER,
      dteFloorDays: p.VolShock.DTE_FLOOR,
      minVolUpShock: p.VolShock.MIN_VOL_EVAL_SHOCKED,
    },
    margin: {
      imFactor: p.Margin.IM_LOSS_FACTOR,
      mmFactor: p.Margin.MM_LOSS_FACTOR,
      shortRateMultScale: p.Margin.SHORT_RATE_MULTSCALE,
      longRateMultScale: p.Margin.LONG_RATE_MULTSCALE,
      shortRateAddScale: p.Margin.SHORT_RATE_ADDSCALE,
      longRateAddScale: p.Margin.LONG_RATE_ADDSCALE,
      shortBaseStaticDiscount: p.Margin.BASE_STATIC_DISCOUNT_NEG,
      longBaseStaticDiscount: p.Margin.BASE_STATIC_DISCOUNT,
    },
    basisContingency: {
      scenarioSpotUp: p.BasisContingency.SCENARIO_SPOT_UP,
      scenarioSpotDown: p.BasisContingency.SCENARIO_SPOT_DOWN,
      basisContAddFactor: p.BasisContingency.BASIS_CONT_ADD_FACTOR,
      basisContMultFactor: p.BasisContingency.BASIS_CONT_MULT_FACTOR,
    },
    otherContingency: {
      pegLossThreshold: p.OtherContingency.PEG_LOSS_THRESHOLD,
      pegLossFactor: p.OtherContingency.PEG_LOSS_FACTOR,
      confThreshold: p.OtherContingency.CONF_THRESHOLD,
      confMargin: p.OtherContingency.CONF_MARGIN,
      mmPerpPercent: p.OtherContingency.MM_PERP_PERCENT,
      imPerpPercent: p.OtherContingency.IM_PERP_PERCENT,
      mmOptionPercent: p.OtherContingency.MM_OPTION_PERCENT,
      imOptionPercent: p.OtherContingency.IM_OPTION_PERCENT,
    },
    skewShock: {
      linearBaseCap: p.SkewShock.LINEAR_SCALE_CAP,
      absBaseCap: p.SkewShock.ABS_SCALE_CAP,
      linearCBase: p.SkewShock.LINEAR_CBASE,
      absCBase: p.SkewShock.ABS_CBASE,
      minKStar: p.SkewShock.MIN_K_STAR,
      widthScale: p.SkewShock.MIN_WIDTH_SCALE,
      volParamStatic: p.SkewShock.VOL_PARAM_STATIC,
      volParamScale: p.SkewShock.VOL_PARAM_SCALE,
    },
    scenarios: p.Scenarios.map((s) => ({
      spotMult: s.SpotShock,
      volShock: s.VolShockDirection,
      dampening: s.DampeningFactor,
    })),
    maxExpiries: options.maxExpiries ?? 30,
    maxTotalVariance: options.maxTotalVariance ?? 144,
    regularMaxMoveRel: 0.18,
  };
  return parseDocument(pmrm2ParamsFieldsSchema, doc, "PMRM_2 parameters");
}

/**
 * Maps one parsed golden case file to the engine's inputs.
 * @param doc the case file's JSON (untrusted)
 * @throws XmarginError `INVALID_INPUT` naming the bad field; `MISSING_DATA` for an option without a feed
 */
export function goldenCaseInputs(doc: unknown, options: GoldenCaseOptions = {}): GoldenCaseInputs {
  const c = parseDocument(goldenCaseSchema, doc, "golden case");
  const params = paramsOf(c.Parameters, options);
  const scenarioListViolations: string[] = [];
  checkScenarioList(params.scenarios, (k, message) =>
    scenarioListViolations.push(k === undefined ? message : `Parameters.Scenarios[${k}]: ${message}`),
  );
  const s = c.Scenario;
  const feedIndex = new Map<number, number>();
  const expiries: Pmrm2Expiry[] = s.OptionFeeds.map((f, e) => {
    if (feedIndex.has(f.FeedExpiry)) {
      throw parseError(`$.Scenario.OptionFeeds[${e}].FeedExpiry`, `duplicate feed for expiry ${f.FeedExpiry}`);
    }
    feedIndex.set(f.FeedExpiry, e);
    // Harness rule: inside the settlement window the forward is partly fixed; an expired expiry is all fixed.
    const seconds = Math.max(f.FeedExpiry, 0);
    const variableShare = seconds < SETTLEMENT_WINDOW_SEC ? seconds / SETTLEMENT_WINDOW_SEC : 1;
    return {
      secondsToExpiry: f.FeedExpiry,
      forwardFixed:
        seconds < SETTLEMENT_WINDOW_SEC ? (f.Forward * (SETTLEMENT_WINDOW_SEC - seconds)) / SETTLEMENT_WINDOW_SEC : 0,
      forwardVariable: f.Forward * variableShare,
      forwardConfidence: f.ForwardConfidence,
      rateAnnual: f.Rate,
      rateConfidence: f.RateConfidence,
      volConfidence: f.OptionVolConfidences,
      options: [],
    };
  });
  const optionIndex = s.Options.map((o, i) => {
    const e = feedIndex.get(o.Expiry);
    if (e === undefined) {
      throw new XmarginError(`no OptionFeeds entry for expiry ${o.Expiry}`, {
        code: "MISSING_DATA",
        path: `$.Scenario.Options[${i}].Expiry`,
      });
    }
    const [a, b, rho, m, sig, forwardUsd, years] = s.OptionFeeds[e]!.SVIparam;
    const volAnnual = sviImpliedVol(
      { a, b, rho, m, sig, forwardUsd, years },
      o.Strike,
      params.maxTotalVariance,
      `$.Scenario.OptionFeeds[${e}].SVIparam`,
    );
    const list = expiries[e]!.options;
    list.push({ strike: o.Strike, isCall: o.IsCall === 1 || o.IsCall === true, amount: o.Amount, volAnnual });
    return { expiry: e, option: list.length - 1 };
  });
  const account: Pmrm2SubAccount = {
    spot: s.SpotPrice,
    spotConfidence: s.SpotConfidence,
    perpAmount: s.NumPerps,
    perpPrice: s.PerpPrice,
    perpConfidence: s.PerpConfidence,
    perpUnsettledCash: s.UnrealisedPerpPNL + s.UnrealisedFunding,
    cash: s.Cash,
    stablePrice: s.StablePrice,
    pegStablePrice: s.StablePrice,
    expiries,
    collaterals: s.Collaterals.map((col) => ({
      label: col.Name,
      amount: col.Amount,
      priceUsd: col.Price,
      confidence: col.Confidence,
      isRiskCancelling: col.IsRiskCancelling === true || col.IsRiskCancelling === 1,
      mmHaircut: col.MMHaircut,
      imHaircut: col.IMHaircut,
    })),
  };
  return {
    account,
    params,
    expectedMM: c.Result.MM,
    expectedIM: c.Result.IM,
    scenarioListViolations,
    optionIndex,
  };
}

function parseError(path: string, message: string): XmarginError {
  return new XmarginError(message, { code: "INVALID_INPUT", path });
}
