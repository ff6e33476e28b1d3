import { describe, expect, it } from "vitest";
import { generateAccounts } from "../../../bench/generateAccounts.js";
import { generatePortfolio } from "../../../bench/generatePortfolio.js";
import { BatchGridEngine } from "../../../src/margin/batch/batchGridEngine.js";
import { computeGridPm } from "../../../src/margin/gridPm/computeGridPm.js";
import type { GridPmConfig } from "../../../src/margin/gridPm/config.js";
import type { ResolvedMarket, ResolvedUnderlying } from "../../../src/margin/resolve/resolvedMarket.js";
import type { ResolvedPortfolio } from "../../../src/margin/resolve/resolvedPortfolio.js";
import { resolvePortfolio } from "../../../src/margin/resolve/resolvePortfolio.js";
import { resolveMarginConfig } from "../../../src/margin/resolveConfig.js";
import type { UnderlyingState } from "../../../src/pricing/types.js";
import { valuePosition } from "../../../src/pricing/valuePosition.js";
import { portfolioSchema } from "../../../src/schema/portfolio.js";
import { exampleMarket } from "../../support/exampleMarket.js";

const MARKET = exampleMarket();
const CONFIG = resolveMarginConfig({ model: "grid" }) as GridPmConfig;

function resolveAll(docs: unknown[], market: ResolvedMarket): ResolvedPortfolio[] {
  return docs.map((d) => resolvePortfolio(portfolioSchema.parse(d), market));
}

/** Listed-instrument accounts (shared options) plus free-strike books (every option distinct), some empty. */
function accounts(): ResolvedPortfolio[] {
  const docs: unknown[] = [...generateAccounts(250, 7)];
  for (let k = 0; k < 50; k++) docs.push(generatePortfolio(1 + (k % 23), 1000 + k, `free-${k}`));
  docs.push({ accountId: "empty", holdings: [], positions: [] });
  docs.push({ accountId: "usd-only", holdings: [{ chain: "ethereum", token: "USDC", amount: "1000" }] });
  return resolveAll(docs, MARKET);
}

/** The market with one underlying's state replaced, and a portfolio re-marked in it (valuePosition per item). */
function ticked(market: ResolvedMarket, symbol: string, state: UnderlyingState): ResolvedMarket {
  const underlyings = new Map(market.underlyings);
  const old = underlyings.get(symbol)!;
  const next: ResolvedUnderlying = { ...old, ...state };
  underlyings.set(symbol, next);
  return { ...market, underlyings };
}

function remarked(p: ResolvedPortfolio, market: ResolvedMarket): ResolvedPortfolio {
  return {
    ...p,
    items: p.items.map((item) => ({
      ...item,
      valueUsd: valuePosition(item.priced, market.underlyings.get(item.underlying)!, item.volAnnual),
    })),
  };
}

function expectSameAsComputeGridPm(engine: BatchGridEngine, portfolios: ResolvedPortfolio[], market: ResolvedMarket) {
  portfolios.forEach((p, a) => {
    const report = computeGridPm(remarked(p, market), market, CONFIG);
    const got = engine.account(a);
    expect(got.accountId).toBe(p.accountId);
    // Same operations in the same order: bit-identical, not merely close.
    expect(got.initialMarginUsd, p.accountId).toBe(report.initialMarginUsd);
    expect(got.maintenanceMarginUsd, p.accountId).toBe(report.maintenanceMarginUsd);
    expect(got.collateralValueUsd, p.accountId).toBe(report.collateralValueUsd);
    expect(got.freeCollateralUsd, p.accountId).toBe(report.freeCollateralUsd);
    expect(got.healthRatio, p.accountId).toBe(report.healthRatio);
    for (const table of report.scenarios) {
      const vec = engine.scenarioPnl(a, table.underlying)!;
      expect(vec.worstLossUsd).toBe(table.worstLossUsd);
      expect(vec.worstScenarioId).toBe(table.worstScenarioId);
      expect([...vec.pnlUsd]).toEqual(table.scenarios.map((s) => s.pnlUsd));
    }
  });
}

describe("BatchGridEngine", () => {
  const portfolios = accounts();

  it("gives computeGridPm's figures on every account, cold", () => {
    const engine = new BatchGridEngine(portfolios, MARKET, CONFIG);
    engine.computeAll();
    expectSameAsComputeGridPm(engine, portfolios, MARKET);
    expect(engine.account(portfolios.length - 2).initialMarginUsd).toBe(0);
    expect(engine.account(portfolios.length - 1).collateralValueUsd).toBeGreaterThan(0);
  });

  it("shares option instruments between accounts and counts its memory", () => {
    const engine = new BatchGridEngine(portfolios, MARKET, CONFIG);
    const shape = engine.shape();
    expect(shape.map((s) => s.symbol).sort()).toEqual(["BTC", "ETH", "SOL"]);
    for (const s of shape) expect(s.instruments).toBeLessThan(s.positions);
    expect(engine.stateBytes()).toBeGreaterThan(0);
  });

  it("after ticks of one underlying at a time, equals computeGridPm in the ticked market", () => {
    const engine = new BatchGridEngine(portfolios, MARKET, CONFIG);
    engine.computeAll();
    let market = MARKET;
    const moves: Array<[string, number]> = [
      ["BTC", 1.013],
      ["ETH", 0.97],
      ["BTC", 0.9],
      ["SOL", 1.25],
    ];
    for (const [symbol, mult] of moves) {
      const old = market.underlyings.get(symbol)!;
      const state = { spotUsd: old.spotUsd * mult, carryRateAnnual: old.carryRateAnnual, riskFreeRateAnnual: 0.051 };
      market = ticked(market, symbol, state);
      const stats = engine.tick(symbol, state);
      const holders = portfolios.filter((p) => p.items.some((i) => i.underlying === symbol)).length;
      expect(stats.accountsUpdated).toBe(holders);
      expectSameAsComputeGridPm(engine, portfolios, market);
    }
    expect(engine.underlyingState("BTC")?.spotUsd).toBe(market.underlyings.get("BTC")!.spotUsd);
  });

  it("leaves accounts without the ticked underlying untouched and ignores unknown underlyings", () => {
    const engine = new BatchGridEngine(portfolios, MARKET, CONFIG);
    engine.computeAll();
    const before = engine.initialMarginUsd.slice();
    const sol = MARKET.underlyings.get("SOL")!;
    engine.tick("SOL", { ...sol, spotUsd: sol.spotUsd * 1.5 });
    portfolios.forEach((p, a) => {
      if (!p.items.some((i) => i.underlying === "SOL")) expect(engine.initialMarginUsd[a]).toBe(before[a]);
    });
    expect(engine.tick("LINK", { spotUsd: 7, carryRateAnnual: 0, riskFreeRateAnnual: 0 }).groupsRecomputed).toBe(0);
  });

  it("writes into caller-provided result columns", () => {
    const n = portfolios.length;
    const sab = new SharedArrayBuffer(3 * 8 * (n + 4));
    const out = {
      initialMarginUsd: new Float64Array(sab, 0, n + 4),
      maintenanceMarginUsd: new Float64Array(sab, 8 * (n + 4), n + 4),
      collateralValueUsd: new Float64Array(sab, 16 * (n + 4), n + 4),
    };
    const engine = new BatchGridEngine(portfolios, MARKET, CONFIG, { out });
    engine.computeAll();
    const plain = new BatchGridEngine(portfolios, MARKET, CONFIG);
    plain.computeAll();
    expect([...out.initialMarginUsd.subarray(0, n)]).toEqual([...plain.initialMarginUsd]);
  });
});
