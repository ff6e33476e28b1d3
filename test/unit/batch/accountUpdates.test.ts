import { describe, expect, it } from "vitest";
import { generateAccounts } from "../../../bench/generateAccounts.js";
import { generatePortfolio } from "../../../bench/generatePortfolio.js";
import { BatchGridEngine } from "../../../src/margin/batch/batchGridEngine.js";
import { computeGridPm } from "../../../src/margin/gridPm/computeGridPm.js";
import type { GridPmConfig } from "../../../src/margin/gridPm/config.js";
import type { ResolvedMarket } from "../../../src/margin/resolve/resolvedMarket.js";
import type { ResolvedPortfolio } from "../../../src/margin/resolve/resolvedPortfolio.js";
import { resolvePortfolio } from "../../../src/margin/resolve/resolvePortfolio.js";
import { resolveMarginConfig } from "../../../src/margin/resolveConfig.js";
import { portfolioSchema } from "../../../src/schema/portfolio.js";
import { exampleMarket } from "../../support/exampleMarket.js";

const MARKET = exampleMarket();
const CONFIG = resolveMarginConfig({ model: "grid" }) as GridPmConfig;

function resolveAll(docs: unknown[], market: ResolvedMarket): ResolvedPortfolio[] {
  return docs.map((d) => resolvePortfolio(portfolioSchema.parse(d), market));
}

/** Listed-strike accounts and free-strike books (whose options are new instruments when added later). */
const PORTFOLIOS = resolveAll(
  [
    ...generateAccounts(120, 5),
    ...Array.from({ length: 20 }, (_, k) => generatePortfolio(3 + k, 500 + k, `free-${k}`)),
  ],
  MARKET,
);

function expectAccountEquals(engine: BatchGridEngine, a: number, p: ResolvedPortfolio, market: ResolvedMarket) {
  const report = computeGridPm(p, market, CONFIG);
  const got = engine.account(a);
  expect(got.accountId).toBe(p.accountId);
  expect(got.initialMarginUsd, p.accountId).toBe(report.initialMarginUsd);
  expect(got.maintenanceMarginUsd, p.accountId).toBe(report.maintenanceMarginUsd);
  expect(got.collateralValueUsd, p.accountId).toBe(report.collateralValueUsd);
}

