import { describe, expect, it } from "vitest";
import { XmarginError } from "../../../src/core/errors.js";
import {
  buildPositionBlock,
  KIND_CODE,
  revalueScenarios,
  totalPnlByScenario,
} from "../../../src/pricing/revalueKernel.js";
import type { PricedPosition, UnderlyingState } from "../../../src/pricing/types.js";
import { valuePosition } from "../../../src/pricing/valuePosition.js";
import { black76Backend, setBlack76Backend } from "../../../src/pricing/wasm/black76Simd.js";
import { pos } from "../../support/pricedPosition.js";

const STATE: UnderlyingState = { spotUsd: 3000, carryRateAnnual: 0.06, riskFreeRateAnnual: 0.045 };

/** A mixed block of one underlying, with the base vol of each position (options only). */
const POSITIONS: PricedPosition[] = [
  pos({ kind: "spot", size: 10, priceRatio: 0.997 }),
  pos({ kind: "perp", size: -4, entryPriceUsd: 3150, fundingAccruedUsd: -21 }),
  pos({ kind: "future", size: 3, entryPriceUsd: 2980, expiryYears: 0.4 }),
  pos({ kind: "future", size: -1, entryPriceUsd: 2990, expiryYears: -0.01 }),
  pos({ kind: "option", size: 5, strikeUsd: 3300, expiryYears: 0.25, isCall: true }),
  pos({ kind: "option", size: -7, strikeUsd: 2700, expiryYears: 0.08, isCall: false }),
  pos({ kind: "option", size: 2, strikeUsd: 3000, expiryYears: 2 / 365, isCall: false }),
  pos({ kind: "option", size: -1.5, strikeUsd: 4200, expiryYears: 1.5, isCall: true }),
  pos({ kind: "option", size: 4, strikeUsd: 2900, expiryYears: 0, isCall: true }),
];
const VOLS = [0, 0, 0, 0, 0.62, 0.8, 0.55, 0.7, 0.6];

/** A grid of spot x vol moves, with the unshocked scenario in it. */
function grid(): { spotMults: Float64Array; volMults: Float64Array } {
  const spots = [0.5, 0.8, 0.93, 1, 1.07, 1.25, 1.6];
  const vols = [0.2, 0.75, 1, 1.4];
  const spotMults = new Float64Array(spots.length * vols.length);
  const volMults = new Float64Array(spots.length * vols.length);
  let s = 0;
  for (const m of spots) {
    for (const v of vols) {
      spotMults[s] = m;
      volMults[s] = v;
      s++;
    }
  }
  return { spotMults, volMults };
}

/** The kernel and the straightforward revaluation differ only in float rounding. */
const KERNEL_TOL = 1e-9;

/** P&L by full revaluation with valuePosition, applying the documented shock convention by hand. */
function straightforwardPnl(
  i: number,
  spotMult: number,
  volMult: number,
  minVolAnnual: number,
  volShockScale: number,
): number {
  const p = POSITIONS[i]!;
  const vol = VOLS[i]!;
  const shockedVol = Math.max(minVolAnnual, vol * (1 + (volMult - 1) * volShockScale));
  const shocked: UnderlyingState = { ...STATE, spotUsd: STATE.spotUsd * spotMult };
  return valuePosition(p, shocked, shockedVol) - valuePosition(p, STATE, vol);
}

