/**
 * All accounts' positions on one underlying, in columns: the one place where grid positions are revalued, for one
 * account (`computeGridPm`) or a million (`BatchGridEngine`).
 *
 * A "group" is one account's positions on this underlying, rows `groupStart[g] .. groupStart[g + 1] - 1` in the
 * account's item order. Option rows point at a distinct instrument (strike, expiry, type, vol) priced once per
 * revaluation at unit size and shared by every account holding it; a group's scenario P&L vector is the sum over its
 * rows, in order, of `size x unit P&L` (options) or `exposure x spot move` (linear kinds). Columns only grow: a removed
 * group is marked dead (`groupAccount` -1) and skipped.
 */
import {
  buildPositionBlock,
  linearExposureUsd,
  type PositionBlock,
  revalueScenarios,
} from "../../pricing/revalueKernel.js";
import { KIND_CODE, type PricedPosition, type UnderlyingState } from "../../pricing/types.js";
import { linearValueUnchecked, positionValueUnchecked } from "../../pricing/valuePosition.js";
import { BAND_POINTS, bandMultiplier, oracleExposureUsd } from "../common/oracleAddOn.js";
import type { GridScenarios } from "../gridPm/buildGridScenarios.js";
import type { GridPmConfig } from "../gridPm/config.js";
import { volShockScale } from "../gridPm/volShockScale.js";
import type { ResolvedItem } from "../resolve/resolvedPortfolio.js";
import { f64Column, i32Column, u8Column } from "./growableColumn.js";

/** The grid model's collateral of an item: holdings worth more than 0 lose their haircut (`haircut` < 0: none). */
export function collateralOf(valueUsd: number, haircut: number): number {
  return haircut >= 0 && valueUsd > 0 ? valueUsd - haircut * valueUsd : valueUsd;
}

/**
 * Writes a holding's oracle band losses at `out[at ..]`: its collateral now less its collateral with its price at
 * each band point of `rel` (`BAND_POINTS`). For holdings that no spot moves (USD-based tokens with their own feed).
 */
export function holdingBandLoss(out: Float64Array, at: number, valueUsd: number, haircut: number, rel: number): void {
  if (rel <= 0) return;
  const now = collateralOf(valueUsd, haircut);
  for (let c = 0; c < BAND_POINTS.length; c++)
    out[at + c] = now - collateralOf(valueUsd * bandMultiplier(c, rel), haircut);
}

/** Item-level columns the book writes on revaluation (indexed by global item number). */
export interface ItemColumns {
  collateralUsd: Float64Array;
  exposureUsd: Float64Array;
  /** Relative oracle band of the item's bucket (read), 0 when it has none. */
  rel: Float64Array;
  /** Item i's collateral loss at band point c, `bandLossUsd[i * BAND_POINTS.length + c]` (written). */
  bandLossUsd: Float64Array;
}

export class UnderlyingBook {
  state: UnderlyingState;
  readonly groupAccount = i32Column();
  readonly groupStart = i32Column();
  /** Scenario P&L vectors: pnl[g * nScen + s], USD. */
  readonly pnl = f64Column();
  readonly groupLoss = f64Column();
  readonly groupWorst = i32Column();
  liveGroups = 0;
  readonly kind = u8Column();
  readonly size = f64Column();
  readonly priceRatio = f64Column();
  readonly entryPriceUsd = f64Column();
  readonly fundingAccruedUsd = f64Column();
  readonly expiryYears = f64Column();
  /** Option rows: index of the instrument; -1 for linear rows. */
  readonly instrument = i32Column();
  /** Global item number of each row. */
  readonly item = i32Column();
  /** Holdings: haircut rate of the token kind; -1 for positions. */
  readonly haircut = f64Column();
  private readonly instrumentKeys = new Map<string, number>();
  private readonly instruments: PricedPosition[] = [];
  private readonly instrumentVols: number[] = [];
  private readonly instrumentScale = f64Column();
  /** unitPnl[j * nScen + s] = value of instrument j in scenario s - its base value, USD per unit. */
  private readonly unitPnl = f64Column();
  private readonly unitValue = f64Column();
  /** Layout of instruments 0 .. blockSize - 1 for the kernel; rebuilt when instruments were added. */
  private block: PositionBlock | undefined;
  private readonly nScen: number;

  constructor(
    readonly symbol: string,
    state: UnderlyingState,
    private readonly grid: GridScenarios,
    private readonly spotMoves: Float64Array,
    private readonly config: GridPmConfig,
  ) {
    this.state = {
      spotUsd: state.spotUsd,
      carryRateAnnual: state.carryRateAnnual,
      riskFreeRateAnnual: state.riskFreeRateAnnual,
    };
    this.nScen = grid.ids.length;
    this.groupStart.push(0);
  }

