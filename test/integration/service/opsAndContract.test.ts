/**
 * Issue 19 item 6: the rendered API docs page (/docs, served from the package), a response schema for every route,
 * checked against the answers of a call to every route, and /metrics in Prometheus format.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../../src/service/paths.js";
import { bodyValidator, expectMatchesOpenApi, type Observed, recordAnswers } from "./openApiContract.js";
import { type Harness, startHarness } from "./serviceHarness.js";

type Doc = Parameters<typeof expectMatchesOpenApi>[0];
const example = (name: string) =>
  JSON.parse(readFileSync(join(REPO_ROOT, "examples", "portfolios", name), "utf8")) as Record<string, unknown>;

/** The value of one sample line of a Prometheus exposition (`name{labels} value`). */
function sample(text: string, name: string, labels = ""): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ""} `));
  return line === undefined ? undefined : Number(line.split(" ").at(-1));
}

describe("ops routes and the response contract", () => {
  let h: Harness;
  const observed: Observed[] = [];
  let doc: Doc;
  beforeAll(async () => {
    h = await startHarness({ rateLimit: { max: 100_000, timeWindowMs: 60_000 } });
    recordAnswers(h, observed);
    doc = (await h.call("/openapi.json")).body as Doc;
  }, 60_000);
  afterAll(async () => h?.stop());

  it("GET /docs renders Swagger UI from the package: own assets, no CDN, a strict CSP", async () => {
    const res = await fetch(`${h.url}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
    const html = await res.text();
    expect(html).not.toMatch(/https?:\/\//);
    for (const asset of [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!)) {
      const a = await fetch(`${h.url}${asset}`);
      expect(a.status, asset).toBe(200);
      expect(a.headers.get("content-type"), asset).toMatch(/^text\/(css|javascript)/);
    }
    const init = await (await fetch(`${h.url}/docs/init.js`)).text();
    expect(init).toContain('"/openapi.json"');
  });

  it("every route of the table documents a response schema (JSON, or its media type)", () => {
    const missing: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const ok = Object.entries(op.responses).find(([s]) => Number(s) < 300);
        if (ok && ok[0] !== "101" && !ok[1].content) missing.push(`${method} ${path}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("contract: the answers of a call to every route match the OpenAPI document's schemas", async () => {
    const id = "acct-btc-strangle-01";
    const gets = [
      "/healthz",
      "/openapi.json",
      "/v1/accounts",
      `/v1/accounts/${id}`,
      `/v1/accounts/${id}/margin`,
      `/v1/accounts/${id}/history?limit=5`,
      `/v1/accounts/${id}/backtest?days=5`,
      `/v1/accounts/${id}/plans`,
      "/v1/markets",
      "/v1/markets/history?symbol=BTC&limit=5",
      "/v1/feed",
      "/v1/rulebook",
      "/v1/rulebook/versions",
      "/v1/policy/audit",
      "/v1/live",
    ];
    for (const path of gets) await h.call(path);
    await h.call("/v1/feed/step", { method: "POST" });
    const strangle = example("short-strangle.json");
    await h.call(`/v1/accounts/${id}`, { method: "PUT", body: { portfolio: strangle } });
    await h.call("/v1/margin", { body: { portfolio: strangle, config: { model: "grid" } } });
    await h.call("/v1/whatif", {
      body: { accountId: id, whatIf: { moves: [{ underlying: "BTC", spotShockRel: "-0.1" }] } },
    });
    const market = (await h.call("/v1/markets")).body as { asOf: string };
    const quote = { source: "pyth", chain: "solana", feed: "BTC/USD", price: "30000", publishedAt: market.asOf };
    await h.call("/v1/markets/quotes", { body: { quotes: [quote] } });
    const active = (await h.call("/v1/rulebook")).body as { rulebook: { version: number } };
    await h.call("/v1/rulebook", {
      method: "PUT",
      body: { ...active.rulebook, version: active.rulebook.version + 1 },
    });
    await h.call(`/v1/accounts/${id}/plans/1/approve`, { method: "POST" });
    // Successes really were exercised: every route answered 2xx except the two live-mode ones (409 without chains).
    const failed = observed.filter((o) => o.status >= 300).map((o) => `${o.method} ${o.path} ${o.status}`);
    expect(failed).toEqual([`GET /v1/live 409`, `POST /v1/accounts/${id}/plans/1/approve 409`]);
    expectMatchesOpenApi(doc, observed);
  }, 120_000);

  it("the contract check fails on an answer that breaks its schema", () => {
    const check = bodyValidator(doc);
    expect(check({ method: "GET", path: "/healthz", status: 200, body: { status: "ok" } })).toBeDefined();
    expect(check({ method: "GET", path: "/v1/feed", status: 200, body: { feed: { from: 1 } } })).toBeDefined();
  });

  it("GET /metrics: request latency per route, tick-to-report latency, accounts per health band, event-loop lag", async () => {
    for (let i = 0; i < 3; i++) await h.call("/healthz");
    await h.call("/v1/feed/step", { method: "POST" });
    const res = await fetch(`${h.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const healthz = sample(
      text,
      "xmargin_http_request_duration_seconds_count",
      'method="GET",route="/healthz",status="200"',
    );
    expect(healthz).toBeGreaterThanOrEqual(4);
    expect(sample(text, "xmargin_tick_to_report_seconds_count")).toBeGreaterThanOrEqual(1);
    const bands = ["liquidatable", "below_initial", "healthy", "failed", "pending"];
    const counts = bands.map((b) => sample(text, "xmargin_accounts", `band="${b}"`) ?? Number.NaN);
    const accounts = ((await h.call("/v1/accounts")).body as { accounts: unknown[] }).accounts.length;
    expect(counts.reduce((a, b) => a + b, 0)).toBe(accounts);
    expect(sample(text, "xmargin_nodejs_eventloop_lag_seconds")).toBeGreaterThanOrEqual(0);
  });
});
