/**
 * Grid portfolio margin of many accounts in one column layout, re-margined incrementally.
 *
 * Every account's positions on an underlying form a group of that underlying's `UnderlyingBook` (see there: distinct
 * option instruments are priced once and shared, a group's scenario P&L vector is the sum of its rows). The engine
 * keeps, per account, its groups, its options (for the contingency), its items' collateral and oracle exposure and
 * its oracle buckets, in flat columns shared by all accounts. `computeGridPm` is this engine over a book of one
 * account, so one account and a million are margined by the same code.
 *
 * A tick of underlying U revalues U's instruments and groups, then re-adds the totals of the accounts holding U
 * (scenario risk from their groups' losses, option contingency, oracle add-on with exposures re-marked, collateral
 * after haircuts). Accounts without U recompute nothing. Accounts can be added, replaced and removed one at a time;
 * only that account's rows (and any new instrument) are laid out and revalued. Removed rows stay as dead space.
 *
 * Tick semantics: `tick(symbol, state)` replaces the spot (and carry and risk-free rate) of one underlying. Resolved
 * position data is kept: sizes, strikes, expiries, option vols (implied vols are read from the surface at resolution)
 * and spot tokens' price ratios to their underlying. The oracle bands (`market.tokenPrices`) are those of the market
 * given at construction; a tick moves prices, not oracle confidence. Accounts added later must be resolved against
 * the engine's current prices.
 */
import { invalidInput } from "../../core/errors.js";
import { findToken } from "../../market/tokenRegistry.js";
import { KIND_CODE, type UnderlyingState } from "../../pricing/types.js";
import { tokenKindOf } from "../common/collateralWeights.js";
import { BAND_POINTS, oracleBucketsOf, oracleCharge, oracleFeedRel } from "../common/oracleAddOn.js";
import { buildGridScenarios, type GridScenarios } from "../gridPm/buildGridScenarios.js";
import type { GridPmConfig } from "../gridPm/config.js";
import { gridHaircut } from "../gridPm/gridHaircut.js";
import { optionContractKey, optionNetSharesOf } from "../gridPm/optionNetShare.js";
import type { ResolvedMarket } from "../resolve/resolvedMarket.js";
import type { ResolvedItem, ResolvedPortfolio } from "../resolve/resolvedPortfolio.js";
import { underlyingStateOf } from "../resolve/underlyingFacts.js";
import { AccountItems, accountItemsOf } from "./accountItems.js";
import { BulkResolver } from "./bulkResolve.js";
import { f64Column, i32Column, u8Column } from "./growableColumn.js";
import { ResultViews } from "./resultViews.js";
import { collateralOf, holdingBandLoss, type ItemColumns, UnderlyingBook } from "./underlyingBook.js";

/** Per-account result columns; pass views on a SharedArrayBuffer to share them with other threads. */
export interface BatchResultColumns {
  initialMarginUsd: Float64Array;
  maintenanceMarginUsd: Float64Array;
  /** Collateral after the grid model's haircuts (the grid model counts it against both IM and MM). */
  collateralValueUsd: Float64Array;
}

export interface BatchGridOptions {
  /**
   * Where to write results, an account at its slot (their length caps the slots); growable arrays by default, where
   * an account's slot is its index. With `out` the caller owns the layout: accounts laid out at construction take the
   * slots from `firstSlot` on, `addAccount(p, slot)` places one where the caller says.
   */
  out?: BatchResultColumns;
  /** With `out`: the slot of the first account laid out at construction (default 0). */
  firstSlot?: number;
}

/** One account's figures, as `computeGridPm` reports them. */
export interface BatchAccountResult {
  accountId: string;
  initialMarginUsd: number;
  maintenanceMarginUsd: number;
  collateralValueUsd: number;
  /** collateral - IM. */
  freeCollateralUsd: number;
  /** collateral / MM; null without a maintenance requirement. */
  healthRatio: number | null;
}

export interface TickStats {
  /** Distinct option instruments of the underlying revalued. */
  instrumentsRevalued: number;
  /** (account, underlying) P&L vectors rebuilt. */
  groupsRecomputed: number;
  /** Accounts whose totals were re-added. */
  accountsUpdated: number;
}