  get nGroups(): number {
    return this.groupAccount.length;
  }

  get nInstruments(): number {
    return this.instruments.length;
  }

  /**
   * Appends one account's positions on this underlying as a new group (not revalued yet).
   * @param account the account's index in the engine
   * @param items the account's items on this underlying, in item order
   * @param itemNumbers global item number of each
   * @param haircuts haircut rate of each (holdings), -1 for positions
   * @returns the group's index
   */
  addGroup(
    account: number,
    items: readonly ResolvedItem[],
    itemNumbers: readonly number[],
    haircuts: readonly number[],
  ): number {
    items.forEach((item, k) => {
      const p = item.priced;
      this.kind.push(KIND_CODE[p.kind]);
      this.size.push(p.size);
      this.priceRatio.push(p.priceRatio);
      this.entryPriceUsd.push(p.entryPriceUsd);
      this.fundingAccruedUsd.push(p.fundingAccruedUsd);
      this.expiryYears.push(p.expiryYears);
      this.instrument.push(p.kind === "option" ? this.instrumentOf(p, item.volAnnual) : -1);
      this.item.push(itemNumbers[k]!);
      this.haircut.push(haircuts[k]!);
    });
    this.groupStart.push(this.kind.length);
    this.pnl.pushZeros(this.nScen);
    this.groupLoss.push(0);
    this.groupWorst.push(0);
    this.liveGroups++;
    return this.groupAccount.push(account);
  }

  /** Makes room for `groups` more groups of `rows` rows in all, so a bulk layout allocates each column once. */
  reserve(groups: number, rows: number): void {
    const g = this.groupAccount.length + groups;
    for (const c of [this.groupAccount, this.groupLoss, this.groupWorst]) c.reserve(g);
    this.groupStart.reserve(g + 1);
    this.pnl.reserve(g * this.nScen);
    const r = this.kind.length + rows;
    for (const c of [this.kind, this.size, this.priceRatio, this.entryPriceUsd, this.fundingAccruedUsd]) c.reserve(r);
    for (const c of [this.expiryYears, this.instrument, this.item, this.haircut]) c.reserve(r);
  }

  /** Marks a group dead: it is skipped from now on and its rows are garbage. */
  removeGroup(g: number): void {
    if (this.groupAccount.data[g]! < 0) return;
    this.groupAccount.data[g] = -1;
    this.liveGroups--;
  }

  private instrumentOf(p: PricedPosition, volAnnual: number): number {
    const key = `${p.strikeUsd}|${p.expiryYears}|${p.isCall ? 1 : 0}|${volAnnual}`;
    const found = this.instrumentKeys.get(key);
    if (found !== undefined) return found;
    const j = this.instruments.length;
    this.instrumentKeys.set(key, j);
    this.instruments.push({ ...p, size: 1 });
    this.instrumentVols.push(volAnnual);
    this.instrumentScale.push(volShockScale(this.config.volShockTenor, p.expiryYears));
    this.unitPnl.pushZeros(this.nScen);
    this.unitValue.push(0);
    return j;
  }

  /**
   * Prices instruments `from` .. end at the book's state: unit P&L per scenario (the revaluation kernel) and unit
   * value (`positionValueUnchecked`, the formula of `valuePosition`).
   */
  revalueInstruments(from: number): void {
    const n = this.instruments.length;
    if (from >= n) return;
    const nScen = this.nScen;
    let block: PositionBlock;
    if (from === 0) {
      if (this.block?.nPositions !== n) {
        this.block = buildPositionBlock(
          this.instruments,
          this.instrumentVols,
          this.state,
          `$.instruments.${this.symbol}`,
        );
      }
      block = this.block;
    } else {
      block = buildPositionBlock(
        this.instruments.slice(from),
        this.instrumentVols.slice(from),
        this.state,
        `$.instruments.${this.symbol}`,
      );
    }
    revalueScenarios(
      block,
      this.state,
      this.grid.spotMults,
      this.grid.volMults,
      this.unitPnl.data.subarray(from * nScen),
      {
        minVolAnnual: this.config.minVolAnnual,
        volShockScale: this.instrumentScale.data.subarray(from, n),
      },
    );
    const { spotUsd, carryRateAnnual, riskFreeRateAnnual } = this.state;
    const unitValue = this.unitValue.data;
    for (let j = from; j < n; j++) {
      const p = this.instruments[j]!;
      unitValue[j] = positionValueUnchecked(
        KIND_CODE.option,
        1,
        spotUsd,
        carryRateAnnual,
        riskFreeRateAnnual,
        this.instrumentVols[j]!,
        p.expiryYears,
        0,
        0,
        0,
        p.strikeUsd,
        p.isCall,
      );
    }
  }

