import { DECIMAL_PATTERN, formatUnits, parseDecimal, parseUnits } from "../../core/decimal.js";
import { invalidInput, missingData, type XmarginError } from "../../core/errors.js";
import type { Flag } from "../../core/flags.js";
import { parseIsoToSec, yearsBetween } from "../../core/time.js";
import { getToken, type TokenRepresentation } from "../../market/tokenRegistry.js";
import { getUnderlying } from "../../market/underlyings.js";
import type { PricedPosition } from "../../pricing/types.js";
import { valuePosition } from "../../pricing/valuePosition.js";
import { impliedVol } from "../../pricing/volSurface.js";
import type { Holding, Portfolio, Position } from "../../schema/portfolio.js";
import { chainProfileOf } from "./chainFacts.js";
import { fairForwardUsd } from "./fairForward.js";
import type { ResolvedMarket, ResolvedUnderlying } from "./resolvedMarket.js";
import type { ResolvedItem, ResolvedPortfolio } from "./resolvedPortfolio.js";
import { tokenPriceUsd } from "./tokenPrice.js";
import { underlyingStateOf } from "./underlyingFacts.js";

const EMPTY: Omit<PricedPosition, "kind" | "size"> = {
  priceRatio: 1,
  entryPriceUsd: 0,
  strikeUsd: 0,
  expiryYears: 0,
  isCall: false,
  fundingAccruedUsd: 0,
};

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

/** A holding token's USD price and its underlying's state; undefined when either is missing (see `unpricedHolding`). */
export function holdingPrice(
  token: Readonly<TokenRepresentation>,
  market: ResolvedMarket,
  path: string,
  flags: Flag[],
): { priceUsd: number; underlying: ResolvedUnderlying } | undefined {
  getUnderlying(token.underlying, `${path}.token`);
  const u = market.underlyings.get(token.underlying);
  const priceUsd = u ? tokenPriceUsd(market, token, path, flags) : undefined;
  return priceUsd === undefined || !u ? undefined : { priceUsd, underlying: u };
}

/**
 * A holding without a price: a borrow is an error; collateral (or collateral whose underlying has no price, so its
 * risk cannot be modelled) counts for nothing, with a PRICE_MISSING warning (fail-safe).
 */
export function unpricedHolding(
  h: Holding,
  token: Readonly<TokenRepresentation>,
  amount: number,
  market: ResolvedMarket,
  path: string,
  flags: Flag[],
): void {
  if (amount < 0) {
    throw missingData(path, `no price for borrowed ${h.token} on ${h.chain}`, `needs a quote for feed ${h.token}/USD`);
  }
  const u = market.underlyings.get(token.underlying);
  flags.push({
    code: "PRICE_MISSING",
    severity: "warning",
    message: `${h.token} on ${h.chain}: no price for it${u ? "" : ` or for ${token.underlying}`}; the holding is valued at 0`,
    path,
  });
}

export function resolveHolding(
  h: Holding,
  index: number,
  market: ResolvedMarket,
  flags: Flag[],
): ResolvedItem | undefined {
  const path = `$.holdings[${index}]`;
  const token = holdingToken(h, path);
  const amount = holdingAmount(h, token, path);
  const price = holdingPrice(token, market, path, flags);
  if (!price) {
    unpricedHolding(h, token, amount, market, path, flags);
    return undefined;
  }
  const u = price.underlying;
  const priced: PricedPosition = { ...EMPTY, kind: "spot", size: amount, priceRatio: price.priceUsd / u.spotUsd };
  return {
    id: `h${index}`,
    path,
    source: "holding",
    label: `${h.token} on ${h.chain}`,
    chain: h.chain,
    underlying: token.underlying,
    token,
    priced,
    volAnnual: 0,
    valueUsd: valuePosition(priced, u, 0),
  };
}

/** Cash value of `size` options settled at `fixingUsd`: size x intrinsic value, USD. */
export function optionSettlementUsd(size: number, strikeUsd: number, isCall: boolean, fixingUsd: number): number {
  return size * Math.max(0, isCall ? fixingUsd - strikeUsd : strikeUsd - fixingUsd);
}

/**
 * An expired option is settled, not a live instrument: it becomes a USD amount (size x intrinsic value at the fixing)
 * owed to or by the account on its chain and venue, with no spot, vol or time sensitivity, so that every model and
 * every liquidation tool sees the same settled value. The documents carry no expiry fixing, so the snapshot's spot
 * stands in for it; the OPTION_EXPIRED warning says so.
 */
function settledOption(
  p: Position,
  id: string,
  path: string,
  label: string,
  option: PricedPosition,
  u: ResolvedUnderlying,
  flags: Flag[],
): ResolvedItem {
  const fixingUsd = u.spotUsd;
  const settlementUsd = optionSettlementUsd(option.size, option.strikeUsd, option.isCall, fixingUsd);
  flags.push({
    code: "OPTION_EXPIRED",
    severity: "warning",
    message: `${id} has expired: settled at ${settlementUsd.toFixed(2)} USD (intrinsic at ${u.symbol} ${fixingUsd}, the snapshot's price standing in for the expiry fixing)`,
    path,
  });
  const priced: PricedPosition = { ...EMPTY, kind: "spot", size: settlementUsd, priceRatio: 1 };
  return {
    id,
    path,
    source: "position",
    label: `${label} (expired, settled)`,
    chain: p.chain,
    underlying: "USD",
    venue: p.venue,
    priced,
    volAnnual: 0,
    valueUsd: settlementUsd,
  };
}

/**
 * The underlying state of a position: its underlying must be known and priced, its chain known (an unknown chain has
 * no liquidation horizon: an error here rather than a finality of 0 in a model), and not USD itself.
 */
