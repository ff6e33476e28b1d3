import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { generateXchainVenue, movedSnapshot } from "../../../bench/generateXchainVenue.js";
import { runMarginModel } from "../../../src/margin/computeMargin.js";
import { resolveMarket } from "../../../src/margin/resolve/resolveMarket.js";
import { resolvePortfolio } from "../../../src/margin/resolve/resolvePortfolio.js";
import { resolveMarginConfig } from "../../../src/margin/resolveConfig.js";
import type { XchainConfig } from "../../../src/margin/xchain/config.js";
import {
  clearSharedScenarios,
  keepVector,
  type SharedScenarios,
  sharedScenarioStats,
  sharedVector,
} from "../../../src/margin/xchain/sharedScenarios.js";
import { newTailHints } from "../../../src/margin/xchain/tailHints.js";
import { remarginShard } from "../../../src/margin/xchain/venue/remarginShard.js";
import { XchainVenue } from "../../../src/margin/xchain/venue/xchainVenue.js";
import type { ScenarioSet } from "../../../src/risk/scenarios/scenarioSet.js";
import { marketSnapshotSchema } from "../../../src/schema/marketSnapshot.js";
import { portfolioSchema } from "../../../src/schema/portfolio.js";
import { exampleMarket } from "../../support/exampleMarket.js";

const ROOT = join(import.meta.dirname, "../../..");
const market = exampleMarket();
const example = (name: string) => {
  const raw = JSON.parse(readFileSync(join(ROOT, `examples/portfolios/${name}.json`), "utf8"));
  return resolvePortfolio(portfolioSchema.parse(raw), market);
};
const xchain = (simulation: Record<string, unknown> = {}) =>
  resolveMarginConfig({ model: "xchain", simulation }) as XchainConfig;
/** The ES of the joint loss as the report states it. */
const esOf = (detail: string) => Number(/joint loss (-?[0-9.]+)/.exec(detail)?.[1]);