/** One account's margin in detail: what a report shows beside the totals. */
export interface AccountGridDetail {
  /** Per underlying, in order of first appearance: scenario P&L vector (USD, `grid.ids` order), worst, loss. */
  groups: Array<{ underlying: string; pnlUsd: Float64Array; worstScenario: number; lossUsd: number }>;
  scenarioRiskUsd: number;
  contingencyUsd: number;
  oracleUsd: number;
  /** Per item, in the portfolio's order: scenario-risk attribution + contingency + oracle share, USD. */
  itemInitialUsd: Float64Array;
  /** Per item: mark value after the grid model's haircut, USD. */
  itemCollateralUsd: Float64Array;
}

const EMPTY_STATS: TickStats = { instrumentsRevalued: 0, groupsRecomputed: 0, accountsUpdated: 0 };

/** What a bulk layout will append: accounts, items, options, (account, underlying) groups, rows per underlying. */
class LayoutCount {
  accounts = 0;
  items = 0;
  options = 0;
  groups = 0;
  readonly perUnderlying = new Map<string, { groups: number; rows: number }>();
  private readonly seen = new Set<string>();

  account(): void {
    this.accounts++;
    this.seen.clear();
  }

  /** One item of the current account; USD items sit in no book. */
  item(isOption: boolean, underlying: string): void {
    this.items++;
    if (isOption) this.options++;
    if (underlying === "USD") return;
    let count = this.perUnderlying.get(underlying);
    if (!count) {
      count = { groups: 0, rows: 0 };
      this.perUnderlying.set(underlying, count);
    }
    count.rows++;
    if (!this.seen.has(underlying)) {
      this.seen.add(underlying);
      count.groups++;
      this.groups++;
    }
  }
}

/** Batch grid re-margining engine; see the module header. */
export class BatchGridEngine extends ResultViews {
  readonly config: GridPmConfig;
  readonly grid: GridScenarios;
  private readonly market: ResolvedMarket;
  private readonly nScen: number;
  private readonly spotMoves: Float64Array;
  private readonly books: UnderlyingBook[] = [];
  private readonly bookIndex = new Map<string, number>();
  private readonly indexById = new Map<string, number>();
  private readonly live = u8Column();
  /** Per account: where its results go in the result columns (its index unless the caller placed it). */
  private readonly slot = i32Column();
  private readonly firstSlot: number;
  /** Per account: ranges into the entry columns below (an account's entries are contiguous). */
  private readonly groupFrom = i32Column();
  private readonly groupTo = i32Column();
  private readonly optionFrom = i32Column();
  private readonly optionTo = i32Column();
  private readonly itemFrom = i32Column();
  private readonly itemTo = i32Column();
  private readonly bucketFrom = i32Column();
  private readonly bucketTo = i32Column();
  /** Group entries: book and group index, in the account's underlying order. */
  private readonly groupBook = i32Column();
  private readonly groupIndex = i32Column();
  /** Option entries, in item order: book, global item number, contingencyRel x |size| x net share. */
  private readonly optionBook = i32Column();
  private readonly optionItem = i32Column();
  private readonly optionRelSize = f64Column();
  /** Item columns, by global item number. */
  private readonly itemCollateral = f64Column();
  private readonly itemExposure = f64Column();
  /** Each item's collateral loss at each oracle band point of its bucket (`BAND_POINTS`; 0 when in no bucket). */
  private readonly itemBandLoss = f64Column();
  /** Oracle buckets: rate and members (global item numbers) of bucket k at bucketMemberStart[k] ..  */
  private readonly bucketRel = f64Column();
  private readonly bucketMemberStart = i32Column();
  private readonly bucketMember = i32Column();
  /**
   * Result columns with spare capacity (or the caller's); the views (`ResultViews`) are their first `nAccounts`
   * entries, or the caller's columns as given.
   */
  private readonly fixedOut: boolean;
  private imAll: Float64Array;
  private mmAll: Float64Array;
  private collAll: Float64Array;
  /** Layout scratch, reused account after account: the items in columns, per-book item lists, per-item numbers. */
  private readonly scratch = new AccountItems();
  private readonly bookItems: number[][] = [];
  private relScratch = new Float64Array(16);
  private netShareScratch = new Float64Array(16);
  private readonly feedRels = new Map<string, Map<string, number>>();
  /** Capacity hints of books not made yet (`reserveLayout`). */
  private readonly bookHints = new Map<string, { groups: number; rows: number }>();

