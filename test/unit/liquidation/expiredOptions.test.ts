import { describe, expect, it } from "vitest";
import { computeHealth } from "../../../src/liquidation/health.js";
import { planLiquidation } from "../../../src/liquidation/liquidationPlan.js";
import { computeMargin } from "../../../src/margin/computeMargin.js";
import { market, portfolio } from "../../support/fixtures.js";

/**
 * Issue 18, case 5: 5 short ETH calls struck at 1,800 that expired on 2023-12-29 (the snapshot is 2024-01-01, ETH
 * 2,000), with 2,000 USDC. Settled at intrinsic: the account owes 5 x (2,000 - 1,800) = 1,000 USD, and nothing about
 * it moves with ETH any more. Before: health found an ETH liquidation level, the plan "reduced" the calls at delta 1
 * with a cost, and MM differed by model (86 under isolated vs 12,996 under grid in the case).
 */
const expiredCalls = (usdc: string) =>
  portfolio({
    accountId: "expired",
    holdings: [{ chain: "arbitrum", token: "USDC", amount: usdc }],
    positions: [
      {
        id: "calls",
        kind: "option",
        chain: "arbitrum",
        venue: "derive",
        underlying: "ETH",
        size: "-5",
        strike: "1800",
        expiry: "2023-12-29T08:00:00Z",
        optionType: "call",
      },
    ],
  });

describe("expired options are settled everywhere", () => {
  it.each(["isolated", "cross", "grid", "xchain"])("no margin, value = the settlement, flagged (%s)", (model) => {
    const r = computeMargin({ portfolio: expiredCalls("2000"), market: market(), config: { model } });
    expect(r.equityUsd).toBeCloseTo(2000 - 1000, 6);
    // The calls add no margin: the same as the USDC alone (whose own depeg risk some models charge).
    const cashOnly = { ...expiredCalls("2000"), positions: [] };
    const c = computeMargin({ portfolio: cashOnly, market: market(), config: { model } });
    expect(r.maintenanceMarginUsd).toBeCloseTo(c.maintenanceMarginUsd, 6);
    expect(r.initialMarginUsd).toBeCloseTo(c.initialMarginUsd, 6);
    expect(r.flags.some((f) => f.code === "OPTION_EXPIRED" && f.severity === "warning")).toBe(true);
  });

  it("health finds no ETH liquidation level", () => {
    const h = computeHealth({ portfolio: expiredCalls("2000"), market: market(), config: { model: "grid" } });
    expect(h.underlyings.map((u) => u.underlying)).not.toContain("ETH");
  });

  it("a liquidation plan does not trade the settled calls", () => {
    // 500 USDC against 1,000 owed: equity -500, nothing can restore it and nothing is traded.
    const plan = planLiquidation({ portfolio: expiredCalls("500"), market: market(), config: { model: "grid" } });
    expect(plan.steps.filter((s) => s.itemId === "calls")).toEqual([]);
    expect(plan.after.equityUsd).toBeCloseTo(-500, 6);
  });
});
