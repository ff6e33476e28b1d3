/**
 * Batch and incremental grid re-margining of many accounts.
 *
 * `computeGridPm` margins one account: it lays out the positions of each underlying, revalues them under every grid
 * scenario and takes the worst weighted loss. A venue re-margins every account on every price tick; most of that work
 * does not change when one underlying moves. This engine keeps, per account and per underlying it touches (a
 * "group"), the scenario P&L vector of the group (Float64Array, one entry per grid scenario) and its worst loss, in
 * flat struct-of-arrays columns shared by all accounts. A tick of underlying U then:
 * 1. revalues each distinct option instrument of U once (strike, expiry, type, vol: the unit P&L vector
 *    `value_s - base`, by the same `revalueScenarios` kernel `computeGridPm` uses), shared by every account holding it;
 * 2. rebuilds the P&L vector of each group of U as the sum over its positions, in item order, of
 *    `size x unit_s` (options) or `exposure x (spotMult_s - 1)` (linear kinds) and re-takes its worst loss;
 * 3. re-adds the totals of the accounts that hold U: scenario risk (their other groups' losses are reused as they
 *    are), option contingency, oracle-uncertainty add-on (per (chain, feed) bucket, exposures re-marked) and
 *    collateral after haircuts.
 * Accounts without U recompute nothing.
 *
 * Every product and every sum is formed in the same order as in `computeGridPm`, `oracleAddOn` and `assembleReport`,
 * so the initial and maintenance margins and the collateral value are bit-identical to `computeGridPm` on each account
 * with the same market (tested in test/unit/batch/). The oracle bands (`market.tokenPrices`) are read once, at
 * construction; a tick moves prices, not oracle confidence.
 *
 * Tick semantics: `tick(symbol, state)` replaces the spot (and carry and risk-free rate) of one underlying. Resolved
 * position data is kept: sizes, strikes, expiries, option vols (implied vols are read from the surface at resolution)
 * and spot tokens' price ratios to their underlying (a WETH or WBTC holding moves with its underlying). Mark values are
 * recomputed with the formulas of `valuePosition`.
 */
import type { AggregatedPrice } from "../../oracles/aggregateQuotes.js";
import { allChainsFeedKey, chainFeedKey } from "../../oracles/feedKey.js";
import { black76PriceUnchecked } from "../../pricing/black76.js";
import { buildPositionBlock, KIND_CODE, type PositionBlock, revalueScenarios } from "../../pricing/revalueKernel.js";
import type { PricedPosition, UnderlyingState } from "../../pricing/types.js";
import { tokenKindOf } from "../common/collateralWeights.js";
import { buildGridScenarios, type GridScenarios } from "../gridPm/buildGridScenarios.js";
import type { GridPmConfig } from "../gridPm/config.js";
import { optionNetShares } from "../gridPm/optionNetShare.js";
import type { ResolvedMarket } from "../resolve/resolvedMarket.js";
import type { ResolvedPortfolio } from "../resolve/resolvedPortfolio.js";

const DAYS_PER_YEAR = 365;

/** Per-account result columns; pass views on a SharedArrayBuffer to share them with other threads. */
export interface BatchResultColumns {
  initialMarginUsd: Float64Array;
  maintenanceMarginUsd: Float64Array;
  /** Collateral after the grid model's haircuts (the grid model counts it against both IM and MM). */
  collateralValueUsd: Float64Array;
}

export interface BatchGridOptions {
  /** Where to write results (length >= number of accounts); fresh arrays by default. */
  out?: BatchResultColumns;
}

/** One account's figures, as `computeGridPm` would report them. */
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