  /**
   * Lays every account out in columns (no revaluation yet: call `computeAll`).
   * @param portfolios resolved accounts (`resolvePortfolio`), all against `market`
   * @param market the resolved market the accounts were resolved against
   * @param config grid model parameters (`resolveMarginConfig({ model: "grid" })`)
   */
  constructor(
    portfolios: readonly ResolvedPortfolio[],
    market: ResolvedMarket,
    config: GridPmConfig,
    options: BatchGridOptions = {},
  ) {
    super();
    this.market = market;
    this.config = config;
    this.grid = buildGridScenarios(config);
    this.nScen = this.grid.ids.length;
    this.spotMoves = this.grid.spotMults.map((m) => m - 1);
    this.bucketMemberStart.push(0);
    const out = options.out;
    this.fixedOut = out !== undefined;
    this.firstSlot = out ? (options.firstSlot ?? 0) : 0;
    const capacity = Math.max(1, portfolios.length);
    this.imAll = out?.initialMarginUsd ?? new Float64Array(capacity);
    this.mmAll = out?.maintenanceMarginUsd ?? new Float64Array(capacity);
    this.collAll = out?.collateralValueUsd ?? new Float64Array(capacity);
    this.views = this.makeViews(0);
    this.reserveAccounts(portfolios.length);
    this.presize(portfolios);
    for (const p of portfolios) this.layoutAccount(this.columnsOf(p), this.appendAccount(p.accountId, this.nextSlot()));
    this.views = this.makeViews(this.ids.length);
  }

  /**
   * Bulk onboarding straight into the columns (`bulkResolve`): each document is checked against the portfolio schema
   * (a compiled check, zod for the exact error of a bad one) and its decimals parsed straight into one reused set of
   * item columns, then laid out; no object per position. Same accounts, same order, same errors as
   * `new BatchGridEngine(onboardAccounts(documents, market), market, config)`; call `computeAll` next.
   * @param documents untrusted portfolio documents
   * @param firstIndex index of `documents[0]` in the caller's whole batch (error paths `$[i]...`)
   */
  static fromDocuments(
    documents: readonly unknown[],
    market: ResolvedMarket,
    config: GridPmConfig,
    options: BatchGridOptions = {},
    firstIndex = 0,
  ): BatchGridEngine {
    const engine = new BatchGridEngine([], market, config, options);
    engine.reserveAccounts(documents.length);
    engine.presizeDocuments(documents);
    const resolver = new BulkResolver(market, config);
    for (let i = 0; i < documents.length; i++) {
      const accountId = resolver.resolve(documents[i], firstIndex + i, engine.scratch);
      engine.layoutAccount(engine.scratch, engine.appendAccount(accountId, engine.nextSlot()));
    }
    engine.views = engine.makeViews(engine.ids.length);
    return engine;
  }

  /** Index of an account, or undefined (also once removed). */
  accountIndex(accountId: string): number | undefined {
    return this.indexById.get(accountId);
  }

  /** Cold re-margin: revalues every underlying's instruments and groups, then every account's totals. */
  computeAll(): void {
    const items = this.itemColumns();
    for (const book of this.books) {
      book.revalueInstruments(0);
      book.revalueGroups(0, book.nGroups, items);
    }
    // A removed account is not summed: its slot reads NaN, and may hold another account (`addAccount(p, slot)`).
    const live = this.live.data;
    for (let a = 0; a < this.ids.length; a++) if (live[a] === 1) this.sumAccount(a);
  }

  /**
   * Incremental re-margin after one underlying's market state changes: only that underlying's instruments and groups
   * are revalued and only the accounts holding it re-added. An underlying no account holds is a no-op.
   * @param symbol underlying, e.g. "BTC"
   * @param state its new spot (USD), carry and risk-free rates
   */
  tick(symbol: string, state: UnderlyingState): TickStats {
    const b = this.bookIndex.get(symbol);
    if (b === undefined) return { ...EMPTY_STATS };
    const book = this.books[b]!;
    book.state = {
      spotUsd: state.spotUsd,
      carryRateAnnual: state.carryRateAnnual,
      riskFreeRateAnnual: state.riskFreeRateAnnual,
    };
    book.revalueInstruments(0);
    book.revalueGroups(0, book.nGroups, this.itemColumns());
    const groupAccount = book.groupAccount.data;
    for (let g = 0; g < book.nGroups; g++) {
      const a = groupAccount[g]!;
      if (a >= 0) this.sumAccount(a);
    }
    return {
      instrumentsRevalued: book.nInstruments,
      groupsRecomputed: book.liveGroups,
      accountsUpdated: book.liveGroups,
    };
  }

