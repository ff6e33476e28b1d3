import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { generateAccounts } from "../../../bench/generateAccounts.js";
import { generatePortfolio } from "../../../bench/generatePortfolio.js";
import { BatchGridEngine } from "../../../src/margin/batch/batchGridEngine.js";
import { ShardedBatchGridEngine } from "../../../src/margin/batch/shardedBatchGridEngine.js";
import type { GridPmConfig } from "../../../src/margin/gridPm/config.js";
import type { ResolvedPortfolio } from "../../../src/margin/resolve/resolvedPortfolio.js";
import { resolvePortfolio } from "../../../src/margin/resolve/resolvePortfolio.js";
import { resolveMarginConfig } from "../../../src/margin/resolveConfig.js";
import { portfolioSchema } from "../../../src/schema/portfolio.js";
import { exampleMarket } from "../../support/exampleMarket.js";

// The worker runs compiled JavaScript: `npm test` builds dist/ before running the tests.
const WORKER = join(import.meta.dirname, "../../../dist/src/margin/batch/gridWorker.js");
const OPTIONS = { workers: 2, workerUrl: pathToFileURL(WORKER) };
const MARKET = exampleMarket();
const CONFIG = resolveMarginConfig({ model: "grid" }) as GridPmConfig;

/** Listed-strike accounts and free-strike books (whose options are new instruments when added later). */
const PORTFOLIOS: ResolvedPortfolio[] = [
  ...generateAccounts(120, 5),
  ...Array.from({ length: 20 }, (_, k) => generatePortfolio(3 + k, 500 + k, `free-${k}`)),
].map((d) => resolvePortfolio(portfolioSchema.parse(d), MARKET));

/** Every live account's figures in the sharded engine equal a fresh single-threaded build's of the same accounts. */
function expectFreshBuild(engine: ShardedBatchGridEngine, live: Map<string, ResolvedPortfolio>): void {
  const fresh = new BatchGridEngine([...live.values()], MARKET, CONFIG);
  fresh.computeAll();
  [...live.keys()].forEach((id, f) => {
    const slot = engine.accountIndex(id);
    expect(slot, id).toBeDefined();
    expect(engine.accountIds[slot!]).toBe(id);
    expect(engine.initialMarginUsd[slot!], id).toBe(fresh.initialMarginUsd[f]);
    expect(engine.maintenanceMarginUsd[slot!], id).toBe(fresh.maintenanceMarginUsd[f]);
    expect(engine.collateralValueUsd[slot!], id).toBe(fresh.collateralValueUsd[f]);
  });
  // Every other slot is free: no id, NaN figures.
  let free = 0;
  engine.accountIds.forEach((id, s) => {
    if (id !== "") return;
    free++;
    expect(engine.initialMarginUsd[s]).toBeNaN();
    expect(engine.collateralValueUsd[s]).toBeNaN();
  });
  expect(engine.nAccounts - free).toBe(live.size);
  expect(engine.accountsPerWorker.reduce((x, y) => x + y, 0)).toBe(live.size);
}

