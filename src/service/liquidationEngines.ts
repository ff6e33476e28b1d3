import { liquidationPlanParamsSchema, planLiquidationOf } from "../liquidation/liquidationPlan.js";
import { planRebalanceOf, rebalanceParamsSchema } from "../liquidation/rebalancePlan.js";
import { type WhatIf, whatIfOf, whatIfSchema } from "../liquidation/whatIf.js";
import type { PlanEngine, WhatIfEngine } from "./engines.js";

/** The what-if engine of src/liquidation (`whatIfOf`). */
export const liquidationWhatIfEngine: WhatIfEngine = {
  whatIfSchema,
  simulate(portfolio, snapshot, config, whatIf) {
    const r = whatIfOf(portfolio, snapshot, config, whatIf as WhatIf);
    return { before: r.before, after: r.after, diff: r.diff, portfolio: r.portfolio };
  },
};

/** The plan engine of src/liquidation: `planRebalanceOf` between band edges, `planLiquidationOf` below maintenance. */
export const liquidationPlanEngine: PlanEngine = {
  rebalance(portfolio, snapshot, config, bridge) {
    const params = rebalanceParamsSchema.parse({ bridge });
    const plan = planRebalanceOf(portfolio, snapshot, config, params);
    return {
      kind: "rebalance",
      status: plan.moves.length > 0 ? "proposed" : "no-action",
      message:
        plan.moves.length > 0
          ? `${plan.moves.length} collateral move(s) of ${plan.totalMovedUsd.toFixed(2)} USD lower initial margin by ${plan.initialMarginReductionUsd.toFixed(2)} USD`
          : "no collateral move between the account's chains gains free collateral over the allowed routes",
      steps: plan.moves.map((m) => ({ ...m })),
      totalCostUsd: plan.totalFeesUsd,
      completionSec: plan.completionSec,
      after: plan.after,
      portfolio: plan.portfolio,
    };
  },
  liquidate(portfolio, snapshot, config, bridge) {
    const params = liquidationPlanParamsSchema.parse({ bridge });
    const plan = planLiquidationOf(portfolio, snapshot, config, params);
    return {
      kind: "liquidation",
      status: plan.status,
      message: plan.message,
      steps: plan.steps.map((s) => ({ ...s })),
      totalCostUsd: plan.totalCostUsd,
      completionSec: plan.completionSec,
      after: plan.after,
      portfolio: plan.portfolio,
    };
  },
};