  /**
   * Adds one account and margins it at the engine's current prices, without touching other accounts' layout.
   * @param portfolio resolved against a market with the engine's current prices
   * @param slot where its results go in the caller's `out` columns (default: after the last account's); the caller
   *   keeps slots apart, a free one being a removed account's or one no account had
   * @returns the account's index
   * @throws XmarginError `INVALID_INPUT` if the id is already present, or the slot is outside the caller's columns
   */
  addAccount(portfolio: ResolvedPortfolio, slot?: number): number {
    if (this.indexById.has(portfolio.accountId)) {
      throw invalidInput("$.accountId", `account ${portfolio.accountId} is already in the engine; replace it instead`);
    }
    if (slot !== undefined && !this.fixedOut) {
      throw invalidInput("$.slot", "an account is placed at a slot only in result columns the caller gave (`out`)");
    }
    const at = slot ?? this.nextSlot();
    if (!(Number.isInteger(at) && at >= 0)) throw invalidInput("$.slot", `slot ${at} is not an index`);
    this.reserveAccounts(this.ids.length + 1, at + 1);
    const items = this.checkedColumnsOf(portfolio);
    const a = this.appendAccount(portfolio.accountId, at);
    this.views = this.makeViews(this.ids.length);
    this.layoutAndMargin(items, a);
    return a;
  }

  /**
   * Moves the results to new caller columns (a grown SharedArrayBuffer, say): each live account's figures are copied
   * to its slot there, and written there from now on. Slots no live account holds are left as they are in `out`.
   * @throws XmarginError `INVALID_INPUT` without caller columns, or if `out` is too short for a live account's slot
   */
  attachOut(out: BatchResultColumns): void {
    if (!this.fixedOut) throw invalidInput("$.out", "the engine owns its result columns (no `out` given)");
    const n = Math.min(out.initialMarginUsd.length, out.maintenanceMarginUsd.length, out.collateralValueUsd.length);
    const live = this.live.data;
    const slots = this.slot.data;
    for (let a = 0; a < this.ids.length; a++) {
      if (live[a] === 1 && slots[a]! >= n) throw invalidInput("$.out", `the new result columns hold ${n} slots`);
    }
    for (let a = 0; a < this.ids.length; a++) {
      if (live[a] !== 1) continue;
      const s = slots[a]!;
      out.initialMarginUsd[s] = this.imAll[s]!;
      out.maintenanceMarginUsd[s] = this.mmAll[s]!;
      out.collateralValueUsd[s] = this.collAll[s]!;
    }
    this.imAll = out.initialMarginUsd;
    this.mmAll = out.maintenanceMarginUsd;
    this.collAll = out.collateralValueUsd;
    this.views = this.makeViews(this.ids.length);
  }

  /**
   * Replaces an account's positions (same id, same index) and re-margins it; its old rows become dead space.
   * @throws XmarginError `INVALID_INPUT` if no live account has this id
   */
  replaceAccount(portfolio: ResolvedPortfolio): number {
    const a = this.liveIndex(portfolio.accountId);
    const items = this.checkedColumnsOf(portfolio);
    this.unlinkGroups(a);
    this.layoutAndMargin(items, a);
    return a;
  }

  /**
   * Removes an account: its rows become dead space, its index is not reused and its results read NaN (no account is
   * not an account without margin).
   * @throws XmarginError `INVALID_INPUT` if no live account has this id
   */
  removeAccount(accountId: string): void {
    const a = this.liveIndex(accountId);
    this.unlinkGroups(a);
    this.live.data[a] = 0;
    this.indexById.delete(accountId);
    const s = this.slot.data[a]!;
    this.imAll[s] = Number.NaN;
    this.mmAll[s] = Number.NaN;
    this.collAll[s] = Number.NaN;
  }

  private liveIndex(accountId: string): number {
    const a = this.indexById.get(accountId);
    if (a === undefined) throw invalidInput("$.accountId", `no account ${accountId} in the engine`);
    return a;
  }

  private unlinkGroups(a: number): void {
    for (let k = this.groupFrom.data[a]!; k < this.groupTo.data[a]!; k++) {
      this.books[this.groupBook.data[k]!]!.removeGroup(this.groupIndex.data[k]!);
    }
  }

  /** Lays one account out and margins it: only new instruments and its own groups are revalued. */
  private layoutAndMargin(accountItems: AccountItems, a: number): void {
    const instrumentsBefore = this.books.map((b) => b.nInstruments);
    this.layoutAccount(accountItems, a);
    const items = this.itemColumns();
    for (let k = this.groupFrom.data[a]!; k < this.groupTo.data[a]!; k++) {
      const b = this.groupBook.data[k]!;
      const book = this.books[b]!;
      const g = this.groupIndex.data[k]!;
      book.revalueInstruments(instrumentsBefore[b] ?? 0);
      book.revalueGroups(g, g + 1, items);
    }
    this.sumAccount(a);
  }

