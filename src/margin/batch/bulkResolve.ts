/**
 * Bulk resolution of portfolio documents straight into item columns (`AccountItems`) for the batch grid engine: the
 * documents are checked by the compiled schema check (zod for the exact error of any it does not accept), decimals
 * are parsed into the columns, and what depends only on the market (a token's price, haircut and feed, an
 * underlying's state, an expiry's years) is looked up once per distinct value instead of once per position. The
 * resolution rules are `resolvePortfolio`'s own functions (`holdingAmount`, `positionUnderlying`, ...), so a document
 * resolves to the same numbers and fails with the same error (its path prefixed `$[i]`) on both paths; only the
 * per-item objects, labels and flags (which the grid layout does not read) are not made.
 */
import { parseDecimal } from "../../core/decimal.js";
import type { Flag } from "../../core/flags.js";
import type { TokenRepresentation } from "../../market/tokenRegistry.js";
import { KIND_CODE } from "../../pricing/types.js";
import { linearValueUnchecked } from "../../pricing/valuePosition.js";
import type { Holding, Portfolio, PortfolioInput, Position } from "../../schema/portfolio.js";
import { portfolioSchema } from "../../schema/portfolio.js";
import { isCertainlyValidPortfolio } from "../../schema/portfolioCheck.js";
import { parseDocument } from "../../schema/validate.js";
import { tokenKindOf } from "../common/collateralWeights.js";
import { oracleFeedSymbol } from "../common/oracleAddOn.js";
import type { GridPmConfig } from "../gridPm/config.js";
import { gridHaircut } from "../gridPm/gridHaircut.js";
import { documentEntryUsd, holdingAmount, holdingToken, perpFundingUsd } from "../resolve/portfolioStructure.js";
import type { ResolvedMarket, ResolvedUnderlying } from "../resolve/resolvedMarket.js";
import {
  duplicateIdError,
  expiryYearsOf,
  futureEntryUsd,
  holdingPrice,
  optionSettlementUsd,
  optionVolAnnual,
  perpEntryUsd,
  positionUnderlying,
  unpricedHolding,
} from "../resolve/resolvePortfolio.js";
import type { AccountItems } from "./accountItems.js";
import { inAccount } from "./onboardAccounts.js";

/** What a holding's token resolves to in one market; price undefined: unpriced (see `unpricedHolding`). */
interface TokenFacts {
  token: Readonly<TokenRepresentation>;
  /** Looked up at the token's first holding with a valid amount (`resolveHolding`'s order of checks). */
  priceKnown: boolean;
  price: { priceUsd: number; underlying: ResolvedUnderlying } | undefined;
  /** Looked up at the token's first priced holding: an unpriced one is dropped and needs none (as on the other path). */
  haircut: number | undefined;
  feed: string;
}

/** A validated document: the schema's output, or an input the compiled check accepted (lists may be absent). */
type ValidDocument = Portfolio | PortfolioInput;

export class BulkResolver {
  private readonly tokens = new Map<string, Map<string, TokenFacts>>();
  private readonly underlyings = new Map<string, ResolvedUnderlying>();
  private readonly chains = new Set<string>();
  private readonly expiryYears = new Map<string, number>();
  /** Flags of the resolution rules: the grid layout does not read them, so they are dropped. */
  private readonly flags: Flag[] = [];

  constructor(
    private readonly market: ResolvedMarket,
    private readonly config: GridPmConfig,
  ) {}

  /**
   * Validates and resolves one document into `out` (cleared first).
   * @param document untrusted portfolio document
   * @param index its place in the caller's batch, for error paths `$[index]...`
   * @returns the account id
   * @throws XmarginError of the per-document path, its path prefixed with `$[index]`
   */
  resolve(document: unknown, index: number, out: AccountItems): string {
    try {
      const doc: ValidDocument = isCertainlyValidPortfolio(document)
        ? document
        : parseDocument(portfolioSchema, document, "Portfolio");
      this.resolveValid(doc, out);
      return doc.accountId;
    } catch (e) {
      throw inAccount(e, index);
    }
  }

  private resolveValid(doc: ValidDocument, out: AccountItems): void {
    out.clear();
    this.flags.length = 0;
    const holdings = doc.holdings ?? [];
    const positions = doc.positions ?? [];
    // Generated ids (h0.., p0..) cannot clash; a document that names ids is checked after resolution, as
    // `resolvePortfolio` does (a resolution error comes first).
    const named = positions.some((p) => p.id !== undefined);
    const priced: number[] | undefined = named ? [] : undefined;
    for (let i = 0; i < holdings.length; i++) if (this.holding(holdings[i]!, i, out)) priced?.push(i);
    for (let i = 0; i < positions.length; i++) this.position(positions[i]!, i, out);
    if (priced) checkIds(priced, positions);
  }

  private tokenFacts(h: Holding, path: string): TokenFacts {
    let byToken = this.tokens.get(h.chain);
    if (!byToken) {
      byToken = new Map();
      this.tokens.set(h.chain, byToken);
    }
    const known = byToken.get(h.token);
    if (known) return known;
    const token = holdingToken(h, path);
    const facts: TokenFacts = {
      token,
      priceKnown: false,
      price: undefined,
      haircut: undefined,
      feed: oracleFeedSymbol(token, token.underlying, this.market),
    };
    byToken.set(h.token, facts);
    return facts;
  }