describe.skipIf(!existsSync(WORKER))("ShardedBatchGridEngine account updates without a rebuild", () => {
  it("after adds (across growths of the columns), replaces, removes and ticks, equals a fresh build", async () => {
    const engine = await ShardedBatchGridEngine.create(PORTFOLIOS.slice(0, 24), MARKET, CONFIG, OPTIONS);
    try {
      await engine.computeAll();
      const live = new Map(PORTFOLIOS.slice(0, 24).map((p) => [p.accountId, p]));
      let nextNew = 24;
      const add = async () => {
        const p = PORTFOLIOS[nextNew++]!;
        live.set(p.accountId, p);
        return engine.addAccount(p);
      };
      const btc = MARKET.underlyings.get("BTC")!;
      const back = {
        spotUsd: btc.spotUsd,
        carryRateAnnual: btc.carryRateAnnual,
        riskFreeRateAnnual: btc.riskFreeRateAnnual,
      };
      const moved = { ...back, spotUsd: btc.spotUsd * 1.07 };
      // The first add finds no free slot: the columns (24 slots) double. Views read before it are of the old buffer.
      const before = engine.initialMarginUsd;
      expect(await add()).toBe(24);
      expect(engine.initialMarginUsd.buffer).not.toBe(before.buffer);
      expect([...engine.initialMarginUsd.subarray(0, 24)]).toEqual([...before]);
      // On a tie the account goes to the first worker.
      expect(engine.accountsPerWorker).toEqual([13, 12]);
      // Removing worker 0's accounts (slots 0..11) makes worker 1 the busier: the next add goes to worker 0, in a
      // freed slot, the last freed first.
      for (const s of [3, 8, 11]) {
        await engine.removeAccount(PORTFOLIOS[s]!.accountId);
        live.delete(PORTFOLIOS[s]!.accountId);
      }
      expect(engine.accountsPerWorker).toEqual([10, 12]);
      expect(await add()).toBe(11);
      expect(engine.accountsPerWorker).toEqual([11, 12]);
      for (let k = 0; k < 120; k++) {
        const step = k % 4;
        if (step === 0 || (step === 2 && k % 8 === 6)) {
          await add();
        } else if (step === 1) {
          // An account takes the contents of another (a free-strike book now and then: new instruments).
          const id = [...live.keys()][(7 * k) % live.size]!;
          const next = { ...PORTFOLIOS[(13 * k + 5) % PORTFOLIOS.length]!, accountId: id };
          await engine.replaceAccount(next);
          live.set(id, next);
        } else if (step === 2) {
          const id = [...live.keys()][(11 * k) % live.size]!;
          await engine.removeAccount(id);
          live.delete(id);
        } else {
          await engine.tick("BTC", k % 8 === 3 ? moved : back);
        }
      }
      await engine.tick("BTC", back);
      // 45 adds and 15 removes on 23 accounts: past 48 slots, so the columns grew again during the sequence.
      expect(live.size).toBe(53);
      expect(engine.nAccounts).toBeGreaterThan(48);
      expect(Math.min(...engine.accountsPerWorker)).toBeGreaterThan(20);
      expectFreshBuild(engine, live);
      // A cold re-margin on the workers changes nothing (removed accounts stay NaN, reused slots keep their owner's).
      await engine.computeAll();
      expectFreshBuild(engine, live);
    } finally {
      await engine.close();
    }
  });

  it("runs operations in the order called, so unawaited ones never leave a column half moved", async () => {
    const engine = await ShardedBatchGridEngine.create(PORTFOLIOS.slice(0, 10), MARKET, CONFIG, OPTIONS);
    try {
      await engine.computeAll();
      const eth = MARKET.underlyings.get("ETH")!;
      const state = { spotUsd: eth.spotUsd * 0.9, carryRateAnnual: eth.carryRateAnnual, riskFreeRateAnnual: 0.05 };
      const live = new Map(PORTFOLIOS.slice(0, 10).map((p) => [p.accountId, p]));
      const calls: Array<Promise<unknown>> = [];
      // Growths (10 -> 20 -> 40 slots) interleaved with ticks and removals, none awaited before the next is called.
      for (let k = 10; k < 35; k++) {
        calls.push(engine.addAccount(PORTFOLIOS[k]!));
        live.set(PORTFOLIOS[k]!.accountId, PORTFOLIOS[k]!);
        if (k % 5 === 0) calls.push(engine.tick("ETH", k % 10 === 0 ? state : { ...state, spotUsd: eth.spotUsd }));
        if (k % 7 === 0) {
          calls.push(engine.removeAccount(PORTFOLIOS[k - 9]!.accountId));
          live.delete(PORTFOLIOS[k - 9]!.accountId);
        }
      }
      calls.push(engine.tick("ETH", { ...eth }));
      await Promise.all(calls);
      expectFreshBuild(engine, live);
    } finally {
      await engine.close();
    }
  });

  it("starts empty and grows from one slot", async () => {
    const engine = await ShardedBatchGridEngine.create([], MARKET, CONFIG, OPTIONS);
    try {
      const live = new Map<string, ResolvedPortfolio>();
      for (const p of PORTFOLIOS.slice(100, 107)) {
        await engine.addAccount(p);
        live.set(p.accountId, p);
      }
      expect(engine.accountsPerWorker).toEqual([4, 3]);
      expect([...engine.accountIds]).toEqual([...live.keys()]);
      expectFreshBuild(engine, live);
    } finally {
      await engine.close();
    }
  });

  it("fails at once, rather than waiting for no reply, once its workers are stopped", async () => {
    const engine = await ShardedBatchGridEngine.create(PORTFOLIOS.slice(0, 4), MARKET, CONFIG, OPTIONS);
    await engine.computeAll();
    await engine.close();
    const btc = MARKET.underlyings.get("BTC")!;
    await expect(engine.tick("BTC", { ...btc })).rejects.toThrow(/worker stopped/);
    await expect(engine.addAccount(PORTFOLIOS[5]!)).rejects.toThrow(/worker stopped/);
    expect(engine.accountIndex(PORTFOLIOS[5]!.accountId)).toBeUndefined();
  });

  it("refuses a duplicate id and an account a worker cannot margin, and stays as it was", async () => {
    const engine = await ShardedBatchGridEngine.create(PORTFOLIOS.slice(0, 6), MARKET, CONFIG, OPTIONS);
    try {
      await engine.computeAll();
      await expect(engine.addAccount(PORTFOLIOS[2]!)).rejects.toThrow(/already in the engine/);
      await engine.removeAccount(PORTFOLIOS[4]!.accountId);
      const p = PORTFOLIOS[7]!;
      const unpriced = { ...p, items: p.items.map((i) => (i.underlying === "USD" ? i : { ...i, underlying: "ZZZ" })) };
      const refused = await engine.addAccount(unpriced).catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: "MISSING_DATA", path: "$.items" });
      expect(String(refused)).toMatch(/no price for underlying ZZZ/);
      expect(engine.accountIndex(p.accountId)).toBeUndefined();
      // The freed slot is still free: the next account added takes it.
      expect(await engine.addAccount(p)).toBe(4);
      const live = new Map([0, 1, 2, 3, 5, 7].map((k) => [PORTFOLIOS[k]!.accountId, PORTFOLIOS[k]!]));
      expectFreshBuild(engine, live);
      await expect(engine.replaceAccount({ ...p, accountId: "nobody" })).rejects.toThrow(/no account nobody/);
    } finally {
      await engine.close();
    }
  });
});