  /** The slot of the next account laid out in order: after the last one's. */
  private nextSlot(): number {
    return this.firstSlot + this.ids.length;
  }

  private appendAccount(accountId: string, slot: number): number {
    const a = this.ids.length;
    this.ids.push(accountId);
    this.indexById.set(accountId, a);
    this.live.push(1);
    this.slot.push(slot);
    for (const c of [this.groupFrom, this.groupTo, this.optionFrom, this.optionTo]) c.push(0);
    for (const c of [this.itemFrom, this.itemTo, this.bucketFrom, this.bucketTo]) c.push(0);
    return a;
  }

  /** Room for `n` accounts, the highest at slot `slots - 1` (default: slots follow the first one in order). */
  private reserveAccounts(n: number, slots = this.firstSlot + n): void {
    if (slots <= this.imAll.length) return;
    if (this.fixedOut) {
      throw invalidInput("$.accounts", `the result columns hold ${this.imAll.length} slots; ${slots} needed`);
    }
    const grow = (old: Float64Array) => {
      const next = new Float64Array(Math.max(n, 2 * old.length));
      next.set(old);
      return next;
    };
    this.imAll = grow(this.imAll);
    this.mmAll = grow(this.mmAll);
    this.collAll = grow(this.collAll);
  }

  private makeViews(n: number): BatchResultColumns {
    if (this.fixedOut) {
      return { initialMarginUsd: this.imAll, maintenanceMarginUsd: this.mmAll, collateralValueUsd: this.collAll };
    }
    return {
      initialMarginUsd: this.imAll.subarray(0, n),
      maintenanceMarginUsd: this.mmAll.subarray(0, n),
      collateralValueUsd: this.collAll.subarray(0, n),
    };
  }

  private itemColumns(): ItemColumns {
    return {
      collateralUsd: this.itemCollateral.data,
      exposureUsd: this.itemExposure.data,
      bandLossUsd: this.itemBandLoss.data,
    };
  }

  /** Counts what a bulk layout will append and reserves it, so each column is allocated once, not grown. */
  private presize(portfolios: readonly ResolvedPortfolio[]): void {
    const count = new LayoutCount();
    for (const p of portfolios) {
      count.account();
      for (const item of p.items) count.item(item.priced.kind === "option", item.underlying);
    }
    this.reserveLayout(count);
  }

  /**
   * `presize` from untrusted documents, before they are validated: the lengths of their lists and their positions'
   * and holdings' underlyings are capacity hints only (a wrong one costs a regrowth or spare room, never a wrong
   * figure).
   */
  private presizeDocuments(documents: readonly unknown[]): void {
    const count = new LayoutCount();
    const fieldsOf = (x: unknown) => (typeof x === "object" && x !== null ? x : {}) as Record<string, unknown>;
    const listOf = (d: unknown, key: string): readonly unknown[] => {
      const list = fieldsOf(d)[key];
      return Array.isArray(list) ? list : [];
    };
    for (const d of documents) {
      count.account();
      for (const h of listOf(d, "holdings")) {
        const { chain, token } = fieldsOf(h);
        const known = typeof chain === "string" && typeof token === "string" ? findToken(chain, token) : undefined;
        count.item(false, known?.underlying ?? "USD");
      }
      for (const p of listOf(d, "positions")) {
        const { kind, underlying } = fieldsOf(p);
        count.item(kind === "option", typeof underlying === "string" ? underlying : "USD");
      }
    }
    this.reserveLayout(count);
  }

  private reserveLayout(count: LayoutCount): void {
    const n = this.ids.length + count.accounts;
    for (const c of [this.live, this.slot, this.groupFrom, this.groupTo, this.optionFrom, this.optionTo]) c.reserve(n);
    for (const c of [this.itemFrom, this.itemTo, this.bucketFrom, this.bucketTo]) c.reserve(n);
    const items = this.itemCollateral.length + count.items;
    for (const c of [this.itemCollateral, this.itemExposure, this.bucketMember]) c.reserve(items);
    this.itemBandLoss.reserve(items * BAND_POINTS.length);
    const options = this.optionBook.length + count.options;
    for (const c of [this.optionBook, this.optionItem, this.optionRelSize]) c.reserve(options);
    for (const c of [this.groupBook, this.groupIndex]) c.reserve(this.groupBook.length + count.groups);
    // Books not made yet take their hint when they are (in layout order, so in order of first appearance).
    for (const [symbol, hint] of count.perUnderlying) {
      const b = this.bookIndex.get(symbol);
      if (b === undefined) this.bookHints.set(symbol, hint);
      else this.books[b]!.reserve(hint.groups, hint.rows);
    }
  }

