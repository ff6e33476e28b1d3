import { describe, expect, it } from "vitest";
import { normalCdf } from "../../../src/core/normal.js";
import { computeMargin } from "../../../src/margin/computeMargin.js";
import type { MarginReport } from "../../../src/margin/report.js";
import { reportToJson } from "../../../src/margin/reportJson.js";
import { normalQuantile } from "../../../src/risk/normalQuantile.js";
import type { MarketSnapshotInput } from "../../../src/schema/marketSnapshot.js";
import { expectInvalid } from "../../support/errors.js";
import { market, portfolio } from "../../support/fixtures.js";
import { ethOption } from "../../support/optionPosition.js";

const ETH_VOL_DAILY = 0.04;

/** Fixture market with risk factors: ETH 4%/day, BTC 3%/day, corr 0.8; stETH basis 0.5%/day. */
function riskMarket(extra: Partial<MarketSnapshotInput> = {}): MarketSnapshotInput {
  return market({
    quotes: [
      ...market().quotes,
      { source: "chainlink", chain: "ethereum", feed: "stETH/USD", price: "2000", publishedAt: "2023-12-31T23:59:00Z" },
    ],
    liquidity: [
      { chain: "arbitrum", asset: "ETH", dailyVolumeUsd: "1000000000000" },
      { chain: "ethereum", asset: "ETH", dailyVolumeUsd: "1000000000000" },
      { chain: "ethereum", asset: "WETH", dailyVolumeUsd: "1000000000000" },
      { chain: "ethereum", asset: "stETH", dailyVolumeUsd: "1000000000000" },
    ],
    riskFactors: {
      source: "test",
      factors: [
        { name: "ETH", volDaily: String(ETH_VOL_DAILY) },
        { name: "BTC", volDaily: "0.03" },
        { name: "basis:stETH", volDaily: "0.005" },
      ],
      correlations: [
        ["1", "0.8", "0"],
        ["0.8", "1", "0"],
        ["0", "0", "1"],
      ],
    },
    ...extra,
  });
}

/** Only the diffusive risk: no floor, no spread, normal innovations. */
const pure = {
  model: "xchain",
  simulation: { paths: 20_000, seed: 7, innovations: { kind: "normal" } },
  horizon: { roundUpDays: 0 },
  gridFloor: { fraction: 0 },
};

const perp = (chain: string, size: string) => ({ kind: "perp" as const, chain, venue: "v", underlying: "ETH", size });
/** The ES as charged: xchain's components are its MM (the risk over the liquidation horizon); IM = MM / 0.8. */
const esOf = (r: MarginReport) => r.components.find((c) => c.name === "expected shortfall")!.maintenanceMarginUsd;