describe("xchain scenario set shared per tick", () => {
  it("a report from the shared set is identical to the one computed alone, whatever was computed before it", () => {
    const fund = example("multichain-fund");
    clearSharedScenarios();
    const alone = runMarginModel(fund, market, xchain());
    for (const other of ["delta-hedged-options", "short-strangle", "cross-chain-basis"]) {
      runMarginModel(example(other), market, xchain());
    }
    const shared = runMarginModel(fund, market, xchain());
    expect(shared).toEqual(alone);
  });

  it("a venue shard gives each account the figures of its own report (the venue's per-instrument option vectors)", () => {
    const docs = generateXchainVenue(12, 3).map((d) => portfolioSchema.parse(d));
    clearSharedScenarios();
    const results = remarginShard(docs, market, xchain(), false);
    for (const [i, doc] of docs.entries()) {
      clearSharedScenarios();
      const own = runMarginModel(resolvePortfolio(doc, market), market, xchain({ optionGrids: "perInstrument" }));
      expect(results[i]!.error).toBeUndefined();
      expect(results[i]!.initialMarginUsd).toBe(own.initialMarginUsd);
      expect(results[i]!.freeCollateralUsd).toBe(own.freeCollateralUsd);
    }
  });

  it("instrument vectors of earlier ticks are dropped least recently read first, never those read on this tick", () => {
    const shared: SharedScenarios = {
      set: {} as ScenarioSet,
      vectors: new Map(),
      vectorBytesLeft: 3 * 80,
      seen: new Set(),
    };
    const tickA = {};
    const tickB = {};
    const v = () => new Float64Array(10);
    for (const key of ["a1", "a2", "a3"]) keepVector(shared, key, v(), tickA);
    // tick B reads a2 and a1 (in that order), then computes b1: a3, never read on B, is the one to go
    expect(sharedVector(shared, "a2", tickB)).toBeDefined();
    expect(sharedVector(shared, "a1", tickB)).toBeDefined();
    keepVector(shared, "b1", v(), tickB);
    expect([...shared.vectors.keys()].sort()).toEqual(["a1", "a2", "b1"]);
    expect(shared.vectorBytesLeft).toBe(0);
    // every kept vector was read on B: b2 is computed for its report but not kept (no eviction of the tick's own)
    const before = sharedScenarioStats();
    keepVector(shared, "b2", v(), tickB);
    expect(shared.vectors.has("b2")).toBe(false);
    expect(sharedScenarioStats().vectorsUnshared - before.vectorsUnshared).toBe(1);
    // on tick C the least recently read goes first: a2 (read on B before a1), then a1
    const tickC = {};
    keepVector(shared, "c1", v(), tickC);
    expect([...shared.vectors.keys()]).toEqual(["a1", "b1", "c1"]);
  });

  it("a shard re-margined over moving ticks gives each account its own report's figures on every tick", () => {
    const docs = generateXchainVenue(8, 5).map((d) => portfolioSchema.parse(d));
    const snapshot = JSON.parse(readFileSync(join(ROOT, "examples/market-2023-06-30.json"), "utf8"));
    const ticks = [0, 0.002, -0.003, 0.002].map((rel) =>
      resolveMarket(marketSnapshotSchema.parse(movedSnapshot(snapshot, "ETH/USD", rel))),
    );
    // each account alone on each tick, nothing shared with anything else
    const alone = ticks.map((tick) =>
      docs.map((doc) => {
        clearSharedScenarios();
        return runMarginModel(resolvePortfolio(doc, tick), tick, xchain({ optionGrids: "perInstrument" }))
          .initialMarginUsd;
      }),
    );
    clearSharedScenarios();
    ticks.forEach((tick, k) => {
      const results = remarginShard(docs, tick, xchain(), false);
      expect(results.map((r) => r.initialMarginUsd)).toEqual(alone[k]);
    });
  });

  it("each account's tail levels kept from its previous tick change no figure of any report (hints)", () => {
    const docs = generateXchainVenue(24, 7).map((d) => portfolioSchema.parse(d));
    const snapshot = JSON.parse(readFileSync(join(ROOT, "examples/market-2023-06-30.json"), "utf8"));
    const ticks = [0, 0.002, -0.003, 0.002, 0.03].map((rel) =>
      resolveMarket(marketSnapshotSchema.parse(movedSnapshot(snapshot, "ETH/USD", rel))),
    );
    const hints = docs.map(() => newTailHints(true));
    const fallbacks = () => hints.reduce((a, h) => a + h.joint.fallbacks! + h.control.fallbacks!, 0);
    ticks.forEach((tick, k) => {
      // on the last tick four accounts start from wrong levels: above every loss, below every loss, and NaN
      if (k === ticks.length - 1) {
        hints[0]!.joint.level = Number.MAX_VALUE;
        hints[1]!.joint.level = -1e300;
        hints[2]!.control.level = Number.MAX_VALUE;
        hints[3]!.control.level = -1e300;
        hints[4]!.joint.level = Number.NaN;
        hints[4]!.control.level = Number.NaN;
      }
      const before = fallbacks();
      clearSharedScenarios();
      const plain = remarginShard(docs, tick, xchain(), true);
      clearSharedScenarios();
      const hinted = remarginShard(docs, tick, xchain(), true, hints);
      expect(JSON.stringify(hinted)).toBe(JSON.stringify(plain));
      for (const h of hints) {
        expect(Number.isFinite(h.joint.level)).toBe(true);
        expect(Number.isFinite(h.control.level)).toBe(true);
      }
      // the kept levels served on every move up to 0.5%; on the 3% tick the three levels set too high or too low
      // fell back (a control level too low only screens every sampled loss), and possibly a few moved too far
      if (k > 0 && k < ticks.length - 1) expect(fallbacks()).toBe(before);
      if (k === ticks.length - 1) {
        expect(fallbacks() - before).toBeGreaterThanOrEqual(3);
        expect(fallbacks() - before).toBeLessThan(docs.length / 2);
      }
    });
    expect(hints[0]!.joint.level).toBeLessThan(Number.MAX_VALUE);
    expect(hints[1]!.joint.level).toBeGreaterThan(-1e300);
    expect(hints[2]!.control.level).toBeLessThan(Number.MAX_VALUE);
    expect(hints[3]!.control.level).toBeGreaterThan(-1e300);
  });

  it("an account that cannot be margined is reported with an error and NaN figures, the others go on", () => {
    const docs = generateXchainVenue(3, 4).map((d) => portfolioSchema.parse(d));
    const bad = { ...docs[1]!, positions: [{ ...docs[1]!.positions[0]!, underlying: "NOPE" }] };
    const results = remarginShard([docs[0]!, bad as (typeof docs)[number], docs[2]!], market, xchain(), false);
    expect(results[1]!.error?.code).toBeDefined();
    expect(results[1]!.initialMarginUsd).toBeNaN();
    expect(results[0]!.error).toBeUndefined();
    expect(results[2]!.initialMarginUsd).toBeGreaterThan(0);
  });
});

describe("xchain ES precision (issue 13 item 6)", () => {
  it("directional-perp: seed-to-seed CV of the ES <= 1% over 20 seeds at default settings, 3x below plain Monte Carlo", () => {
    const book = example("directional-perp");
    const cv = (sampler: string) => {
      const es = Array.from({ length: 20 }, (_, k) =>
        esOf(runMarginModel(book, market, xchain({ seed: k + 1, sampler })).components[0]!.detail),
      );
      const m = es.reduce((a, b) => a + b, 0) / es.length;
      return Math.sqrt(es.reduce((a, b) => a + (b - m) ** 2, 0) / (es.length - 1)) / m;
    };
    const qmc = cv("sobol");
    expect(qmc).toBeLessThan(0.01);
    expect(qmc * 3).toBeLessThan(cv("pseudoRandom"));
  });
});

