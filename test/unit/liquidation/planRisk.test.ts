import { describe, expect, it } from "vitest";
import { liquidationPlanParamsSchema, planLiquidation } from "../../../src/liquidation/liquidationPlan.js";
import { applyMarketMoves } from "../../../src/liquidation/marketMoves.js";
import { applyAction, planItems } from "../../../src/liquidation/plan/actions.js";
import { closeAction } from "../../../src/liquidation/plan/candidates.js";
import { addsNoRisk, riskOf } from "../../../src/liquidation/plan/noAddedRisk.js";
import { defaultOptionExecution, startPlan } from "../../../src/liquidation/plan/planStart.js";
import { computeMargin } from "../../../src/margin/computeMargin.js";
import { resolveMarginConfig } from "../../../src/margin/resolveConfig.js";
import { marketSnapshotSchema } from "../../../src/schema/marketSnapshot.js";
import { type PortfolioInput, portfolioSchema } from "../../../src/schema/portfolio.js";
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
  it("refuses a sale of the hedge that margin alone would allow: a stress move would lose more", () => {
    // 10 short ETH calls at 2,000 (delta about -5) covered by 5 WETH, 6,000 USDC borrowed: below IM under isolated,
    // which gives the WETH no credit against the calls. Selling 0.5 WETH lowers neither IM nor health, so the old
    // rule (IM, MM, health) took it as a plan step; it leaves the calls less covered and a +30% move loses more.
    const doc = portfolioSchema.parse(
      portfolio({
        holdings: [
          { chain: "arbitrum", token: "WETH", amount: "5" },
          { chain: "arbitrum", token: "USDC", amount: "-6000" },
        ],
        positions: [option("calls", "-10", "2000", "call")],
      }),
    );
    const snapshot = marketSnapshotSchema.parse(market());
    const config = resolveMarginConfig({ model: "isolated" });
    const params = liquidationPlanParamsSchema.parse({});
    const start = startPlan(doc, snapshot, config, { ...params, ...defaultOptionExecution });
    const weth = planItems(start.state).find((pi) => pi.item.id === "h0")!;
    const sale = applyAction(start.ctx, start.state, weth, closeAction(weth, 0.5));
    const after = start.evaluate(sale.state);
    // The margin-only rule accepts it ...
    expect(addsNoRisk(riskOf(start.before), riskOf(after), 0.01)).toBe(true);
    // ... the stress losses do not: +30% loses 0.5 x 600 = 300 USD more (the WETH gain given up).
    const lossBefore = start.riskOfState(start.state, start.before).stressLossUsd!;
    const lossAfter = start.riskOfState(sale.state, after).stressLossUsd!;
    const up30 = lossBefore.length - 1;
    expect(lossAfter[up30]! - lossBefore[up30]!).toBeCloseTo(0.5 * 2000 * 0.3, 6);
    expect(addsNoRisk(start.riskOfState(start.state, start.before), start.riskOfState(sale.state, after), 0.01)).toBe(
      false,
    );
  });

  it("a whole plan never raises the loss of a stress move, recomputed from its documents", () => {
    const p = portfolio({
      holdings: [
        { chain: "arbitrum", token: "WETH", amount: "5" },
        { chain: "arbitrum", token: "USDC", amount: "-7000" },
      ],
      positions: [option("calls", "-10", "2000", "call")],
    });
    const plan = planLiquidation({ portfolio: p, market: market(), config: { model: "isolated" } });
    expect(plan.before.freeCollateralUsd).toBeLessThan(0);
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
    // At least 2% of the premium bought back (the default optionHalfSpreadRel); before, about 0.
    const premiumPerUnit = Math.abs(plan.before.byPosition.find((r) => r.id === "puts")!.valueUsd) / 50;
    expect(step!.costUsd).toBeGreaterThanOrEqual(0.02 * premiumPerUnit * step!.units - 1e-9);
  });
});
