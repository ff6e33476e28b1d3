import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness, TEST_API_KEY } from "./serviceHarness.js";
import { type Message, StreamClient } from "./streamClient.js";

const isTick = (seq: number) => (m: Message) => m.type === "tick" && m.seq === seq;

describe("WebSocket /v1/stream: live re-margining", () => {
  let h: Harness;
  const clients: StreamClient[] = [];
  beforeAll(async () => {
    h = await startHarness();
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });
  afterAll(async () => {
    await h.stop();
  });

  async function subscribed(accounts: string[]): Promise<StreamClient> {
    const c = await StreamClient.open(h.url, TEST_API_KEY);
    clients.push(c);
    await c.next((m) => m.type === "hello");
    c.send({ type: "subscribe", accounts });
    await c.next((m) => m.type === "subscribed");
    return c;
  }

  it("sends the current report on subscribe and rejects bad messages with a clear error", async () => {
    const c = await subscribed(["acct-directional-perp-01"]);
    const first = await c.next((m) => m.type === "report");
    expect(first).toMatchObject({ accountId: "acct-directional-perp-01", reason: "subscribe", seq: 1 });
    c.send({ type: "subscribe", accounts: [42] });
    const err = await c.next((m) => m.type === "error");
    expect(err.error).toMatchObject({ code: "INVALID_INPUT", path: "$.accounts[0]" });
    c.ws.send("{oops");
    await c.next((m) => m.type === "error" && (m.error as { message: string }).message.includes("JSON"));
    c.send({ type: "ping" });
    await c.next((m) => m.type === "pong");
  });

  it("a price tick recomputes only the accounts holding the ticked underlying", async () => {
    const perp = await subscribed(["acct-directional-perp-01"]);
    const all = await subscribed(["*"]);
    await perp.next((m) => m.type === "report");
    perp.clear();
    all.clear();
    const markets = await h.call("/v1/markets");
    const seq = Number(markets.body.seq) + 1;
    const push = await h.call("/v1/markets/quotes", {
      body: {
        quotes: [
          {
            source: "chainlink",
            chain: "arbitrum",
            feed: "SOL/USD",
            price: "17.5",
            publishedAt: "2023-06-30T23:59:00Z",
          },
          { source: "pyth", chain: "solana", feed: "SOL/USD", price: "17.5", publishedAt: "2023-06-30T23:59:00Z" },
        ],
      },
    });
    expect(push.status).toBe(200);
    expect(push.body.changed).toEqual(["SOL"]);
    const tick = await all.next(isTick(seq));
    expect(tick.clockMoved).toBe(false);
    expect(tick.recomputed).toEqual(["fund-multichain-01"]);
    const report = await all.next((m) => m.type === "report" && m.seq === seq);
    expect(report.accountId).toBe("fund-multichain-01");
    await perp.next(isTick(seq));
    expect(perp.messages.filter((m) => m.type === "report")).toEqual([]);

    // A BTC tick moves the perp account, which its subscriber sees.
    perp.clear();
    const before = (await h.call("/v1/accounts/acct-directional-perp-01/margin")).body.report as { equity: string };
    await h.call("/v1/markets/quotes", {
      body: {
        quotes: [
          {
            source: "chainlink",
            chain: "ethereum",
            feed: "BTC/USD",
            price: "29000",
            publishedAt: "2023-06-30T23:59:00Z",
          },
          { source: "pyth", chain: "solana", feed: "BTC/USD", price: "29000", publishedAt: "2023-06-30T23:59:00Z" },
        ],
      },
    });
    const moved = await perp.next((m) => m.type === "report" && m.seq === seq + 1);
    const equity = Number((moved.report as { equity: string }).equity);
    expect(equity - Number(before.equity)).toBeCloseTo(10 * (29000 - 30477.25), 0);
    const t2 = await all.next(isTick(seq + 1));
    expect((t2.recomputed as string[]).sort()).toEqual([
      "acct-btc-strangle-01",
      "acct-directional-perp-01",
      "fund-multichain-01",
    ]);
  });

  it("a position change streams a new report; a replayed day recomputes everyone", async () => {
    const c = await subscribed(["acct-directional-perp-01"]);
    await c.next((m) => m.type === "report");
    c.clear();
    const acct = await h.call("/v1/accounts/acct-directional-perp-01");
    const portfolio = acct.body.portfolio as { positions: Array<Record<string, unknown>> };
    const put = await h.call("/v1/accounts/acct-directional-perp-01", {
      method: "PUT",
      body: { portfolio: { ...portfolio, positions: [{ ...portfolio.positions[0], size: "5" }] } },
    });
    expect(put.status).toBe(200);
    const r = await c.next((m) => m.type === "report" && m.reason === "position");
    expect(r.version).toBe(2);
    expect(
      (r.report as { breakdown: { byPosition: Array<{ label: string }> } }).breakdown.byPosition[1]?.label,
    ).toContain("long 5");
    c.clear();
    const step = await h.call("/v1/feed/step", { method: "POST" });
    const tick = await c.next(isTick(step.body.seq as number));
    expect(tick.clockMoved).toBe(true);
    expect((tick.recomputed as string[]).length).toBe(7);
    await c.next((m) => m.type === "report" && m.reason === "tick");
  });
});