const WORKER = join(ROOT, "dist/src/margin/xchain/venue/xchainVenueWorker.js");
describe.skipIf(!existsSync(WORKER))("XchainVenue on worker threads", () => {
  it("returns, in account order, the same figures as one thread", async () => {
    const docs = generateXchainVenue(20, 9);
    const snapshot = JSON.parse(readFileSync(join(ROOT, "examples/market-2023-06-30.json"), "utf8"));
    const venue = await XchainVenue.start(docs, xchain(), { workers: 2, workerUrl: pathToFileURL(WORKER) });
    try {
      const results = await venue.tick(snapshot);
      const local = remarginShard(
        docs.map((d) => portfolioSchema.parse(d)),
        market,
        xchain(),
        false,
      );
      expect(results.map((r) => r.accountId)).toEqual(local.map((r) => r.accountId));
      // The workers run the tsc build (dist), this thread vitest's transpile of src: the two builds differ in the
      // last bit of some figures (as on main before issue 17's per-account work), so here 1e-12 relative; within one
      // build the venue path and the one-account report are identical to the bit (the shard test above).
      results.forEach((r, i) => {
        const want = local[i]!.initialMarginUsd;
        expect(Math.abs(r.initialMarginUsd - want)).toBeLessThanOrEqual(1e-12 * Math.abs(want));
      });
    } finally {
      await venue.close();
    }
  });

  it("two workers exchanging the moved underlying's vectors give one worker's figures bit for bit", async () => {
    const docs = generateXchainVenue(60, 13);
    const snapshot = JSON.parse(readFileSync(join(ROOT, "examples/market-2023-06-30.json"), "utf8"));
    const two = await XchainVenue.start(docs, xchain(), { workers: 2, workerUrl: pathToFileURL(WORKER) });
    const one = await XchainVenue.start(docs, xchain(), { workers: 1, workerUrl: pathToFileURL(WORKER) });
    try {
      for (const move of [0, 0.002, -0.003]) {
        const tick = move === 0 ? snapshot : movedSnapshot(snapshot, "ETH/USD", move);
        const [a, b] = [await two.tick(tick, true), await one.tick(tick, true)];
        // the same build on both sides, so every figure of every report is the same to the bit
        expect(JSON.stringify(a)).toBe(JSON.stringify(b));
        const phases = two.lastTickPhases!.workers;
        // on every tick (the first, and each that moves ETH) some options' vectors came from the other worker
        expect(phases.reduce((n, w) => n + w.vectorsReceived, 0)).toBeGreaterThan(0);
      }
      // ticks asked for at once run one after the other (the exchange's claims are cleared between ticks)
      const moves = [0.004, -0.005].map((m) => movedSnapshot(snapshot, "ETH/USD", m));
      const both = await Promise.all(moves.map((t) => two.tick(t, true)));
      for (const [k, t] of moves.entries())
        expect(JSON.stringify(both[k])).toBe(JSON.stringify(await one.tick(t, true)));
    } finally {
      await two.close();
      await one.close();
    }
  });

  it("reports each worker's tick phases: the first tick builds the scenario set, a tick with new prices only vectors", async () => {
    const docs = generateXchainVenue(6, 11);
    const snapshot = JSON.parse(readFileSync(join(ROOT, "examples/market-2023-06-30.json"), "utf8"));
    const venue = await XchainVenue.start(docs, xchain(), { workers: 2, workerUrl: pathToFileURL(WORKER) });
    try {
      await venue.tick(snapshot);
      const first = venue.lastTickPhases!;
      expect(first.workers).toHaveLength(2);
      for (const w of first.workers) {
        expect(w.setBuilds).toBeGreaterThanOrEqual(1);
        expect(w.accountsMs).toBeGreaterThanOrEqual(w.setBuildMs);
      }
      await venue.tick(movedSnapshot(snapshot, "ETH/USD", 0.01));
      const moved = venue.lastTickPhases!;
      // prices moved, the covariance did not: the sets are reused, only the moved underlying's options recomputed
      expect(moved.workers.map((w) => w.setBuilds)).toEqual([0, 0]);
      expect(moved.workers.reduce((a, w) => a + w.vectorsComputed, 0)).toBeGreaterThan(0);
      expect(moved.totalMs).toBeGreaterThanOrEqual(Math.max(...moved.workers.map((w) => w.accountsMs)));
    } finally {
      await venue.close();
    }
  });
});