  /**
   * Rebuilds the P&L vectors, worst scenarios and losses of live groups `from` .. `to - 1`, and their items' mark
   * value after haircut and oracle exposure (instruments must be priced first).
   */
  revalueGroups(from: number, to: number, items: ItemColumns): void {
    const OPTION = KIND_CODE.option;
    const SPOT = KIND_CODE.spot;
    const nScen = this.nScen;
    const { spotUsd: spot, carryRateAnnual: carry } = this.state;
    const moves = this.spotMoves;
    const weights = this.grid.weights;
    const unitPnl = this.unitPnl.data;
    const unitValue = this.unitValue.data;
    const pnl = this.pnl.data;
    const groupAccount = this.groupAccount.data;
    const groupStart = this.groupStart.data;
    const kind = this.kind.data;
    const size = this.size.data;
    const priceRatio = this.priceRatio.data;
    const entry = this.entryPriceUsd.data;
    const funding = this.fundingAccruedUsd.data;
    const expiry = this.expiryYears.data;
    const instrument = this.instrument.data;
    const item = this.item.data;
    const haircut = this.haircut.data;
    const { collateralUsd, exposureUsd, rel, bandLossUsd } = items;
    const nPoints = BAND_POINTS.length;
    const { riskFreeRateAnnual: rate } = this.state;
    const groupLoss = this.groupLoss.data;
    const groupWorst = this.groupWorst.data;
    for (let g = from; g < to; g++) {
      if (groupAccount[g]! < 0) continue;
      const base = g * nScen;
      pnl.fill(0, base, base + nScen);
      const end = groupStart[g + 1]!;
      for (let r = groupStart[g]!; r < end; r++) {
        const k = kind[r]!;
        const q = size[r]!;
        const j = instrument[r]!;
        let value: number;
        if (j >= 0) {
          const u = j * nScen;
          for (let s = 0; s < nScen; s++) pnl[base + s]! += q * unitPnl[u + s]!;
          value = q * unitValue[j]!;
        } else {
          const exposure = linearExposureUsd(k, q, spot, carry, priceRatio[r]!, expiry[r]!);
          for (let s = 0; s < nScen; s++) pnl[base + s]! += exposure * moves[s]!;
          value = linearValueUnchecked(k, q, spot, carry, expiry[r]!, priceRatio[r]!, entry[r]!, funding[r]!);
        }
        const it = item[r]!;
        const h = haircut[r]!;
        const collateral = collateralOf(value, h);
        collateralUsd[it] = collateral;
        exposureUsd[it] = oracleExposureUsd(k === SPOT, value, q, spot);
        // Oracle band: the row revalued with its price at each band point (options at full value).
        const band = rel[it]!;
        if (band > 0) {
          for (let c = 0; c < nPoints; c++) {
            const moved = spot * bandMultiplier(c, band);
            const p = j >= 0 ? this.instruments[j]! : undefined;
            const valueAt = p
              ? positionValueUnchecked(
                  OPTION,
                  q,
                  moved,
                  carry,
                  rate,
                  this.instrumentVols[j]!,
                  p.expiryYears,
                  0,
                  0,
                  0,
                  p.strikeUsd,
                  p.isCall,
                )
              : linearValueUnchecked(k, q, moved, carry, expiry[r]!, priceRatio[r]!, entry[r]!, funding[r]!);
            bandLossUsd[it * nPoints + c] = collateral - collateralOf(valueAt, h);
          }
        }
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
      groupLoss[g] = Math.max(0, -worstWeighted);
      groupWorst[g] = worst;
    }
  }

  /** P&L of row `r` in scenario `s`, USD: the term the row adds to its group's vector. */
  rowPnl(r: number, s: number): number {
    const j = this.instrument.data[r]!;
    const q = this.size.data[r]!;
    if (j >= 0) return q * this.unitPnl.data[j * this.nScen + s]!;
    const { spotUsd, carryRateAnnual } = this.state;
    const exposure = linearExposureUsd(
      this.kind.data[r]!,
      q,
      spotUsd,
      carryRateAnnual,
      this.priceRatio.data[r]!,
      this.expiryYears.data[r]!,
    );
    return exposure * this.spotMoves[s]!;
  }

  /** Bytes held in the book's columns, spare capacity included. */
  bytes(): number {
    let bytes = 9 * 8 * this.instruments.length;
    for (const c of [
      this.groupAccount,
      this.groupStart,
      this.pnl,
      this.groupLoss,
      this.groupWorst,
      this.kind,
      this.size,
      this.priceRatio,
      this.entryPriceUsd,
      this.fundingAccruedUsd,
      this.expiryYears,
      this.instrument,
      this.item,
      this.haircut,
      this.instrumentScale,
      this.unitPnl,
      this.unitValue,
    ]) {
      bytes += c.bytes();
    }
    return bytes;
  }
}
