import { describe, expect, it } from "vitest";
import { computeMargin } from "../../../src/margin/computeMargin.js";
import { market, portfolio } from "../../support/fixtures.js";

const perp = (chain: string, size: string, venue = "gmx") => ({
  kind: "perp" as const,
  chain,
  venue,
  underlying: "ETH",
  size,
});

describe("cross margin (one pool per chain)", () => {
  it("weights collateral and charges perps in the pool of their chain", () => {
    const p = portfolio({
      holdings: [
        { chain: "arbitrum", token: "USDC", amount: "10000" },
        { chain: "arbitrum", token: "WETH", amount: "1" },
      ],
      positions: [perp("arbitrum", "-4")],
    });
    const r = computeMargin({ portfolio: p, market: market(), config: { model: "cross" } });
    // collateral: 10000 x 0.98 + 2000 x 0.8 = 11400 (initial); 10000 x 0.98 + 2000 x 0.9 = 11600 (maintenance)
    expect(r.collateralValueUsd).toBeCloseTo(11400, 9);
    expect(r.maintenanceCollateralValueUsd).toBeCloseTo(11600, 9);
    // IM 5% x 8000 = 400, MM 3% x 8000 = 240
    expect(r.initialMarginUsd).toBeCloseTo(400, 9);
    expect(r.healthRatio).toBeCloseTo(11600 / 240, 9);
  });

  it("nets opposite perps of the same market on one chain", () => {
    const p = portfolio({ positions: [perp("arbitrum", "10"), perp("arbitrum", "-4")] });
    const r = computeMargin({ portfolio: p, market: market(), config: { model: "cross" } });
    // net 6 x 2000 x 5% = 600
    expect(r.initialMarginUsd).toBeCloseTo(600, 9);
  });

  it("does not let a surplus on one chain cover a deficit on another", () => {
    const p = portfolio({
      holdings: [{ chain: "ethereum", token: "USDC", amount: "100000" }],
      positions: [perp("arbitrum", "10", "gmx")],
    });
    const r = computeMargin({ portfolio: p, market: market(), config: { model: "cross" } });
    // arbitrum pool: no collateral, IM 1000 -> deficit 1000; free collateral reports minus the deficit
    expect(r.freeCollateralUsd).toBeCloseTo(-1000, 9);
    expect(r.healthRatio).toBe(0);
    expect(r.flags.some((f) => f.code === "CHAIN_UNDERCOLLATERALISED" && f.severity === "critical")).toBe(true);
    // the same collateral on arbitrum removes the deficit
    const same = { ...p, holdings: [{ chain: "arbitrum", token: "USDC", amount: "100000" }] };
    const s = computeMargin({ portfolio: same, market: market(), config: { model: "cross" } });
    expect(s.freeCollateralUsd).toBeCloseTo(98000 - 1000, 9);
  });

  it("adding collateral never raises the requirement and never lowers health", () => {
    const base = portfolio({
      holdings: [{ chain: "arbitrum", token: "USDC", amount: "3000" }],
      positions: [perp("arbitrum", "-4")],
    });
    const r0 = computeMargin({ portfolio: base, market: market(), config: { model: "cross" } });
    for (const token of ["USDC", "WETH", "USDC.e", "WBTC"]) {
      const more = { ...base, holdings: [...base.holdings!, { chain: "arbitrum", token, amount: "1" }] };
      const r1 = computeMargin({ portfolio: more, market: market(), config: { model: "cross" } });
      expect(r1.initialMarginUsd).toBeLessThanOrEqual(r0.initialMarginUsd);
      expect(r1.healthRatio!).toBeGreaterThanOrEqual(r0.healthRatio!);
    }
  });

  it("charges borrows at the liability weight", () => {
    const p = portfolio({
      holdings: [
        { chain: "ethereum", token: "USDC", amount: "10000" },
        { chain: "ethereum", token: "WETH", amount: "-2" },
      ],
    });
    const r = computeMargin({ portfolio: p, market: market(), config: { model: "cross" } });
    // 10000 x 0.98 - 4000 x 1.2 = 5000
    expect(r.collateralValueUsd).toBeCloseTo(5000, 9);
  });
});