describe("buildPositionBlock", () => {
  it("lays the positions out in columns", () => {
    const block = buildPositionBlock(POSITIONS, VOLS, STATE);
    expect(block.nPositions).toBe(9);
    expect([...block.kind]).toEqual([0, 1, 2, 2, 3, 3, 3, 3, 3]);
    expect(KIND_CODE.option).toBe(3);
    expect([...block.size]).toEqual([10, -4, 3, -1, 5, -7, 2, -1.5, 4]);
    expect([...block.isCall]).toEqual([0, 0, 0, 0, 1, 0, 0, 1, 1]);
    expect(block.priceRatio[0]).toBe(0.997);
    expect(block.entryPriceUsd[1]).toBe(3150);
    expect(block.fundingAccruedUsd[1]).toBe(-21);
    expect(block.strikeUsd[7]).toBe(4200);
    expect(block.expiryYears[2]).toBe(0.4);
    expect(block.volAnnual[5]).toBe(0.8);
  });

  it("validates every position with its index in the path", () => {
    const bad = [...POSITIONS];
    bad[4] = pos({ kind: "option", size: 1, strikeUsd: -1, expiryYears: 1, isCall: true });
    expect(() => buildPositionBlock(bad, VOLS, STATE)).toThrow(XmarginError);
    expect(() => buildPositionBlock(bad, VOLS, STATE)).toThrow(/\$\.positions\[4\]\.strikeUsd.*got -1/);
    expect(() => buildPositionBlock(POSITIONS, [0.5], STATE)).toThrow(/9 positions, got 1/);
  });
});

describe("revalueScenarios", () => {
  const block = buildPositionBlock(POSITIONS, VOLS, STATE);
  const { spotMults, volMults } = grid();
  const nScen = spotMults.length;
  const nPos = POSITIONS.length;

  it("equals valuePosition-based revaluation to 1e-9 on a mixed block", () => {
    const out = new Float64Array(nPos * nScen);
    revalueScenarios(block, STATE, spotMults, volMults, out);
    for (let i = 0; i < nPos; i++) {
      for (let s = 0; s < nScen; s++) {
        const expected = straightforwardPnl(i, spotMults[s]!, volMults[s]!, 0, 1);
        expect(Math.abs(out[i * nScen + s]! - expected), `position ${i}, scenario ${s}`).toBeLessThanOrEqual(
          KERNEL_TOL,
        );
      }
    }
  });

  it("applies the vol floor and the per-position vol-shock scale as documented", () => {
    const out = new Float64Array(nPos * nScen);
    // Tenor scaling (30 / DTE)^0.5 clipped at 2 for options, 1 elsewhere; a scale of 2 with volMult 0.2 gives
    // 1 + (0.2 - 1) * 2 = -0.6, which the floor must catch.
    const volShockScale = new Float64Array(
      POSITIONS.map((p) =>
        p.kind === "option" && p.expiryYears > 0 ? Math.min(2, Math.sqrt(30 / 365 / p.expiryYears)) : 1,
      ),
    );
    const minVolAnnual = 0.3;
    revalueScenarios(block, STATE, spotMults, volMults, out, { minVolAnnual, volShockScale });
    for (let i = 0; i < nPos; i++) {
      for (let s = 0; s < nScen; s++) {
        const expected = straightforwardPnl(i, spotMults[s]!, volMults[s]!, minVolAnnual, volShockScale[i]!);
        expect(Math.abs(out[i * nScen + s]! - expected), `position ${i}, scenario ${s}`).toBeLessThanOrEqual(
          KERNEL_TOL,
        );
      }
    }
  });

  it("gives zero P&L in the unshocked scenario and hand values for linear kinds", () => {
    const out = new Float64Array(nPos * 2);
    revalueScenarios(block, STATE, new Float64Array([1, 1.1]), new Float64Array([1, 1]), out);
    for (let i = 0; i < nPos; i++) expect(Math.abs(out[i * 2]!)).toBe(0);
    // Spot +10%: 10 * 3000 * 0.997 * 0.1 = 2991; perp: -4 * 300 = -1200; future: 3 * 3000 e^{0.024} * 0.1.
    expect(Math.abs(out[0 * 2 + 1]! - 2991)).toBeLessThan(1e-9);
    expect(Math.abs(out[1 * 2 + 1]! - -1200)).toBeLessThan(1e-9);
    expect(Math.abs(out[2 * 2 + 1]! - 900 * Math.exp(0.06 * 0.4))).toBeLessThan(1e-9);
    // Expired call, strike 2900: intrinsic 100 -> 400, P&L 4 * 300 = 1200.
    expect(Math.abs(out[8 * 2 + 1]! - 1200)).toBeLessThan(1e-9);
  });

  for (const backend of ["js", "wasm"] as const) {
    it(`${backend}: writes each position's base value, valuePosition's (exactly on js, within the kernel's bound)`, () => {
      setBlack76Backend(backend);
      try {
        expect(black76Backend()).toBe(backend);
        const out = new Float64Array(nPos * nScen);
        const base = new Float64Array(nPos).fill(Number.NaN);
        revalueScenarios(block, STATE, spotMults, volMults, out, { minVolAnnual: 0.7, baseValueUsd: base });
        POSITIONS.forEach((p, i) => {
          // Unfloored base vol, whatever the floor of the scenarios.
          const want = valuePosition(p, STATE, VOLS[i]!);
          // The kernel's stated bound: 1e-14 x (forward + strike) per unit.
          const tol = backend === "js" ? 0 : 1e-14 * Math.abs(p.size) * (2 * STATE.spotUsd + p.strikeUsd);
          expect(Math.abs(base[i]! - want), `position ${i}`).toBeLessThanOrEqual(tol);
        });
      } finally {
        setBlack76Backend("wasm");
      }
    });
  }

  it("rejects mismatched or non-finite inputs", () => {
    const out = new Float64Array(nPos * nScen);
    expect(() =>
      revalueScenarios(block, STATE, spotMults, volMults, out, { baseValueUsd: new Float64Array(nPos - 1) }),
    ).toThrow(/baseValueUsd needs 9/);
    expect(() => revalueScenarios(block, STATE, spotMults, new Float64Array(2), out)).toThrow(/volMults/);
    expect(() => revalueScenarios(block, STATE, spotMults, volMults, new Float64Array(3))).toThrow(/out needs/);
    const badSpot = spotMults.slice();
    badSpot[3] = Number.NaN;
    expect(() => revalueScenarios(block, STATE, badSpot, volMults, out)).toThrow(/spotMults\[3\].*got NaN/);
    expect(() =>
      revalueScenarios(block, STATE, spotMults, volMults, out, { volShockScale: new Float64Array(1) }),
    ).toThrow(/volShockScale/);
    expect(() => revalueScenarios(block, STATE, spotMults, volMults, out, { minVolAnnual: -0.1 })).toThrow(
      /minVolAnnual.*got -0.1/,
    );
    expect(() => revalueScenarios(block, { ...STATE, spotUsd: Number.NaN }, spotMults, volMults, out)).toThrow(
      /spotUsd.*got NaN/,
    );
  });
});