  private haircutOf(item: ResolvedItem): number {
    return item.source === "holding" ? gridHaircut(this.config, tokenKindOf(item.token)) : -1;
  }

  /**
   * `columnsOf`, with what the layout could refuse (an underlying without a price, a feed without an oracle band)
   * checked before anything is changed: a portfolio the engine refuses leaves the engine as it was.
   */
  private checkedColumnsOf(portfolio: ResolvedPortfolio): AccountItems {
    const items = this.columnsOf(portfolio);
    for (let i = 0; i < items.n; i++) {
      const u = items.underlying[i]!;
      if (u !== "USD" && !this.bookIndex.has(u)) underlyingStateOf(this.market, u, "$.items");
      this.feedRel(items.chain[i]!, items.feed[i]!);
    }
    return items;
  }

  /** A resolved portfolio's items in the engine's reused columns. */
  private columnsOf(portfolio: ResolvedPortfolio): AccountItems {
    return accountItemsOf(portfolio, this.market, (item) => this.haircutOf(item), this.scratch);
  }

  private bookFor(symbol: string, path: string): number {
    const found = this.bookIndex.get(symbol);
    if (found !== undefined) return found;
    const state = underlyingStateOf(this.market, symbol, path);
    const b = this.books.length;
    const book = new UnderlyingBook(symbol, state, this.grid, this.spotMoves, this.config);
    const hint = this.bookHints.get(symbol);
    if (hint) book.reserve(hint.groups, hint.rows);
    this.bookHints.delete(symbol);
    this.books.push(book);
    this.bookIndex.set(symbol, b);
    this.bookItems.push([]);
    return b;
  }

  /** Relative oracle band of a (chain, feed), memoised: the bands are the construction market's (see the header). */
  private readonly feedRel = (chain: string, symbol: string): number => {
    let bySymbol = this.feedRels.get(chain);
    if (!bySymbol) {
      bySymbol = new Map();
      this.feedRels.set(chain, bySymbol);
    }
    let rel = bySymbol.get(symbol);
    if (rel === undefined) {
      rel = oracleFeedRel(this.market, chain, symbol, this.config.oracleStaleAddOnRel);
      bySymbol.set(symbol, rel);
    }
    return rel;
  };

  /** Appends one account's entries (groups, options, items, oracle buckets) and points account `a` at them. */
  private layoutAccount(items: AccountItems, a: number): void {
    const n = items.n;
    const itemBase = this.itemCollateral.length;
    this.itemFrom.data[a] = itemBase;
    const buckets = oracleBucketsOf(
      n,
      (i) => items.chain[i]!,
      (i) => items.feed[i]!,
      this.feedRel,
    );
    if (this.relScratch.length < n) this.relScratch = new Float64Array(2 * n);
    const relOf = this.relScratch;
    relOf.fill(0, 0, n);
    for (let k = 0; k < buckets.rel.length; k++) for (const i of buckets.members[k]!) relOf[i] = buckets.rel[k]!;
    const touched: number[] = [];
    for (let i = 0; i < n; i++) {
      // USD items never move with a spot: their collateral and band losses are set here once; others on revaluation.
      const haircut = items.haircut[i]!;
      const valueUsd = items.valueUsd[i]!;
      this.itemCollateral.push(collateralOf(valueUsd, haircut));
      this.itemExposure.push(items.kind[i] === KIND_CODE.spot ? valueUsd : Number.NaN);
      const at = this.itemBandLoss.pushZeros(BAND_POINTS.length);
      if (items.underlying[i] === "USD") {
        holdingBandLoss(this.itemBandLoss.data, at, valueUsd, haircut, relOf[i]!);
        continue;
      }
      const b = this.bookFor(items.underlying[i]!, "$.items");
      const list = this.bookItems[b]!;
      if (list.length === 0) touched.push(b);
      list.push(i);
    }
    this.itemTo.data[a] = this.itemCollateral.length;

    this.groupFrom.data[a] = this.groupBook.length;
    for (const b of touched) {
      const list = this.bookItems[b]!;
      const g = this.books[b]!.addGroup(a, items, list, itemBase, relOf);
      list.length = 0;
      this.groupBook.push(b);
      this.groupIndex.push(g);
    }
    this.groupTo.data[a] = this.groupBook.length;

    // Contingency on each contract's net size: +10 and -10 of the same put is no position.
    this.optionFrom.data[a] = this.optionBook.length;
    const OPTION = KIND_CODE.option;
    if (this.netShareScratch.length < n) this.netShareScratch = new Float64Array(2 * n);
    const netShares = optionNetSharesOf(
      n,
      (i) =>
        items.kind[i] === OPTION
          ? optionContractKey(
              items.chain[i]!,
              items.venue[i],
              items.underlying[i]!,
              items.expiryYears[i]!,
              items.strikeUsd[i]!,
              items.isCall[i] === 1,
            )
          : undefined,
      (i) => items.size[i]!,
      this.netShareScratch,
    );
    const rel = this.config.optionContingencyRel;
    for (let i = 0; i < n; i++) {
      if (items.kind[i] !== OPTION) continue;
      this.optionBook.push(this.bookFor(items.underlying[i]!, "$.items"));
      this.optionItem.push(itemBase + i);
      this.optionRelSize.push(rel * Math.abs(items.size[i]!) * netShares[i]!);
    }
    this.optionTo.data[a] = this.optionBook.length;

    this.bucketFrom.data[a] = this.bucketRel.length;
    buckets.rel.forEach((r, k) => {
      this.bucketRel.push(r);
      for (const i of buckets.members[k]!) this.bucketMember.push(itemBase + i);
      this.bucketMemberStart.push(this.bucketMember.length);
    });
    this.bucketTo.data[a] = this.bucketRel.length;
  }

