import { invalidInput } from "../../core/errors.js";
import type { FactorPanel } from "./features.js";

/** An out-of-sample period: forecasts made at closes `from`..`to` (inclusive), each refitted every `refitDays`. */
export interface EvaluationWindow {
  from: string;
  to: string;
  refitDays: number;
}

const DAY_MS = 86_400_000;
const ISO = /^\d{4}-\d{2}-\d{2}$/;

/** Refit dates from, from + refitDays, ... up to `to`: fixed by the window alone, never by the data. */
export function refitDates(window: EvaluationWindow): string[] {
  if (!ISO.test(window.from) || !ISO.test(window.to) || window.to < window.from) {
    throw invalidInput("$.window", "from/to must be ISO dates with from <= to", `${window.from}..${window.to}`);
  }
  if (!(Number.isInteger(window.refitDays) && window.refitDays >= 1)) {
    throw invalidInput("$.window.refitDays", "must be an integer >= 1");
  }
  const out: string[] = [];
  for (let t = Date.parse(window.from); ; t += window.refitDays * DAY_MS) {
    const d = new Date(t).toISOString().slice(0, 10);
    if (d > window.to) return out;
    out.push(d);
  }
}

/** Rows of a panel forecast inside the window whose target is known (the scored rows), ascending. */
export function windowRows(panel: FactorPanel, window: EvaluationWindow): Int32Array {
  const rows: number[] = [];
  for (let r = 0; r < panel.nRows; r++) {
    const d = panel.asOfDates[r]!;
    if (d >= window.from && d <= window.to && panel.targetDates[r] !== "") rows.push(r);
  }
  return Int32Array.from(rows);
}

/**
 * Splits scored rows by refit: segment k holds the positions (into `rows`) whose as-of date lies in
 * [refit_k, refit_{k+1}). A model refitted on date D may only learn from targets dated before D.
 */
export function segmentsByRefit(
  panel: FactorPanel,
  rows: Int32Array,
  refits: readonly string[],
): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let p = 0;
  for (let k = 0; k < refits.length; k++) {
    const next = refits[k + 1];
    const start = p;
    while (p < rows.length && (next === undefined || panel.asOfDates[rows[p]!]! < next)) p++;
    out.push([start, p]);
  }
  return out;
}
