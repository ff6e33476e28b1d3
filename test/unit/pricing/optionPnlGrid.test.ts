import { describe, expect, it } from "vitest";
import { black76PriceUnchecked } from "../../../src/pricing/black76.js";
import {
  buildOptionGrid,
  fillOptionPnl,
  nodesRead,
  optionGridGeometry,
  optionGridOn,
} from "../../../src/pricing/optionPnlGrid.js";
import { Prng } from "../../../src/risk/prng.js";

describe("option revaluation grid", () => {
  for (const [label, years, strike] of [
    ["30-day ATM call", 30 / 365, 2000],
    ["7-day OTM put", 7 / 365, 1700],
    ["180-day OTM call", 0.5, 3000],
  ] as const) {
    it(`${label}: bicubic interpolation stays within 2e-5 of spot of exact Black-76`, () => {
      const spec = {
        spotUsd: 2000,
        forwardFactor: Math.exp(0.05 * years),
        strikeUsd: strike,
        years,
        volAnnual: 0.6,
        minVolAnnual: 0.05,
        discountFactor: Math.exp(-0.04 * years),
        isCall: strike >= 2000,
      };
      const rng = new Prng(11);
      const n = 5000;
      const xs = Float64Array.from({ length: n }, () => 0.5 * (rng.nextUniform() - 0.5));
      const ys = Float64Array.from({ length: n }, () => 0.6 * (rng.nextUniform() - 0.5));
      const grid = buildOptionGrid(spec, Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys));
      const out = new Float64Array(n);
      fillOptionPnl(grid, xs, ys, 3, 10, out);
      let worst = 0;
      for (let s = 0; s < n; s++) {
        const vol = Math.max(0.05, 0.6 * Math.exp(ys[s]!));
        const exact = black76PriceUnchecked(
          2000 * Math.exp(xs[s]!) * spec.forwardFactor,
          strike,
          years,
          vol,
          spec.discountFactor,
          spec.isCall,
        );
        worst = Math.max(worst, Math.abs(out[s]! - (3 * exact - 10)) / 3);
      }
      expect(worst).toBeLessThan(2e-5 * 2000);
    });
  }

  it("a grid computed only at the nodes its points read interpolates them bit for bit as the full grid", () => {
    const years = 30 / 365;
    const spec = {
      spotUsd: 2000,
      forwardFactor: 1,
      strikeUsd: 2100,
      years,
      volAnnual: 0.6,
      minVolAnnual: 0.05,
      discountFactor: 0.99,
      isCall: true,
    };
    // points in a band, as implied vol answering the size of the move puts them: y ~ 25 x^2 + noise
    const rng = new Prng(5);
    const n = 4000;
    const xs = Float64Array.from({ length: n }, () => 0.4 * (rng.nextUniform() - 0.5));
    const ys = Float64Array.from(xs, (x) => 25 * x * x + 0.01 * (rng.nextUniform() - 0.5));
    const g = optionGridGeometry(
      0.6 * Math.sqrt(years),
      Math.min(...xs),
      Math.max(...xs),
      Math.min(...ys),
      Math.max(...ys),
    );
    const read = nodesRead(g, xs, ys);
    const full = new Float64Array(n);
    const lazy = new Float64Array(n);
    fillOptionPnl(optionGridOn(spec, g), xs, ys, 2, 5, full);
    fillOptionPnl(optionGridOn(spec, g, read), xs, ys, 2, 5, lazy);
    expect(lazy).toEqual(full);
    // the band leaves most of the rectangle unread: those nodes are not computed (NaN, so a stray read would show)
    const used = read.reduce((a, b) => a + b, 0);
    expect(used).toBeLessThan(0.6 * read.length);
    expect(Number.isNaN(optionGridOn(spec, g, read).values[read.indexOf(0)]!)).toBe(true);
  });
});
