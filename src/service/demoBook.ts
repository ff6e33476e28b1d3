import { parseIsoToSec, secToIso } from "../core/time.js";
import type { Portfolio } from "../schema/portfolio.js";

const DAY_SEC = 86_400;
/** Monthly expiries settle at 08:00 UTC (Deribit's convention). */
const EXPIRY_HOUR_SEC = 8 * 3_600;

/**
 * The first monthly expiry strictly after `afterSec`: the last Friday of a month at 08:00 UTC, Deribit's monthly
 * expiry.
 * @param afterSec epoch seconds
 * @returns epoch seconds of that expiry
 */
export function nextMonthlyExpirySec(afterSec: number): number {
  const d = new Date(afterSec * 1000);
  // This month's last Friday, else the next month's (always later): at most two steps.
  for (let m = 0; ; m++) {
    const year = d.getUTCFullYear();
    const month = d.getUTCMonth() + m;
    const lastDay = new Date(Date.UTC(year, month + 1, 0));
    const back = (lastDay.getUTCDay() - 5 + 7) % 7;
    const expirySec = Date.UTC(year, month + 1, -back) / 1000 + EXPIRY_HOUR_SEC;
    if (expirySec > afterSec) return expirySec;
  }
}

/**
 * Strike listed nearest to `strikeUsd`: a grid of half a unit of spot's second significant digit (BTC at 30,000:
 * 500; ETH at 1,900: 50), as venues list around spot.
 */
export function listedStrikeUsd(strikeUsd: number, spotUsd: number): number {
  const step = 5 * 10 ** (Math.floor(Math.log10(spotUsd)) - 2);
  // toPrecision: a clean decimal (0.665, not 0.6650000000000001) for the document's strike string
  return Number((Math.max(1, Math.round(strikeUsd / step)) * step).toPrecision(12));
}

/**
 * Inputs of the demo's option rolls: each underlying's spot in the market the demo books were written against (their
 * strikes' moneyness is measured there), and the close of an underlying on a day (undefined: no close yet).
 */
export interface RollInputs {
  refSpotUsd: ReadonlyMap<string, number>;
  closeUsd: (underlying: string, daySec: number) => number | undefined;
}

/**
 * The demo book at `asOfSec`: every option of `original` is rolled one day before it expires (expiry - 1 day) to the
 * next monthly expiry at the same moneyness, strike / spot as the original book had it, set from the close of the roll
 * day and rounded to a listed strike; again at that expiry - 1 day, and so on. Everything else is kept as it is.
 * Pure and deterministic: the same original book, day and history always give the same book (a restart resumes it).
 * An option whose roll day has no close, or whose underlying has no reference spot, is left to expire (the engine
 * settles it at its expiry fixing and flags it).
 * @param original the demo book as written (examples/portfolios)
 * @param asOfSec the market time, epoch seconds
 * @see docs/service.md "Demo books"
 */
export function rolledDemoBook(original: Portfolio, asOfSec: number, inputs: RollInputs): Portfolio {
  let rolled = false;
  const positions = original.positions.map((p) => {
    if (p.kind !== "option") return p;
    const ref = inputs.refSpotUsd.get(p.underlying);
    if (ref === undefined) return p;
    const moneyness = Number(p.strike) / ref;
    let expirySec = parseIsoToSec(p.expiry);
    let strikeUsd = Number(p.strike);
    let rolls = 0;
    while (asOfSec >= expirySec - DAY_SEC) {
      const spot = inputs.closeUsd(p.underlying, expirySec - DAY_SEC);
      if (spot === undefined) break;
      expirySec = nextMonthlyExpirySec(expirySec);
      strikeUsd = listedStrikeUsd(moneyness * spot, spot);
      rolls++;
    }
    if (rolls === 0) return p;
    rolled = true;
    const expiry = secToIso(expirySec).replace(/\.000Z$/, "Z");
    const id = p.id === undefined ? undefined : `${p.id}-roll-${expiry.slice(0, 10)}`;
    return { ...p, ...(id ? { id } : {}), expiry, strike: String(strikeUsd) };
  });
  return rolled ? { ...original, positions } : original;
}
