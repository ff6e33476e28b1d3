/**
 * PMRM_2 parameters, one group per concern as in Derive's `IPMRMLib_2` structs, with the bounds of their setters
 * (../shared/design/venues/derive-pmrm2.md, section 3). A configuration outside the bounds is rejected, as on chain.
 */
import { z } from "zod";

const unsigned = (max: number) => z.number().min(0).max(max);

export const pmrm2VolShockSchema = z
  .object({
    /** R_up: Up multiplier is 1 + R_up g. */
    volRangeUp: unsigned(10),
    /** R_dn: Down multiplier is max(0, 1 - R_dn g). */
    volRangeDown: unsigned(10),
    /** Power of (30 days / time to expiry) up to 30 days (signed). */
    shortTermPower: z.number().min(-10).max(10),
    /** The same beyond 30 days (signed). */
    longTermPower: z.number().min(-10).max(10),
    /** Floor on time to expiry in the power law, days. */
    dteFloorDays: unsigned(400),
    /** Lowest vol an Up scenario evaluates at, annualised. */
    minVolUpShock: unsigned(20),
  })
  .strict();

export const pmrm2MarginSchema = z
  .object({
    /** f_IM: initial-margin factor on the worst scenario loss. */
    imFactor: z.number().min(0.5).max(10),
    /** f_MM: maintenance-margin factor on the worst scenario loss. */
    mmFactor: z.number().min(0.1).max(10),
    shortRateMultScale: unsigned(10),
    longRateMultScale: unsigned(10),
    shortRateAddScale: unsigned(10),
    longRateAddScale: unsigned(10),
    /** Mark-up base of shocked short (negative) expiry values. */
    shortBaseStaticDiscount: unsigned(4),
    /** Haircut base of shocked long (positive) expiry values. */
    longBaseStaticDiscount: unsigned(4),
  })
  .strict();

export const pmrm2BasisContingencySchema = z
  .object({
    /** Forward multiplier up, strictly between 1 and 3. */
    scenarioSpotUp: z.number().gt(1).lt(3),
    /** Forward multiplier down, below 1. */
    scenarioSpotDown: z.number().min(0).lt(1),
    basisContAddFactor: unsigned(20),
    basisContMultFactor: unsigned(20),
  })
  .strict();

export const pmrm2OtherContingencySchema = z
  .object({
    /** Stable-coin price (USD per cash unit) below which IM gets the peg-loss factor. */
    pegLossThreshold: unsigned(100),
    pegLossFactor: unsigned(10),
    /** Oracle confidence below which IM charges (1 - confidence) x confMargin x notional. */
    confThreshold: unsigned(1),
    confMargin: unsigned(20),
    /** Fraction of perp notional (|q| x spot) charged in MM. */
    mmPerpPercent: unsigned(3),
    /** Fraction charged in IM on top of the MM one. */
    imPerpPercent: unsigned(3),
    /** Fraction of naked-short notional charged in MM. */
    mmOptionPercent: unsigned(2),
    /** Fraction charged in IM on top of the MM one. */
    imOptionPercent: unsigned(2),
  })
  .strict();

export const pmrm2SkewShockSchema = z
  .object({
    linearBaseCap: unsigned(10),
    absBaseCap: unsigned(10),
    linearCBase: z.number().min(-10).max(10),
    absCBase: z.number().min(-10).max(10),
    minKStar: unsigned(10),
    widthScale: unsigned(10),
    volParamStatic: unsigned(10),
    volParamScale: z.number().min(-20).max(20),
  })
  .strict();

export const PMRM2_VOL_DIRECTIONS = ["none", "up", "down", "linear", "abs"] as const;
export type Pmrm2VolDirection = (typeof PMRM2_VOL_DIRECTIONS)[number];

export const pmrm2ScenarioSchema = z
  .object({
    /** Spot multiplier (1.18 = +18%). */
    spotMult: z.number().min(0).max(1e6),
    volShock: z.enum(PMRM2_VOL_DIRECTIONS),
    /** Dampening factor on the scenario's P&L (may exceed 1). */
    dampening: z.number().min(0).max(1e6),
  })
  .strict();

/** Derive's `PM.setScenarios` rule: 1 to 40 scenarios, at most one Linear and one Abs, each with spot multiplier 1. */
export function checkScenarioList(
  scenarios: readonly Pmrm2Scenario[],
  report: (index: number | undefined, message: string) => void,
): void {
  if (scenarios.length < 1 || scenarios.length > 40) report(undefined, "needs 1 to 40 scenarios");
  const seen = new Set<Pmrm2VolDirection>();
  scenarios.forEach((s, k) => {
    if (s.volShock !== "linear" && s.volShock !== "abs") return;
    if (seen.has(s.volShock)) report(k, `at most one "${s.volShock}" scenario`);
    seen.add(s.volShock);
    if (s.spotMult !== 1) report(k, `a "${s.volShock}" scenario must have spotMult 1, got ${s.spotMult}`);
  });
}

/** The parameter fields without the scenario-list rule (a golden-case harness may relax that rule, spec 6.7). */
export const pmrm2ParamsFieldsSchema = z
  .object({
    volShock: pmrm2VolShockSchema,
    margin: pmrm2MarginSchema,
    basisContingency: pmrm2BasisContingencySchema,
    otherContingency: pmrm2OtherContingencySchema,
    skewShock: pmrm2SkewShockSchema,
    scenarios: z.array(pmrm2ScenarioSchema).max(1_000),
    /** Most expiries one sub-account may hold (Derive allows at most 30). */
    maxExpiries: z.number().int().min(1).max(30),
    /** Cap on SVI total variance (Derive's lyra-utils `MAX_TOTAL_VAR`: 144 since Nov 2023, 4 before). */
    maxTotalVariance: z.number().gt(0).max(1e6),
    /**
     * Largest |spotMult - 1| that is reported as a "regular" scenario; larger non-skew moves are "tail" scenarios.
     * Grouping is for the report only; the margin takes the worst of all.
     */
    regularMaxMoveRel: z.number().min(0).max(100),
  })
  .strict();

export const pmrm2ParamsSchema = pmrm2ParamsFieldsSchema.superRefine((p, ctx) =>
  checkScenarioList(p.scenarios, (k, message) =>
    ctx.addIssue({ code: "custom", message, path: k === undefined ? ["scenarios"] : ["scenarios", k, "spotMult"] }),
  ),
);

export type Pmrm2Params = z.infer<typeof pmrm2ParamsSchema>;
export type Pmrm2Scenario = z.infer<typeof pmrm2ScenarioSchema>;
