import { afterEach, describe, expect, it } from "vitest";
import { generateAccounts } from "../../../../bench/generateAccounts.js";
import { generatePortfolio } from "../../../../bench/generatePortfolio.js";
import { BatchGridEngine } from "../../../../src/margin/batch/batchGridEngine.js";
import type { GridPmConfig } from "../../../../src/margin/gridPm/config.js";
import { resolvePortfolio } from "../../../../src/margin/resolve/resolvePortfolio.js";
import { resolveMarginConfig } from "../../../../src/margin/resolveConfig.js";
import { black76PriceUnchecked } from "../../../../src/pricing/black76.js";
import { buildPositionBlock, revalueScenarios } from "../../../../src/pricing/revalueKernel.js";
import type { PricedPosition } from "../../../../src/pricing/types.js";
import {
  BLACK76_SIMD_CAPACITY,
  type Black76SimdKernel,
  black76Backend,
  black76SimdKernel,
  setBlack76Backend,
} from "../../../../src/pricing/wasm/black76Simd.js";
import { portfolioSchema } from "../../../../src/schema/portfolio.js";
import { exampleMarket } from "../../../support/exampleMarket.js";
import { pos } from "../../../support/pricedPosition.js";

/** The stated accuracy bound of the kernel against the JS path: |diff| <= 1e-14 x (forward + strike). */
const BOUND_REL = 1e-14;

interface Case {
  forwardUsd: number;
  strikeUsd: number;
  stdDev: number;
  discountFactor: number;
  isCall: boolean;
}

function simd(): Black76SimdKernel {
  const k = black76SimdKernel();
  if (!k) throw new Error("WebAssembly SIMD kernel did not load (node >= 20 has SIMD; the test setup assembles it)");
  return k;
}

/** Prices cases in the kernel (in chunks of its capacity). */
function priceSimd(cases: readonly Case[]): Float64Array {
  const k = simd();
  const out = new Float64Array(cases.length);
  for (let from = 0; from < cases.length; from += BLACK76_SIMD_CAPACITY) {
    const n = Math.min(BLACK76_SIMD_CAPACITY, cases.length - from);
    for (let j = 0; j < n; j++) {
      const c = cases[from + j]!;
      k.forwardUsd[j] = c.forwardUsd;
      k.strikeUsd[j] = c.strikeUsd;
      k.stdDev[j] = c.stdDev;
      k.discountFactor[j] = c.discountFactor;
      k.sign[j] = c.isCall ? 1 : -1;
    }
    k.price(n);
    out.set(k.priceUsd.subarray(0, n), from);
  }
  return out;
}

/** JS reference: years = 1 so that stdDev = vol. */
const priceJs = (c: Case) => black76PriceUnchecked(c.forwardUsd, c.strikeUsd, 1, c.stdDev, c.discountFactor, c.isCall);

/** Forward 1e-3 .. 1e6 USD, ln(K/F) -8 .. 8, stdDev 1e-4 .. 8 (d up to ~1e5, every erfc range), calls and puts. */
function wideGrid(): Case[] {
  const cases: Case[] = [];
  for (const forwardUsd of [1e-3, 0.37, 1, 42.5, 3000, 97_000, 1e6]) {
    for (let m = -8; m <= 8; m += 0.25) {
      for (const stdDev of [1e-4, 1e-3, 0.01, 0.05, 0.1, 0.2, 0.35, 0.5, 0.8, 1, 1.5, 2.5, 4, 8]) {
        for (const discountFactor of [1, 0.93]) {
          for (const isCall of [true, false]) {
            cases.push({ forwardUsd, strikeUsd: forwardUsd * Math.exp(m), stdDev, discountFactor, isCall });
          }
        }
      }
    }
  }
  return cases;
}

afterEach(() => setBlack76Backend("wasm"));

