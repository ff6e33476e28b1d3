import { DECIMAL_PATTERN, formatUnits, parseDecimal, parseUnits } from "../../core/decimal.js";
import { parseIsoToSec } from "../../core/time.js";
import { getToken, type TokenRepresentation } from "../../market/tokenRegistry.js";
import type { Holding, Portfolio, Position } from "../../schema/portfolio.js";

/**
 * The part of a portfolio's resolution that reads no market: token lookups in the registry, amounts, sizes, strikes,
 * expiries and entry prices parsed, ids and labels. A venue keeps it across ticks and only prices it on each one
 * (`resolveStructure`); `resolvePortfolio` is the two in a row, so both paths give the same items, flags and errors.
 * An error found here is kept, not thrown: the resolution throws it at the item (and, for a position, at the step)
 * where it arises, so that an earlier market error still wins as it always did.
 */
export interface PortfolioStructure {
  accountId: string;
  holdings: HoldingStructure[];
  positions: PositionStructure[];
  /** Whether two items could share an id; when not, no market can make them collide and the check is skipped. */
  mayRepeatIds: boolean;
}

/** A holding's document facts. */
export interface HoldingStructure {
  holding: Holding;
  index: number;
  id: string;
  path: string;
  label: string;
  /** Defined unless `error` is. */
  token: Readonly<TokenRepresentation> | undefined;
  /** In token units (NaN when `error` is set). */
  amount: number;
  /** The token or amount error, raised before the holding reads the market. */
  error?: unknown;
}

/** A position's document facts; fields its kind does not have are NaN. */
export interface PositionStructure {
  position: Position;
  index: number;
  id: string;
  path: string;
  /** Empty when `error` is set. */
  label: string;
  size: number;
  /** Perps and futures: the document's entry price, USD; undefined when it gives none. */
  entryUsd: number | undefined;
  /** Perps: accrued funding, USD. */
  fundingUsd: number;
  /** Futures and options: expiry, epoch seconds. */
  expirySec: number;
  /** Options: strike, USD. */
  strikeUsd: number;
  /** The first parse error (size, entry, funding, expiry, strike: the resolution's order), raised after the position's
   * underlying and chain are checked against the market. */
  error?: unknown;
}

/** A holding's token representation; an unknown chain or token is MISSING_DATA at the field. */
export function holdingToken(h: Holding, path: string): Readonly<TokenRepresentation> {
  return getToken(h.chain, h.token, `${path}.token`);
}

/**
 * A holding's amount in token units. Both forms go through base units, so an amount finer than the token's decimals
 * is an error, not a rounding.
 */
export function holdingAmount(h: Holding, token: Readonly<TokenRepresentation>, path: string): number {
  if (h.amountRaw === undefined && h.amount !== undefined && fitsDecimals(h.amount, token.decimals)) {
    // Within the token's decimals the base-unit round trip gives back the same decimal value, so the same double
    // (Number() rounds correctly); only the sign of a zero differs ("-0" has no base units).
    const amount = Number(h.amount);
    if (Number.isFinite(amount)) return amount === 0 ? 0 : amount;
  }
  const amountRaw =
    h.amountRaw !== undefined ? BigInt(h.amountRaw) : parseUnits(h.amount ?? "0", token.decimals, `${path}.amount`);
  return parseDecimal(
    formatUnits(amountRaw, token.decimals),
    `${path}.${h.amountRaw !== undefined ? "amountRaw" : "amount"}`,
  );
}

/** A decimal string with at most `decimals` fractional digits. */
function fitsDecimals(value: string, decimals: number): boolean {
  if (!DECIMAL_PATTERN.test(value)) return false;
  const dot = value.indexOf(".");
  return dot < 0 || value.length - dot - 1 <= decimals;
}

/** A perp's or future's entry price from the document, USD; undefined when it gives none. */
export function documentEntryUsd(entryPrice: string | undefined, path: string): number | undefined {
  return entryPrice === undefined ? undefined : parseDecimal(entryPrice, `${path}.entryPrice`);
}

/** A perp's accrued funding, USD (0 when the document gives none: nothing accrued). */
export function perpFundingUsd(fundingAccruedUsd: string | undefined, path: string): number {
  return fundingAccruedUsd === undefined ? 0 : parseDecimal(fundingAccruedUsd, `${path}.fundingAccruedUsd`);
}

export function holdingStructure(h: Holding, index: number): HoldingStructure {
  const path = `$.holdings[${index}]`;
  const s: HoldingStructure = {
    holding: h,
    index,
    id: `h${index}`,
    path,
    label: `${h.token} on ${h.chain}`,
    token: undefined,
    amount: Number.NaN,
  };
  try {
    s.token = holdingToken(h, path);
    s.amount = holdingAmount(h, s.token, path);
  } catch (e) {
    s.error = e;
  }
  return s;
}

const side = (size: number) => (size > 0 ? "long" : "short");

export function positionStructure(p: Position, index: number): PositionStructure {
  const path = `$.positions[${index}]`;
  const s: PositionStructure = {
    position: p,
    index,
    id: p.id ?? `p${index}`,
    path,
    label: "",
    size: Number.NaN,
    entryUsd: undefined,
    fundingUsd: Number.NaN,
    expirySec: Number.NaN,
    strikeUsd: Number.NaN,
  };
  try {
    const size = parseDecimal(p.size, `${path}.size`);
    s.size = size;
    const where = `${side(size)} ${Math.abs(size)} on ${p.chain}/${p.venue}`;
    switch (p.kind) {
      case "perp":
        s.entryUsd = documentEntryUsd(p.entryPrice, path);
        s.fundingUsd = perpFundingUsd(p.fundingAccruedUsd, path);
        s.label = `${p.underlying}-PERP ${where}`;
        break;
      case "future":
        s.expirySec = parseIsoToSec(p.expiry, `${path}.expiry`);
        s.entryUsd = documentEntryUsd(p.entryPrice, path);
        s.label = `${p.underlying} future ${p.expiry.slice(0, 10)} ${where}`;
        break;
      case "option":
        s.expirySec = parseIsoToSec(p.expiry, `${path}.expiry`);
        s.strikeUsd = parseDecimal(p.strike, `${path}.strike`);
        s.label = `${p.underlying} ${p.expiry.slice(0, 10)} ${s.strikeUsd} ${p.optionType} ${where}`;
        break;
    }
  } catch (e) {
    s.error = e;
  }
  return s;
}

/** The market-independent structure of a validated portfolio (never throws: errors are kept per item). */
export function portfolioStructure(portfolio: Portfolio): PortfolioStructure {
  const holdings = portfolio.holdings.map(holdingStructure);
  const positions = portfolio.positions.map(positionStructure);
  const ids = new Set<string>();
  for (const item of [...holdings, ...positions]) ids.add(item.id);
  return {
    accountId: portfolio.accountId,
    holdings,
    positions,
    mayRepeatIds: ids.size < holdings.length + positions.length,
  };
}
