import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { type Harness, startHarness, TEST_API_KEY } from "./serviceHarness.js";

type Message = Record<string, unknown> & { type: string };

/** A WebSocket client that records every message and can wait for one matching a predicate. */
class StreamClient {
  readonly messages: Message[] = [];
  private waiters: Array<{ match: (m: Message) => boolean; resolve: (m: Message) => void }> = [];
  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const m = JSON.parse(String(data)) as Message;
      this.messages.push(m);
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(m)) return true;
        w.resolve(m);
        return false;
      });
    });
  }

  static async open(url: string): Promise<StreamClient> {
    const ws = new WebSocket(`${url.replace("http", "ws")}/v1/stream?key=${TEST_API_KEY}`);
    const c = new StreamClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    return c;
  }

  send(m: unknown): void {
    this.ws.send(JSON.stringify(m));
  }

  next(match: (m: Message) => boolean, timeoutMs = 10_000): Promise<Message> {
    const seen = this.messages.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no matching stream message")), timeoutMs);
      this.waiters.push({
        match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  clear(): void {
    this.messages.length = 0;
  }

  close(): void {
    this.ws.close();
  }
}

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
    const c = await StreamClient.open(h.url);
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
