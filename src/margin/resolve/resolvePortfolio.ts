import { formatUnits, parseDecimal, parseUnits } from "../../core/decimal.js";
import { invalidInput, missingData } from "../../core/errors.js";
import type { Flag } from "../../core/flags.js";
import { parseIsoToSec, yearsBetween } from "../../core/time.js";
import { getToken } from "../../market/tokenRegistry.js";
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

export function resolveHolding(
  h: Holding,
  index: number,
  market: ResolvedMarket,
  flags: Flag[],
): ResolvedItem | undefined {
  const path = `$.holdings[${index}]`;
  const token = getToken(h.chain, h.token, `${path}.token`);
  // Both forms go through base units, so an amount finer than the token's decimals is an error, not a rounding.
  const amountRaw =
    h.amountRaw !== undefined ? BigInt(h.amountRaw) : parseUnits(h.amount ?? "0", token.decimals, `${path}.amount`);
  const amount = parseDecimal(
    formatUnits(amountRaw, token.decimals),
    `${path}.${h.amountRaw !== undefined ? "amountRaw" : "amount"}`,
  );
  getUnderlying(token.underlying, `${path}.token`);
  const u = market.underlyings.get(token.underlying);
  const priceUsd = u ? tokenPriceUsd(market, token, path, flags) : undefined;
  if (priceUsd === undefined || !u) {
    if (amount < 0) {
      throw missingData(
        path,
        `no price for borrowed ${h.token} on ${h.chain}`,
        `needs a quote for feed ${h.token}/USD`,
      );
    }
    // Fail-safe: collateral without a price (or whose underlying has none, so its risk cannot be modelled) counts
    // for nothing.
    flags.push({
      code: "PRICE_MISSING",
      severity: "warning",
      message: `${h.token} on ${h.chain}: no price for it${u ? "" : ` or for ${token.underlying}`}; the holding is valued at 0`,
      path,
    });
    return undefined;
  }
  const priced: PricedPosition = { ...EMPTY, kind: "spot", size: amount, priceRatio: priceUsd / u.spotUsd };
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
  const intrinsicUsd = Math.max(0, option.isCall ? fixingUsd - option.strikeUsd : option.strikeUsd - fixingUsd);
  const settlementUsd = option.size * intrinsicUsd;
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

export function resolvePosition(p: Position, index: number, market: ResolvedMarket, flags: Flag[]): ResolvedItem {
  const path = `$.positions[${index}]`;
  getUnderlying(p.underlying, `${path}.underlying`);
  const u = underlyingStateOf(market, p.underlying, `${path}.underlying`);
  // An unknown chain has no liquidation horizon: an error here rather than a finality of 0 in a model.
  chainProfileOf(market, p.chain, `${path}.chain`);
  if (u.symbol === "USD") throw missingData(`${path}.underlying`, "derivatives on USD itself are not supported");
  const size = parseDecimal(p.size, `${path}.size`);
  const id = p.id ?? `p${index}`;
  let priced: PricedPosition;
  let volAnnual = 0;
  let label: string;
  switch (p.kind) {
    case "perp": {
      const entry = p.entryPrice === undefined ? u.spotUsd : parseDecimal(p.entryPrice, `${path}.entryPrice`);
      const funding =
        p.fundingAccruedUsd === undefined ? 0 : parseDecimal(p.fundingAccruedUsd, `${path}.fundingAccruedUsd`);
      priced = { ...EMPTY, kind: "perp", size, entryPriceUsd: entry, fundingAccruedUsd: funding };
      label = `${p.underlying}-PERP ${size > 0 ? "long" : "short"} ${Math.abs(size)} on ${p.chain}/${p.venue}`;
      break;
    }
    case "future": {
      const years = yearsBetween(market.asOfSec, parseIsoToSec(p.expiry, `${path}.expiry`));
      const entry =
        p.entryPrice === undefined ? fairForwardUsd(u, years) : parseDecimal(p.entryPrice, `${path}.entryPrice`);
      priced = { ...EMPTY, kind: "future", size, entryPriceUsd: entry, expiryYears: years };
      label = `${p.underlying} future ${p.expiry.slice(0, 10)} ${size > 0 ? "long" : "short"} ${Math.abs(size)} on ${p.chain}/${p.venue}`;
      break;
    }
    case "option": {
      const years = yearsBetween(market.asOfSec, parseIsoToSec(p.expiry, `${path}.expiry`));
      const strike = parseDecimal(p.strike, `${path}.strike`);
      priced = {
        ...EMPTY,
        kind: "option",
        size,
        strikeUsd: strike,
        expiryYears: years,
        isCall: p.optionType === "call",
      };
      if (years > 0) {
        const surface = market.volSurfaces.get(p.underlying);
        if (!surface) {
          throw missingData(
            `${path}.underlying`,
            `no vol surface for ${p.underlying}`,
            "the snapshot needs volSurfaces",
          );
        }
        volAnnual = impliedVol(surface, years, strike);
      }
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
      throw invalidInput(
        item.source === "position" ? `${item.path}.id` : item.path,
        `duplicate id "${item.id}"`,
        "position ids must be unique and differ from the generated holding ids h0, h1, ...",
      );
    }
    ids.add(item.id);
  }
  return { accountId: portfolio.accountId, items, flags };
}
