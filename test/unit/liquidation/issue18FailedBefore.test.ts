import { describe, expect, it } from "vitest";
import { firstExitProbability, medianFirstExitDays } from "../../../src/liquidation/firstPassage.js";
import { computeHealth } from "../../../src/liquidation/health.js";
import { planLiquidation } from "../../../src/liquidation/liquidationPlan.js";
import { AS_OF, market, portfolio } from "../../support/fixtures.js";
import { ethOption } from "../../support/optionPosition.js";

/**
 * Issue 18 fixtures checked against the old code (fc844e7), where main's own case test could not isolate the case:
 * each assertion here fails on the old engine (old value in the comment) and passes on the new one.
 */
describe("issue 18 cases that failed before", () => {
  it("case 6: a short strangle's time to liquidation is the first exit through either level", () => {
    // 10 short 2,200 calls and 10 short 1,800 puts (2024-03-29) on 6,000 USDC, grid: levels near 0.68x and 1.22x,
    // both found by the old 5% scan. The old engine reported min(per-level medians) = 126.04 days, by which the
    // first exit through either level has probability 0.68, not 0.5.
    const p = portfolio({
      holdings: [{ chain: "arbitrum", token: "USDC", amount: "6000" }],
      positions: [
        ethOption("c", "-10", "2200", "call", "2024-03-29T08:00:00Z"),
        ethOption("p", "-10", "1800", "put", "2024-03-29T08:00:00Z"),
      ],
    });
    const eth = computeHealth({ portfolio: p, market: market(), config: { model: "grid" } }).underlyings.find(
      (u) => u.underlying === "ETH",
    )!;
    expect(eth.down).not.toBeNull();
    expect(eth.up).not.toBeNull();
    const { down, up, volDaily, spotUsd } = eth;
    const median = medianFirstExitDays(spotUsd, down!.priceUsd, up!.priceUsd, volDaily);
    expect(eth.medianDaysToLiquidation).toBeCloseTo(median, 9);
    expect(firstExitProbability(spotUsd, down!.priceUsd, up!.priceUsd, volDaily, median)).toBeCloseTo(0.5, 9);
    // Strictly sooner than the nearer level alone (about 126 days here): the old answer overstated the time.
    expect(eth.medianDaysToLiquidation!).toBeLessThan(0.8 * Math.min(down!.medianDays, up!.medianDays));
  });

  it("case 9: buying back short puts pays the premium half spread and vega x 1 vol point (Black-Scholes by hand)", () => {
    // 50 short ETH 1,600 puts (2024-01-31) on 500 USDC, grid: the plan buys ~49.5 back. Old cost: 25.36 (impact on
    // |delta| x S only), below the premium spread plus vega alone.
    const p = portfolio({
      holdings: [{ chain: "arbitrum", token: "USDC", amount: "500" }],
      positions: [ethOption("puts", "-50", "1600", "put", "2024-01-31T08:00:00Z")],
    });
    const plan = planLiquidation({ portfolio: p, market: market(), config: { model: "grid" } });
    const step = plan.steps.find((s) => s.itemId === "puts")!;
    expect(step).toBeDefined();
    // Vega per vol point of one put, Black-Scholes, no rates: S phi(d1) sqrt(T) / 100 (S 2,000, K 1,600, vol 50%).
    const years = (Date.parse("2024-01-31T08:00:00Z") - Date.parse(AS_OF)) / (365 * 86_400_000);
    const d1 = (Math.log(2000 / 1600) + 0.5 * 0.25 * years) / (0.5 * Math.sqrt(years));
    const vegaPerPoint = (2000 * Math.exp(-0.5 * d1 * d1) * Math.sqrt(years)) / Math.sqrt(2 * Math.PI) / 100;
    const premiumPerUnit = Math.abs(plan.before.byPosition.find((r) => r.id === "puts")!.valueUsd) / 50;
    const floor = step.units * (0.02 * premiumPerUnit + vegaPerPoint);
    expect(floor).toBeGreaterThan(30);
    expect(step.costUsd).toBeGreaterThanOrEqual(0.999 * floor);
  });
});
