import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runComputeJob } from "../../../src/service/compute/runComputeJob.js";
import {
  type AccountGreeksJson,
  type AccountHealthJson,
  accountGreeksSchema,
  accountHealthSchema,
  type MarketOraclesJson,
  marketOraclesSchema,
  type VolSurfacesJson,
  volSurfacesSchema,
} from "../../../src/service/dashboardSchemas.js";
import { type Harness, startHarness } from "./serviceHarness.js";

const PERP = "acct-directional-perp-01";

/** The read-only routes behind the dashboard's account and market pages, against the real service. */
describe("dashboard routes", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    expect((await h.call("/v1/feed/step", { method: "POST" })).status).toBe(200);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("puts the perp account's liquidation price where a what-if of the same move brings health to 1", async () => {
    const res = await h.call(`/v1/accounts/${PERP}/health`);
    expect(res.status).toBe(200);
    // The answer is what the OpenAPI document (and the dashboard's types) say it is.
    const health: AccountHealthJson = accountHealthSchema.strict().parse(res.body);
    expect(health.liquidatableNow).toBe(false);
    const btc = health.underlyings.find((u) => u.underlying === "BTC")!;
    expect(btc.down).not.toBeNull();
    const move = Number(btc.down!.move);
    expect(move).toBeLessThan(0);
    // A long perp is only liquidated on the way down, and the nearest level is this one.
    expect(Number(health.distanceToLiquidation)).toBeCloseTo(Math.abs(move), 5);
    // Independently, through the what-if engine (its own market move): health at that move is 1.
    const w = await h.call("/v1/whatif", {
      body: { accountId: PERP, whatIf: { moves: [{ underlying: "BTC", spotShockRel: String(move) }] } },
    });
    expect(w.status).toBe(200);
    const after = (w.body as { after: { healthRatio: string } }).after;
    expect(Number(after.healthRatio)).toBeCloseTo(1, 3);
    // The level's price is spot x (1 + move).
    expect(Number(btc.down!.price)).toBeCloseTo(Number(btc.spot) * (1 + move), 0);
    // A second call in the same tick is the cached answer.
    expect((await h.call(`/v1/accounts/${PERP}/health`)).body).toEqual(res.body);
  });

  it("computes the same liquidation prices in a compute worker's job as on the main thread", async () => {
    const served = (await h.call(`/v1/accounts/${PERP}/health`)).body;
    const acc = h.svc.service.getAccount(PERP);
    const tick = h.svc.service.currentTick();
    const result = runComputeJob({
      kind: "health",
      portfolio: acc.portfolio,
      snapshot: tick.snapshot,
      configDoc: acc.configDoc,
      stamp: { accountId: PERP, version: acc.version, seq: tick.seq },
    });
    expect(result.kind === "health" ? result.health : null).toEqual(served);
  });

  it("gives a perp's textbook delta: its size in units, size x spot in USD", async () => {
    const res = await h.call(`/v1/accounts/${PERP}/greeks`);
    expect(res.status).toBe(200);
    const g: AccountGreeksJson = accountGreeksSchema.strict().parse(res.body);
    const btc = g.net.find((n) => n.underlying === "BTC")!;
    expect(Number(btc.delta)).toBeCloseTo(10, 9);
    expect(Number(btc.gamma)).toBe(0);
    expect(Number(btc.deltaUsd)).toBeCloseTo(10 * Number(btc.spot), 1);
    const markets = (await h.call("/v1/markets")).body as { prices: Array<{ symbol: string; price: string }> };
    expect(Number(btc.spot)).toBeCloseTo(Number(markets.prices.find((p) => p.symbol === "BTC")!.price), 6);
  });

  it("lists every quote of the live market with its age, state and deviation from the aggregate", async () => {
    const res = await h.call("/v1/markets/oracles");
    expect(res.status).toBe(200);
    const o: MarketOraclesJson = marketOraclesSchema.strict().parse(res.body);
    const snapshot = h.svc.service.currentTick().snapshot;
    expect(o.feeds.reduce((n, f) => n + f.quotes.length, 0)).toBe(snapshot.quotes.length);
    const asOfMs = Date.parse(o.asOf);
    for (const f of o.feeds) {
      for (const q of f.quotes) {
        const age = (asOfMs - Date.parse(q.publishedAt)) / 1000;
        expect(q.ageSeconds).toBe(age);
        if (q.state === "fresh") expect(age).toBeLessThanOrEqual(q.maxAgeSeconds);
        if (q.state === "stale") expect(age).toBeGreaterThan(q.maxAgeSeconds);
        if (f.price !== null) {
          expect(Number(q.deviationRel)).toBeCloseTo((Number(q.price) - Number(f.price)) / Number(f.price), 6);
        }
      }
    }
  });

  it("samples each vol surface so a grid smile at one of its own strikes gives the grid's vol", async () => {
    const res = await h.call("/v1/markets/vol-surfaces");
    expect(res.status).toBe(200);
    const v: VolSurfacesJson = volSurfacesSchema.strict().parse(res.body);
    expect(v.surfaces.length).toBeGreaterThan(0);
    const snapshot = h.svc.service.currentTick().snapshot;
    for (const s of v.surfaces) {
      expect(s.strikes.length).toBeGreaterThan(10);
      for (const smile of s.smiles) {
        expect(smile.vols).toHaveLength(s.strikes.length);
        for (const vol of smile.vols) expect(Number(vol)).toBeGreaterThan(0);
      }
      const doc = snapshot.volSurfaces.find((d) => d.underlying === s.underlying)!;
      if (doc.kind === "svi") continue;
      // Between two of the grid's strikes the sampled vol lies between their vols (linear in strike).
      const e = doc.expiries[0]!;
      const ks = e.strikes.map(Number);
      const vs = e.vols.map(Number);
      s.strikes.forEach((k, i) => {
        const j = ks.findIndex((x) => x >= Number(k));
        if (j <= 0) return;
        const lo = Math.min(vs[j - 1]!, vs[j]!);
        const hi = Math.max(vs[j - 1]!, vs[j]!);
        const sampled = Number(s.smiles[0]!.vols[i]);
        expect(sampled).toBeGreaterThanOrEqual(lo - 1e-9);
        expect(sampled).toBeLessThanOrEqual(hi + 1e-9);
      });
    }
  });

  it("answers 404 with the path for an unknown account", async () => {
    const res = await h.call("/v1/accounts/acct-nope/health");
    expect(res.status).toBe(404);
  });
});