  /** Re-adds one account's totals from its groups, options and items. */
  private sumAccount(a: number): void {
    let scenarioRisk = 0;
    const groupBook = this.groupBook.data;
    const groupIndex = this.groupIndex.data;
    const books = this.books;
    for (let k = this.groupFrom.data[a]!, end = this.groupTo.data[a]!; k < end; k++) {
      scenarioRisk += books[groupBook[k]!]!.groupLoss.data[groupIndex[k]!]!;
    }
    const contingency = this.contingency(a);
    const oracle = this.oracle(a);
    let collateral = 0;
    const itemCollateral = this.itemCollateral.data;
    for (let i = this.itemFrom.data[a]!, end = this.itemTo.data[a]!; i < end; i++) collateral += itemCollateral[i]!;
    const mm = this.config.maintenanceRatio;
    const s = this.slot.data[a]!;
    // The report's sum of its components, in their order.
    this.imAll[s] = 0 + scenarioRisk + contingency + oracle;
    this.mmAll[s] = 0 + scenarioRisk * mm + contingency * mm + oracle * mm;
    this.collAll[s] = collateral;
  }

  private contingency(a: number, itemUsd?: Float64Array): number {
    let total = 0;
    const relSize = this.optionRelSize.data;
    const optionBook = this.optionBook.data;
    const itemBase = this.itemFrom.data[a]!;
    for (let k = this.optionFrom.data[a]!, end = this.optionTo.data[a]!; k < end; k++) {
      const charge = relSize[k]! * this.books[optionBook[k]!]!.state.spotUsd;
      total += charge;
      if (itemUsd) itemUsd[this.optionItem.data[k]! - itemBase]! += charge;
    }
    return total;
  }

  private oracle(a: number, itemUsd?: Float64Array): number {
    return oracleCharge(
      this.bucketRel.data,
      this.bucketMemberStart.data,
      this.bucketMember.data,
      this.itemExposure.data,
      this.itemBandLoss.data,
      BAND_POINTS.length,
      this.bucketFrom.data[a]!,
      this.bucketTo.data[a]!,
      itemUsd,
      this.itemFrom.data[a]!,
    );
  }

  private checkLive(a: number): void {
    if (!(a >= 0 && a < this.ids.length && this.live.data[a] === 1)) {
      throw invalidInput("$.account", `no live account at index ${a}`);
    }
  }

  /** One account's figures (after `computeAll`). */
  account(a: number): BatchAccountResult {
    this.checkLive(a);
    const s = this.slot.data[a]!;
    const im = this.imAll[s]!;
    const mm = this.mmAll[s]!;
    const coll = this.collAll[s]!;
    return {
      accountId: this.ids[a]!,
      initialMarginUsd: im,
      maintenanceMarginUsd: mm,
      collateralValueUsd: coll,
      freeCollateralUsd: coll - im,
      healthRatio: mm > 0 ? coll / mm : null,
    };
  }

