import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { marketSnapshotSchema } from "../../../src/schema/marketSnapshot.js";
import { portfolioSchema } from "../../../src/schema/portfolio.js";
import { liquidationWhatIfEngine } from "../../../src/service/liquidationEngines.js";
import type { MarketTick } from "../../../src/service/liveMarket.js";
import { type ComputedReport, computeAtTick, MarginService } from "../../../src/service/marginService.js";
import { REPO_ROOT } from "../../../src/service/paths.js";
import type { ServiceEvent } from "../../../src/service/serviceEvents.js";
import { openSqliteStore } from "../../../src/store/sqliteStore.js";

const read = (f: string) => JSON.parse(readFileSync(join(REPO_ROOT, "examples", f), "utf8")) as unknown;
const market = marketSnapshotSchema.parse(read("market-2023-06-30.json"));
const perp = portfolioSchema.parse(read("portfolios/directional-perp.json"));
const later = (iso: string, sec: number) => new Date(Date.parse(iso) + sec * 1000).toISOString();

async function service() {
  const s = await MarginService.open({
    store: openSqliteStore({ file: ":memory:" }),
    whatIf: liquidationWhatIfEngine,
    defaultModel: "grid",
  });
  await s.applyMarket(market, "example");
  const events: ServiceEvent[] = [];
  s.on((e) => events.push(e));
  return { s, events };
}

describe("MarginService", () => {
  it("a PUT computes the account once and stores one margin row", async () => {
    const { s, events } = await service();
    const before = s.stats.recomputations;
    const acc = await s.putAccount(perp.accountId, { portfolio: perp });
    expect(s.stats.recomputations - before).toBe(1);
    expect(events.filter((e) => e.type === "report").length).toBe(1);
    expect((await s.store.marginHistory(perp.accountId, 10)).length).toBe(1);
    expect(acc.reportJson?.initialMargin).toBe(computeAtTick(perp, s.market.current!, acc.config).json.initialMargin);
  });

  it("off-thread ticks: announced at once, reports in tick order, ticks arriving meanwhile folded into the newest", async () => {
    const { s, events } = await service();
    await s.putAccount(perp.accountId, { portfolio: perp });
    const calls: number[] = [];
    const gates: Array<() => void> = [];
    s.offloadTicks((acc, tick: MarketTick) => {
      calls.push(tick.seq);
      return new Promise<ComputedReport>((resolve) =>
        gates.push(() => resolve(computeAtTick(acc.portfolio, tick, acc.config))),
      );
    });
    const t1 = await s.applyMarket({ ...market, asOf: later(market.asOf, 60) }, "t1");
    await s.applyMarket({ ...market, asOf: later(market.asOf, 120) }, "t2");
    const t3 = await s.applyMarket({ ...market, asOf: later(market.asOf, 180) }, "t3");
    // three ticks announced at once; only the first is being computed
    expect(events.filter((e) => e.type === "tick").map((e) => (e as { seq: number }).seq)).toEqual([
      t1.seq,
      t1.seq + 1,
      t3.seq,
    ]);
    expect(calls).toEqual([t1.seq]);
    gates.shift()!();
    await new Promise((r) => setTimeout(r, 20));
    // t2 was folded into t3: the next computation is at t3
    expect(calls).toEqual([t1.seq, t3.seq]);
    expect(s.stats.coalescedTicks).toBe(1);
    gates.shift()!();
    await new Promise((r) => setTimeout(r, 20));
    const reportSeqs = events
      .filter((e) => e.type === "report" && e.reason === "tick")
      .map((e) => (e as { seq: number }).seq);
    expect(reportSeqs).toEqual([t1.seq, t3.seq]);
    expect(s.getAccount(perp.accountId).reportSeq).toBe(t3.seq);
  });
});
