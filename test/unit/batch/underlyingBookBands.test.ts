import { afterEach, describe, expect, it } from "vitest";
import { accountItemsOf } from "../../../src/margin/batch/accountItems.js";
import { UnderlyingBook } from "../../../src/margin/batch/underlyingBook.js";
import { BAND_POINTS, bandMultiplier } from "../../../src/margin/common/oracleAddOn.js";
import { buildGridScenarios } from "../../../src/margin/gridPm/buildGridScenarios.js";
import type { GridPmConfig } from "../../../src/margin/gridPm/config.js";
import type { ResolvedItem } from "../../../src/margin/resolve/resolvedPortfolio.js";
import { resolveMarginConfig } from "../../../src/margin/resolveConfig.js";
import type { PricedPosition, UnderlyingState } from "../../../src/pricing/types.js";
import { valuePosition } from "../../../src/pricing/valuePosition.js";
import { black76Backend, setBlack76Backend } from "../../../src/pricing/wasm/black76Simd.js";
import { exampleMarket } from "../../support/exampleMarket.js";
import { pos } from "../../support/pricedPosition.js";

/** The WASM kernel's stated bound against the JS path: |diff| <= 1e-14 x (forward + strike) per price. */
const BOUND_REL = 1e-14;
const CONFIG = resolveMarginConfig({ model: "grid" }) as GridPmConfig;
const STATE: UnderlyingState = { spotUsd: 3000, carryRateAnnual: 0.05, riskFreeRateAnnual: 0.04 };
const NP = BAND_POINTS.length;
const MARKET = exampleMarket();

function item(priced: PricedPosition, volAnnual: number, k: number): ResolvedItem {
  return {
    id: `p${k}`,
    path: `$.positions[${k}]`,
    source: "position",
    label: `p${k}`,
    chain: "ethereum",
    underlying: "ETH",
    priced,
    volAnnual,
    valueUsd: 0,
  };
}

/** Options over the edge cases (expired, zero vol, far strikes, short dated), calls and puts, and one perp. */
function book(): { items: ResolvedItem[]; vols: number[] } {
  const items: ResolvedItem[] = [];
  const vols: number[] = [];
  for (let k = 0; k < 40; k++) {
    const expiryYears = k % 13 === 0 ? -0.02 : [1 / 365, 0.05, 0.3, 1.2][k % 4]!;
    const vol = k % 9 === 0 ? 0 : 0.25 + (k % 5) * 0.15;
    const p = pos({ kind: "option", size: (k % 5) - 2.5, strikeUsd: 1200 + 110 * k, expiryYears, isCall: k % 3 !== 0 });
    items.push(item(p, vol, k));
    vols.push(vol);
  }
  items.push(item(pos({ kind: "perp", size: 3, entryPriceUsd: 2900 }), 0, 40));
  vols.push(0);
  return { items, vols };
}

/** An empty ETH book at STATE on the grid model's scenarios. */
function emptyBook(): UnderlyingBook {
  const grid = buildGridScenarios(CONFIG);
  return new UnderlyingBook(
    "ETH",
    STATE,
    grid,
    grid.spotMults.map((m) => m - 1),
    CONFIG,
  );
}

/** Adds account `account`'s items as one group, item numbers from `first`, positions (no haircut), bands `rels`. */
function addGroup(b: UnderlyingBook, account: number, items: ResolvedItem[], first: number, rels: readonly number[]) {
  const columns = accountItemsOf({ accountId: "a", items, flags: [] }, MARKET, () => -1);
  b.addGroup(
    account,
    columns,
    items.map((_, k) => k),
    first,
    Float64Array.from(rels),
  );
}

/** Lays the book out in one group with the given band per item, prices it and returns its item columns. */
function price(rels: readonly number[], backend: "js" | "wasm") {
  setBlack76Backend(backend);
  expect(black76Backend()).toBe(backend);
  const b = emptyBook();
  const { items } = book();
  const n = items.length;
  addGroup(b, 0, items, 0, rels);
  b.revalueInstruments(0);
  const cols = {
    collateralUsd: new Float64Array(n),
    exposureUsd: new Float64Array(n),
    bandLossUsd: new Float64Array(n * NP),
  };
  b.revalueGroups(0, 1, cols);
  return { b, cols, items };
}

