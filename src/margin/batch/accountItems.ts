/**
 * One account's items in columns, as the batch grid engine lays them out: what `ResolvedItem` carries that the grid
 * layout reads, without an object per item. One instance is reused account after account (cleared, never shrunk), so
 * bulk onboarding allocates nothing per item here. Filled from resolved portfolios (`accountItemsOf`) or straight
 * from documents (`bulkResolve`).
 */
import { KIND_CODE } from "../../pricing/types.js";
import { oracleFeedSymbol } from "../common/oracleAddOn.js";
import type { ResolvedMarket } from "../resolve/resolvedMarket.js";
import type { ResolvedItem, ResolvedPortfolio } from "../resolve/resolvedPortfolio.js";

export class AccountItems {
  /** Number of items. */
  n = 0;
  /** `KIND_CODE` of the priced form (a settled option is spot USD). */
  kind = new Uint8Array(16);
  /** Signed size: units of the underlying (spot: token units; settled option: USD). */
  size = new Float64Array(16);
  /** Spot tokens: price / underlying spot; 1 for the other kinds (as resolution sets it). */
  priceRatio = new Float64Array(16);
  entryPriceUsd = new Float64Array(16);
  fundingAccruedUsd = new Float64Array(16);
  expiryYears = new Float64Array(16);
  strikeUsd = new Float64Array(16);
  /** Options: 1 for a call. */
  isCall = new Uint8Array(16);
  /** Options: implied vol at the item's expiry and strike; 0 otherwise. */
  volAnnual = new Float64Array(16);
  /** Mark value, USD. Needed for USD items only (others are valued by their underlying's book): NaN there. */
  valueUsd = new Float64Array(16);
  /** Holdings: the grid model's haircut rate of the token's kind; -1 for positions. */
  haircut = new Float64Array(16);
  underlying: string[] = [];
  chain: string[] = [];
  venue: Array<string | undefined> = [];
  /** The feed the oracle add-on reads its price from (`oracleFeedSymbol`). */
  feed: string[] = [];

  /** Starts a new account. */
  clear(): void {
    this.n = 0;
  }

  /** Appends an item with every number 0 (price ratio 1, value NaN, haircut -1); returns its index to fill. */
  next(underlying: string, chain: string, venue: string | undefined, feed: string): number {
    const i = this.n++;
    if (i === this.size.length) this.grow(2 * i);
    this.kind[i] = 0;
    this.size[i] = 0;
    this.priceRatio[i] = 1;
    this.entryPriceUsd[i] = 0;
    this.fundingAccruedUsd[i] = 0;
    this.expiryYears[i] = 0;
    this.strikeUsd[i] = 0;
    this.isCall[i] = 0;
    this.volAnnual[i] = 0;
    this.valueUsd[i] = Number.NaN;
    this.haircut[i] = -1;
    this.underlying[i] = underlying;
    this.chain[i] = chain;
    this.venue[i] = venue;
    this.feed[i] = feed;
    return i;
  }

  private grow(capacity: number): void {
    const f64 = (old: Float64Array) => {
      const next = new Float64Array(capacity);
      next.set(old);
      return next;
    };
    const u8 = (old: Uint8Array) => {
      const next = new Uint8Array(capacity);
      next.set(old);
      return next;
    };
    this.kind = u8(this.kind);
    this.isCall = u8(this.isCall);
    this.size = f64(this.size);
    this.priceRatio = f64(this.priceRatio);
    this.entryPriceUsd = f64(this.entryPriceUsd);
    this.fundingAccruedUsd = f64(this.fundingAccruedUsd);
    this.expiryYears = f64(this.expiryYears);
    this.strikeUsd = f64(this.strikeUsd);
    this.volAnnual = f64(this.volAnnual);
    this.valueUsd = f64(this.valueUsd);
    this.haircut = f64(this.haircut);
  }
}

/**
 * A resolved portfolio's items in columns.
 * @param haircutOf the grid model's haircut of a holding (-1 for positions)
 */
export function accountItemsOf(
  portfolio: ResolvedPortfolio,
  market: ResolvedMarket,
  haircutOf: (item: ResolvedItem) => number,
  out: AccountItems = new AccountItems(),
): AccountItems {
  out.clear();
  for (const item of portfolio.items) {
    const p = item.priced;
    const i = out.next(item.underlying, item.chain, item.venue, oracleFeedSymbol(item.token, item.underlying, market));
    out.kind[i] = KIND_CODE[p.kind];
    out.size[i] = p.size;
    out.priceRatio[i] = p.priceRatio;
    out.entryPriceUsd[i] = p.entryPriceUsd;
    out.fundingAccruedUsd[i] = p.fundingAccruedUsd;
    out.expiryYears[i] = p.expiryYears;
    out.strikeUsd[i] = p.strikeUsd;
    out.isCall[i] = p.isCall ? 1 : 0;
    out.volAnnual[i] = item.volAnnual;
    out.valueUsd[i] = item.valueUsd;
    out.haircut[i] = haircutOf(item);
  }
  return out;
}