/** All accounts' positions on one underlying, in columns. */
interface UnderlyingBook {
  symbol: string;
  state: UnderlyingState;
  nGroups: number;
  /** Account of each group. */
  groupAccount: Int32Array;
  /** Positions of group g are rows groupStart[g] .. groupStart[g + 1] - 1, in the account's item order. */
  groupStart: Int32Array;
  kind: Uint8Array;
  size: Float64Array;
  priceRatio: Float64Array;
  entryPriceUsd: Float64Array;
  fundingAccruedUsd: Float64Array;
  expiryYears: Float64Array;
  /** Option rows: index of the instrument; -1 for linear rows. */
  instrument: Int32Array;
  /** Global item index (into the item collateral column). */
  item: Int32Array;
  /** Holdings: haircut rate of the token kind; -1 for positions (no haircut). */
  haircut: Float64Array;
  /** Distinct option instruments, unit size. */
  instruments: PositionBlock;
  instrumentVolShockScale: Float64Array;
  /** unitPnl[j * nScen + s] = value of instrument j in scenario s - its base value. */
  unitPnl: Float64Array;
  /** Base value of each instrument, USD per unit. */
  unitValue: Float64Array;
  /** The precomputed scenario P&L vectors: pnl[g * nScen + s]. */
  pnl: Float64Array;
  groupLoss: Float64Array;
  groupWorst: Int32Array;
}

/** Columns as plain number arrays while accounts are added (typed arrays once all are in). */
interface BookBuilder {
  symbol: string;
  groupAccount: number[];
  groupStart: number[];
  kind: number[];
  size: number[];
  priceRatio: number[];
  entryPriceUsd: number[];
  fundingAccruedUsd: number[];
  expiryYears: number[];
  instrument: number[];
  item: number[];
  haircut: number[];
  instrumentKeys: Map<string, number>;
  instruments: PricedPosition[];
  instrumentVols: number[];
}

/** Batch grid re-margining engine; see the module header. */
export class BatchGridEngine {
  readonly nAccounts: number;
  readonly accountIds: readonly string[];
  readonly config: GridPmConfig;
  readonly grid: GridScenarios;
  readonly initialMarginUsd: Float64Array;
  readonly maintenanceMarginUsd: Float64Array;
  readonly collateralValueUsd: Float64Array;
  private readonly nScen: number;
  private readonly spotMoves: Float64Array;
  private readonly books: UnderlyingBook[];
  private readonly bookIndex: Map<string, number>;
  /** Groups of account a: accGroupBook/accGroupIndex[accGroupStart[a] ..], in computeGridPm's underlying order. */
  private readonly accGroupStart: Int32Array;
  private readonly accGroupBook: Int32Array;
  private readonly accGroupIndex: Int32Array;
  /** Options of account a, in item order: book and contingencyRel x |size|. */
  private readonly accOptionStart: Int32Array;
  private readonly optionBook: Int32Array;
  private readonly optionRelSize: Float64Array;
  /** Items of account a are accItemStart[a] .. accItemStart[a + 1] - 1 of `itemCollateral` and `itemExposure`. */
  private readonly accItemStart: Int32Array;
  private readonly itemCollateral: Float64Array;
  /** Price exposure of each item as the oracle add-on counts it (holdings: value; derivatives: size x spot). */
  private readonly itemExposure: Float64Array;
  /** Oracle buckets (chain, feed) of account a: accBucketStart[a] .., each with its rate and member items. */
  private readonly accBucketStart: Int32Array;
  private readonly bucketRel: Float64Array;
  private readonly bucketMemberStart: Int32Array;
  private readonly bucketMember: Int32Array;

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
    const nAcc = portfolios.length;
    this.nAccounts = nAcc;
    this.accountIds = portfolios.map((p) => p.accountId);
    this.config = config;
    this.grid = buildGridScenarios(config);
    const nScen = this.grid.ids.length;
    this.nScen = nScen;
    this.spotMoves = this.grid.spotMults.map((m) => m - 1);
    const out = options.out;
    this.initialMarginUsd = out?.initialMarginUsd ?? new Float64Array(nAcc);
    this.maintenanceMarginUsd = out?.maintenanceMarginUsd ?? new Float64Array(nAcc);
    this.collateralValueUsd = out?.collateralValueUsd ?? new Float64Array(nAcc);

