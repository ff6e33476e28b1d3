import { readFileSync } from "node:fs";
import { join } from "node:path";
import { planLiquidation } from "../src/liquidation/liquidationPlan.js";
import { computeMargin } from "../src/margin/computeMargin.js";
import { emit, measure, summarize } from "./measure.js";

/** A BTC perp account with 2,000 USDC: below maintenance, restored by a partial reduction. */
function thinBtc(root: string): unknown {
  const p = JSON.parse(readFileSync(join(root, "examples/portfolios/directional-perp.json"), "utf8"));
  p.holdings = [{ chain: "arbitrum", token: "USDC", amount: "2000" }];
  return p;
}

/** An example with its stablecoins removed: a shortfall the plan closes with several steps. */
function withoutCash(root: string, name: string): unknown {
  const p = JSON.parse(readFileSync(join(root, `examples/portfolios/${name}.json`), "utf8"));
  p.holdings = p.holdings.filter((h: { token: string }) => !["USDC", "USDT", "DAI"].includes(h.token));
  return p;
}

/**
 * Liquidation plans end to end from the documents (`planLiquidation`): the greedy search with its bisection, i.e.
 * hundreds of margin evaluations per plan. Reference in the same run: one margin report of the same account.
 */
export function benchLiquidationPlan(root: string, marketFile: string): void {
  const market = JSON.parse(readFileSync(marketFile, "utf8"));
  const cases = [
    { name: "thin_btc_perp", portfolio: thinBtc(root), model: "grid", iterations: 20 },
    { name: "options_no_cash", portfolio: withoutCash(root, "delta-hedged-options"), model: "grid", iterations: 10 },
    { name: "options_no_cash", portfolio: withoutCash(root, "delta-hedged-options"), model: "cross", iterations: 10 },
    { name: "basis_no_cash", portfolio: withoutCash(root, "cross-chain-basis"), model: "cross", iterations: 10 },
  ];
  for (const c of cases) {
    const run = () => planLiquidation({ portfolio: c.portfolio, market, config: { model: c.model } });
    const plan = run();
    const times = measure(run, c.iterations, { minCalls: 1 });
    const once = measure(() => computeMargin({ portfolio: c.portfolio, market, config: { model: c.model } }), 20, {
      minCalls: 2,
    });
    emit({
      bench: `liquidation_plan_${c.name}_${c.model}`,
      ...summarize(times),
      status: plan.status,
      steps: plan.steps.length,
      totalCostUsd: Number(plan.totalCostUsd.toFixed(2)),
      freeCollateralAfterUsd: Number(plan.after.freeCollateralUsd.toFixed(4)),
      referenceOneMarginReport: summarize(once),
    });
  }
}
