import { invalidInput } from "../core/errors.js";
import { isLiquidatable } from "../liquidation/evaluateMargin.js";
import type { MarginReport } from "../margin/report.js";
import { suggestion } from "./didYouMean.js";

/** `--fail-on` conditions: the account can be liquidated, or it is below its initial margin. */
export const FAIL_ON_CONDITIONS = ["liquidatable", "below-im"] as const;
export type FailOn = (typeof FAIL_ON_CONDITIONS)[number];

/** Exit code of a run whose `--fail-on` condition holds (the report is still printed); 1 and 2 are errors. */
export const FAIL_ON_EXIT_CODE = 3;

export function parseFailOn(value: unknown): FailOn | undefined {
  if (value === undefined) return undefined;
  const v = String(value);
  if ((FAIL_ON_CONDITIONS as readonly string[]).includes(v)) return v as FailOn;
  throw invalidInput("--fail-on", `unknown condition "${v}"`, suggestion(v, FAIL_ON_CONDITIONS));
}

/**
 * Whether the report meets the condition: `liquidatable` is the report's own liquidation rule (health < 1 or negative
 * maintenance collateral, src/liquidation/evaluateMargin.ts); `below-im` is negative free collateral (collateral value
 * below initial margin), which includes every liquidatable account.
 */
export function failOnTriggered(condition: FailOn, report: MarginReport): boolean {
  if (condition === "liquidatable") return isLiquidatable(report);
  return report.freeCollateralUsd < 0 || isLiquidatable(report);
}
