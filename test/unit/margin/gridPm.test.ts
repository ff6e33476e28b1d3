import { describe, expect, it } from "vitest";
import { computeMargin } from "../../../src/margin/computeMargin.js";
import { market, portfolio } from "../../support/fixtures.js";

const pm15 = {
  model: "grid",
  priceShocks: [-0.15, -0.075, 0, 0.075, 0.15],
  volShocks: [0],
  extremeMoves: { multiple: 0, weight: 0 },
};

const pm10 = { model: "grid", priceShocks: [-0.1, 0, 0.1], volShocks: [0], extremeMoves: { multiple: 0, weight: 0 } };

describe("grid portfolio margin", () => {
  it("margins one long perp at the largest down shock: IM = 15% of notional", () => {
    const p = portfolio({
      positions: [{ kind: "perp", chain: "arbitrum", venue: "gmx", underlying: "ETH", size: "10" }],
    });
    const r = computeMargin({ portfolio: p, market: market(), config: pm15 });
    // notional 10 x 2000 = 20000; worst move -15% -> loss 3000
    expect(r.initialMarginUsd).toBeCloseTo(3000, 9);
    expect(r.maintenanceMarginUsd).toBeCloseTo(1500, 9); // default maintenance ratio 0.5
    expect(r.scenarios[0]?.worstScenarioId).toBe("spot -15% vol +0%");
    expect(r.byPosition[0]?.initialMarginUsd).toBeCloseTo(3000, 9);
  });

  it("a short perp is margined by the up shock", () => {
    const p = portfolio({
      positions: [{ kind: "perp", chain: "arbitrum", venue: "gmx", underlying: "ETH", size: "-10" }],
    });
    const r = computeMargin({ portfolio: p, market: market(), config: pm15 });
    expect(r.initialMarginUsd).toBeCloseTo(3000, 9);
    expect(r.scenarios[0]?.worstScenarioId).toBe("spot +15% vol +0%");
  });

  it("extreme moves at 3x range counted at 33% do not exceed the core range for a linear position", () => {
    const p = portfolio({
      positions: [{ kind: "perp", chain: "arbitrum", venue: "gmx", underlying: "ETH", size: "10" }],
    });
    const r = computeMargin({ portfolio: p, market: market(), config: { model: "grid" } });
    // default range 16%: core loss 0.16 x 20000 = 3200; extreme 0.48 x 0.33 x 20000 = 3168 < 3200
    expect(r.initialMarginUsd).toBeCloseTo(3200, 9);
  });

  it("a spot/perp hedge on two chains has no scenario risk; flipping the perp doubles the single-leg risk", () => {
    const hedged = portfolio({
      holdings: [{ chain: "ethereum", token: "WETH", amount: "10" }],
      positions: [{ kind: "perp", chain: "arbitrum", venue: "gmx", underlying: "ETH", size: "-10" }],
    });
    const r = computeMargin({ portfolio: hedged, market: market(), config: pm15 });
    expect(r.initialMarginUsd).toBeCloseTo(0, 9);
    const flipped = { ...hedged, positions: [{ ...hedged.positions![0]!, size: "10" }] };
    const f = computeMargin({ portfolio: flipped, market: market(), config: pm15 });
    // 20 ETH long: 0.15 x 40000 = 6000, twice the single perp's 3000
    expect(f.initialMarginUsd).toBeCloseTo(6000, 9);
  });

  it("adding stablecoin collateral never raises the requirement and raises free collateral by its haircut value", () => {
    const base = portfolio({
      positions: [{ kind: "perp", chain: "arbitrum", venue: "gmx", underlying: "ETH", size: "10" }],
    });
    const more = { ...base, holdings: [{ chain: "arbitrum", token: "USDC", amount: "5000" }] };
    const r0 = computeMargin({ portfolio: base, market: market(), config: pm15 });
    const r1 = computeMargin({ portfolio: more, market: market(), config: pm15 });
    expect(r1.initialMarginUsd).toBe(r0.initialMarginUsd);
    // stablecoin haircut 2%: 5000 x 0.98 = 4900
    expect(r1.freeCollateralUsd - r0.freeCollateralUsd).toBeCloseTo(4900, 9);
  });

  it("a short put's requirement is its worst repriced loss plus the 1% contingency", () => {
    const p = portfolio({
      positions: [
        {
          kind: "option",
          chain: "arbitrum",
          venue: "derive",
          underlying: "ETH",
          size: "-1",
          strike: "2000",
          expiry: "2024-01-31T08:00:00Z",
          optionType: "put",
        },
      ],
    });
    const r = computeMargin({ portfolio: p, market: market(), config: pm10 });
    // Independent Black-Scholes (r = 0, carry 0) with T = 30 days + 8h = 30.3333/365 years, vol 50%:
    // put(S) = K N(-d2) - S N(-d1), N by Simpson integration below; worst case is spot -10%, plus 1% x 2000 = 20.
    const put = ethPut2000;
    const expected = put(1800) - put(2000) + 20;
    expect(r.initialMarginUsd).toBeCloseTo(expected, 6);
    expect(r.components.find((c) => c.name === "option contingency")?.initialMarginUsd).toBeCloseTo(20, 9);
  });

  it("two positions in one option are priced once and each counts at its own size", () => {
    const put = {
      kind: "option",
      chain: "arbitrum",
      venue: "derive",
      underlying: "ETH",
      strike: "2000",
      expiry: "2024-01-31T08:00:00Z",
      optionType: "put",
    } as const;
    const p = portfolio({
      positions: [
        { ...put, size: "3" },
        { kind: "perp", chain: "base", venue: "x", underlying: "ETH", size: "0.5" },
        { ...put, chain: "base", size: "-1" },
      ],
    });
    const r = computeMargin({ portfolio: p, market: market(), config: pm10 });
    // Net 2 puts and 0.5 ETH long; worst of spot -10% / 0 / +10% by the independent Black-Scholes below.
    const value = (s: number) => 2 * ethPut2000(s) + 0.5 * s;
    const pnls = [1800, 2000, 2200].map((s) => value(s) - value(2000));
    const worstPnl = Math.min(...pnls);
    // Contingency: 1% x 2000 x (3 + 1): on different chains they are two contracts, so they do not net.
    const contingency = r.components.find((c) => c.name === "option contingency")!.initialMarginUsd;
    expect(contingency).toBeCloseTo(0.01 * 2000 * 4, 9);
    expect(r.initialMarginUsd).toBeCloseTo(-worstPnl + contingency, 6);
    const ids = ["spot -10% vol +0%", "spot +0% vol +0%", "spot +10% vol +0%"];
    expect(r.scenarios[0]?.worstScenarioId).toBe(ids[pnls.indexOf(worstPnl)]);
  });

  it("attributions of an underlying add up to its requirement", () => {
    const p = portfolio({
      holdings: [{ chain: "ethereum", token: "WETH", amount: "3" }],
      positions: [
        { kind: "perp", chain: "arbitrum", venue: "gmx", underlying: "ETH", size: "-10" },
        { kind: "perp", chain: "base", venue: "x", underlying: "ETH", size: "2" },
      ],
    });
    const r = computeMargin({ portfolio: p, market: market(), config: { model: "grid" } });
    const attributed = r.byPosition.reduce((s, x) => s + x.initialMarginUsd, 0);
    expect(attributed).toBeCloseTo(r.initialMarginUsd, 9);
    expect(r.byChain.reduce((s, g) => s + g.initialMarginUsd, 0)).toBeCloseTo(r.initialMarginUsd, 9);
  });
});

/**
 * The fixture market's ETH 2000 put expiring 2024-01-31T08:00Z, by Black-Scholes with r = 0 and carry 0: T = 30 days
 * + 8h, vol 50%; put(S) = K N(-d2) - S N(-d1) with N from `phi` below.
 */
function ethPut2000(s: number): number {
  const T = (30 + 8 / 24) / 365;
  const d1 = (Math.log(s / 2000) + 0.125 * T) / (0.5 * Math.sqrt(T));
  const d2 = d1 - 0.5 * Math.sqrt(T);
  return 2000 * phi(-d2) - s * phi(-d1);
}

/** Standard normal CDF by Simpson integration of the density (independent of src/pricing/normal.ts). */
function phi(x: number): number {
  const f = (t: number) => Math.exp(-0.5 * t * t) / Math.sqrt(2 * Math.PI);
  const a = -12;
  const n = 20000;
  const h = (x - a) / n;
  let s = f(a) + f(x);
  for (let i = 1; i < n; i++) s += f(a + i * h) * (i % 2 === 1 ? 4 : 2);
  return (s * h) / 3;
}
