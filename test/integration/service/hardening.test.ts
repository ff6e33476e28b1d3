/**
 * Issue 14 hardening on the real server (loopback): each case failed before the fix. Items 3, 4 (oracle rule) are
 * proven in test/property/oracleFailSafe.property.test.ts; items 10, 11 (unknown chain, expired options) belong to
 * src/margin/resolve.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { REPO_ROOT } from "../../../src/service/paths.js";
import { startService } from "../../../src/service/startService.js";
import { type Harness, startHarness, TEST_API_KEY } from "./serviceHarness.js";

const READER = "reader-key-0123456789abcdef";
const portfolio = (f: string) =>
  JSON.parse(readFileSync(join(REPO_ROOT, "examples", "portfolios", f), "utf8")) as { accountId: string };

/** A raw HTTP request, so Host and Origin can be anything (fetch will not send a foreign Host). */
function raw(
  url: string,
  method: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, unknown>; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let text = "";
      res.on("data", (c: Buffer) => {
        text += c.toString();
      });
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : {} }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

function openStream(url: string, query = `?key=${TEST_API_KEY}`, headers: Record<string, string> = {}) {
  const ws = new WebSocket(`${url.replace("http", "ws")}/v1/stream${query}`, { headers });
  const messages: Array<Record<string, unknown>> = [];
  ws.on("message", (d) => messages.push(JSON.parse(String(d)) as Record<string, unknown>));
  const opened = new Promise<void>((resolve, reject) => {
    ws.on("open", () => resolve());
    ws.on("error", reject);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on("close", (code, reason) => resolve({ code, reason: String(reason) })),
  );
  return { ws, messages, opened, closed };
}

const settle = (ms = 150) => new Promise((r) => setTimeout(r, ms));

describe("issue 14: hardening of the service", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      apiKeys: [TEST_API_KEY, { key: READER, accounts: ["acct-btc-strangle-01"] }],
      stream: { maxConnections: 3, maxMessagesPerSec: 5 },
    });
  });
  afterAll(async () => {
    await h.stop();
  });

  it("item 1: 1,000,000 paths is a 400 naming the field, on demand and on PUT (nothing stored)", async () => {
    const body = {
      portfolio: portfolio("short-strangle.json"),
      config: { model: "xchain", simulation: { paths: 1_000_000 } },
    };
    const res = await h.call("/v1/margin", { body });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "LIMIT_EXCEEDED", path: "$.config.simulation.paths" });
    const id = (body.portfolio as { accountId: string }).accountId;
    const before = (await h.call(`/v1/accounts/${id}`)).body.version;
    const put = await h.call(`/v1/accounts/${id}`, { method: "PUT", body });
    expect(put.status).toBe(400);
    expect((await h.call(`/v1/accounts/${id}`)).body.version).toBe(before);
  });

  it("item 1: a what-if whose trades push the book over the item budget is a 400 at $.whatIf.trades", async () => {
    const trade = { kind: "perp", chain: "arbitrum", venue: "gmx", underlying: "ETH", size: "1" };
    const res = await h.call("/v1/whatif", {
      body: { accountId: "acct-directional-perp-01", whatIf: { trades: Array.from({ length: 600 }, () => trade) } },
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "LIMIT_EXCEEDED", path: "$.whatIf.trades" });
  });

  it("item 2: a flooding WebSocket client is closed; connections are capped; subscribe is idempotent", async () => {
    const a = openStream(h.url);
    await a.opened;
    a.ws.send(JSON.stringify({ type: "subscribe", accounts: ["*"] }));
    await settle();
    const reportsAfterFirst = a.messages.filter((m) => m.type === "report").length;
    expect(reportsAfterFirst).toBe(7);
    a.ws.send(JSON.stringify({ type: "subscribe", accounts: ["*"] }));
    await settle();
    expect(a.messages.filter((m) => m.type === "report").length).toBe(reportsAfterFirst);
    // 5 messages/s with a burst of 10: the 40 pings at once overflow the bucket
    for (let i = 0; i < 40; i++) a.ws.send(JSON.stringify({ type: "ping" }));
    expect((await a.closed).code).toBe(1008);
    const open = [openStream(h.url), openStream(h.url), openStream(h.url)];
    await Promise.all(open.map((s) => s.opened));
    const fourth = openStream(h.url);
    await fourth.opened;
    expect((await fourth.closed).code).toBe(1013);
    for (const s of open) s.ws.close();
    await Promise.all(open.map((s) => s.closed));
  });

  it("item 5: varying `days` reuses one cached window", async () => {
    const id = "acct-btc-strangle-01";
    const admitted = async () => ((await h.call("/healthz")).body.compute as { admitted: number }).admitted;
    const before = await admitted();
    const first = await h.call(`/v1/accounts/${id}/backtest?days=100`);
    expect(first.status).toBe(200);
    const second = await h.call(`/v1/accounts/${id}/backtest?days=120`);
    const third = await h.call(`/v1/accounts/${id}/backtest?days=150&junk=1`);
    expect(second.status).toBe(200);
    expect(third.status).toBe(200);
    const days = (r: typeof first) => (r.body.days as Array<{ date: string }>).map((d) => d.date);
    // each answer is the tail of the same window: the shorter answer is a suffix of the longer one
    expect(days(third).slice(-days(first).length)).toEqual(days(first));
    expect(days(first).length).toBeLessThanOrEqual(100);
    // one computation (the 180-day window); the other two answers came from its cache
    expect((await admitted()) - before).toBe(1);
  });

  it("item 6: reads need a key; a scoped key reads its account only and cannot write; Host and Origin are checked", async () => {
    expect((await h.call("/v1/accounts", { key: null })).status).toBe(401);
    const list = await h.call("/v1/accounts", { key: READER });
    expect((list.body.accounts as Array<{ accountId: string }>).map((a) => a.accountId)).toEqual([
      "acct-btc-strangle-01",
    ]);
    expect((await h.call("/v1/accounts/acct-directional-perp-01", { key: READER })).status).toBe(403);
    const doc = { portfolio: portfolio("short-strangle.json") };
    const put = await h.call("/v1/accounts/acct-btc-strangle-01", { method: "PUT", body: doc, key: READER });
    expect(put.status).toBe(403);
    const port = new URL(h.url).port;
    const evilHost = await raw(`${h.url}/healthz`, "GET", { host: `rebind.evil:${port}` });
    expect(evilHost.status).toBe(403);
    const evilOrigin = await raw(`${h.url}/v1/accounts`, "GET", {
      "x-api-key": TEST_API_KEY,
      origin: "http://evil.example",
    });
    expect(evilOrigin.status).toBe(403);
    const ws = openStream(h.url, `?key=${TEST_API_KEY}`, { origin: "http://evil.example" });
    await expect(ws.opened).rejects.toThrow(/403/);
    const anonymous = openStream(h.url, "");
    await expect(anonymous.opened).rejects.toThrow(/401/);
  });

  it("item 7: maintenanceRatio 1e-308 is refused (400) and never stored", async () => {
    const doc = { portfolio: portfolio("directional-perp.json"), config: { model: "grid", maintenanceRatio: 1e-308 } };
    const id = doc.portfolio.accountId;
    const res = await h.call(`/v1/accounts/${id}`, { method: "PUT", body: doc });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "LIMIT_EXCEEDED", path: "$.config.maintenanceRatio" });
    expect((await h.call(`/v1/accounts/${id}/margin`)).status).toBe(200);
  });

  it("item 8: an unsupported method is a 405 with `allow`, documented statuses cover it", async () => {
    const res = await h.call("/v1/accounts/acct-btc-strangle-01", { method: "DELETE" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, PUT, HEAD");
    expect(res.body.error).toMatchObject({ code: "METHOD_NOT_ALLOWED" });
    expect((await h.call("/v1/nothing-here")).status).toBe(404);
  });

  it("item 9: the market clock never goes back; a future quote is named at its path in the push", async () => {
    const markets = await h.call("/v1/markets");
    const asOf = markets.body.asOf as string;
    const back = new Date(Date.parse(asOf) - 86_400_000).toISOString();
    const q = { source: "pyth", chain: "solana", feed: "BTC/USD", price: "30000", publishedAt: asOf };
    const res = await h.call("/v1/markets/quotes", { body: { quotes: [q], asOf: back } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ path: "$.asOf" });
    const future = new Date(Date.parse(asOf) + 3_600_000).toISOString();
    const res2 = await h.call("/v1/markets/quotes", { body: { quotes: [{ ...q, publishedAt: future }] } });
    expect(res2.body.error).toMatchObject({ path: "$.quotes[0].publishedAt" });
  });

  it("item 12: a PUT computes the account once", async () => {
    const doc = { portfolio: portfolio("directional-perp.json") };
    const before = ((await h.call("/healthz")).body.stats as { recomputations: number }).recomputations;
    const res = await h.call(`/v1/accounts/${doc.portfolio.accountId}`, { method: "PUT", body: doc });
    expect(res.status).toBe(200);
    const after = ((await h.call("/healthz")).body.stats as { recomputations: number }).recomputations;
    expect(after - before).toBe(1);
  });
});

describe("issue 14 item 12: rate-limit message, persistent demo key, private store file", () => {
  it("says the configured window, keeps the generated key across restarts, and the store is owner-only", async () => {
    const dir = mkdtempSync(join(tmpdir(), "xmargin-key-"));
    const dbFile = join(dir, "xmargin.db");
    const base = { host: "127.0.0.1", port: 0, dbFile, demo: false, feed: { autoStart: false } };
    try {
      const first = await startService({ ...base, rateLimit: { max: 2, timeWindowMs: 60_000 } });
      const key = first.generatedApiKey;
      expect(key).toMatch(/^xm_[0-9a-f]{36}$/);
      let last: Response | undefined;
      for (let i = 0; i < 3; i++) last = await fetch(`${first.url}/v1/feed`, { headers: { "x-api-key": key! } });
      const body = (await last!.json()) as { error: { code: string; message: string } };
      expect(last!.status).toBe(429);
      expect(body.error.message).toBe("rate limit of 2 requests per 60 seconds exceeded");
      await first.close();
      expect(statSync(dbFile).mode & 0o777).toBe(0o600);
      const second = await startService(base);
      expect(second.generatedApiKey).toBe(key);
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
