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
import { linearValueUnchecked } from "../../pricing/valuePosition.js";
import { BAND_POINTS, bandMultiplier, oracleExposureUsd } from "../common/oracleAddOn.js";
import type { GridScenarios } from "../gridPm/buildGridScenarios.js";
import type { GridPmConfig } from "../gridPm/config.js";
import { volShockScale } from "../gridPm/volShockScale.js";
import type { AccountItems } from "./accountItems.js";
import { f64Column, type GrowableColumn, i32Column, u8Column } from "./growableColumn.js";

/** Vol multiplier of every band point: the band moves the price only. */
const UNSHOCKED_VOL = new Float64Array(BAND_POINTS.length).fill(1);

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
  /** Index of the row's oracle band in `bandRels`; -1 when its item is in no oracle bucket. */
  readonly rowBand = i32Column();
  /**
   * Distinct relative oracle bands of the rows (few: one per chain's feed), and per band the unit value of each
   * instrument at each band point: `bandUnitValue[band].data[j * BAND_POINTS.length + c]`.
   */
  private readonly bandRels: number[] = [];
  private readonly bandUnitValue: GrowableColumn<Float64Array>[] = [];
  /** Per band, the spot multiplier of each band point (the kernel's scenarios). */
  private readonly bandSpotMults: Float64Array[] = [];
  /** Band P&L of the instruments being priced, [j * BAND_POINTS.length + c], reused. */
  private bandPnlScratch = new Float64Array(0);
  /** A band was added since the last pricing: every instrument must be priced at its points. */
  private bandDirty = false;
  /** Instrument index by strike, expiry years and vol, for calls and for puts. */
  private readonly callKeys = new Map<number, Map<number, Map<number, number>>>();
  private readonly putKeys = new Map<number, Map<number, Map<number, number>>>();
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
   * Appends one account's items on this underlying as a new group (not revalued yet).
   * @param account the account's index in the engine
   * @param items the account's items in columns
   * @param indices the items on this underlying, in item order
   * @param itemBase global item number of the account's item 0
   * @param rels relative oracle band of each item's bucket (by item index), 0 when in none
   * @returns the group's index
   */
  addGroup(
    account: number,
    items: AccountItems,
    indices: readonly number[],
    itemBase: number,
    rels: Float64Array,
  ): number {
    const OPTION = KIND_CODE.option;
    for (const i of indices) {
      const kind = items.kind[i]!;
      this.kind.push(kind);
      this.size.push(items.size[i]!);
      this.priceRatio.push(items.priceRatio[i]!);
      this.entryPriceUsd.push(items.entryPriceUsd[i]!);
      this.fundingAccruedUsd.push(items.fundingAccruedUsd[i]!);
      this.expiryYears.push(items.expiryYears[i]!);
      this.instrument.push(
        kind === OPTION
          ? this.instrumentOf(items.strikeUsd[i]!, items.expiryYears[i]!, items.isCall[i] === 1, items.volAnnual[i]!)
          : -1,
      );
      this.item.push(itemBase + i);
      this.haircut.push(items.haircut[i]!);
      this.rowBand.push(rels[i]! > 0 ? this.bandOf(rels[i]!) : -1);
    }
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
    for (const c of [this.expiryYears, this.instrument, this.item, this.haircut, this.rowBand]) c.reserve(r);
  }

  /** Marks a group dead: it is skipped from now on and its rows are garbage. */
  removeGroup(g: number): void {
    if (this.groupAccount.data[g]! < 0) return;
    this.groupAccount.data[g] = -1;
    this.liveGroups--;
  }

  private bandOf(rel: number): number {
    const found = this.bandRels.indexOf(rel);
    if (found >= 0) return found;
    this.bandRels.push(rel);
    // A price cannot fall below 0: a band wider than the price is taken at 0 there.
    this.bandSpotMults.push(Float64Array.from(BAND_POINTS, (_, c) => Math.max(0, bandMultiplier(c, rel))));
    const column = f64Column();
    column.pushZeros(this.instruments.length * BAND_POINTS.length);
    this.bandUnitValue.push(column);
    this.bandDirty = true;
    return this.bandRels.length - 1;
  }

  /** The distinct instrument of an option row (interned by its terms), created at unit size when new. */
  private instrumentOf(strikeUsd: number, expiryYears: number, isCall: boolean, volAnnual: number): number {
    // Interned by number keys (strike, then expiry, then vol; calls and puts apart): no key string per row.
    const byStrike = isCall ? this.callKeys : this.putKeys;
    let byExpiry = byStrike.get(strikeUsd);
    if (!byExpiry) {
      byExpiry = new Map();
      byStrike.set(strikeUsd, byExpiry);
    }
    let byVol = byExpiry.get(expiryYears);
    if (!byVol) {
      byVol = new Map();
      byExpiry.set(expiryYears, byVol);
    }
    const found = byVol.get(volAnnual);
    if (found !== undefined) return found;
    const j = this.instruments.length;
    byVol.set(volAnnual, j);
    this.instruments.push({
      kind: "option",
      size: 1,
      priceRatio: 1,
      entryPriceUsd: 0,
      strikeUsd,
      expiryYears,
      isCall,
      fundingAccruedUsd: 0,
    });
    this.instrumentVols.push(volAnnual);
    this.instrumentScale.push(volShockScale(this.config.volShockTenor, expiryYears));
    this.unitPnl.pushZeros(this.nScen);
    this.unitValue.push(0);
    for (const column of this.bandUnitValue) column.pushZeros(BAND_POINTS.length);
    return j;
  }

  /**
   * Prices instruments `from` .. end at the book's state: unit P&L per scenario and unit value (the revaluation
   * kernel, `positionValueUnchecked`'s formulas), then the band points (all instruments when a band was added).
   */
  revalueInstruments(from: number): void {
    const n = this.instruments.length;
    const bandFrom = this.bandDirty ? 0 : from;
    this.bandDirty = false;
    if (bandFrom >= n) return;
    const nScen = this.nScen;
    const block = this.blockFrom(from < n ? from : bandFrom);
    if (from < n) {
      revalueScenarios(
        block,
        this.state,
        this.grid.spotMults,
        this.grid.volMults,
        this.unitPnl.data.subarray(from * nScen),
        {
          minVolAnnual: this.config.minVolAnnual,
          volShockScale: this.instrumentScale.data.subarray(from, n),
          baseValueUsd: this.unitValue.data.subarray(from, n),
        },
      );
    }
    this.priceBandPoints(bandFrom === from ? block : this.blockFrom(bandFrom), bandFrom);
  }

  /** Kernel layout of instruments `from` .. end; the full layout is kept until instruments are added. */
  private blockFrom(from: number): PositionBlock {
    const path = `$.instruments.${this.symbol}`;
    if (from > 0) {
      return buildPositionBlock(this.instruments.slice(from), this.instrumentVols.slice(from), this.state, path);
    }
    if (this.block?.nPositions !== this.instruments.length) {
      this.block = buildPositionBlock(this.instruments, this.instrumentVols, this.state, path);
    }
    return this.block;
  }

  /**
   * Unit values of instruments `from` .. end at every band point of every band: the revaluation kernel with the band
   * points as unshocked-vol scenarios (full Black-76 at the moved spot, the instrument's own vol unfloored), value =
   * base + P&L. Shared by all rows of an instrument in a band, as the scenario P&L is.
   */
  private priceBandPoints(block: PositionBlock, from: number): void {
    const nPoints = BAND_POINTS.length;
    const count = block.nPositions;
    if (this.bandPnlScratch.length < count * nPoints) this.bandPnlScratch = new Float64Array(2 * count * nPoints);
    const pnl = this.bandPnlScratch;
    const base = this.unitValue.data;
    for (let band = 0; band < this.bandRels.length; band++) {
      revalueScenarios(block, this.state, this.bandSpotMults[band]!, UNSHOCKED_VOL, pnl, {
        baseValueUsd: base.subarray(from, from + count),
      });
      const out = this.bandUnitValue[band]!.data;
      for (let j = 0; j < count; j++) {
        const value = base[from + j]!;
        for (let c = 0; c < nPoints; c++) out[(from + j) * nPoints + c] = value + pnl[j * nPoints + c]!;
      }
    }
  }

  /**
   * Rebuilds the P&L vectors, worst scenarios and losses of live groups `from` .. `to - 1`, and their items' mark
   * value after haircut and oracle exposure (instruments must be priced first).
   */
  revalueGroups(from: number, to: number, items: ItemColumns): void {
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
    const { collateralUsd, exposureUsd, bandLossUsd } = items;
    const nPoints = BAND_POINTS.length;
    const rowBand = this.rowBand.data;
    const bandRels = this.bandRels;
    const bandUnitValue = this.bandUnitValue;
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
        let exposure = 0;
        if (j >= 0) {
          const u = j * nScen;
          for (let s = 0; s < nScen; s++) pnl[base + s]! += q * unitPnl[u + s]!;
          value = q * unitValue[j]!;
        } else {
          exposure = linearExposureUsd(k, q, spot, carry, priceRatio[r]!, expiry[r]!);
          for (let s = 0; s < nScen; s++) pnl[base + s]! += exposure * moves[s]!;
          value = linearValueUnchecked(k, q, spot, carry, expiry[r]!, priceRatio[r]!, entry[r]!, funding[r]!);
        }
        const it = item[r]!;
        const h = haircut[r]!;
        const collateral = collateralOf(value, h);
        collateralUsd[it] = collateral;
        exposureUsd[it] = oracleExposureUsd(k === SPOT, value, q, spot);
        // Oracle band: the row revalued with its price at each band point (options at full value, priced once per
        // instrument and band; a linear row's value moves by its exposure x the relative move).
        const band = rowBand[r]!;
        if (band >= 0) {
          const at = it * nPoints;
          if (j >= 0) {
            const unit = bandUnitValue[band]!.data;
            for (let c = 0; c < nPoints; c++)
              bandLossUsd[at + c] = collateral - collateralOf(q * unit[j * nPoints + c]!, h);
          } else {
            const rel = bandRels[band]!;
            for (let c = 0; c < nPoints; c++) {
              bandLossUsd[at + c] = collateral - collateralOf(value + exposure * (bandMultiplier(c, rel) - 1), h);
            }
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
      this.rowBand,
      ...this.bandUnitValue,
      this.instrumentScale,
      this.unitPnl,
      this.unitValue,
    ]) {
      bytes += c.bytes();
    }
    return bytes;
  }
}
