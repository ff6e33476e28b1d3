import { formatDecimal, parseDecimal } from "../core/decimal.js";
import { invalidInput } from "../core/errors.js";
import { parseIsoToSec, SECONDS_PER_YEAR } from "../core/time.js";
import { fairForwardUsd } from "../margin/resolve/fairForward.js";
import type { Portfolio, Position } from "../schema/portfolio.js";
import { closeTimeSec, isoSec } from "./history/dayTime.js";

/** The example portfolios are written against the 2023-06-30 closes (examples/market-2023-06-30.json). */
export const DEFAULT_REFERENCE_DATE = "2023-06-30";

type TemplatePosition =
  | { kind: "perp"; position: Extract<Position, { kind: "perp" }> }
  | { kind: "future"; position: Extract<Position, { kind: "future" }>; tenorSec: number }
  | { kind: "option"; position: Extract<Position, { kind: "option" }>; tenorSec: number; moneyness: number };

/**
 * A portfolio turned into a book that can be held on any day: sizes and holding amounts fixed in units, prices
 * re-based to the day. Options keep their moneyness (strike / spot at the reference date) and their time to expiry
 * (expiry - reference close); futures keep their time to expiry.
 */
export interface BookTemplate {
  accountId: string;
  referenceDate: string;
  holdings: Portfolio["holdings"];
  positions: TemplatePosition[];
}

/**
 * @param portfolio validated portfolio
 * @param referenceSpotUsd spot of each underlying at the reference date's close (only those with options needed)
 * @param referenceDate the day the portfolio's strikes and expiries were written against
 */
export function createBookTemplate(
  portfolio: Portfolio,
  referenceSpotUsd: ReadonlyMap<string, number>,
  referenceDate: string,
): BookTemplate {
  const refSec = closeTimeSec(referenceDate);
  const positions = portfolio.positions.map((p, i): TemplatePosition => {
    const path = `$.positions[${i}]`;
    if (p.kind === "perp") return { kind: "perp", position: p };
    const tenorSec = parseIsoToSec(p.expiry, `${path}.expiry`) - refSec;
    if (!(tenorSec > 0)) {
      throw invalidInput(`${path}.expiry`, `expires before the reference close ${isoSec(refSec)}: nothing to roll`);
    }
    if (p.kind === "future") return { kind: "future", position: p, tenorSec };
    const spot = referenceSpotUsd.get(p.underlying);
    if (!(spot !== undefined && spot > 0)) {
      throw invalidInput(`${path}.underlying`, `no ${p.underlying} close on the reference date ${referenceDate}`);
    }
    return { kind: "option", position: p, tenorSec, moneyness: parseDecimal(p.strike, `${path}.strike`) / spot };
  });
  return { accountId: portfolio.accountId, referenceDate, holdings: portfolio.holdings, positions };
}

/**
 * The book as opened at a day's close: perps entered at spot (no accrued funding), futures at the fair forward with
 * the same time to expiry, options re-struck at the same moneyness with the same time to expiry. Holdings unchanged.
 * @param asOfSec the day's close time
 * @param spotUsd spot of each underlying at that close
 * @param carryAnnual carry per underlying (forward = spot exp(carry T)); missing = 0
 */
export function bookAt(
  template: BookTemplate,
  asOfSec: number,
  spotUsd: ReadonlyMap<string, number>,
  carryAnnual: Readonly<Record<string, number>> = {},
): Portfolio {
  const num = (x: number) => formatDecimal(x, 12);
  const spot = (u: string): number => {
    const s = spotUsd.get(u);
    if (!(s !== undefined && s > 0)) throw invalidInput("$.spot", `no spot for ${u}`);
    return s;
  };
  const positions = template.positions.map((t): Position => {
    const { id, chain, venue, underlying, size } = t.position;
    const base = { ...(id === undefined ? {} : { id }), chain, venue, underlying, size };
    if (t.kind === "perp") return { ...base, kind: "perp", entryPrice: num(spot(underlying)) };
    const expiry = isoSec(asOfSec + t.tenorSec);
    if (t.kind === "future") {
      const forward = fairForwardUsd(
        { spotUsd: spot(underlying), carryRateAnnual: carryAnnual[underlying] ?? 0 },
        t.tenorSec / SECONDS_PER_YEAR,
      );
      return { ...base, kind: "future", expiry, entryPrice: num(forward) };
    }
    return {
      ...base,
      kind: "option",
      expiry,
      strike: num(t.moneyness * spot(underlying)),
      optionType: t.position.optionType,
    };
  });
  return { accountId: template.accountId, holdings: template.holdings, positions };
}