    const builders: BookBuilder[] = [];
    this.bookIndex = new Map();
    const accGroupStart = [0];
    const accGroupBook: number[] = [];
    const accGroupIndex: number[] = [];
    const accOptionStart = [0];
    const optionBook: number[] = [];
    const optionRelSize: number[] = [];
    const accItemStart = [0];
    const itemCollateral: number[] = [];
    const itemExposure: number[] = [];
    const accBucketStart = [0];
    const bucketRel: number[] = [];
    const bucketMemberStart = [0];
    const bucketMember: number[] = [];
    const rel = config.optionContingencyRel;

    portfolios.forEach((portfolio, a) => {
      const items = portfolio.items;
      const itemBase = itemCollateral.length;
      // Underlyings in order of first appearance, as computeGridPm's Map, each with its items in order.
      const groups = new Map<string, number[]>();
      items.forEach((item, i) => {
        // Collateral of USD items never changes; others are overwritten by computeAll.
        itemCollateral.push(collateralOf(item.valueUsd, item.source === "holding" ? this.haircutOf(item.token) : -1));
        const spot = market.underlyings.get(item.underlying)?.spotUsd ?? 0;
        itemExposure.push(item.priced.kind === "spot" ? item.valueUsd : item.priced.size * spot);
        if (item.underlying === "USD") return;
        const list = groups.get(item.underlying);
        if (list) list.push(i);
        else groups.set(item.underlying, [i]);
      });
      for (const [symbol, indices] of groups) {
        const state = market.underlyings.get(symbol);
        if (!state) continue; // resolution guarantees a state, as in computeGridPm
        let b = this.bookIndex.get(symbol);
        if (b === undefined) {
          b = builders.length;
          this.bookIndex.set(symbol, b);
          builders.push({
            symbol,
            groupAccount: [],
            groupStart: [0],
            kind: [],
            size: [],
            priceRatio: [],
            entryPriceUsd: [],
            fundingAccruedUsd: [],
            expiryYears: [],
            instrument: [],
            item: [],
            haircut: [],
            instrumentKeys: new Map(),
            instruments: [],
            instrumentVols: [],
          });
        }
        const builder = builders[b]!;
        accGroupBook.push(b);
        accGroupIndex.push(builder.groupAccount.length);
        builder.groupAccount.push(a);
        for (const i of indices) {
          const item = items[i]!;
          const p = item.priced;
          let instrument = -1;
          if (p.kind === "option") {
            const key = `${p.strikeUsd}|${p.expiryYears}|${p.isCall ? 1 : 0}|${item.volAnnual}`;
            const found = builder.instrumentKeys.get(key);
            if (found === undefined) {
              instrument = builder.instruments.length;
              builder.instrumentKeys.set(key, instrument);
              builder.instruments.push({ ...p, size: 1 });
              builder.instrumentVols.push(item.volAnnual);
            } else {
              instrument = found;
            }
          }
          builder.kind.push(KIND_CODE[p.kind]);
          builder.size.push(p.size);
          builder.priceRatio.push(p.priceRatio);
          builder.entryPriceUsd.push(p.entryPriceUsd);
          builder.fundingAccruedUsd.push(p.fundingAccruedUsd);
          builder.expiryYears.push(p.expiryYears);
          builder.instrument.push(instrument);
          builder.item.push(itemBase + i);
          builder.haircut.push(item.source === "holding" ? this.haircutOf(item.token) : -1);
        }
        builder.groupStart.push(builder.kind.length);
      }
      accGroupStart.push(accGroupBook.length);
      // Contingency on each contract's net size, as computeGridPm charges it.
      const netShares = optionNetShares(items);
      items.forEach((item, i) => {
        if (item.priced.kind !== "option") return;
        const b = this.bookIndex.get(item.underlying);
        if (b === undefined || !market.underlyings.has(item.underlying)) return;
        optionBook.push(b);
        optionRelSize.push(rel * Math.abs(item.priced.size) * netShares[i]!);
      });
      accOptionStart.push(optionBook.length);
      // Oracle add-on buckets, as oracleAddOn forms them (first appearance order, members in item order).
      const buckets = new Map<string, { rel: number; members: number[] }>();
      items.forEach((item, i) => {
        const symbol =
          item.token && market.tokenPrices.has(allChainsFeedKey(item.token.symbol))
            ? item.token.symbol
            : item.underlying;
        if (symbol === "USD") return;
        const rel = Math.max(
          relativeUncertainty(market.tokenPrices.get(chainFeedKey(item.chain, symbol)), config.oracleStaleAddOnRel),
          relativeUncertainty(market.tokenPrices.get(allChainsFeedKey(symbol)), config.oracleStaleAddOnRel),
        );
        if (rel <= 0) return;
        const key = `${item.chain}|${symbol}`;
        const bucket = buckets.get(key) ?? { rel: 0, members: [] };
        bucket.rel = Math.max(bucket.rel, rel);
        bucket.members.push(itemBase + i);
        buckets.set(key, bucket);
      });
      for (const bucket of buckets.values()) {
        bucketRel.push(bucket.rel);
        for (const m of bucket.members) bucketMember.push(m);
        bucketMemberStart.push(bucketMember.length);
      }
      accBucketStart.push(bucketRel.length);
      accItemStart.push(itemCollateral.length);
    });

