import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type LiquidationPlan, planLiquidation } from "../../../src/liquidation/liquidationPlan.js";
import { computeMargin } from "../../../src/margin/computeMargin.js";

const MARKET = JSON.parse(readFileSync("examples/market-2023-06-30.json", "utf8"));
const example = (name: string) => JSON.parse(readFileSync(`examples/portfolios/${name}.json`, "utf8"));
const MODELS = ["isolated", "cross", "grid", "xchain"];

/** 10 BTC long perp with only 2,000 USDC: below maintenance under every model. */
function thinBtc() {
  const p = example("directional-perp");
  p.holdings = [{ chain: "arbitrum", token: "USDC", amount: "2000" }];
  return p;
}

/** The plan never adds risk: IM and MM do not rise, health does not fall, no position grows or flips. */
function expectNoAddedRisk(plan: LiquidationPlan) {
  const tol = 0.01;
  expect(plan.after.initialMarginUsd).toBeLessThanOrEqual(plan.before.initialMarginUsd + tol);
  expect(plan.after.maintenanceMarginUsd).toBeLessThanOrEqual(plan.before.maintenanceMarginUsd + tol);
  if (plan.before.healthRatio !== null && plan.after.healthRatio !== null && plan.before.healthRatio >= 0) {
    expect(plan.after.healthRatio).toBeGreaterThanOrEqual(plan.before.healthRatio - 1e-9);
  }
  let im = plan.before.initialMarginUsd;
  for (const s of plan.steps) {
    expect(s.initialMarginAfterUsd).toBeLessThanOrEqual(im + tol);
    im = s.initialMarginAfterUsd;
    expect(s.units).toBeGreaterThan(0);
    expect(s.costUsd).toBeGreaterThanOrEqual(0);
  }
  const before = new Map(plan.before.byPosition.map((r) => [r.id, r]));
  for (const p of plan.portfolio.positions) {
    const original = example("directional-perp").positions.concat(example("lst-collateral-eth-short").positions);
    const o = original.find((x: { id: string }) => x.id === p.id);
    if (!o) continue;
    expect(Math.sign(Number(p.size))).toBe(Math.sign(Number(o.size)));
    expect(Math.abs(Number(p.size))).toBeLessThanOrEqual(Math.abs(Number(o.size)) + 1e-9);
    expect(before.has(p.id!)).toBe(true);
  }
}

describe("liquidation plan", () => {
  it.each(MODELS)("restores initial margin with a partial reduction when possible (%s)", (model) => {
    const plan = planLiquidation({ portfolio: thinBtc(), market: MARKET, config: { model } });
    expect(plan.belowMaintenance).toBe(true);
    expect(plan.status).toBe("restored");
    expect(plan.after.freeCollateralUsd).toBeGreaterThanOrEqual(0);
    // Partial: the last step is cut to just reach the target, and the position is not closed out.
    expect(plan.after.freeCollateralUsd).toBeLessThan(1);
    const reduced = plan.steps.filter((s) => s.action === "reduce-position").reduce((a, s) => a + s.fractionOfItem, 0);
    expect(reduced).toBeGreaterThan(0);
    expect(reduced).toBeLessThan(1);
    // The plan's resulting portfolio, margined from scratch, gives the plan's resulting report.
    const check = computeMargin({ portfolio: plan.portfolio, market: MARKET, config: { model } });
    expect(check.freeCollateralUsd).toBeCloseTo(plan.after.freeCollateralUsd, 6);
    expect(check.initialMarginUsd).toBeCloseTo(plan.after.initialMarginUsd, 6);
    expectNoAddedRisk(plan);
  });

  it("costs what the square-root model charges for the notional closed", () => {
    const plan = planLiquidation({ portfolio: thinBtc(), market: MARKET, config: { model: "grid" } });
    const step = plan.steps[0]!;
    // arbitrum BTC depth in the example snapshot: 1,319,365,310 USD/day, 5 bps, k = 0.7; BTC daily vol from riskFactors.
    const volDaily = 0.03607105469;
    const q = step.notionalUsd;
    // A sale fills at the price its impact moves to, less the half spread (about q x (h + impact) when small).
    const impact = 0.7 * volDaily * Math.sqrt(q / 1_319_365_310);
    expect(step.costUsd).toBeCloseTo(q * (1 - (1 - 5e-4) * Math.exp(-impact)), 6);
    expect(step.notionalUsd).toBeCloseTo(step.units * 30477.25, 4);
  });

  it("says explicitly when restoring initial margin is impossible, and still adds no risk", () => {
    const p = thinBtc();
    p.positions[0].entryPrice = "40000"; // 95,000 USD under water with 2,000 USD of collateral
    for (const model of MODELS) {
      const plan = planLiquidation({ portfolio: p, market: MARKET, config: { model } });
      expect(plan.status, model).toBe("impossible");
      expect(plan.message).toMatch(/impossible/);
      expect(plan.after.freeCollateralUsd).toBeLessThan(0);
      expectNoAddedRisk(plan);
    }
  });

  it("moves collateral to the chain of the position when pools are per chain (cross, LST carry)", () => {
    const plan = planLiquidation({
      portfolio: example("lst-collateral-eth-short"),
      market: MARKET,
      config: { model: "cross" },
    });
    expect(plan.belowMaintenance).toBe(true);
    expect(plan.status).toBe("restored");
    expect(
      plan.steps.some((s) => s.action === "bridge-collateral" && s.chain === "ethereum" && s.toChain === "arbitrum"),
    ).toBe(true);
    const bridge = plan.steps.find((s) => s.action === "bridge-collateral")!;
    // The policy's default max latency (1 h) picks the 900 s canonical deposit, and the step waits for it.
    expect(bridge.route!.latencySec).toBe(900);
    expect(bridge.readyAfterSec).toBe(900 + 1200);
    expectNoAddedRisk(plan);
  });

  it("does nothing for an account already above initial margin", () => {
    const plan = planLiquidation({ portfolio: example("directional-perp"), market: MARKET });
    expect(plan.status).toBe("not-needed");
    expect(plan.steps).toEqual([]);
  });
});

describe("liquidation plan bridge steps in transit (issue 18, case 10)", () => {
  it("report the account while the bridged funds are on neither chain", () => {
    const p = example("cross-chain-basis");
    p.holdings = p.holdings.filter((h: { token: string }) => !["USDC", "USDT", "DAI"].includes(h.token));
    const plan = planLiquidation({ portfolio: p, market: MARKET, config: { model: "cross" } });
    const bridge = plan.steps.find((s) => s.action === "bridge-collateral")!;
    expect(bridge.inTransit).toBeDefined();
    // The same portfolio with the bridged units gone from the source chain, margined from scratch.
    const transit = structuredClone(p);
    const h = transit.holdings.find(
      (x: { chain: string; token: string }) => x.chain === bridge.chain && x.token === bridge.token,
    );
    h.amount = String(Number(h.amount) - bridge.units);
    const check = computeMargin({ portfolio: transit, market: MARKET, config: { model: "cross" } });
    expect(bridge.inTransit!.freeCollateralUsd).toBeCloseTo(check.freeCollateralUsd, 4);
    expect(bridge.inTransit!.seconds).toBe(bridge.readyAfterSec);
  });
});
