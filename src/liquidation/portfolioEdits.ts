import { formatDecimal, formatUnits, parseDecimal } from "../core/decimal.js";
import { invalidInput } from "../core/errors.js";
import type { ResolvedMarket } from "../margin/resolve/resolvedMarket.js";
import { resolvePosition } from "../margin/resolve/resolvePortfolio.js";
import { getToken, tokenRepresentations } from "../market/tokenRegistry.js";
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
  let s = value.toFixed(Math.min(20, getToken(chain, token).decimals));
  if (s.includes(".")) s = s.replace(/\.?0+$/, "");
  return /^-0$/.test(s) ? "0" : s;
}

/** A token amount rounded as `toTokenAmountString` writes it, so an edited state and its document agree. */
export function roundToTokenDecimals(value: number, decimals: number): number {
  return Number(value.toFixed(Math.min(20, decimals)));
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
 * resolver would name it) and every perp and future without an entry price gets the one the resolver gives it at
 * `market` (spot, fair forward: read from the resolved position, not recomputed). Without this, a price move would
 * also move the default entry and the P&L of the move would vanish. A position the resolver rejects is left as it is
 * (margining it raises the error).
 */
export function pinPortfolio(portfolio: Portfolio, market: ResolvedMarket): Portfolio {
  const positions = portfolio.positions.map((p, i): Position => {
    const id = p.id ?? `p${i}`;
    if (p.kind === "option" || p.entryPrice !== undefined) return { ...p, id };
    let entryUsd: number;
    try {
      entryUsd = resolvePosition(p, i, market, []).priced.entryPriceUsd;
    } catch {
      return { ...p, id };
    }
    return { ...p, id, entryPrice: toDecimalString(entryUsd) };
  });
  return { ...portfolio, holdings: [...portfolio.holdings], positions };
}

/** The stablecoin an account's cash is kept in on a chain: USDC, else USDT, DAI, USDC.e, else any stablecoin. */
export function cashTokenFor(chain: string): string | undefined {
  const stables = tokenRepresentations.filter((t) => t.chain === chain && t.underlying === "USD").map((t) => t.symbol);
  return ["USDC", "USDT", "DAI", "USDC.e"].find((s) => stables.includes(s)) ?? stables[0];
}