describe("BatchGridEngine account updates without a rebuild", () => {
  it("adding accounts one at a time gives the figures of an engine built with all of them", () => {
    const built = new BatchGridEngine(PORTFOLIOS, MARKET, CONFIG);
    built.computeAll();
    const grown = new BatchGridEngine(PORTFOLIOS.slice(0, 60), MARKET, CONFIG);
    grown.computeAll();
    const instrumentsBefore = grown.shape().reduce((s, b) => s + b.instruments, 0);
    for (const p of PORTFOLIOS.slice(60)) grown.addAccount(p);
    // Free-strike books bring instruments no earlier account holds: they are priced on arrival.
    expect(grown.shape().reduce((s, b) => s + b.instruments, 0)).toBeGreaterThan(instrumentsBefore);
    expect(grown.nAccounts).toBe(PORTFOLIOS.length);
    expect([...grown.initialMarginUsd]).toEqual([...built.initialMarginUsd]);
    expect([...grown.maintenanceMarginUsd]).toEqual([...built.maintenanceMarginUsd]);
    expect([...grown.collateralValueUsd]).toEqual([...built.collateralValueUsd]);
    // And a tick after the additions still matches the fully built engine.
    const btc = MARKET.underlyings.get("BTC")!;
    const state = { spotUsd: btc.spotUsd * 0.93, carryRateAnnual: btc.carryRateAnnual, riskFreeRateAnnual: 0.04 };
    expect(grown.tick("BTC", state)).toEqual(built.tick("BTC", state));
    expect([...grown.initialMarginUsd]).toEqual([...built.initialMarginUsd]);
  });

  it("replacing an account re-margins it alone and keeps its index", () => {
    const engine = new BatchGridEngine(PORTFOLIOS, MARKET, CONFIG);
    engine.computeAll();
    const before = engine.initialMarginUsd.slice();
    const a = 7;
    const id = PORTFOLIOS[a]!.accountId;
    const next = resolveAll([{ ...generatePortfolio(12, 9_999), accountId: id }], MARKET)[0]!;
    expect(engine.replaceAccount(next)).toBe(a);
    expectAccountEquals(engine, a, next, MARKET);
    expect(engine.initialMarginUsd[a]).not.toBe(before[a]);
    PORTFOLIOS.forEach((_, b) => {
      if (b !== a) expect(engine.initialMarginUsd[b]).toBe(before[b]);
    });
    // The replaced rows are dead: a tick counts the account once.
    const holders = PORTFOLIOS.map((p, b) => (b === a ? next : p)).filter((p) =>
      p.items.some((i) => i.underlying === "ETH"),
    ).length;
    const eth = MARKET.underlyings.get("ETH")!;
    expect(engine.tick("ETH", { ...eth, spotUsd: eth.spotUsd * 1.02 }).accountsUpdated).toBe(holders);
  });

  it("a removed account reads NaN, is refused by account(), and is no longer re-margined", () => {
    const engine = new BatchGridEngine(PORTFOLIOS, MARKET, CONFIG);
    engine.computeAll();
    const a = PORTFOLIOS.findIndex((p) => p.items.some((i) => i.underlying === "SOL"));
    const id = PORTFOLIOS[a]!.accountId;
    engine.removeAccount(id);
    expect(engine.initialMarginUsd[a]).toBeNaN();
    expect(() => engine.account(a)).toThrow(/no live account/);
    expect(engine.accountIndex(id)).toBeUndefined();
    expect(() => engine.removeAccount(id)).toThrow(/no account/);
    const holders = PORTFOLIOS.filter((p, b) => b !== a && p.items.some((i) => i.underlying === "SOL")).length;
    const sol = MARKET.underlyings.get("SOL")!;
    expect(engine.tick("SOL", { ...sol, spotUsd: sol.spotUsd * 0.8 }).accountsUpdated).toBe(holders);
    expect(engine.initialMarginUsd[a]).toBeNaN();
    // The id can come back as a new account at a new index.
    const back = engine.addAccount(PORTFOLIOS[a]!);
    expect(back).toBe(PORTFOLIOS.length);
  });

  it("refuses a duplicate id and an account beyond caller-provided result columns", () => {
    const engine = new BatchGridEngine(PORTFOLIOS.slice(0, 3), MARKET, CONFIG);
    expect(() => engine.addAccount(PORTFOLIOS[0]!)).toThrow(/already in the engine/);
    const out = {
      initialMarginUsd: new Float64Array(3),
      maintenanceMarginUsd: new Float64Array(3),
      collateralValueUsd: new Float64Array(3),
    };
    const fixed = new BatchGridEngine(PORTFOLIOS.slice(0, 3), MARKET, CONFIG, { out });
    expect(() => fixed.addAccount(PORTFOLIOS[3]!)).toThrow(/result columns hold 3 slots/);
  });

  it("after a mixed sequence of adds, replaces, removes and ticks, every live account equals a fresh build's", () => {
    const engine = new BatchGridEngine(PORTFOLIOS.slice(0, 80), MARKET, CONFIG);
    engine.computeAll();
    const live = new Map(PORTFOLIOS.slice(0, 80).map((p) => [p.accountId, p]));
    const btc = MARKET.underlyings.get("BTC")!;
    const moved = { spotUsd: btc.spotUsd * 1.07, carryRateAnnual: btc.carryRateAnnual, riskFreeRateAnnual: 0.05 };
    const back = {
      spotUsd: btc.spotUsd,
      carryRateAnnual: btc.carryRateAnnual,
      riskFreeRateAnnual: btc.riskFreeRateAnnual,
    };
    for (let k = 0; k < 60; k++) {
      const step = k % 4;
      if (step === 0) {
        const p = PORTFOLIOS[80 + (k % 60)]!;
        if (live.has(p.accountId)) continue;
        engine.addAccount(p);
        live.set(p.accountId, p);
      } else if (step === 1) {
        // Account k takes the contents of another (a free-strike book now and then: new instruments).
        const id = [...live.keys()][(7 * k) % live.size]!;
        const next = { ...PORTFOLIOS[(13 * k + 5) % PORTFOLIOS.length]!, accountId: id };
        engine.replaceAccount(next);
        live.set(id, next);
      } else if (step === 2) {
        const id = [...live.keys()][(11 * k) % live.size]!;
        engine.removeAccount(id);
        live.delete(id);
      } else {
        engine.tick("BTC", k % 8 === 3 ? moved : back);
      }
    }
    engine.tick("BTC", back);
    const fresh = new BatchGridEngine([...live.values()], MARKET, CONFIG);
    fresh.computeAll();
    expect(live.size).toBeGreaterThan(60);
    [...live.keys()].forEach((id, f) => {
      const a = engine.accountIndex(id)!;
      expect(engine.initialMarginUsd[a], id).toBe(fresh.initialMarginUsd[f]);
      expect(engine.maintenanceMarginUsd[a], id).toBe(fresh.maintenanceMarginUsd[f]);
      expect(engine.collateralValueUsd[a], id).toBe(fresh.collateralValueUsd[f]);
    });
    // Removed accounts read NaN; the engine counts every slot it ever gave out.
    expect(engine.nAccounts - live.size).toBeGreaterThan(0);
  });

  it("a cold re-margin after a removal leaves the removed account at NaN", () => {
    const engine = new BatchGridEngine(PORTFOLIOS.slice(0, 10), MARKET, CONFIG);
    engine.computeAll();
    engine.removeAccount(PORTFOLIOS[4]!.accountId);
    engine.computeAll();
    expect(engine.initialMarginUsd[4]).toBeNaN();
    expect(engine.collateralValueUsd[4]).toBeNaN();
  });

  it("writes each account at the slot the caller gives in its columns, and moves them to new columns", () => {
    const columns = (n: number) => ({
      initialMarginUsd: new Float64Array(n).fill(-1),
      maintenanceMarginUsd: new Float64Array(n).fill(-1),
      collateralValueUsd: new Float64Array(n).fill(-1),
    });
    const reference = new BatchGridEngine(PORTFOLIOS.slice(0, 6), MARKET, CONFIG);
    reference.computeAll();
    const out = columns(12);
    // Accounts 0..3 from slot 2 on; account 4 at slot 9, then account 5 at the removed account 1's slot (3).
    const engine = new BatchGridEngine(PORTFOLIOS.slice(0, 4), MARKET, CONFIG, { out, firstSlot: 2 });
    engine.computeAll();
    expect(engine.addAccount(PORTFOLIOS[4]!, 9)).toBe(4);
    engine.removeAccount(PORTFOLIOS[1]!.accountId);
    expect(out.initialMarginUsd[3]).toBeNaN();
    expect(engine.addAccount(PORTFOLIOS[5]!, 3)).toBe(5);
    engine.computeAll();
    const slotOf = [2, -1, 4, 5, 9, 3];
    const expectAt = (cols: typeof out) => {
      slotOf.forEach((s, a) => {
        if (s < 0) return;
        expect(cols.initialMarginUsd[s], `account ${a}`).toBe(reference.initialMarginUsd[a]);
        expect(cols.maintenanceMarginUsd[s], `account ${a}`).toBe(reference.maintenanceMarginUsd[a]);
        expect(cols.collateralValueUsd[s], `account ${a}`).toBe(reference.collateralValueUsd[a]);
      });
    };
    expectAt(out);
    // Slots no account holds are untouched.
    for (const s of [0, 1, 6, 7, 8, 10, 11]) expect(out.initialMarginUsd[s]).toBe(-1);
    expect(engine.account(4).initialMarginUsd).toBe(reference.initialMarginUsd[4]);
    // Grown columns: the live accounts' figures move over, and a tick then writes there, not in the old ones.
    const grown = columns(24);
    engine.attachOut(grown);
    expectAt(grown);
    expect(grown.initialMarginUsd[10]).toBe(-1);
    const btc = MARKET.underlyings.get("BTC")!;
    const state = { spotUsd: btc.spotUsd * 0.9, carryRateAnnual: btc.carryRateAnnual, riskFreeRateAnnual: 0.05 };
    const before = out.initialMarginUsd.slice();
    engine.tick("BTC", state);
    reference.tick("BTC", state);
    expectAt(grown);
    expect([...out.initialMarginUsd]).toEqual([...before]);
    expect(() => engine.addAccount(PORTFOLIOS[6]!, 24)).toThrow(/result columns hold 24 slots/);
    expect(() => engine.attachOut(columns(9))).toThrow(/\$\.out: the new result columns hold 9 slots/);
    expect(() => reference.addAccount(PORTFOLIOS[6]!, 7)).toThrow(/\$\.slot/);
  });

  it("an account it refuses leaves the engine as it was", () => {
    const p = PORTFOLIOS.find((q) => q.items.some((i) => i.underlying === "BTC"))!;
    const noBtc: ResolvedMarket = {
      ...MARKET,
      underlyings: new Map([...MARKET.underlyings].filter(([u]) => u !== "BTC")),
    };
    const others = PORTFOLIOS.filter((q) => q.items.every((i) => i.underlying !== "BTC")).slice(0, 4);
    expect(others.length).toBe(4);
    const engine = new BatchGridEngine(others, noBtc, CONFIG);
    engine.computeAll();
    const before = engine.initialMarginUsd.slice();
    expect(() => engine.addAccount(p)).toThrow(/no price for underlying BTC/);
    expect(engine.nAccounts).toBe(others.length);
    expect(engine.accountIndex(p.accountId)).toBeUndefined();
    expect(() => engine.replaceAccount({ ...p, accountId: others[0]!.accountId })).toThrow(/BTC/);
    engine.computeAll();
    expect([...engine.initialMarginUsd]).toEqual([...before]);
  });
});