describe("xchain model", () => {
  it("matches the closed-form ES of a single lognormal position within 2%", () => {
    const p = portfolio({ positions: [perp("solana", "100")] });
    const r = computeMargin({
      portfolio: p,
      market: riskMarket(),
      config: { ...pure, simulation: { ...pure.simulation, paths: 100_000 } },
    });
    // horizon 1 day + Solana finality 12.8 s; loss = N (1 - e^x), x ~ N(0, s^2):
    // ES = N (1 - e^{s^2/2} Phi(-z - s) / (1 - alpha)), z = Phi^-1(0.975)
    const s = ETH_VOL_DAILY * Math.sqrt(1 + 12.8 / 86_400);
    const z = normalQuantile(0.975);
    const expected = 200_000 * (1 - (Math.exp((s * s) / 2) * normalCdf(-z - s)) / 0.025);
    expect(esOf(r) / expected).toBeGreaterThan(0.98);
    expect(esOf(r) / expected).toBeLessThan(1.02);
    expect(r.byPosition[0]?.horizonDays).toBeCloseTo(1 + 12.8 / 86_400, 12);
  });

  it("a hedged pair on one chain needs less than the sum of its legs alone", () => {
    const long = portfolio({ positions: [{ ...perp("arbitrum", "10"), underlying: "ETH" }] });
    const short = portfolio({ positions: [{ ...perp("arbitrum", "-0.5"), underlying: "BTC" }] });
    const both = portfolio({ positions: [...long.positions!, ...short.positions!] });
    const run = (p: ReturnType<typeof portfolio>) =>
      esOf(computeMargin({ portfolio: p, market: riskMarket(), config: pure }));
    expect(run(both)).toBeLessThan(run(long) + run(short));
  });

  it("the same hedge split across two chains needs more than on one chain, in proportion to the offset rate", () => {
    const oneChain = portfolio({ positions: [perp("arbitrum", "10"), { ...perp("arbitrum", "-10"), venue: "w" }] });
    const twoChains = portfolio({ positions: [perp("arbitrum", "10"), perp("base", "-10")] });
    const one = esOf(computeMargin({ portfolio: oneChain, market: riskMarket(), config: pure }));
    const two = esOf(computeMargin({ portfolio: twoChains, market: riskMarket(), config: pure }));
    expect(one).toBeCloseTo(0, 9);
    expect(two).toBeGreaterThan(0);
    // Arbitrum and Base have the same finality, so the legs move identically: per path the loss is
    // (1 - rate) x |leg P&L|; with rate 1 the split hedge is perfect again.
    const perfect = esOf(
      computeMargin({ portfolio: twoChains, market: riskMarket(), config: { ...pure, crossChainOffsetRate: 1 } }),
    );
    expect(perfect).toBeCloseTo(0, 6);
  });

  it("charges the stETH redemption event at its probability over the horizon, not offset by a hedge", () => {
    const hedged = portfolio({
      holdings: [{ chain: "ethereum", token: "stETH", amount: "100" }],
      positions: [perp("ethereum", "-100")],
    });
    const r = computeMargin({ portfolio: hedged, market: riskMarket(), config: pure });
    const jump = r.components.find((c) => c.name === "depeg and bridge jumps")!;
    // lst:stETH: -7% (June 2022 low) of 100 x 2000 = 14,000 with 5%/year; over the item's horizon h days
    // p = 1 - exp(-0.05 h / 365), and the ES 97.5% of "lose 14,000 with probability p" is p / 0.025 x 14,000.
    const h = r.byPosition[0]!.horizonDays!;
    const p = 1 - Math.exp((-0.05 * h) / 365);
    expect(jump.maintenanceMarginUsd).toBeCloseTo((p / 0.025) * 14_000, 6);
    // IM = MM / 0.8
    expect(jump.initialMarginUsd).toBeCloseTo(((p / 0.025) * 14_000) / 0.8, 6);
    expect(jump.detail).toContain("Cover-1 14000.00");
    const unhedged = portfolio({ holdings: hedged.holdings! });
    const u = computeMargin({ portfolio: unhedged, market: riskMarket(), config: pure });
    expect(u.components.find((c) => c.name === "depeg and bridge jumps")!.initialMarginUsd).toBe(jump.initialMarginUsd);
    // the hedge does remove the price risk itself
    expect(esOf(r)).toBeLessThan(esOf(u));
  });

  it("an event certain over the horizon is charged in full", () => {
    const p = portfolio({ holdings: [{ chain: "ethereum", token: "stETH", amount: "100" }] });
    const config = { ...pure, jumps: { byEvent: { "lst:stETH": { probabilityAnnual: 1 } } } };
    const run = (c: object) => computeMargin({ portfolio: p, market: riskMarket(), config: c });
    const jumpOf = (c: object) =>
      run(c).components.find((x) => x.name === "depeg and bridge jumps")!.maintenanceMarginUsd;
    // p over ~1 day at 100%/year = 0.27% < 2.5%: still a fraction of the loss
    const h = run(config).byPosition[0]!.horizonDays!;
    expect(jumpOf(config)).toBeCloseTo(((1 - Math.exp(-h / 365)) / 0.025) * 14_000, 6);
    const certain = {
      ...pure,
      horizon: { baseDays: 30, roundUpDays: 0 },
      jumps: { byEvent: { "lst:stETH": { probabilityAnnual: 1 } } },
    };
    // 30 days at 100%/year: p = 7.9% > 2.5%, so the whole loss is in the tail
    expect(jumpOf(certain)).toBeCloseTo(14_000, 6);
  });

  it("reports Cover-1 and Cover-2 event losses; USDC.e is hit by Circle's event and its bridge's", () => {
    const p = portfolio({
      holdings: [
        { chain: "ethereum", token: "USDC", amount: "100000" },
        { chain: "arbitrum", token: "USDC.e", amount: "10000" },
      ],
    });
    const r = computeMargin({ portfolio: p, market: riskMarket(), config: pure });
    const jump = r.components.find((c) => c.name === "depeg and bridge jumps")!;
    // issuer:USDC: 13% of 110,000 = 14,300; bridge:arbitrum-canonical: 100% of 10,000
    expect(jump.detail).toContain("issuer:USDC");
    expect(jump.detail).toContain("bridge:arbitrum-canonical");
    expect(jump.detail).toContain("Cover-1 14300.00, Cover-2 24300.00");
  });

  it("WETH on a rollup is hit by the canonical bridge event like wstETH and USDC.e there; WETH on Ethereum is not", () => {
    const jumpOf = (chain: string, token: string) => {
      const p = portfolio({ holdings: [{ chain, token, amount: "10" }] });
      const r = computeMargin({ portfolio: p, market: riskMarket(), config: pure });
      return r.components.find((c) => c.name === "depeg and bridge jumps")!.detail;
    };
    expect(jumpOf("arbitrum", "WETH")).toContain("bridge:arbitrum-canonical");
    expect(jumpOf("arbitrum", "ETH")).toContain("bridge:arbitrum-canonical");
    expect(jumpOf("ethereum", "WETH")).toBe("no token representation at risk of a jump");
  });

  it("a jumps.byToken override changes IM for every token, WETH and native ETH included", () => {
    for (const token of ["WETH", "ETH"]) {
      const p = portfolio({ holdings: [{ chain: "ethereum", token, amount: "10" }] });
      const base = computeMargin({ portfolio: p, market: riskMarket(), config: pure });
      const over = computeMargin({
        portfolio: p,
        market: riskMarket(),
        config: { ...pure, jumps: { byToken: { [`ethereum:${token}`]: { sizeRel: -0.5, probabilityAnnual: 0.5 } } } },
      });
      const h = over.byPosition[0]!.horizonDays!;
      const charge = ((1 - Math.exp((-0.5 * h) / 365)) / 0.025) * 0.5 * 10 * 2000;
      expect(over.maintenanceMarginUsd - base.maintenanceMarginUsd).toBeCloseTo(charge, 6);
    }
  });

  it("rejects a jumps override naming a token or event that does not exist", () => {
    const p = portfolio({ holdings: [{ chain: "ethereum", token: "WETH", amount: "10" }] });
    const run = (jumps: object) => () =>
      computeMargin({ portfolio: p, market: riskMarket(), config: { ...pure, jumps } });
    expectInvalid(
      run({ byToken: { "ethereum:WETHH": { sizeRel: -1, probabilityAnnual: 0.1 } } }),
      '$.jumps.byToken["ethereum:WETHH"]',
      "registry token",
    );
    expectInvalid(
      run({ byEvent: { "issuer:FOO": { sizeRel: -1 } } }),
      '$.jumps.byEvent["issuer:FOO"]',
      "must be one of",
    );
  });

  it("a hedge across underlyings never raises the requirement through the floor (issue 13 cause 3)", () => {
    const longBtc = portfolio({ positions: [{ ...perp("arbitrum", "10"), underlying: "BTC" }] });
    const hedged = portfolio({ positions: [...longBtc.positions!, { ...perp("arbitrum", "-100"), venue: "w" }] });
    const config = { model: "xchain", simulation: { seed: 3 } };
    const risk = (p: ReturnType<typeof portfolio>) =>
      computeMargin({ portfolio: p, market: riskMarket(), config }).components[0]!;
    const before = risk(longBtc);
    const after = risk(hedged);
    expect(after.initialMarginUsd).toBeLessThanOrEqual(before.initialMarginUsd);
    // the floor credits the offset: sqrt(g^T R g) with opposite signs and correlation 0.8 is below the summed losses
    expect(after.detail).toMatch(/offset credit across underlyings/);
    expect(Number(/with ([\d.]+) offset credit/.exec(after.detail)![1])).toBeGreaterThan(0);
    // with no credit allowed, the same floor is the plain 50% of grid and binds above the hedged ES
    const noCredit = computeMargin({
      portfolio: hedged,
      market: riskMarket(),
      config: { ...config, gridFloor: { maxCreditRel: 0 } },
    }).components[0]!;
    expect(noCredit.initialMarginUsd).toBeGreaterThanOrEqual(after.initialMarginUsd);
  });

  it("rounds horizons up to the configured step", () => {
    const p = portfolio({ positions: [perp("ethereum", "1")] });
    const r = computeMargin({
      portfolio: p,
      market: riskMarket(),
      config: { ...pure, horizon: { roundUpDays: 1 / 96 } },
    });
    // 1 day + 768 s = 1.00889 days -> next quarter hour: 97/96 days
    expect(r.byPosition[0]?.horizonDays).toBeCloseTo(97 / 96, 12);
  });

  it("adds bridge latency to collateral away from the risk chain", () => {
    const p = portfolio({
      holdings: [{ chain: "ethereum", token: "WETH", amount: "10" }],
      positions: [perp("arbitrum", "-5")],
    });
    const m = riskMarket({ bridges: [{ from: "ethereum", to: "arbitrum", latencySec: "900", costBps: "2" }] });
    const r = computeMargin({ portfolio: p, market: m, config: pure });
    expect(r.byPosition[0]?.horizonDays).toBeCloseTo(1 + (768 + 900) / 86_400, 12);
    expect(r.byPosition[1]?.horizonDays).toBeCloseTo(1 + 1200 / 86_400, 12);
    // bridge cost 2 bps of 20000
    expect(r.components.find((c) => c.name === "liquidity and bridge cost")!.detail).toContain(
      "bridging collateral to the risk chain 4.00",
    );
    const noRoute = computeMargin({ portfolio: p, market: riskMarket(), config: pure });
    expect(noRoute.byPosition[0]?.horizonDays).toBeCloseTo(1 + (768 + 604_800) / 86_400, 9);
    expect(noRoute.flags.some((f) => f.code === "BRIDGE_ROUTE_MISSING")).toBe(true);
  });

  it("oracle uncertainty only ever adds margin: divergence and staleness raise it", () => {
    const p = portfolio({ positions: [perp("arbitrum", "10")] });
    const base = computeMargin({ portfolio: p, market: riskMarket(), config: pure });
    const diverged = riskMarket();
    diverged.quotes = diverged.quotes.map((q) =>
      q.feed === "ETH/USD" && q.source === "pyth" ? { ...q, price: "2100" } : q,
    );
    const d = computeMargin({ portfolio: p, market: diverged, config: pure });
    const oracle = (r: MarginReport) => r.components.find((c) => c.name === "oracle uncertainty")!.maintenanceMarginUsd;
    expect(oracle(base)).toBe(0);
    // median of 2000 and 2100 is 2050; band = 2 x 50 (rule R4); 10 x 2050 x 100 / 2050 = 1000
    expect(oracle(d)).toBeCloseTo(1000, 6);
    const stale = riskMarket();
    stale.quotes = stale.quotes.map((q) => (q.feed === "ETH/USD" ? { ...q, publishedAt: "2023-12-31T12:00:00Z" } : q));
    const s = computeMargin({ portfolio: p, market: stale, config: pure });
    // every ETH source stale: +5% of 20000, plus the 0.5% band of a price no fresh source backs (R9): 1100
    expect(oracle(s)).toBeCloseTo(1100, 6);
    expect(s.initialMarginUsd).toBeGreaterThan(base.initialMarginUsd);
  });

  it("margins an underlying without risk data standalone and flags it", () => {
    const p = portfolio({ positions: [perp("arbitrum", "10")] });
    const m = riskMarket();
    delete m.riskFactors;
    const r = computeMargin({ portfolio: p, market: m, config: pure });
    expect(r.flags.some((f) => f.code === "RISK_FACTOR_MISSING" && f.severity === "warning")).toBe(true);
    const withData = computeMargin({ portfolio: p, market: riskMarket(), config: pure });
    // fallback vol 150%/year (7.85%/day) is above the 4%/day of the data
    expect(r.initialMarginUsd).toBeGreaterThan(withData.initialMarginUsd);
  });

  it("applies the grid floor when the simulation is below it", () => {
    const p = portfolio({ positions: [perp("arbitrum", "10")] });
    const r = computeMargin({ portfolio: p, market: riskMarket(), config: { ...pure, gridFloor: { fraction: 1 } } });
    // default grid: 16% of 20000 = 3200 > 1-day ES at 4%/day (about 9.4% of notional)
    expect(r.components[0]?.name).toBe("grid floor");
    expect(r.components[0]?.maintenanceMarginUsd).toBeCloseTo(3200, 6);
  });

  it("is reproducible bit for bit for a seed and changes with the seed", () => {
    const p = portfolio({ positions: [perp("arbitrum", "10"), perp("base", "-4")] });
    const a = JSON.stringify(
      reportToJson(computeMargin({ portfolio: p, market: riskMarket(), config: { model: "xchain" } })),
    );
    const b = JSON.stringify(
      reportToJson(computeMargin({ portfolio: p, market: riskMarket(), config: { model: "xchain" } })),
    );
    expect(a).toBe(b);
    const c = computeMargin({
      portfolio: p,
      market: riskMarket(),
      config: { model: "xchain", simulation: { seed: 2 } },
    });
    expect(reportToJson(c).initialMargin).not.toBe(JSON.parse(a).initialMargin);
  });

  it("attributes the requirement to positions so that rows add up", () => {
    const p = portfolio({
      holdings: [{ chain: "ethereum", token: "stETH", amount: "30" }],
      positions: [perp("arbitrum", "-20"), { ...perp("base", "5"), underlying: "BTC" }],
    });
    const r = computeMargin({ portfolio: p, market: riskMarket(), config: { model: "xchain" } });
    const rows = r.byPosition.reduce((s, x) => s + x.initialMarginUsd, 0);
    expect(rows).toBeCloseTo(r.initialMarginUsd, 6);
    expect(r.worstPaths?.length).toBe(5);
  });

  it("interpolated option revaluation matches exact Black-76 revaluation on every path", () => {
    const p = portfolio({
      positions: [
        ethOption("p1800", "-40", "1800", "put", "2024-01-31T08:00:00Z"),
        ethOption("c2000", "25", "2000", "call", "2024-01-31T08:00:00Z"),
        ethOption("c2600", "-30", "2600", "call", "2024-06-28T08:00:00Z"),
        ethOption("p1200", "60", "1200", "put", "2024-06-28T08:00:00Z"),
        perp("arbitrum", "5"),
      ],
    });
    const run = (optionRevaluation: string) =>
      computeMargin({
        portfolio: p,
        market: riskMarket(),
        config: { model: "xchain", gridFloor: { fraction: 0 }, simulation: { optionRevaluation } },
      });
    const exact = run("exact");
    const fast = run("interpolated");
    // 2e-4: the importance-sampled t mixing puts ten times as many paths in the extreme tail, where the interpolation
    // grid spans the widest moves (was 1e-4 with plain sampling); still 25x below the ES's Monte Carlo CV.
    expect(Math.abs(esOf(fast) / esOf(exact) - 1)).toBeLessThan(2e-4);
    fast.byPosition.forEach((row, i) => {
      expect(Math.abs(row.initialMarginUsd - exact.byPosition[i]!.initialMarginUsd)).toBeLessThan(2e-4 * esOf(exact));
    });
  });
});