describe("totalPnlByScenario", () => {
  it("sums the P&L matrix over positions", () => {
    // 3 positions x 2 scenarios, row-major by position.
    const out = new Float64Array([1, -2, 10, 20, -0.5, 0.25]);
    const target = new Float64Array([99, 99, 99]);
    totalPnlByScenario(out, 3, 2, target);
    expect([...target]).toEqual([10.5, 18.25, 99]);
  });

  it("matches the sum of valuePosition P&Ls on the mixed block", () => {
    const block = buildPositionBlock(POSITIONS, VOLS, STATE);
    const { spotMults, volMults } = grid();
    const nScen = spotMults.length;
    const out = new Float64Array(POSITIONS.length * nScen);
    revalueScenarios(block, STATE, spotMults, volMults, out);
    const target = new Float64Array(nScen);
    totalPnlByScenario(out, POSITIONS.length, nScen, target);
    for (let s = 0; s < nScen; s++) {
      let expected = 0;
      for (let i = 0; i < POSITIONS.length; i++) expected += straightforwardPnl(i, spotMults[s]!, volMults[s]!, 0, 1);
      expect(Math.abs(target[s]! - expected)).toBeLessThanOrEqual(POSITIONS.length * KERNEL_TOL);
    }
  });

  it("rejects a too-short target", () => {
    expect(() => totalPnlByScenario(new Float64Array(4), 2, 2, new Float64Array(1))).toThrow(/target needs 2/);
  });
});
