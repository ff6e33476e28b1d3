import { describe, expect, it } from "vitest";
import { planLiquidation } from "../../../src/liquidation/liquidationPlan.js";
import { applyMarketMoves } from "../../../src/liquidation/marketMoves.js";
import { computeMargin } from "../../../src/margin/computeMargin.js";
import { marketSnapshotSchema } from "../../../src/schema/marketSnapshot.js";
import type { PortfolioInput } from "../../../src/schema/portfolio.js";
import { market, portfolio } from "../../support/fixtures.js";
import { ethOption } from "../../support/optionPosition.js";

const option = (id: string, size: string, strike: string, optionType: "call" | "put") =>
  ethOption(id, size, strike, optionType, "2024-01-31T08:00:00Z");

/** Loss of a portfolio's equity when ETH moves by `moveRel`, recomputed from the documents. */
function lossAt(p: PortfolioInput, moveRel: number): number {
  const snap = marketSnapshotSchema.parse(market());
  const now = computeMargin({ portfolio: p, market: snap, config: { model: "grid" } }).equityUsd;
  const moved = applyMarketMoves(snap, { spotMult: { ETH: 1 + moveRel } });
  return now - computeMargin({ portfolio: p, market: moved, config: { model: "grid" } }).equityUsd;
}

describe("plans judged by risk, not only by margin (issue 18, case 9)", () => {
  it("never raises the loss of a stress move: the WETH that hedges short calls is not sold alone", () => {
    // 20 short ETH calls at 2,000 (delta about -10 ETH) partly hedged by 2 WETH, with 1,000 USDC: below IM.
    const p = portfolio({
      holdings: [
        { chain: "arbitrum", token: "WETH", amount: "2" },
        { chain: "arbitrum", token: "USDC", amount: "1000" },
      ],
      positions: [option("calls", "-20", "2000", "call")],
    });
    const plan = planLiquidation({ portfolio: p, market: market(), config: { model: "grid" } });
    expect(plan.before.freeCollateralUsd).toBeLessThan(0);
    // The hedge is not sold while the calls it hedges are still open.
    expect(plan.steps[0]!.itemId).toBe("calls");
    for (const move of [-0.3, -0.2, -0.1, 0.1, 0.2, 0.3]) {
      const before = Math.max(0, lossAt(p, move));
      const after = Math.max(0, lossAt(plan.portfolio as PortfolioInput, move));
      expect(after, `move ${move}`).toBeLessThanOrEqual(before + 0.01 + 1e-6 * before);
    }
  });

  it("buying back far out-of-the-money short puts is not free: premium spread and vega are paid", () => {
    // 50 short 1,000 puts (delta about 0) and a short perp: before, their close cost |delta| x S = 0.00.
    const p = portfolio({
      holdings: [{ chain: "arbitrum", token: "USDC", amount: "100" }],
      positions: [option("puts", "-50", "1000", "put")],
    });
    const plan = planLiquidation({ portfolio: p, market: market(), config: { model: "grid" } });
    const step = plan.steps.find((s) => s.itemId === "puts");
    expect(step).toBeDefined();
    expect(step!.costUsd).toBeGreaterThan(0);
  });
});
