import type { BacktestSummary } from "./summary.js";

/** Significance level at which the Kupiec test's verdict is read (5%, the usual choice). */
export const KUPIEC_SIGNIFICANCE = 0.05;

export type CoverageVerdictKind = "too-many-exceptions" | "about-right" | "too-conservative";

export interface CoverageVerdict {
  kind: CoverageVerdictKind;
  /** One sentence a risk engineer can read aloud: what the tests say about the margin. */
  text: string;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * The Kupiec proportion-of-failures test and the Basel traffic light in words. Kupiec rejects the coverage when its
 * p-value is below 5%: with more exceptions than the coverage allows the model under-margins ("too many exceptions");
 * with fewer, it asks for more margin than its coverage needs ("too conservative": the test rejects the model on that
 * side too). Otherwise the count is "about right". The traffic-light zone (Basel, on the exception count) is named
 * beside it; green with a rejecting Kupiec test means too conservative, not safe-and-done.
 */
export function coverageVerdict(s: BacktestSummary): CoverageVerdict {
  const expected = (1 - s.coverage) * s.observations;
  const counts = `${plural(s.exceptions, "exception")} in ${plural(s.observations, "day")} against ${expected.toFixed(1)} expected at ${(s.coverage * 100).toFixed(1)}% coverage`;
  const zone = `traffic light ${s.trafficLight.zone}`;
  const p = `Kupiec p = ${s.kupiec.pValue.toPrecision(2)}`;
  if (s.kupiec.pValue < KUPIEC_SIGNIFICANCE && s.exceptions > expected) {
    return {
      kind: "too-many-exceptions",
      text: `Too many exceptions: ${counts}; ${p} rejects the coverage, the margin is too low (${zone}).`,
    };
  }
  if (s.kupiec.pValue < KUPIEC_SIGNIFICANCE) {
    return {
      kind: "too-conservative",
      text: `Too conservative: ${counts}; ${p} rejects the coverage on the safe side, the margin is higher than the coverage needs (${zone}).`,
    };
  }
  return { kind: "about-right", text: `About right: ${counts}; ${p} does not reject the coverage (${zone}).` };
}
