import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./serviceHarness.js";

interface BacktestBody {
  model: string;
  from: string;
  to: string;
  paths?: number;
  horizonDays: number;
  days: Array<{ date: string; margin: string; loss: string | null; exception: boolean | null }>;
  summary: { observations: number; exceptions: number; rate: number; zone: string; kupiecP: number };
}

const DAY_MS = 86_400_000;
const nextDay = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);

describe("GET /v1/accounts/:id/backtest (real server, real history)", () => {
  let h: Harness;
  let replayDate: string;
  beforeAll(async () => {
    h = await startHarness();
    expect((await h.call("/v1/feed/step", { method: "POST" })).status).toBe(200);
    replayDate = ((await h.call("/v1/feed")).body.feed as { lastDate: string }).lastDate;
  });
  afterAll(async () => {
    await h.stop();
  });

  it("replays the account up to the replay date: consecutive days, exceptions = loss > margin, summary counts", async () => {
    const res = await h.call("/v1/accounts/acct-directional-perp-01/backtest?days=120");
    expect(res.status).toBe(200);
    const b = res.body as unknown as BacktestBody;
    expect(b.model).toBe("grid");
    expect(b.paths).toBeUndefined();
    expect(b.days).toHaveLength(120);
    expect(b.to).toBe(replayDate);
    expect(b.days.at(-1)!.date).toBe(replayDate);
    expect(b.from).toBe(b.days[0]!.date);
    for (let i = 1; i < b.days.length; i++) expect(b.days[i]!.date).toBe(nextDay(b.days[i - 1]!.date));
    for (const d of b.days) {
      expect(d.margin).toMatch(/^-?\d+(\.\d+)?$/);
      if (d.loss === null) expect(d.exception).toBeNull();
      else expect(d.exception).toBe(Number(d.loss) > Number(d.margin));
    }
    // No look-ahead: the last horizon's days have no later close yet.
    expect(b.days.slice(-b.horizonDays).every((d) => d.loss === null)).toBe(true);
    const observed = b.days.filter((d) => d.loss !== null);
    expect(b.summary.observations).toBe(observed.length);
    expect(b.summary.exceptions).toBe(observed.filter((d) => d.exception).length);
    expect(b.summary.rate).toBeCloseTo(b.summary.exceptions / b.summary.observations, 12);
    expect(["green", "yellow", "red"]).toContain(b.summary.zone);
    expect(b.summary.kupiecP).toBeGreaterThanOrEqual(0);
    expect(b.summary.kupiecP).toBeLessThanOrEqual(1);

    const again = await h.call("/v1/accounts/acct-directional-perp-01/backtest?days=120");
    expect(again.status).toBe(200);
    expect(JSON.stringify(again.body)).toBe(JSON.stringify(res.body));
  });

  it("marks exceptions when the model under-margins: 10x leveraged BTC under isolated rates over two years", async () => {
    // isolated margins a BTC perp at 5% of notional: any daily fall of more than 5% (several in 2021-2023) is an
    // exception. 2 BTC long against 10,000 USDC.
    const put = await h.call("/v1/accounts/test-leveraged-btc", {
      method: "PUT",
      body: {
        portfolio: {
          accountId: "test-leveraged-btc",
          holdings: [{ chain: "arbitrum", token: "USDC", amount: "10000" }],
          positions: [{ kind: "perp", chain: "arbitrum", venue: "gmx", underlying: "BTC", size: "2" }],
        },
        config: { model: "isolated" },
      },
    });
    expect(put.status).toBe(200);
    const res = await h.call("/v1/accounts/test-leveraged-btc/backtest?days=730");
    expect(res.status).toBe(200);
    const b = res.body as unknown as BacktestBody;
    expect(b.model).toBe("isolated");
    const exceptions = b.days.filter((d) => d.exception === true);
    expect(exceptions.length).toBeGreaterThan(0);
    expect(b.summary.exceptions).toBe(exceptions.length);
    for (const d of exceptions) expect(Number(d.loss)).toBeGreaterThan(Number(d.margin));
  });

  it("runs xchain accounts at bounded paths and says so", async () => {
    const res = await h.call("/v1/accounts/acct-basis-01/backtest?days=30");
    expect(res.status).toBe(200);
    const b = res.body as unknown as BacktestBody;
    expect(b.model).toBe("xchain");
    expect(b.paths).toBe(1000);
    expect(b.days).toHaveLength(30);
    expect(b.to).toBe(replayDate);
  });

  it("answers errors in the service's shape", async () => {
    const missing = await h.call("/v1/accounts/acct-nope/backtest");
    expect(missing.status).toBe(404);
    expect((missing.body.error as { code: string }).code).toBe("NOT_FOUND");
    for (const q of ["days=0", "days=731", "days=abc"]) {
      const bad = await h.call(`/v1/accounts/acct-directional-perp-01/backtest?${q}`);
      expect(bad.status).toBe(400);
      expect(bad.body.error).toMatchObject({ code: "INVALID_INPUT", path: "$.days" });
    }
  });
});