  /** Lays out one holding; false when it has no price (it counts for nothing, as `resolveHolding` drops it). */
  private holding(h: Holding, index: number, out: AccountItems): boolean {
    const path = pathOf(HOLDING_PATHS, "holdings", index);
    const facts = this.tokenFacts(h, path);
    const amount = holdingAmount(h, facts.token, path);
    if (!facts.priceKnown) {
      facts.price = holdingPrice(facts.token, this.market, path, this.flags);
      facts.priceKnown = true;
    }
    if (!facts.price) {
      unpricedHolding(h, facts.token, amount, this.market, path, this.flags);
      return false;
    }
    facts.haircut ??= gridHaircut(this.config, tokenKindOf(facts.token));
    const u = facts.price.underlying;
    const i = out.next(facts.token.underlying, h.chain, undefined, facts.feed);
    const priceRatio = facts.price.priceUsd / u.spotUsd;
    out.kind[i] = KIND_CODE.spot;
    out.size[i] = amount;
    out.priceRatio[i] = priceRatio;
    out.valueUsd[i] = linearValueUnchecked(KIND_CODE.spot, amount, u.spotUsd, 0, 0, priceRatio, 0, 0);
    out.haircut[i] = facts.haircut;
    return true;
  }

  private underlyingOf(p: Position, path: string): ResolvedUnderlying {
    const known = this.underlyings.get(p.underlying);
    if (known && this.chains.has(p.chain)) return known;
    const u = positionUnderlying(p, this.market, path);
    this.underlyings.set(p.underlying, u);
    this.chains.add(p.chain);
    return u;
  }

  private yearsTo(expiry: string, path: string): number {
    let years = this.expiryYears.get(expiry);
    if (years === undefined) {
      years = expiryYearsOf(this.market, expiry, `${path}.expiry`);
      this.expiryYears.set(expiry, years);
    }
    return years;
  }

  private position(p: Position, index: number, out: AccountItems): void {
    const path = pathOf(POSITION_PATHS, "positions", index);
    const u = this.underlyingOf(p, path);
    const size = parseDecimal(p.size, `${path}.size`);
    switch (p.kind) {
      case "perp": {
        const entry = perpEntryUsd(documentEntryUsd(p.entryPrice, path), u);
        const funding = perpFundingUsd(p.fundingAccruedUsd, path);
        const i = this.row(p, KIND_CODE.perp, size, out);
        out.entryPriceUsd[i] = entry;
        out.fundingAccruedUsd[i] = funding;
        return;
      }
      case "future": {
        const years = this.yearsTo(p.expiry, path);
        const entry = futureEntryUsd(documentEntryUsd(p.entryPrice, path), u, years);
        const i = this.row(p, KIND_CODE.future, size, out);
        out.entryPriceUsd[i] = entry;
        out.expiryYears[i] = years;
        return;
      }
      case "option": {
        const years = this.yearsTo(p.expiry, path);
        const strike = parseDecimal(p.strike, `${path}.strike`);
        const isCall = p.optionType === "call";
        if (years <= 0) {
          // Settled: a USD amount on its chain and venue (see resolvePosition's settledOption).
          const settlementUsd = optionSettlementUsd(size, strike, isCall, u.spotUsd);
          const i = out.next("USD", p.chain, p.venue, this.feedOf("USD"));
          out.kind[i] = KIND_CODE.spot;
          out.size[i] = settlementUsd;
          out.priceRatio[i] = 1;
          out.valueUsd[i] = settlementUsd;
          return;
        }
        const vol = optionVolAnnual(this.market, p.underlying, years, strike, path);
        const i = this.row(p, KIND_CODE.option, size, out);
        out.expiryYears[i] = years;
        out.strikeUsd[i] = strike;
        out.isCall[i] = isCall ? 1 : 0;
        out.volAnnual[i] = vol;
        return;
      }
    }
  }

  /** Appends a live derivative row of `kind` and `size` on the position's underlying, chain and venue. */
  private row(p: Position, kind: number, size: number, out: AccountItems): number {
    const i = out.next(p.underlying, p.chain, p.venue, this.feedOf(p.underlying));
    out.kind[i] = kind;
    out.size[i] = size;
    return i;
  }

  /** Positions are priced by their underlying's feed. */
  private feedOf(underlying: string): string {
    return oracleFeedSymbol(undefined, underlying, this.market);
  }
}

/** JSON paths of list entries, made once per index instead of once per item (indices repeat account after account). */
const HOLDING_PATHS: string[] = [];
const POSITION_PATHS: string[] = [];
function pathOf(paths: string[], list: "holdings" | "positions", index: number): string {
  const known = paths[index];
  if (known !== undefined) return known;
  const path = `$.${list}[${index}]`;
  if (index < 1_000) paths[index] = path;
  return path;
}

/** `resolvePortfolio`'s id rule: priced holdings `h<i>`, positions their id or `p<i>`, all distinct, in that order. */
function checkIds(pricedHoldings: readonly number[], positions: readonly Position[]): void {
  const ids = new Set<string>();
  for (const i of pricedHoldings) {
    const id = `h${i}`;
    if (ids.has(id)) throw duplicateIdError(id, `$.holdings[${i}]`);
    ids.add(id);
  }
  positions.forEach((p, i) => {
    const id = p.id ?? `p${i}`;
    if (ids.has(id)) throw duplicateIdError(id, `$.positions[${i}].id`);
    ids.add(id);
  });
}