describe("WASM SIMD Black-76 kernel", () => {
  it("loads by default where WebAssembly SIMD is available", () => {
    expect(black76Backend()).toBe("wasm");
  });

  it("prices Hull's Example 15.6 call (S 42, K 40, r 10%, sigma 20%, T 0.5): 4.7594", () => {
    const [price] = priceSimd([
      {
        forwardUsd: 42 * Math.exp(0.05),
        strikeUsd: 40,
        stdDev: 0.2 * Math.sqrt(0.5),
        discountFactor: Math.exp(-0.05),
        isCall: true,
      },
    ]);
    expect(price).toBeCloseTo(4.7594, 4);
  });

  it(`agrees with the JS path within ${BOUND_REL} x (forward + strike) over a wide grid`, () => {
    const cases = wideGrid();
    const got = priceSimd(cases);
    let worst = 0;
    cases.forEach((c, j) => {
      const diff = Math.abs(got[j]! - priceJs(c)) / (c.forwardUsd + c.strikeUsd);
      expect(Number.isFinite(got[j]!), JSON.stringify(c)).toBe(true);
      worst = Math.max(worst, diff);
    });
    expect(worst).toBeLessThanOrEqual(BOUND_REL);
  });

  it("keeps put-call parity C - P = DF (F - K) within the bound", () => {
    const calls = wideGrid().filter((c) => c.isCall);
    const c = priceSimd(calls);
    const p = priceSimd(calls.map((x) => ({ ...x, isCall: false })));
    calls.forEach((x, j) => {
      const parity = x.discountFactor * (x.forwardUsd - x.strikeUsd);
      expect(Math.abs(c[j]! - p[j]! - parity)).toBeLessThanOrEqual(BOUND_REL * (x.forwardUsd + x.strikeUsd));
    });
  });

  it("gives the discounted intrinsic value at stdDev 0, strike 0 and forward 0, as the JS path", () => {
    const edges: Case[] = [
      { forwardUsd: 120, strikeUsd: 100, stdDev: 0, discountFactor: 0.9, isCall: true }, // 18
      { forwardUsd: 120, strikeUsd: 100, stdDev: 0, discountFactor: 0.9, isCall: false }, // 0
      { forwardUsd: 80, strikeUsd: 100, stdDev: 0, discountFactor: 0.9, isCall: false }, // 18
      { forwardUsd: 120, strikeUsd: 0, stdDev: 0.3, discountFactor: 0.9, isCall: true }, // 108
      { forwardUsd: 120, strikeUsd: 0, stdDev: 0.3, discountFactor: 0.9, isCall: false }, // 0
      { forwardUsd: 0, strikeUsd: 100, stdDev: 0.3, discountFactor: 0.9, isCall: false }, // 90
      { forwardUsd: 0, strikeUsd: 100, stdDev: 0.3, discountFactor: 0.9, isCall: true }, // 0
    ];
    const got = priceSimd(edges);
    const want = [18, 0, 18, 108, 0, 90, 0];
    for (let j = 0; j < want.length; j++) expect(got[j]).toBeCloseTo(want[j]!, 12);
  });

  it("revalueScenarios: the same P&L on both paths within the bound, across kernel batches, unshocked P&L exactly 0", () => {
    const state = { spotUsd: 3000, carryRateAnnual: 0.06, riskFreeRateAnnual: 0.045 };
    // 400 options x (29 + 1) prices = 12,000: three kernel batches of at most 4,096. Vols include 0 (intrinsic) and
    // values under the floor; expiries include expired (JS path) and two days.
    const positions: PricedPosition[] = [];
    const vols: number[] = [];
    for (let i = 0; i < 400; i++) {
      const expiryYears = i % 50 === 0 ? -0.01 : [2 / 365, 0.08, 0.25, 1.5][i % 4]!;
      positions.push(
        pos({ kind: "option", size: (i % 7) - 3.5, strikeUsd: 1500 + 7.5 * i, expiryYears, isCall: i % 3 !== 0 }),
      );
      vols.push(i % 37 === 0 ? 0 : i % 11 === 0 ? 0.05 : 0.3 + (i % 13) * 0.05);
    }
    const spotMults = new Float64Array(29);
    const volMults = new Float64Array(29);
    for (let s = 0; s < 29; s++) {
      spotMults[s] = s === 14 ? 1 : 0.6 + s * 0.03;
      volMults[s] = s === 14 ? 1 : [0.7, 1, 1.3, 1.6][s % 4]!;
    }
    const block = buildPositionBlock(positions, vols, state);
    const options = { minVolAnnual: 0.04 };
    const revalue = (backend: "js" | "wasm") => {
      setBlack76Backend(backend);
      const out = new Float64Array(400 * 29);
      revalueScenarios(block, state, spotMults, volMults, out, options);
      return out;
    };
    const js = revalue("js");
    const wasm = revalue("wasm");
    for (let i = 0; i < 400; i++) {
      const p = positions[i]!;
      const tol = 2 * BOUND_REL * Math.abs(p.size) * (2 * state.spotUsd + p.strikeUsd);
      for (let s = 0; s < 29; s++) {
        expect(Math.abs(wasm[i * 29 + s]! - js[i * 29 + s]!), `position ${i} scenario ${s}`).toBeLessThanOrEqual(tol);
      }
      // vol above the floor: the unshocked scenario has the base's inputs
      if (vols[i]! >= options.minVolAnnual) expect(Math.abs(wasm[i * 29 + 14]!), `position ${i}`).toBe(0);
    }
    expect(wasm.some((v) => Math.abs(v) > 1)).toBe(true);
  });

  it("is off with the switch set to js", () => {
    setBlack76Backend("js");
    expect(black76SimdKernel()).toBeUndefined();
    expect(black76Backend()).toBe("js");
    expect(process.env.XMARGIN_BLACK76).toBe("js");
  });

  it("gives the JS path's margins within the bound on a real book (batch engine, every option its own instrument)", () => {
    const market = exampleMarket();
    const config = resolveMarginConfig({ model: "grid" }) as GridPmConfig;
    const docs: unknown[] = [...generateAccounts(200, 11)];
    for (let k = 0; k < 60; k++) docs.push(generatePortfolio(1 + (k % 29), 500 + k, `free-${k}`));
    const portfolios = docs.map((d) => resolvePortfolio(portfolioSchema.parse(d), market));
    const run = (backend: "js" | "wasm") => {
      setBlack76Backend(backend);
      expect(black76Backend()).toBe(backend);
      const engine = new BatchGridEngine(portfolios, market, config);
      engine.computeAll();
      return portfolios.map((_, a) => engine.account(a));
    };
    const js = run("js");
    const wasm = run("wasm");
    let options = 0;
    for (const p of portfolios) options += p.items.filter((i) => i.priced.kind === "option").length;
    expect(options).toBeGreaterThan(500);
    let worstRatio = 0;
    js.forEach((j, a) => {
      const w = wasm[a]!;
      // Margin sums size x (scenario price - base price) over the rows, and the oracle add-on size x (base price -
      // band-point price): four prices per option row, each within the bound x (forward + strike); forwards taken at
      // twice spot to cover the up scenarios and carry.
      let tol = 0;
      let valueTol = 0;
      for (const i of portfolios[a]!.items) {
        if (i.priced.kind !== "option") continue;
        const spot = market.underlyings.get(i.underlying)!.spotUsd;
        tol += 4 * BOUND_REL * Math.abs(i.priced.size) * (2 * spot + i.priced.strikeUsd);
        // The value (collateral) is one base price per option row, from the kernel too.
        valueTol += BOUND_REL * Math.abs(i.priced.size) * (2 * spot + i.priced.strikeUsd);
      }
      worstRatio = Math.max(worstRatio, Math.abs(w.initialMarginUsd - j.initialMarginUsd) / (tol || 1));
      expect(Math.abs(w.initialMarginUsd - j.initialMarginUsd), j.accountId).toBeLessThanOrEqual(tol);
      expect(Math.abs(w.maintenanceMarginUsd - j.maintenanceMarginUsd), j.accountId).toBeLessThanOrEqual(tol);
      expect(Math.abs(w.collateralValueUsd - j.collateralValueUsd), j.accountId).toBeLessThanOrEqual(valueTol);
    });
    expect(worstRatio).toBeLessThanOrEqual(1);
    // Not vacuous: some accounts carry margin.
    expect(js.some((j) => j.initialMarginUsd > 0)).toBe(true);
  });
});