export function positionUnderlying(p: Position, market: ResolvedMarket, path: string): ResolvedUnderlying {
  getUnderlying(p.underlying, `${path}.underlying`);
  const u = underlyingStateOf(market, p.underlying, `${path}.underlying`);
  chainProfileOf(market, p.chain, `${path}.chain`);
  if (u.symbol === "USD") throw missingData(`${path}.underlying`, "derivatives on USD itself are not supported");
  return u;
}

/** Years from the snapshot's time to an ISO expiry (negative once expired). */
export function expiryYearsOf(market: ResolvedMarket, expiry: string, path: string): number {
  return yearsBetween(market.asOfSec, parseIsoToSec(expiry, path));
}

/** A perp's entry price, USD: the document's, else the spot (no unrealised P&L). */
export function perpEntryUsd(entryPrice: string | undefined, u: ResolvedUnderlying, path: string): number {
  return entryPrice === undefined ? u.spotUsd : parseDecimal(entryPrice, `${path}.entryPrice`);
}

/** A perp's accrued funding, USD (0 when the document gives none: nothing accrued). */
export function perpFundingUsd(fundingAccruedUsd: string | undefined, path: string): number {
  return fundingAccruedUsd === undefined ? 0 : parseDecimal(fundingAccruedUsd, `${path}.fundingAccruedUsd`);
}

/** A future's entry price, USD: the document's, else the fair forward (no unrealised P&L). */
export function futureEntryUsd(
  entryPrice: string | undefined,
  u: ResolvedUnderlying,
  years: number,
  path: string,
): number {
  return entryPrice === undefined ? fairForwardUsd(u, years) : parseDecimal(entryPrice, `${path}.entryPrice`);
}

/** An unexpired option's implied vol, read from its underlying's surface at its expiry and strike. */
export function optionVolAnnual(
  market: ResolvedMarket,
  underlying: string,
  years: number,
  strikeUsd: number,
  path: string,
): number {
  const surface = market.volSurfaces.get(underlying);
  if (!surface) {
    throw missingData(`${path}.underlying`, `no vol surface for ${underlying}`, "the snapshot needs volSurfaces");
  }
  return impliedVol(surface, years, strikeUsd);
}

export function resolvePosition(p: Position, index: number, market: ResolvedMarket, flags: Flag[]): ResolvedItem {
  const path = `$.positions[${index}]`;
  const u = positionUnderlying(p, market, path);
  const size = parseDecimal(p.size, `${path}.size`);
  const id = p.id ?? `p${index}`;
  let priced: PricedPosition;
  let volAnnual = 0;
  let label: string;
  switch (p.kind) {
    case "perp": {
      const entry = perpEntryUsd(p.entryPrice, u, path);
      const funding = perpFundingUsd(p.fundingAccruedUsd, path);
      priced = { ...EMPTY, kind: "perp", size, entryPriceUsd: entry, fundingAccruedUsd: funding };
      label = `${p.underlying}-PERP ${size > 0 ? "long" : "short"} ${Math.abs(size)} on ${p.chain}/${p.venue}`;
      break;
    }
    case "future": {
      const years = expiryYearsOf(market, p.expiry, `${path}.expiry`);
      const entry = futureEntryUsd(p.entryPrice, u, years, path);
      priced = { ...EMPTY, kind: "future", size, entryPriceUsd: entry, expiryYears: years };
      label = `${p.underlying} future ${p.expiry.slice(0, 10)} ${size > 0 ? "long" : "short"} ${Math.abs(size)} on ${p.chain}/${p.venue}`;
      break;
    }
    case "option": {
      const years = expiryYearsOf(market, p.expiry, `${path}.expiry`);
      const strike = parseDecimal(p.strike, `${path}.strike`);
      priced = {
        ...EMPTY,
        kind: "option",
        size,
        strikeUsd: strike,
        expiryYears: years,
        isCall: p.optionType === "call",
      };
      if (years > 0) volAnnual = optionVolAnnual(market, p.underlying, years, strike, path);
      label = `${p.underlying} ${p.expiry.slice(0, 10)} ${strike} ${p.optionType} ${size > 0 ? "long" : "short"} ${Math.abs(size)} on ${p.chain}/${p.venue}`;
      if (years <= 0) return settledOption(p, id, path, label, priced, u, flags);
      break;
    }
  }
  return {
    id,
    path,
    source: "position",
    label,
    chain: p.chain,
    underlying: p.underlying,
    venue: p.venue,
    priced,
    volAnnual,
    valueUsd: valuePosition(priced, u, volAnnual),
  };
}

/** The error of an item id seen before in the same portfolio. */
export function duplicateIdError(id: string, path: string): XmarginError {
  return invalidInput(
    path,
    `duplicate id "${id}"`,
    "position ids must be unique and differ from the generated holding ids h0, h1, ...",
  );
}

/** Resolves every holding and position of a validated portfolio against a resolved market. */
export function resolvePortfolio(portfolio: Portfolio, market: ResolvedMarket): ResolvedPortfolio {
  const flags: Flag[] = [];
  const items: ResolvedItem[] = [];
  portfolio.holdings.forEach((h, i) => {
    const item = resolveHolding(h, i, market, flags);
    if (item) items.push(item);
  });
  portfolio.positions.forEach((p, i) => {
    items.push(resolvePosition(p, i, market, flags));
  });
  const ids = new Set<string>();
  for (const item of items) {
    if (ids.has(item.id)) {
      throw duplicateIdError(item.id, item.source === "position" ? `${item.path}.id` : item.path);
    }
    ids.add(item.id);
  }
  return { accountId: portfolio.accountId, items, flags };
}
