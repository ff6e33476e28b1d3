import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./serviceHarness.js";

interface PlanRecord {
  id: number;
  kind: string;
  status: string;
  dryRun: boolean;
  applied: boolean;
  trigger: { from: string | null; to: string; why: string };
  seen: { healthRatio: string; prices: Record<string, string>; asOf: string };
  proposal: { steps: Array<Record<string, unknown>>; totalCost: string; after: { healthRatio: string } } | null;
  rejected?: string;
}

describe("automated rebalancing: policy band, plans, audit, webhook", () => {
  let h: Harness;
  let hook: Server;
  const received: Array<{ type: string; plan: PlanRecord }> = [];

  beforeAll(async () => {
    hook = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => {
        body += String(c);
      });
      req.on("end", () => {
        received.push(JSON.parse(body) as { type: string; plan: PlanRecord });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, "127.0.0.1", resolve));
    const port = (hook.address() as { port: number }).port;
    h = await startHarness({ webhook: { url: `http://127.0.0.1:${port}/plans` } });
  });
  afterAll(async () => {
    await h.stop();
    await new Promise((resolve) => hook.close(resolve));
  });

  const plans = async (id: string) =>
    (await h.call(`/v1/accounts/${id}/plans`)).body.plans as Array<{
      id: number;
      delivery: string | null;
      record: PlanRecord;
    }>;
  const settle = () => Promise.allSettled([...h.svc.rebalancer.pending]);

  it("leaving the band gives a dry-run rebalancing plan, stored, streamed and posted", async () => {
    const id = "acct-directional-perp-01";
    const acct = await h.call(`/v1/accounts/${id}`);
    const put = await h.call(`/v1/accounts/${id}`, {
      method: "PUT",
      body: { portfolio: acct.body.portfolio, policy: { targetHealth: { min: 3, max: 10 } } },
    });
    expect(put.status).toBe(200);
    await settle();
    const [latest] = await plans(id);
    expect(latest?.record).toMatchObject({
      kind: "rebalance",
      dryRun: true,
      applied: false,
      trigger: { from: "in-band", to: "below-band" },
    });
    expect(latest?.record.trigger.why).toContain("below the policy band minimum 3");
    expect(latest?.record.seen.prices.BTC).toBe("30477.25");
    expect(latest?.delivery).toBe("HTTP 204");
    expect(received.at(-1)?.plan.id).toBe(latest?.id);
  });

  it("below maintenance gives a liquidation plan that restores initial margin", async () => {
    const id = "acct-directional-perp-01";
    const acct = await h.call(`/v1/accounts/${id}`);
    const portfolio = acct.body.portfolio as { positions: Array<Record<string, unknown>> };
    await h.call(`/v1/accounts/${id}`, {
      method: "PUT",
      body: { portfolio: { ...portfolio, positions: [{ ...portfolio.positions[0], size: "40" }] } },
    });
    await settle();
    const [latest] = await plans(id);
    const r = latest!.record;
    expect(r).toMatchObject({
      kind: "liquidation",
      status: "restored",
      trigger: { from: "below-band", to: "below-maintenance" },
    });
    expect(Number(r.seen.healthRatio)).toBeLessThan(1);
    expect(r.proposal?.steps[0]).toMatchObject({ action: "reduce-position", itemId: "btc-perp-long" });
    expect(typeof r.proposal?.steps[0]?.units).toBe("string");
    expect(Number(r.proposal?.after.healthRatio)).toBeGreaterThanOrEqual(1);
    // The stored portfolio is untouched: dry run.
    const after = await h.call(`/v1/accounts/${id}`);
    expect((after.body.portfolio as { positions: Array<{ size: string }> }).positions[0]?.size).toBe("40");
  });

  it("a plan dearer than the policy's cost limit is recorded as over the limit", async () => {
    const id = "acct-btc-strangle-01";
    const acct = await h.call(`/v1/accounts/${id}`);
    const portfolio = acct.body.portfolio as { positions: Array<Record<string, unknown>> };
    await h.call(`/v1/accounts/${id}`, {
      method: "PUT",
      body: {
        portfolio: { ...portfolio, positions: portfolio.positions.map((p) => ({ ...p, size: "-150" })) },
        policy: { targetHealth: { min: 2, max: 50 }, maxCostUsd: 0 },
      },
    });
    await settle();
    const [latest] = await plans(id);
    expect(latest?.record.kind).toBe("liquidation");
    expect(latest?.record.status).toBe("over-cost-limit");
    expect(latest?.record.rejected).toContain("exceeds the policy limit 0.00 USD");
  });

  it("with dryRun false the plan is applied to the stored portfolio (paper execution)", async () => {
    const id = "acct-paper-01";
    const base = await h.call("/v1/accounts/acct-directional-perp-01");
    const portfolio = { ...(base.body.portfolio as Record<string, unknown>), accountId: id };
    const put = await h.call(`/v1/accounts/${id}`, {
      method: "PUT",
      body: { portfolio, policy: { targetHealth: { min: 1.5, max: 10 }, maxCostUsd: 5000, dryRun: false } },
    });
    expect(put.status).toBe(200);
    await settle();
    const [latest] = await plans(id);
    expect(latest?.record).toMatchObject({ kind: "liquidation", applied: true, dryRun: false });
    const stored = await h.call(`/v1/accounts/${id}`);
    expect(stored.body.version).toBe(2);
    const size = Number((stored.body.portfolio as { positions: Array<{ size: string }> }).positions[0]?.size);
    expect(size).toBeLessThan(40);
    const margin = await h.call(`/v1/accounts/${id}/margin`);
    expect(Number((margin.body.report as { healthRatio: string }).healthRatio)).toBeGreaterThanOrEqual(1);
  });
});
