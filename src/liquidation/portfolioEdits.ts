import { formatDecimal, formatUnits, parseDecimal } from "../core/decimal.js";
import { invalidInput } from "../core/errors.js";
import type { ResolvedMarket } from "../margin/resolve/resolvedMarket.js";
import { getToken, tokenRepresentations } from "../market/tokenRegistry.js";
import { allChainsFeedKey, chainFeedKey } from "../oracles/feedKey.js";
import type { Holding, Portfolio, Position } from "../schema/portfolio.js";

/** Decimal string for a document: 12 significant digits, never exponent form, `-0` printed as `0`. */
export function toDecimalString(value: number): string {
  if (!Number.isFinite(value)) throw invalidInput("$", `cannot write non-finite amount ${value}`);
  const s = formatDecimal(value, 12);
  return s === "-0" ? "0" : s;
}

/**
 * A token amount as a document string, rounded to the token's decimals (the resolver rejects finer amounts), never
 * in exponent form.
 */
export function toTokenAmountString(value: number, chain: string, token: string): string {
  if (!Number.isFinite(value)) throw invalidInput("$", `cannot write non-finite amount ${value}`);
  const decimals = Math.min(20, getToken(chain, token).decimals);
  let s = value.toFixed(decimals);
  if (s.includes(".")) s = s.replace(/\.?0+$/, "");
  return /^-0$/.test(s) ? "0" : s;
}

/** A holding's balance in token units (exact conversion of `amountRaw`). */
export function holdingAmount(h: Holding, path = "$"): number {
  if (h.amountRaw !== undefined) {
    const token = getToken(h.chain, h.token, `${path}.token`);
    return parseDecimal(formatUnits(BigInt(h.amountRaw), token.decimals), `${path}.amountRaw`);
  }
  return parseDecimal(h.amount ?? "0", `${path}.amount`);
}

/**
 * Makes a portfolio safe to re-margin under moved prices: every position gets an explicit id (`p<index>`, as the
 * resolver would name it) and every perp and future without an entry price gets the one the resolver would default
 * to at `market` (spot, fair forward). Without this, a price move would also move the default entry and the P&L of
 * the move would vanish.
 */
export function pinPortfolio(portfolio: Portfolio, market: ResolvedMarket): Portfolio {
  const positions = portfolio.positions.map((p, i): Position => {
    const id = p.id ?? `p${i}`;
    if (p.kind === "option" || p.entryPrice !== undefined) return { ...p, id };
    const u = market.underlyings.get(p.underlying);
    if (!u) return { ...p, id };
    if (p.kind === "perp") return { ...p, id, entryPrice: toDecimalString(u.spotUsd) };
    const years =
      (Date.parse(p.expiry.length === 10 ? `${p.expiry}T00:00:00Z` : p.expiry) / 1000 - market.asOfSec) /
      (365 * 86_400);
    return { ...p, id, entryPrice: toDecimalString(u.spotUsd * Math.exp(u.carryRateAnnual * Math.max(0, years))) };
  });
  return { ...portfolio, holdings: [...portfolio.holdings], positions };
}

/** The stablecoin an account's cash is kept in on a chain: USDC, else USDT, DAI, USDC.e, else any stablecoin. */
export function cashTokenFor(chain: string): string | undefined {
  const stables = tokenRepresentations.filter((t) => t.chain === chain && t.underlying === "USD").map((t) => t.symbol);
  return ["USDC", "USDT", "DAI", "USDC.e"].find((s) => stables.includes(s)) ?? stables[0];
}

/** USD price of one token on a chain in a resolved market: its own feed there, anywhere, else peg x underlying. */
export function tokenPriceUsd(market: ResolvedMarket, chain: string, symbol: string): number | undefined {
  const own = market.tokenPrices.get(chainFeedKey(chain, symbol)) ?? market.tokenPrices.get(allChainsFeedKey(symbol));
  if (own) return own.priceUsd;
  const token = getToken(chain, symbol);
  const spot = market.underlyings.get(token.underlying)?.spotUsd;
  return token.pegUnits === undefined || spot === undefined ? undefined : token.pegUnits * spot;
}

/** Sets holding `index` to `amount` token units (written as `amount`, replacing an `amountRaw`). */
export function setHoldingAmount(portfolio: Portfolio, index: number, amount: number): Portfolio {
  const holdings = portfolio.holdings.map((h, i): Holding => {
    if (i !== index) return h;
    return { chain: h.chain, token: h.token, amount: toTokenAmountString(amount, h.chain, h.token) };
  });
  return { ...portfolio, holdings };
}

/**
 * Adds `delta` token units of `token` on `chain`: to the first holding of that token there, or as a new holding at
 * the end (existing holdings keep their index, so their ids `h<index>` stay valid). A negative result is a borrow.
 */
export function addTokenAmount(portfolio: Portfolio, chain: string, token: string, delta: number): Portfolio {
  const index = portfolio.holdings.findIndex((h) => h.chain === chain && h.token === token);
  if (index < 0) {
    return {
      ...portfolio,
      holdings: [...portfolio.holdings, { chain, token, amount: toTokenAmountString(delta, chain, token) }],
    };
  }
  const current = holdingAmount(portfolio.holdings[index]!, `$.holdings[${index}]`);
  return setHoldingAmount(portfolio, index, current + delta);
}

/** Adds `usd` of cash (the chain's cash stablecoin at its price) on `chain`; negative amounts are paid out. */
export function addCashUsd(portfolio: Portfolio, market: ResolvedMarket, chain: string, usd: number): Portfolio {
  const token = cashTokenFor(chain);
  if (token === undefined) throw invalidInput("$", `no stablecoin known on ${chain} to settle ${usd.toFixed(2)} USD`);
  const price = tokenPriceUsd(market, chain, token) ?? 1;
  return addTokenAmount(portfolio, chain, token, usd / price);
}

/**
 * Scales the position with id `id` to `keep` of its size (0 removes it). Perp funding accrued scales with it, so the
 * position's value scales exactly by `keep` (value is linear in size for every kind).
 */
export function scalePosition(portfolio: Portfolio, id: string, keep: number): Portfolio {
  const positions: Position[] = [];
  for (const p of portfolio.positions) {
    if (p.id !== id) {
      positions.push(p);
      continue;
    }
    const size = parseDecimal(p.size) * keep;
    if (keep <= 1e-12 || Math.abs(size) < 1e-12) continue;
    const scaled = { ...p, size: toDecimalString(size) };
    if (scaled.kind === "perp" && scaled.fundingAccruedUsd !== undefined) {
      scaled.fundingAccruedUsd = toDecimalString(parseDecimal(scaled.fundingAccruedUsd) * keep);
    }
    positions.push(scaled);
  }
  return { ...portfolio, positions };
}

/** Index of a holding from a resolved item's path (`$.holdings[3]` -> 3); undefined for positions. */
export function holdingIndexOf(path: string): number | undefined {
  const m = /^\$\.holdings\[(\d+)\]$/.exec(path);
  return m ? Number(m[1]) : undefined;
}
