/**
 * Properties of the derive-pmrm2 model on random portfolios (the same arbitraries as the other models): PMRM_2 is
 * positively homogeneous (every scenario P&L, add-on and haircut is linear in size), never negative, finite, and
 * deposits of stable coins only add free collateral.
 */
import fc from "fast-check";
import { describe, it } from "vitest";
import { computeMargin } from "../../src/margin/computeMargin.js";
import type { MarginReport } from "../../src/margin/report.js";
import {
  decArb,
  holdingArb,
  type PortfolioSpec,
  portfolioSpecArb,
  runs,
  STABLECOINS,
  scaleSpec,
  toPortfolio,
} from "./arbitraries.js";
import { expectAtMost, expectClose, figures, firstNonFinite, MARKET } from "./support.js";

const derive = (spec: PortfolioSpec): MarginReport =>
  computeMargin({ portfolio: toPortfolio(spec), market: MARKET, config: { model: "derive-pmrm2" } });

describe("derive-pmrm2 properties", () => {
  it("IM, MM and free collateral scale by k > 0 (1e-9 relative)", () => {
    fc.assert(
      fc.property(portfolioSpecArb(), decArb(100, 2, false), (spec, k) => {
        const kf = Number(k.m) / 10 ** k.e;
        const base = figures(derive(spec));
        const scaled = figures(derive(scaleSpec(spec, k)));
        for (const [name, v] of Object.entries(base)) expectClose(scaled[name]!, kf * v, 1e-9, name);
      }),
      runs(100),
    );
  });

  it("IM >= MM >= 0, every component >= 0, every number finite", () => {
    fc.assert(
      fc.property(portfolioSpecArb({ maxHoldings: 6, maxPositions: 6 }), (spec) => {
        const r = derive(spec);
        const bad = firstNonFinite(r);
        if (bad) throw new Error(`non-finite number in report: ${bad}`);
        expectAtMost(0, r.maintenanceMarginUsd, 0, "MM >= 0");
        expectAtMost(r.maintenanceMarginUsd, r.initialMarginUsd, 1e-9, "MM <= IM");
        for (const c of r.components) expectAtMost(0, c.initialMarginUsd, 0, `component ${c.name}`);
      }),
      runs(200),
    );
  });

  it("a stable-coin deposit never lowers free collateral", () => {
    fc.assert(
      fc.property(portfolioSpecArb(), holdingArb({ borrows: false, tokens: STABLECOINS }), (spec, deposit) => {
        const before = derive(spec);
        const after = derive({ ...spec, holdings: [...spec.holdings, deposit] });
        expectAtMost(before.freeCollateralUsd, after.freeCollateralUsd, 1e-9, "free collateral");
      }),
      runs(100),
    );
  });
});
