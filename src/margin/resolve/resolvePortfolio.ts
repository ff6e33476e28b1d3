import { invalidInput, missingData, type XmarginError } from "../../core/errors.js";
import type { Flag } from "../../core/flags.js";
import { parseIsoToSec, yearsBetween } from "../../core/time.js";
import type { TokenRepresentation } from "../../market/tokenRegistry.js";
import { getUnderlying } from "../../market/underlyings.js";
import type { PricedPosition } from "../../pricing/types.js";
import { valuePosition } from "../../pricing/valuePosition.js";
import { impliedVol } from "../../pricing/volSurface.js";
import type { Holding, Portfolio, Position } from "../../schema/portfolio.js";
import { chainProfileOf } from "./chainFacts.js";
import { fairForwardUsd } from "./fairForward.js";
import {
  type HoldingStructure,
  holdingStructure,
  type PortfolioStructure,
  type PositionStructure,
  portfolioStructure,
  positionStructure,
} from "./portfolioStructure.js";
import type { ResolvedMarket, ResolvedUnderlying } from "./resolvedMarket.js";
import type { ResolvedItem, ResolvedPortfolio } from "./resolvedPortfolio.js";
import { tokenPriceUsd } from "./tokenPrice.js";
import { underlyingStateOf } from "./underlyingFacts.js";

/** The fields of a PricedPosition its kind does not set. */
type PricedFields = Omit<PricedPosition, "kind" | "size">;

/**
 * A PricedPosition as one literal, in the field order of spreading the defaults below and then `fields` (spreading per
 * item was most of the resolution's own time): priceRatio 1, every other number 0, isCall false.
 */
function pricedPosition(kind: PricedPosition["kind"], size: number, fields: Partial<PricedFields>): PricedPosition {
  return {
    priceRatio: fields.priceRatio ?? 1,
    entryPriceUsd: fields.entryPriceUsd ?? 0,
    strikeUsd: fields.strikeUsd ?? 0,
    expiryYears: fields.expiryYears ?? 0,
    isCall: fields.isCall ?? false,
    fundingAccruedUsd: fields.fundingAccruedUsd ?? 0,
    kind,
    size,
  };
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

/** Resolves one holding of a document (see `resolveStructure`). */
export function resolveHolding(
  h: Holding,
  index: number,
  market: ResolvedMarket,
  flags: Flag[],
): ResolvedItem | undefined {
  return priceHolding(holdingStructure(h, index), market, flags);
}

/** Prices a holding's structure in a market; undefined when it has no price (it then counts for nothing). */
function priceHolding(s: HoldingStructure, market: ResolvedMarket, flags: Flag[]): ResolvedItem | undefined {
  if (s.error !== undefined) throw s.error;
  const { holding: h, token, amount, path } = s;
  const price = holdingPrice(token!, market, path, flags);
  if (!price) {
    unpricedHolding(h, token!, amount, market, path, flags);
    return undefined;
  }
  const u = price.underlying;
  const priced: PricedPosition = pricedPosition("spot", amount, { priceRatio: price.priceUsd / u.spotUsd });
  return {
    id: s.id,
    path,
    source: "holding",
    label: s.label,
    chain: h.chain,
    underlying: token!.underlying,
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
  const priced: PricedPosition = pricedPosition("spot", settlementUsd, {});
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

/** Years from the snapshot's time to an expiry at `expirySec` (negative once expired). */
export function yearsToExpiry(market: ResolvedMarket, expirySec: number): number {
  return yearsBetween(market.asOfSec, expirySec);
}

/** Years from the snapshot's time to an ISO expiry (negative once expired). */
export function expiryYearsOf(market: ResolvedMarket, expiry: string, path: string): number {
  return yearsToExpiry(market, parseIsoToSec(expiry, path));
}

/** A perp's entry price, USD: the document's (`documentEntryUsd`), else the spot (no unrealised P&L). */
export function perpEntryUsd(entryUsd: number | undefined, u: ResolvedUnderlying): number {
  return entryUsd ?? u.spotUsd;
}

/** A future's entry price, USD: the document's (`documentEntryUsd`), else the fair forward (no unrealised P&L). */
export function futureEntryUsd(entryUsd: number | undefined, u: ResolvedUnderlying, years: number): number {
  return entryUsd ?? fairForwardUsd(u, years);
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

/** Resolves one position of a document (see `resolveStructure`). */
export function resolvePosition(p: Position, index: number, market: ResolvedMarket, flags: Flag[]): ResolvedItem {
  return pricePosition(positionStructure(p, index), market, flags);
}

/** Prices a position's structure in a market: its underlying and chain checked first, then its parse errors. */
function pricePosition(s: PositionStructure, market: ResolvedMarket, flags: Flag[]): ResolvedItem {
  const { position: p, path, id, size } = s;
  const u = positionUnderlying(p, market, path);
  if (s.error !== undefined) throw s.error;
  let priced: PricedPosition;
  let volAnnual = 0;
  switch (p.kind) {
    case "perp": {
      const entry = perpEntryUsd(s.entryUsd, u);
      priced = pricedPosition("perp", size, { entryPriceUsd: entry, fundingAccruedUsd: s.fundingUsd });
      break;
    }
    case "future": {
      const years = yearsToExpiry(market, s.expirySec);
      const entry = futureEntryUsd(s.entryUsd, u, years);
      priced = pricedPosition("future", size, { entryPriceUsd: entry, expiryYears: years });
      break;
    }
    case "option": {
      const years = yearsToExpiry(market, s.expirySec);
      const strike = s.strikeUsd;
      priced = pricedPosition("option", size, {
        strikeUsd: strike,
        expiryYears: years,
        isCall: p.optionType === "call",
      });
      if (years > 0) volAnnual = optionVolAnnual(market, p.underlying, years, strike, path);
      if (years <= 0) return settledOption(p, id, path, s.label, priced, u, flags);
      break;
    }
  }
  return {
    id,
    path,
    source: "position",
    label: s.label,
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

/**
 * Resolves every holding and position of a validated portfolio against a resolved market: its structure (what reads
 * no market), then its prices.
 */
export function resolvePortfolio(portfolio: Portfolio, market: ResolvedMarket): ResolvedPortfolio {
  return resolveStructure(portfolioStructure(portfolio), market);
}

/**
 * Prices a portfolio's structure in a market: every market read, flag and error of `resolvePortfolio`, in its order
 * (a venue keeps the structure across ticks and calls this on each).
 */
export function resolveStructure(structure: PortfolioStructure, market: ResolvedMarket): ResolvedPortfolio {
  const flags: Flag[] = [];
  const items: ResolvedItem[] = [];
  for (const h of structure.holdings) {
    const item = priceHolding(h, market, flags);
    if (item) items.push(item);
  }
  for (const p of structure.positions) items.push(pricePosition(p, market, flags));
  if (structure.mayRepeatIds) {
    const ids = new Set<string>();
    for (const item of items) {
      if (ids.has(item.id)) {
        throw duplicateIdError(item.id, item.source === "position" ? `${item.path}.id` : item.path);
      }
      ids.add(item.id);
    }
  }
  return { accountId: structure.accountId, items, flags };
}
