import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { computeMargin } from "../../../src/margin/computeMargin.js";
import { reportToJson } from "../../../src/margin/reportJson.js";
import { marginReportJsonSchema } from "../../../src/service/apiSchemas.js";
import { REPO_ROOT } from "../../../src/service/paths.js";
import { sqliteMigrations } from "../../../src/store/migrations.js";
import { type Harness, startHarness } from "./serviceHarness.js";

const example = (f: string) =>
  JSON.parse(readFileSync(join(REPO_ROOT, "examples", f), "utf8")) as Record<string, unknown>;
const market = example("market-2023-06-30.json");
const perp = example("portfolios/directional-perp.json");
const strangle = example("portfolios/short-strangle.json");

function expectError(
  res: { status: number; body: Record<string, unknown> },
  status: number,
  code: string,
  path?: string,
) {
  expect(res.status).toBe(status);
  const error = res.body.error as { code: string; path?: string; message: string };
  expect(error.code).toBe(code);
  if (path !== undefined) expect(error.path).toBe(path);
  expect(JSON.stringify(res.body)).not.toMatch(/\bat .*\.(ts|js):\d+|stack/);
}

describe("margin service HTTP API (real server on loopback)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.stop();
  });

  it("GET /healthz and /openapi.json", async () => {
    const health = await h.call("/healthz");
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({
      status: "ok",
      seq: 1,
      accounts: 7,
      storeSchemaVersion: sqliteMigrations.at(-1)!.version,
    });
    const doc = await h.call("/openapi.json");
    expect(doc.body.openapi).toBe("3.1.0");
    const paths = Object.keys(doc.body.paths as object);
    for (const p of [
      "/v1/margin",
      "/v1/whatif",
      "/v1/accounts/{id}",
      "/v1/accounts/{id}/margin",
      "/v1/markets",
      "/healthz",
    ]) {
      expect(paths).toContain(p);
    }
    const schemas = (doc.body.components as { schemas: Record<string, { properties?: Record<string, unknown> }> })
      .schemas;
    expect(Object.keys(schemas.MarginRequest?.properties ?? {})).toEqual(["portfolio", "market", "config"]);
    expect(JSON.stringify(schemas.WhatIfRequest)).toContain("spotShockRel");
  });

  it("POST /v1/margin with a snapshot equals the engine, JSON as documented", async () => {
    const res = await h.call("/v1/margin", {
      body: { portfolio: strangle, market, config: { model: "grid" } },
    });
    expect(res.status).toBe(200);
    const direct = reportToJson(computeMargin({ portfolio: strangle, market, config: { model: "grid" } }));
    expect(res.body).toEqual(direct);
    expect(marginReportJsonSchema.safeParse(res.body).success).toBe(true);
  });

  it("POST /v1/margin without a snapshot uses the live market", async () => {
    const markets = await h.call("/v1/markets");
    const res = await h.call("/v1/margin", { body: { portfolio: perp } });
    expect(res.status).toBe(200);
    expect(res.body.asOf).toBe(markets.body.asOf);
    expect(res.body.model).toBe("grid");
    const prices = markets.body.prices as Array<{ symbol: string; price: string; flags: unknown[] }>;
    expect(prices.find((p) => p.symbol === "BTC")?.price).toBe("30477.25");
    expect(typeof prices[0]?.price).toBe("string");
  });

  it("400s name the field", async () => {
    const badStrike = {
      accountId: "x",
      positions: [
        {
          kind: "option",
          chain: "arbitrum",
          venue: "derive",
          underlying: "ETH",
          size: "1",
          expiry: "2023-09-01T00:00:00Z",
          strike: "0",
          optionType: "call",
        },
      ],
    };
    expectError(
      await h.call("/v1/margin", { body: { portfolio: badStrike } }),
      400,
      "INVALID_INPUT",
      "$.portfolio.positions[0].strike",
    );
    const badToken = { accountId: "x", holdings: [{ chain: "arbitrum", token: "NOPE", amount: "1" }] };
    expectError(
      await h.call("/v1/margin", { body: { portfolio: badToken } }),
      400,
      "MISSING_DATA",
      "$.portfolio.holdings[0].token",
    );
    expectError(
      await h.call("/v1/margin", { body: { portfolio: perp, config: { model: "grid", extremeMoves: { weight: 7 } } } }),
      400,
      "INVALID_INPUT",
      "$.config.extremeMoves.weight",
    );
    expectError(
      await h.call("/v1/margin", { body: { portfolio: perp, config: { model: "magic" } } }),
      400,
      "INVALID_INPUT",
      "$.config.model",
    );
    expectError(await h.call("/v1/margin", { body: { portfolio: perp, extra: 1 } }), 400, "INVALID_INPUT", "$");
    expectError(await h.call("/v1/margin", { raw: "{not json" }), 400, "INVALID_INPUT", "$");
    expectError(
      await h.call("/v1/margin", { body: { portfolio: perp, market: { ...market, asOf: "yesterday" } } }),
      400,
      "INVALID_INPUT",
      "$.market.asOf",
    );
  });

  it("limits the body size (413)", async () => {
    const big = { portfolio: { ...perp, description: "x".repeat(600 * 1024) } };
    expectError(await h.call("/v1/margin", { body: big }), 413, "PAYLOAD_TOO_LARGE");
  });

  it("stores accounts behind an API key", async () => {
    const id = "acct-api-test";
    const doc = { portfolio: { ...perp, accountId: id }, config: { model: "cross" } };
    expectError(await h.call(`/v1/accounts/${id}`, { method: "PUT", body: doc, key: null }), 401, "UNAUTHORIZED");
    expectError(
      await h.call(`/v1/accounts/${id}`, { method: "PUT", body: doc, key: "wrong-key-wrong-key-wrong" }),
      401,
      "UNAUTHORIZED",
    );
    expectError(
      await h.call("/v1/accounts/other", { method: "PUT", body: doc }),
      400,
      "INVALID_INPUT",
      "$.portfolio.accountId",
    );
    const put = await h.call(`/v1/accounts/${id}`, { method: "PUT", body: doc });
    expect(put.status).toBe(200);
    expect(put.body.version).toBe(1);
    expect((put.body.report as { model: string }).model).toBe("cross");
    const put2 = await h.call(`/v1/accounts/${id}`, { method: "PUT", body: { portfolio: doc.portfolio } });
    expect(put2.body.version).toBe(2);
    const got = await h.call(`/v1/accounts/${id}`);
    expect(got.body).toMatchObject({ accountId: id, version: 2, config: { model: "cross" }, policy: null });
    const margin = await h.call(`/v1/accounts/${id}/margin`);
    expect(margin.status).toBe(200);
    expect((margin.body.report as { model: string }).model).toBe("cross");
    const list = await h.call("/v1/accounts");
    expect((list.body.accounts as Array<{ accountId: string }>).map((a) => a.accountId)).toContain(id);
    expectError(await h.call("/v1/accounts/nobody"), 404, "NOT_FOUND");
    expectError(await h.call("/v1/accounts/bad%20id"), 400, "INVALID_INPUT", "$.id");
    expectError(
      await h.call(`/v1/accounts/${id}`, {
        method: "PUT",
        body: { portfolio: doc.portfolio, policy: { targetHealth: { min: 3, max: 2 } } },
      }),
      400,
      "INVALID_INPUT",
      "$.policy.targetHealth.max",
    );
  });

  it("POST /v1/whatif on a stored account and on a given portfolio", async () => {
    const stored = await h.call("/v1/whatif", {
      body: { accountId: "acct-directional-perp-01", whatIf: { moves: [{ underlying: "BTC", spotShockRel: "-0.2" }] } },
    });
    expect(stored.status).toBe(200);
    const diff = stored.body.diff as { equity: string; healthRatio: string };
    expect(Number(diff.equity)).toBeLessThan(-50_000);
    expect(Number(diff.healthRatio)).toBeLessThan(0);
    const given = await h.call("/v1/whatif", {
      body: {
        portfolio: perp,
        whatIf: { deposits: [{ chain: "arbitrum", token: "USDC", amount: "10000" }] },
      },
    });
    expect(given.status).toBe(200);
    expect(Number((given.body.diff as { equity: string }).equity)).toBeCloseTo(10_002.53, 1);
    expectError(
      await h.call("/v1/whatif", { body: { accountId: "acct-directional-perp-01", portfolio: perp, whatIf: {} } }),
      400,
      "INVALID_INPUT",
      "$.accountId",
    );
    expectError(
      await h.call("/v1/whatif", {
        body: { portfolio: perp, whatIf: { withdrawals: [{ chain: "arbitrum", token: "USDC", amount: "999999999" }] } },
      }),
      400,
      "INVALID_INPUT",
      "$.whatIf.withdrawals[0].amount",
    );
  });

  it("replays history ticks into the store (markets, price and margin history)", async () => {
    const before = (await h.call("/v1/accounts/acct-directional-perp-01/history")).body.history as unknown[];
    expectError(await h.call("/v1/feed/step", { method: "POST", key: null }), 401, "UNAUTHORIZED");
    for (let i = 0; i < 3; i++) expect((await h.call("/v1/feed/step", { method: "POST" })).status).toBe(200);
    const markets = await h.call("/v1/markets");
    expect(markets.body.asOf).toBe("2023-07-04T00:00:00Z");
    expect(markets.body.source).toBe("replay 2023-07-03");
    const after = (await h.call("/v1/accounts/acct-directional-perp-01/history")).body.history as Array<{
      asOf: string;
      initialMargin: string;
    }>;
    expect(after.length).toBe(before.length + 3);
    expect(after.at(-1)?.asOf).toBe("2023-07-04T00:00:00Z");
    const prices = (await h.call("/v1/markets/history?symbol=BTC")).body.history as Array<{ price: string }>;
    expect(prices.map((p) => p.price)).toEqual(["30477.25", "30590.08", "30620.77", "31156.44"]);
    const feed = await h.call("/v1/feed");
    expect(feed.body.feed).toMatchObject({ lastDate: "2023-07-03", nextDate: "2023-07-04" });
  });
});

describe("rate limit", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ rateLimit: { max: 5, timeWindowMs: 60_000 }, demo: false });
  });
  afterAll(async () => {
    await h.stop();
  });

  it("answers 429 with a JSON error past the limit", async () => {
    const codes: number[] = [];
    for (let i = 0; i < 7; i++) codes.push((await h.call("/v1/markets")).status);
    expect(codes.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    const res = await h.call("/v1/markets");
    expectError(res, 429, "RATE_LIMITED");
    expect(res.headers.get("retry-after")).not.toBeNull();
  });
});