/** Tolerance of one option value from the kernel: |size| x bound x (forward + strike), forward at twice spot. */
function tolOf(p: PricedPosition): number {
  return 2 * BOUND_REL * Math.abs(p.size) * (2 * STATE.spotUsd + p.strikeUsd) + 1e-12;
}

afterEach(() => setBlack76Backend("wasm"));

describe("UnderlyingBook oracle band pricing (through the revaluation kernel)", () => {
  const rels = [0.02, 0.1, 1.5];
  for (const backend of ["js", "wasm"] as const) {
    it(`${backend}: each option's band loss is its value now less valuePosition at the moved spot, within the bound`, () => {
      const relOf = (k: number) => rels[k % rels.length]!;
      const { cols, items } = price(
        book().items.map((_, k) => relOf(k)),
        backend,
      );
      let checked = 0;
      items.forEach((it, k) => {
        const p = it.priced;
        const now = valuePosition(p, STATE, it.volAnnual);
        expect(Math.abs(cols.collateralUsd[k]! - now), `item ${k} value`).toBeLessThanOrEqual(tolOf(p));
        for (let c = 0; c < NP; c++) {
          // A band wider than the price moves it to 0 at most (prices are >= 0).
          const spot = STATE.spotUsd * Math.max(0, bandMultiplier(c, relOf(k)));
          const moved = valuePosition(p, { ...STATE, spotUsd: spot }, it.volAnnual);
          const got = cols.bandLossUsd[k * NP + c]!;
          expect(Number.isFinite(got), `item ${k} point ${c}`).toBe(true);
          expect(Math.abs(got - (now - moved)), `item ${k} point ${c}`).toBeLessThanOrEqual(2 * tolOf(p));
          checked++;
        }
      });
      expect(checked).toBe(items.length * NP);
      // Not vacuous: the bands move values.
      expect(cols.bandLossUsd.some((v) => Math.abs(v) > 10)).toBe(true);
    });
  }

  it("gives the same band losses and unit P&L on the JS and WASM paths within the bound", () => {
    const r = book().items.map((_, k) => rels[k % 2]!);
    const js = price(r, "js");
    const wasm = price(r, "wasm");
    js.items.forEach((it, k) => {
      for (let c = 0; c < NP; c++) {
        const d = Math.abs(js.cols.bandLossUsd[k * NP + c]! - wasm.cols.bandLossUsd[k * NP + c]!);
        expect(d, `item ${k} point ${c}`).toBeLessThanOrEqual(4 * tolOf(it.priced));
      }
    });
    const nScen = buildGridScenarios(CONFIG).ids.length;
    for (let s = 0; s < nScen; s++) {
      expect(Math.abs(js.b.rowPnl(5, s) - wasm.b.rowPnl(5, s))).toBeLessThanOrEqual(2 * tolOf(js.items[5]!.priced));
    }
  });

  it("prices every instrument at a band added after the first pricing (incremental revaluation)", () => {
    const b = emptyBook();
    const { items } = book();
    const first = items.slice(0, 20);
    addGroup(
      b,
      0,
      first,
      0,
      first.map(() => 0.02),
    );
    b.revalueInstruments(0);
    // Group 2 reuses group 1's instruments under a new band and adds new ones.
    const before = b.nInstruments;
    addGroup(
      b,
      1,
      items,
      100,
      items.map(() => 0.3),
    );
    b.revalueInstruments(before);
    const n = 100 + items.length;
    const cols = {
      collateralUsd: new Float64Array(n),
      exposureUsd: new Float64Array(n),
      bandLossUsd: new Float64Array(n * NP),
    };
    b.revalueGroups(0, 2, cols);
    items.forEach((it, k) => {
      const now = valuePosition(it.priced, STATE, it.volAnnual);
      for (let c = 0; c < NP; c++) {
        const moved = valuePosition(
          it.priced,
          { ...STATE, spotUsd: STATE.spotUsd * bandMultiplier(c, 0.3) },
          it.volAnnual,
        );
        const got = cols.bandLossUsd[(100 + k) * NP + c]!;
        expect(Math.abs(got - (now - moved)), `item ${k} point ${c}`).toBeLessThanOrEqual(2 * tolOf(it.priced));
      }
    });
  });
});
