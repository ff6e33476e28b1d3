import { describe, expect, it } from "vitest";
import { planLiquidation } from "../../../src/liquidation/liquidationPlan.js";
import { market, portfolio } from "../../support/fixtures.js";

const ethPerp = (id: string, venue: string, size: string) => ({
  id,
  kind: "perp" as const,
  chain: "arbitrum",
  venue,
  underlying: "ETH",
  size,
  entryPrice: "2000",
});
const thin = market({ liquidity: [{ chain: "arbitrum", asset: "ETH", dailyVolumeUsd: "50000000" }] });

describe("plan execution costs (issue 18, case 7)", () => {
  it("unwinding 3,000 ETH costs the same on one venue as split 1,500/1,500 over two venues of one chain", () => {
    const cash = [{ chain: "arbitrum", token: "USDC", amount: "200000" }];
    const one = portfolio({ holdings: cash, positions: [ethPerp("a", "gmx", "3000")] });
    const two = portfolio({ holdings: cash, positions: [ethPerp("a", "gmx", "1500"), ethPerp("b", "v2", "1500")] });
    const params = { targetFreeCollateralUsd: 1e12, stepFraction: 0.25 };
    const p1 = planLiquidation({ portfolio: one, market: thin, config: { model: "grid" }, params });
    const p2 = planLiquidation({ portfolio: two, market: thin, config: { model: "grid" }, params });
    const notional = (p: typeof p1) => p.steps.reduce((s, x) => s + x.notionalUsd, 0);
    // Both close everything (the target cannot be met): the same 6M USD into the same arbitrum ETH market.
    expect(notional(p1)).toBeCloseTo(6_000_000, 3);
    expect(notional(p2)).toBeCloseTo(6_000_000, 3);
    // Before: each venue paid the square-root cost of its own half (about 1/sqrt(2) of the impact).
    expect(p2.totalCostUsd).toBeCloseTo(p1.totalCostUsd, 6);
    // Interleaved steps on one item are merged: one step per position.
    expect(p2.steps.map((s) => s.itemId).sort()).toEqual(["a", "b"]);
  });
});
