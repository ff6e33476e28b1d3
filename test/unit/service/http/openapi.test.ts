import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { HttpContext } from "../../../../src/service/http/httpContext.js";
import { openApiPath, statusesOf } from "../../../../src/service/http/openapi.js";
import { OPENAPI_URL, routeTable } from "../../../../src/service/http/routeTable.js";

// Only what building the table reads; handlers are never called here.
const ctx = { whatIfSchema: z.object({ moves: z.array(z.unknown()) }), version: "9.9.9" } as unknown as HttpContext;

describe("OpenAPI is generated from the one route table", () => {
  const routes = routeTable(ctx);
  const doc = routes
    .find((r) => r.url === OPENAPI_URL)!
    .run({ params: {}, query: {}, body: undefined } as never, {} as never, null) as {
    paths: Record<string, Record<string, { responses: Record<string, unknown>; parameters?: unknown[] }>>;
  };

  it("documents exactly the routes the server registers, method by method", () => {
    const fromTable = routes.map((r) => `${r.method} ${openApiPath(r.url)}`).sort();
    const fromDoc = Object.entries(doc.paths)
      .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`))
      .sort();
    expect(fromDoc).toEqual(fromTable);
    expect(fromTable).toContain("PUT /v1/accounts/{id}");
  });

  it("lists the statuses each route's shape implies", () => {
    const put = routes.find((r) => r.method === "PUT")!;
    expect([...statusesOf(put).keys()]).toEqual([200, 400, 401, 403, 413, 414, 415, 422, 429, 500]);
    const health = routes.find((r) => r.url === "/healthz")!;
    expect([...statusesOf(health).keys()]).toEqual([200, 403, 500]);
    const backtest = doc.paths["/v1/accounts/{id}/backtest"]!.get!;
    expect(Object.keys(backtest.responses)).toEqual(
      expect.arrayContaining(["200", "400", "401", "403", "404", "409", "429", "503"]),
    );
  });

  it("carries the query constraints from the zod schemas (limit, days, symbol)", () => {
    const history = doc.paths["/v1/markets/history"]!.get!.parameters as Array<{
      name: string;
      required: boolean;
      schema: Record<string, unknown>;
    }>;
    const symbol = history.find((p) => p.name === "symbol")!;
    expect(symbol.required).toBe(true);
    expect(symbol.schema.pattern).toBe("^[A-Za-z0-9_.-]{1,32}$");
    const limit = history.find((p) => p.name === "limit")!;
    expect(limit.schema).toMatchObject({ minimum: 1, maximum: 100_000 });
    const days = (
      doc.paths["/v1/accounts/{id}/backtest"]!.get!.parameters as Array<{
        name: string;
        schema: Record<string, unknown>;
      }>
    ).find((p) => p.name === "days")!;
    expect(days.schema).toMatchObject({ minimum: 1, maximum: 730 });
  });
});