    this.books = builders.map((bb) => this.freezeBook(bb, market));
    this.accGroupStart = new Int32Array(accGroupStart);
    this.accGroupBook = new Int32Array(accGroupBook);
    this.accGroupIndex = new Int32Array(accGroupIndex);
    this.accOptionStart = new Int32Array(accOptionStart);
    this.optionBook = new Int32Array(optionBook);
    this.optionRelSize = new Float64Array(optionRelSize);
    this.accItemStart = new Int32Array(accItemStart);
    this.itemCollateral = new Float64Array(itemCollateral);
    this.itemExposure = new Float64Array(itemExposure);
    this.accBucketStart = new Int32Array(accBucketStart);
    this.bucketRel = new Float64Array(bucketRel);
    this.bucketMemberStart = new Int32Array(bucketMemberStart);
    this.bucketMember = new Int32Array(bucketMember);
  }

  private haircutOf(token: ResolvedPortfolio["items"][number]["token"]): number {
    return this.config.haircutByKind[tokenKindOf(token)] ?? 0;
  }

  private freezeBook(bb: BookBuilder, market: ResolvedMarket): UnderlyingBook {
    const u = market.underlyings.get(bb.symbol)!;
    const state: UnderlyingState = {
      spotUsd: u.spotUsd,
      carryRateAnnual: u.carryRateAnnual,
      riskFreeRateAnnual: u.riskFreeRateAnnual,
    };
    const nInstr = bb.instruments.length;
    const tenor = this.config.volShockTenor;
    const nGroups = bb.groupAccount.length;
    return {
      symbol: bb.symbol,
      state,
      nGroups,
      groupAccount: new Int32Array(bb.groupAccount),
      groupStart: new Int32Array(bb.groupStart),
      kind: new Uint8Array(bb.kind),
      size: new Float64Array(bb.size),
      priceRatio: new Float64Array(bb.priceRatio),
      entryPriceUsd: new Float64Array(bb.entryPriceUsd),
      fundingAccruedUsd: new Float64Array(bb.fundingAccruedUsd),
      expiryYears: new Float64Array(bb.expiryYears),
      instrument: new Int32Array(bb.instrument),
      item: new Int32Array(bb.item),
      haircut: new Float64Array(bb.haircut),
      instruments: buildPositionBlock(bb.instruments, bb.instrumentVols, state, `$.instruments.${bb.symbol}`),
      instrumentVolShockScale: Float64Array.from(bb.instruments, (p) => {
        const days = Math.max(tenor.floorDays, p.expiryYears * DAYS_PER_YEAR);
        return (tenor.referenceDays / days) ** tenor.power;
      }),
      unitPnl: new Float64Array(nInstr * this.nScen),
      unitValue: new Float64Array(nInstr),
      pnl: new Float64Array(nGroups * this.nScen),
      groupLoss: new Float64Array(nGroups),
      groupWorst: new Int32Array(nGroups),
    };
  }

  /** Cold re-margin: revalues every underlying's instruments and groups, then every account's totals. */
  computeAll(): void {
    for (const book of this.books) this.revalueBook(book);
    for (let a = 0; a < this.nAccounts; a++) this.sumAccount(a);
  }

  /**
   * Incremental re-margin after one underlying's market state changes: only that underlying's instruments and groups
   * are revalued and only the accounts holding it re-added. An underlying no account holds is a no-op.
   * @param symbol underlying, e.g. "BTC"
   * @param state its new spot (USD), carry and risk-free rates
   */
  tick(symbol: string, state: UnderlyingState): TickStats {
    const b = this.bookIndex.get(symbol);
    if (b === undefined) return { instrumentsRevalued: 0, groupsRecomputed: 0, accountsUpdated: 0 };
    const book = this.books[b]!;
    book.state = {
      spotUsd: state.spotUsd,
      carryRateAnnual: state.carryRateAnnual,
      riskFreeRateAnnual: state.riskFreeRateAnnual,
    };
    this.revalueBook(book);
    const groupAccount = book.groupAccount;
    for (let g = 0; g < book.nGroups; g++) this.sumAccount(groupAccount[g]!);
    return {
      instrumentsRevalued: book.instruments.nPositions,
      groupsRecomputed: book.nGroups,
      accountsUpdated: book.nGroups,
    };
  }

  /** Revalues one underlying's instruments, rebuilds its groups' P&L vectors, worst losses and item collateral. */
  private revalueBook(book: UnderlyingBook): void {
    const nScen = this.nScen;
    const { spotUsd: spot, carryRateAnnual: carry, riskFreeRateAnnual: rf } = book.state;
    const instruments = book.instruments;
    const unitPnl = book.unitPnl;
    const unitValue = book.unitValue;
    if (instruments.nPositions > 0) {
      revalueScenarios(instruments, book.state, this.grid.spotMults, this.grid.volMults, unitPnl, {
        minVolAnnual: this.config.minVolAnnual,
        volShockScale: book.instrumentVolShockScale,
      });
      for (let j = 0; j < instruments.nPositions; j++) {
        const strike = instruments.strikeUsd[j]!;
        const years = instruments.expiryYears[j]!;
        const isCall = instruments.isCall[j] === 1;
        // valuePosition's formulas (per unit).
        unitValue[j] =
          years <= 0
            ? isCall
              ? Math.max(spot - strike, 0)
              : Math.max(strike - spot, 0)
            : black76PriceUnchecked(
                spot * Math.exp(carry * years),
                strike,
                years,
                instruments.volAnnual[j]!,
                Math.exp(-rf * years),
                isCall,
              );
      }
    }
    const moves = this.spotMoves;
    const weights = this.grid.weights;
    const pnl = book.pnl;
    const { groupStart, kind, size, priceRatio, entryPriceUsd, fundingAccruedUsd, expiryYears, instrument, item } =
      book;
    const haircut = book.haircut;
    const itemCollateral = this.itemCollateral;
    const itemExposure = this.itemExposure;
    const SPOT = KIND_CODE.spot;
    const PERP = KIND_CODE.perp;
    const FUTURE = KIND_CODE.future;
    for (let g = 0; g < book.nGroups; g++) {
      const base = g * nScen;
      pnl.fill(0, base, base + nScen);
      const end = groupStart[g + 1]!;
      for (let r = groupStart[g]!; r < end; r++) {
        const k = kind[r]!;
        const q = size[r]!;
        let value: number;
        const j = instrument[r]!;
        const it = item[r]!;
        if (j >= 0) {
          const u = j * nScen;
          for (let s = 0; s < nScen; s++) pnl[base + s]! += q * unitPnl[u + s]!;
          value = q * unitValue[j]!;
        } else {
          // The revaluation kernel's exposures and valuePosition's values, term for term.
          let exposure: number;
          if (k === SPOT) {
            exposure = q * spot * priceRatio[r]!;
            value = exposure;
          } else if (k === PERP) {
            exposure = q * spot;
            value = q * (spot - entryPriceUsd[r]!) + fundingAccruedUsd[r]!;
          } else if (k === FUTURE) {
            const forward = spot * Math.exp(carry * Math.max(expiryYears[r]!, 0));
            exposure = q * forward;
            value = q * (forward - entryPriceUsd[r]!);
          } else {
            exposure = 0;
            value = 0;
          }
          for (let s = 0; s < nScen; s++) pnl[base + s]! += exposure * moves[s]!;
        }
        itemCollateral[it] = collateralOf(value, haircut[r]!);
        itemExposure[it] = k === SPOT ? value : q * spot;
      }
      let worst = 0;
      let worstWeighted = Number.POSITIVE_INFINITY;
      for (let s = 0; s < nScen; s++) {
        const x = weights[s]! * pnl[base + s]!;
        if (x < worstWeighted) {
          worstWeighted = x;
          worst = s;
        }
      }
      book.groupLoss[g] = Math.max(0, -worstWeighted);
      book.groupWorst[g] = worst;
    }
  }

  /** Re-adds one account's totals from its groups, options and items, in computeGridPm's order. */
  private sumAccount(a: number): void {
    let scenarioRisk = 0;
    for (let k = this.accGroupStart[a]!; k < this.accGroupStart[a + 1]!; k++) {
      scenarioRisk += this.books[this.accGroupBook[k]!]!.groupLoss[this.accGroupIndex[k]!]!;
    }
    let contingency = 0;
    for (let k = this.accOptionStart[a]!; k < this.accOptionStart[a + 1]!; k++) {
      contingency += this.optionRelSize[k]! * this.books[this.optionBook[k]!]!.state.spotUsd;
    }
    let oracle = 0;
    for (let k = this.accBucketStart[a]!; k < this.accBucketStart[a + 1]!; k++) {
      let net = 0;
      for (let m = this.bucketMemberStart[k]!; m < this.bucketMemberStart[k + 1]!; m++) {
        net += this.itemExposure[this.bucketMember[m]!]!;
      }
      oracle += Math.abs(net) * this.bucketRel[k]!;
    }
    let collateral = 0;
    for (let i = this.accItemStart[a]!; i < this.accItemStart[a + 1]!; i++) collateral += this.itemCollateral[i]!;
    const mm = this.config.maintenanceRatio;
    // assembleReport's sum of the components, in their order.
    this.initialMarginUsd[a] = 0 + scenarioRisk + contingency + oracle;
    this.maintenanceMarginUsd[a] = 0 + scenarioRisk * mm + contingency * mm + oracle * mm;
    this.collateralValueUsd[a] = collateral;
  }

  /** One account's figures (after `computeAll`). */
  account(a: number): BatchAccountResult {
    const im = this.initialMarginUsd[a]!;
    const mm = this.maintenanceMarginUsd[a]!;
    const coll = this.collateralValueUsd[a]!;
    return {
      accountId: this.accountIds[a]!,
      initialMarginUsd: im,
      maintenanceMarginUsd: mm,
      collateralValueUsd: coll,
      freeCollateralUsd: coll - im,
      healthRatio: mm > 0 ? coll / mm : null,
    };
  }

  /** Current market state of an underlying the engine holds, or undefined. */
  underlyingState(symbol: string): UnderlyingState | undefined {
    const b = this.bookIndex.get(symbol);
    return b === undefined ? undefined : { ...this.books[b]!.state };
  }

  /**
   * The precomputed scenario P&L vector of one account on one underlying (a copy, USD per grid scenario in
   * `grid.ids` order) with its worst scenario and loss; undefined when the account holds nothing on it.
   */
  scenarioPnl(
    a: number,
    symbol: string,
  ): { pnlUsd: Float64Array; worstScenarioId: string; worstLossUsd: number } | undefined {
    const b = this.bookIndex.get(symbol);
    if (b === undefined) return undefined;
    for (let k = this.accGroupStart[a]!; k < this.accGroupStart[a + 1]!; k++) {
      if (this.accGroupBook[k] !== b) continue;
      const book = this.books[b]!;
      const g = this.accGroupIndex[k]!;
      return {
        pnlUsd: book.pnl.slice(g * this.nScen, (g + 1) * this.nScen),
        worstScenarioId: this.grid.ids[book.groupWorst[g]!]!,
        worstLossUsd: book.groupLoss[g]!,
      };
    }
    return undefined;
  }

  /** Bytes held in the engine's typed arrays (state and results), for memory accounting. */
  stateBytes(): number {
    let bytes =
      this.initialMarginUsd.byteLength +
      this.maintenanceMarginUsd.byteLength +
      this.collateralValueUsd.byteLength +
      this.accGroupStart.byteLength +
      this.accGroupBook.byteLength +
      this.accGroupIndex.byteLength +
      this.accOptionStart.byteLength +
      this.optionBook.byteLength +
      this.optionRelSize.byteLength +
      this.accItemStart.byteLength +
      this.itemCollateral.byteLength +
      this.itemExposure.byteLength +
      this.accBucketStart.byteLength +
      this.bucketRel.byteLength +
      this.bucketMemberStart.byteLength +
      this.bucketMember.byteLength;
    for (const b of this.books) {
      for (const column of [
        b.groupAccount,
        b.groupStart,
        b.kind,
        b.size,
        b.priceRatio,
        b.entryPriceUsd,
        b.fundingAccruedUsd,
        b.expiryYears,
        b.instrument,
        b.item,
        b.haircut,
        b.instrumentVolShockScale,
        b.unitPnl,
        b.unitValue,
        b.pnl,
        b.groupLoss,
        b.groupWorst,
      ]) {
        bytes += column.byteLength;
      }
      bytes += 9 * 8 * b.instruments.nPositions;
    }
    return bytes;
  }

  /** Number of distinct option instruments and of (account, underlying) groups per underlying. */
  shape(): Array<{ symbol: string; groups: number; positions: number; instruments: number }> {
    return this.books.map((b) => ({
      symbol: b.symbol,
      groups: b.nGroups,
      positions: b.kind.length,
      instruments: b.instruments.nPositions,
    }));
  }
}

/**
 * Relative uncertainty of an aggregated price as the oracle add-on (src/margin/common/oracleAddOn.ts) counts it: its
 * band over its price, plus the stale add-on when every source is stale. Kept in step with that module by the tests.
 */
function relativeUncertainty(p: AggregatedPrice | undefined, staleAddOnRel: number): number {
  if (!p) return 0;
  const stale = p.flags.some((f) => f.code === "ORACLE_STALE" && f.severity === "critical");
  return p.uncertaintyUsd / p.priceUsd + (stale ? staleAddOnRel : 0);
}

/** computeGridPm's collateral of an item: holdings worth more than 0 lose their haircut (`haircut` < 0: none). */
function collateralOf(valueUsd: number, haircut: number): number {
  return haircut >= 0 && valueUsd > 0 ? valueUsd - haircut * valueUsd : valueUsd;
}
