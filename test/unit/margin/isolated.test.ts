import { describe, expect, it } from "vitest";
import { computeMargin } from "../../../src/margin/computeMargin.js";
import { market, portfolio } from "../../support/fixtures.js";

describe("isolated margin", () => {
  it("charges rate x notional per position and ignores unrealised gains as collateral", () => {
    const p = portfolio({
      holdings: [{ chain: "arbitrum", token: "USDC", amount: "100000" }],
      positions: [{ kind: "perp", chain: "arbitrum", venue: "gmx", underlying: "BTC", size: "2", entryPrice: "39000" }],
    });
    const r = computeMargin({ portfolio: p, market: market(), config: { model: "isolated" } });
    // BTC large-cap tier: IM 5%, MM 3% of 2 x 40000 = 80000 -> 4000 / 2400
    expect(r.initialMarginUsd).toBeCloseTo(4000, 9);
    expect(r.maintenanceMarginUsd).toBeCloseTo(2400, 9);
    // equity = 100000 + 2 x (40000 - 39000) = 102000
    expect(r.equityUsd).toBeCloseTo(102000, 9);
    // collateral = USDC at weight 1 x stablecoin multiplier 0.98 = 98000; the +2000 gain is not counted
    expect(r.collateralValueUsd).toBeCloseTo(98000, 9);
    expect(r.freeCollateralUsd).toBeCloseTo(94000, 9);
  });

  it("counts unrealised losses in full", () => {
    const p = portfolio({
      holdings: [{ chain: "arbitrum", token: "USDC", amount: "10000" }],
      positions: [{ kind: "perp", chain: "arbitrum", venue: "gmx", underlying: "ETH", size: "5", entryPrice: "2100" }],
    });
    const r = computeMargin({ portfolio: p, market: market(), config: { model: "isolated" } });
    // loss 5 x -100 = -500; collateral 10000 x 0.98 - 500 = 9300; IM 5% x 10000 = 500
    expect(r.collateralValueUsd).toBeCloseTo(9300, 9);
    expect(r.initialMarginUsd).toBeCloseTo(500, 9);
  });

  it("margins a short OTM call with Deribit's standard formula", () => {
    const p = portfolio({
      positions: [
        {
          kind: "option",
          chain: "arbitrum",
          venue: "derive",
          underlying: "ETH",
          size: "-2",
          strike: "2400",
          expiry: "2024-01-31T08:00:00Z",
          optionType: "call",
        },
      ],
    });
    const r = computeMargin({ portfolio: p, market: market(), config: { model: "isolated" } });
    // OTM 400 / 2000 = 0.2 -> max(0.15 - 0.2, 0.10) = 0.10 x 2000 = 200 per unit, x2 = 400; MM 0.075 x 2000 x 2 = 300
    expect(r.initialMarginUsd).toBeCloseTo(400, 9);
    expect(r.maintenanceMarginUsd).toBeCloseTo(300, 9);
  });

  it("needs more than grid for a hedged pair (no offsets)", () => {
    const p = portfolio({
      holdings: [{ chain: "arbitrum", token: "USDC", amount: "20000" }],
      positions: [
        { kind: "perp", chain: "arbitrum", venue: "gmx", underlying: "ETH", size: "10" },
        { kind: "perp", chain: "arbitrum", venue: "vertex", underlying: "ETH", size: "-10" },
      ],
    });
    const iso = computeMargin({ portfolio: p, market: market(), config: { model: "isolated" } });
    const grid = computeMargin({ portfolio: p, market: market(), config: { model: "grid" } });
    // isolated: 2 x 5% x 20000 = 2000; grid: the legs cancel in every scenario
    expect(iso.initialMarginUsd).toBeCloseTo(2000, 9);
    expect(grid.initialMarginUsd).toBeCloseTo(0, 9);
  });
});