  /**
   * One account's margin in detail (after `computeAll`): scenario vectors per underlying and per-item attribution.
   * An item's scenario-risk margin is minus its P&L in its underlying's worst scenario, weighted (hedges get negative
   * margin), so the items of an underlying add up to that underlying's loss when it is positive.
   */
  explain(a: number): AccountGridDetail {
    this.checkLive(a);
    const itemBase = this.itemFrom.data[a]!;
    const nItems = this.itemTo.data[a]! - itemBase;
    const itemInitialUsd = new Float64Array(nItems);
    const groups: AccountGridDetail["groups"] = [];
    let scenarioRiskUsd = 0;
    for (let k = this.groupFrom.data[a]!; k < this.groupTo.data[a]!; k++) {
      const book = this.books[this.groupBook.data[k]!]!;
      const g = this.groupIndex.data[k]!;
      const worst = book.groupWorst.data[g]!;
      const lossUsd = book.groupLoss.data[g]!;
      if (lossUsd > 0) {
        const w = this.grid.weights[worst]!;
        const end = book.groupStart.data[g + 1]!;
        for (let r = book.groupStart.data[g]!; r < end; r++) {
          itemInitialUsd[book.item.data[r]! - itemBase]! -= w * book.rowPnl(r, worst);
        }
      }
      scenarioRiskUsd += lossUsd;
      const pnlUsd = book.pnl.data.slice(g * this.nScen, (g + 1) * this.nScen);
      groups.push({ underlying: book.symbol, pnlUsd, worstScenario: worst, lossUsd });
    }
    const contingencyUsd = this.contingency(a, itemInitialUsd);
    const oracleItemUsd = new Float64Array(nItems);
    const oracleUsd = this.oracle(a, oracleItemUsd);
    for (let i = 0; i < nItems; i++) itemInitialUsd[i]! += oracleItemUsd[i]!;
    const itemCollateralUsd = this.itemCollateral.data.slice(itemBase, itemBase + nItems);
    return { groups, scenarioRiskUsd, contingencyUsd, oracleUsd, itemInitialUsd, itemCollateralUsd };
  }

  /** Current market state of an underlying the engine holds, or undefined. */
  underlyingState(symbol: string): UnderlyingState | undefined {
    const b = this.bookIndex.get(symbol);
    return b === undefined ? undefined : { ...this.books[b]!.state };
  }

  /**
   * The scenario P&L vector of one account on one underlying (a copy, USD per grid scenario in `grid.ids` order) with
   * its worst scenario and loss; undefined when the account holds nothing on it.
   */
  scenarioPnl(
    a: number,
    symbol: string,
  ): { pnlUsd: Float64Array; worstScenarioId: string; worstLossUsd: number } | undefined {
    this.checkLive(a);
    const b = this.bookIndex.get(symbol);
    if (b === undefined) return undefined;
    for (let k = this.groupFrom.data[a]!; k < this.groupTo.data[a]!; k++) {
      if (this.groupBook.data[k] !== b) continue;
      const book = this.books[b]!;
      const g = this.groupIndex.data[k]!;
      return {
        pnlUsd: book.pnl.data.slice(g * this.nScen, (g + 1) * this.nScen),
        worstScenarioId: this.grid.ids[book.groupWorst.data[g]!]!,
        worstLossUsd: book.groupLoss.data[g]!,
      };
    }
    return undefined;
  }

  /** Bytes held in the engine's typed arrays (state and results, spare capacity included), for memory accounting. */
  stateBytes(): number {
    let bytes = this.imAll.byteLength + this.mmAll.byteLength + this.collAll.byteLength;
    for (const c of [
      this.live,
      this.slot,
      this.groupFrom,
      this.groupTo,
      this.optionFrom,
      this.optionTo,
      this.itemFrom,
      this.itemTo,
      this.bucketFrom,
      this.bucketTo,
      this.groupBook,
      this.groupIndex,
      this.optionBook,
      this.optionItem,
      this.optionRelSize,
      this.itemCollateral,
      this.itemExposure,
      this.itemBandLoss,
      this.bucketRel,
      this.bucketMemberStart,
      this.bucketMember,
    ]) {
      bytes += c.bytes();
    }
    for (const b of this.books) bytes += b.bytes();
    return bytes;
  }

  /** Number of distinct option instruments and of live (account, underlying) groups and rows per underlying. */
  shape(): Array<{ symbol: string; groups: number; positions: number; instruments: number }> {
    return this.books.map((b) => ({
      symbol: b.symbol,
      groups: b.liveGroups,
      positions: b.kind.length,
      instruments: b.nInstruments,
    }));
  }
}
