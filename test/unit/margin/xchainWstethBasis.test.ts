import { describe, expect, it } from "vitest";
import { computeMargin } from "../../../src/margin/computeMargin.js";
import { getToken } from "../../../src/market/tokenRegistry.js";
import { basisFactorOf, fallbackBasisFactorOf } from "../../../src/market/tokenRiskFactors.js";
import type { MarketSnapshotInput } from "../../../src/schema/marketSnapshot.js";
import { market, portfolio } from "../../support/fixtures.js";

// Issue 13: wstETH's USD closes lag ETH's by up to a day, noise stETH/ETH does not have; wstETH gets its own basis.

/** ETH 4%/day; stETH and (optionally) wstETH bases, uncorrelated with ETH and with each other. */
function lstMarket(bases: Record<string, string>): MarketSnapshotInput {
  const names = ["ETH", ...Object.keys(bases)];
  return market({
    quotes: [
      ...market().quotes,
      {
        source: "chainlink",
        chain: "ethereum",
        feed: "wstETH/USD",
        price: "2300",
        publishedAt: "2023-12-31T23:59:00Z",
      },
    ],
    liquidity: [
      { chain: "ethereum", asset: "ETH", dailyVolumeUsd: "1000000000000" },
      { chain: "ethereum", asset: "wstETH", dailyVolumeUsd: "1000000000000" },
    ],
    riskFactors: {
      source: "test",
      factors: [
        { name: "ETH", volDaily: "0.04" },
        ...Object.entries(bases).map(([name, v]) => ({ name, volDaily: v })),
      ],
      correlations: names.map((_, a) => names.map((_, b) => (a === b ? "1" : "0"))),
    },
  });
}

const pure = {
  model: "xchain",
  simulation: { paths: 20_000, seed: 7, innovations: { kind: "normal" } },
  horizon: { roundUpDays: 0 },
  gridFloor: { fraction: 0 },
};
const book = portfolio({ holdings: [{ chain: "ethereum", token: "wstETH", amount: "100" }] });
const es = (m: MarketSnapshotInput) =>
  computeMargin({ portfolio: book, market: m, config: pure }).components.find((c) => c.name === "expected shortfall")!
    .maintenanceMarginUsd;

describe("wstETH basis factor", () => {
  it("wstETH maps to its own basis on every chain; stETH keeps stETH's; stETH's basis is wstETH's fallback", () => {
    for (const chain of ["ethereum", "arbitrum", "optimism", "base"]) {
      const t = getToken(chain, "wstETH", "$");
      expect(basisFactorOf(t)).toBe("basis:wstETH");
      expect(fallbackBasisFactorOf(t)).toBe("basis:stETH");
    }
    expect(basisFactorOf(getToken("ethereum", "stETH", "$"))).toBe("basis:stETH");
    expect(fallbackBasisFactorOf(getToken("ethereum", "stETH", "$"))).toBeUndefined();
  });

  it("a wstETH holding's ES moves with basis:wstETH, not with basis:stETH, when the snapshot has both", () => {
    const base = es(lstMarket({ "basis:stETH": "0.005", "basis:wstETH": "0.005" }));
    // Raising wstETH's own basis vol raises the ES; the stETH basis no longer reaches a wstETH-only book.
    expect(es(lstMarket({ "basis:stETH": "0.005", "basis:wstETH": "0.02" }))).toBeGreaterThan(base * 1.005);
    expect(es(lstMarket({ "basis:stETH": "0.02", "basis:wstETH": "0.005" }))).toBeCloseTo(base, 6);
  });

  it("a snapshot without basis:wstETH falls back to stETH's basis (never to jump only) and says so", () => {
    const withOwn = es(lstMarket({ "basis:stETH": "0.02", "basis:wstETH": "0.02" }));
    const fallback = computeMargin({
      portfolio: book,
      market: lstMarket({ "basis:stETH": "0.02" }),
      config: pure,
    });
    const fallbackEs = fallback.components.find((c) => c.name === "expected shortfall")!.maintenanceMarginUsd;
    // Same vol, same (zero) correlations: the same ES up to Monte Carlo noise (another factor, another stream).
    expect(Math.abs(fallbackEs / withOwn - 1)).toBeLessThan(0.01);
    expect(fallback.flags.map((f) => f.message).join("\n")).toContain("basis:wstETH in the snapshot");
    const noBasis = es(lstMarket({}));
    expect(fallbackEs).toBeGreaterThan(noBasis);
  });
});
