import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Flag } from "../../../../src/core/flags.js";
import { computeMargin } from "../../../../src/margin/computeMargin.js";
import { chainFinalitySec, fastestBridgeRoute } from "../../../../src/margin/resolve/chainFacts.js";
import { fairForwardUsd } from "../../../../src/margin/resolve/fairForward.js";
import { type Depth, executionCostUsd, sqrtImpactRel } from "../../../../src/margin/resolve/marketDepth.js";
import { resolveMarket } from "../../../../src/margin/resolve/resolveMarket.js";
import { tokenPriceUsd } from "../../../../src/margin/resolve/tokenPrice.js";
import { getToken } from "../../../../src/market/tokenRegistry.js";
import { marketSnapshotSchema } from "../../../../src/schema/marketSnapshot.js";
import { market, portfolio } from "../../../support/fixtures.js";

const MODELS = ["isolated", "cross", "grid", "xchain"];
const EXAMPLE = JSON.parse(readFileSync("examples/market-2023-06-30.json", "utf8"));

const perpOn = (chain: string) =>
  portfolio({
    holdings: [{ chain: "arbitrum", token: "USDC", amount: "50000" }],
    positions: [{ id: "p", kind: "perp", chain, venue: "v", underlying: "ETH", size: "10", entryPrice: "2000" }],
  });

describe("market facts, one home each", () => {
  it.each(MODELS)("an unknown chain is an error naming the field, never a finality of 0 (%s)", (model) => {
    // Before: a position on a chain without a profile got finality 0 in the xchain horizons (a shorter horizon, less IM).
    expect(() => computeMargin({ portfolio: perpOn("zksync"), market: market(), config: { model } })).toThrow(
      expect.objectContaining({ code: "MISSING_DATA", path: "$.positions[0].chain" }),
    );
    const known = computeMargin({ portfolio: perpOn("arbitrum"), market: market(), config: { model } });
    expect(known.initialMarginUsd).toBeGreaterThan(0);
  });

  it("chain finality comes from the profile, merged with the snapshot's override", () => {
    const m = resolveMarket(marketSnapshotSchema.parse(market({ chains: [{ chain: "arbitrum", finalitySec: "99" }] })));
    expect(chainFinalitySec(m, "arbitrum")).toBe(99);
    expect(chainFinalitySec(m, "ethereum")).toBe(768);
    expect(() => chainFinalitySec(m, "zksync", "$.x")).toThrow(expect.objectContaining({ path: "$.x" }));
  });

  it("the fastest bridge route wins; none gives undefined", () => {
    const m = resolveMarket(marketSnapshotSchema.parse(EXAMPLE));
    const routes = m.bridges.filter((b) => b.from === "ethereum" && b.to === "arbitrum");
    expect(routes.length).toBeGreaterThan(0);
    expect(fastestBridgeRoute(m, "ethereum", "arbitrum")!.latencySec).toBe(
      Math.min(...routes.map((r) => r.latencySec)),
    );
    expect(fastestBridgeRoute(m, "ethereum", "ethereum")).toBeUndefined();
  });

  it("a token price falls back to its feed on other chains, then to peg x underlying, with flags", () => {
    const m = resolveMarket(marketSnapshotSchema.parse(market()));
    const flags: Flag[] = [];
    // WETH has no feed of its own: 1 x ETH at 2000.
    expect(tokenPriceUsd(m, getToken("arbitrum", "WETH"), "$", flags)).toBe(2000);
    expect(flags.map((f) => f.code)).toEqual(["PRICE_FROM_UNDERLYING"]);
    // wstETH drifts against ETH (no peg): no defensible price without a feed.
    expect(tokenPriceUsd(m, getToken("ethereum", "wstETH"))).toBeUndefined();
    // USDC on arbitrum has no quote there: the all-chains USDC feed.
    expect(tokenPriceUsd(m, getToken("arbitrum", "USDC"))).toBe(1);
  });

  it("the fair forward is spot x exp(carry x years), never below time 0", () => {
    expect(fairForwardUsd({ spotUsd: 100, carryRateAnnual: 0.05 }, 0.5)).toBeCloseTo(100 * Math.exp(0.025), 12);
    expect(fairForwardUsd({ spotUsd: 100, carryRateAnnual: 0.05 }, -1)).toBe(100);
  });

  it("execution cost: a sale never costs more than what is sold; small orders cost q x (h + impact)", () => {
    const depth: Depth = {
      dailyVolumeUsd: 1e6,
      halfSpreadRel: 0.003,
      impactCoefficient: 1,
      volDaily: 0.05,
      assumed: false,
    };
    // 2e9 sold into a 1M/day market: impact 0.05 x sqrt(2000) = 2.236, a linear charge of 224% of the notional
    // (negative proceeds). Filled at the moved price less the spread: 1 - 0.997 e^-2.236 of it.
    const q = 2e9;
    const impact = 0.05 * Math.sqrt(q / 1e6);
    expect(sqrtImpactRel(q, depth)).toBeCloseTo(impact, 12);
    expect(executionCostUsd(-q, depth)).toBeCloseTo(q * (1 - 0.997 * Math.exp(-impact)), 3);
    expect(executionCostUsd(-q, depth)).toBeLessThan(q);
    // Buying back costs at least as much as the linear rule.
    expect(executionCostUsd(q, depth)).toBeGreaterThan(q * (0.003 + impact));
    const small = 1000;
    const i = 0.05 * Math.sqrt(small / 1e6);
    expect(executionCostUsd(-small, depth) / (small * (0.003 + i))).toBeCloseTo(1, 2);
  });
});
