import { z } from "zod";
import { XmarginError } from "../../../core/errors.js";
import { identifier } from "../../../schema/primitives.js";
import { BACKTEST_DEFAULT_DAYS, BACKTEST_MAX_DAYS } from "../../accountBacktest.js";
import { accountPutSchema, accountSummarySchema } from "../../apiSchemas.js";
import {
  accountBacktestResponseSchema,
  accountHistoryResponseSchema,
  accountMarginResponseSchema,
  accountPlansResponseSchema,
  accountPutResponseSchema,
  accountResponseSchema,
} from "../../responseSchemas.js";
import type { HttpContext } from "../httpContext.js";
import { accountJson, accountSummaryJson, marginHistoryJson, planJson } from "../responseJson.js";
import { defineRoute, type Route } from "../route.js";

const idParams = z.object({ id: identifier }).strict();
const limitQuery = z.object({ limit: z.coerce.number().int().min(1).max(100_000).optional() });
const backtestQuery = z.object({ days: z.coerce.number().int().min(1).max(BACKTEST_MAX_DAYS).optional() });
const unknownAccount = { 404: "unknown account" };

/** The day a market time closes: a replayed day's snapshot is stamped at its close, the next midnight UTC. */
function closedDateOf(asOf: string): string {
  return new Date(Math.floor(Date.parse(asOf) / 86_400_000) * 86_400_000 - 86_400_000).toISOString().slice(0, 10);
}

/** Stored accounts: list, read, write, their margin, history, backtest and plans. */
export function accountRoutes(ctx: HttpContext): Route[] {
  const { service, config } = ctx;
  return [
    defineRoute({
      method: "GET",
      url: "/v1/accounts",
      summary: "stored accounts the key may read, with their latest headline figures and band",
      access: "read",
      ok: {
        description: "accounts",
        schema: { name: "AccountList", zod: z.object({ accounts: z.array(accountSummarySchema) }) },
      },
      handle: ({ principal }) => ({
        accounts: [...service.accounts.values()]
          .filter((a) => ctx.keys.mayRead(principal, a.accountId))
          .sort((a, b) => a.accountId.localeCompare(b.accountId))
          .map(accountSummaryJson),
      }),
    }),
    defineRoute({
      method: "GET",
      url: "/v1/accounts/:id",
      summary: "stored portfolio, config and policy",
      access: "account-read",
      params: idParams,
      ok: { description: "account", schema: { name: "Account", zod: accountResponseSchema } },
      errors: unknownAccount,
      handle: ({ params }) => accountJson(service.getAccount(params.id)),
    }),
    defineRoute({
      method: "PUT",
      url: "/v1/accounts/:id",
      summary: "store a portfolio (and config, policy); re-margins and streams the account",
      access: "account-write",
      params: idParams,
      body: { name: "AccountPut", schema: accountPutSchema },
      ok: {
        description: "stored, with the new report",
        schema: { name: "AccountPutResult", zod: accountPutResponseSchema },
      },
      errors: { 422: "the account's report has a non-finite figure; nothing stored" },
      handle: async ({ params, body }) => {
        const acc = await service.putAccount(params.id, body);
        return { accountId: params.id, version: acc.version, updatedAt: acc.updatedAt, report: acc.reportJson ?? null };
      },
    }),
    defineRoute({
      method: "GET",
      url: "/v1/accounts/:id/margin",
      summary: "current report of a stored account at the live market",
      access: "account-read",
      params: idParams,
      ok: { description: "report", schema: { name: "AccountMargin", zod: accountMarginResponseSchema } },
      errors: { ...unknownAccount, 503: "no live market yet" },
      handle: ({ params }) => {
        const acc = service.getAccount(params.id);
        if (acc.error && acc.reportSeq === undefined) throw acc.error;
        return { accountId: params.id, version: acc.version, ...service.accountReport(params.id) };
      },
    }),
    defineRoute({
      method: "GET",
      url: "/v1/accounts/:id/history",
      summary: "margin snapshots of the account from the store, oldest first",
      access: "account-read",
      params: idParams,
      query: limitQuery,
      ok: { description: "history", schema: { name: "AccountHistory", zod: accountHistoryResponseSchema } },
      errors: unknownAccount,
      handle: async ({ params, query }) => {
        service.getAccount(params.id);
        const rows = await service.store.marginHistory(params.id, query.limit ?? config.historyLimit);
        return { accountId: params.id, history: rows.map(marginHistoryJson) };
      },
    }),
    defineRoute({
      method: "GET",
      url: "/v1/accounts/:id/backtest",
      summary:
        "backtest of the account on the real daily history up to the replay date: margin vs realised loss per day, exceptions, Kupiec",
      access: "account-read",
      params: idParams,
      query: backtestQuery,
      ok: { description: "backtest", schema: { name: "AccountBacktest", zod: accountBacktestResponseSchema } },
      errors: {
        ...unknownAccount,
        409: "no daily price history",
        503: "busy: the heavy-call queue is full or the wait timed out (retry-after)",
      },
      handle: ({ params, query }) => {
        const acc = service.getAccount(params.id);
        const backtester = ctx.backtester;
        if (!backtester) {
          throw new XmarginError("the backtest needs the daily price history", { code: "CONFLICT" });
        }
        // The replay's current day (no later close is read); without a replay, the last day closed at the live market.
        const end = ctx.feed.status()?.lastDate ?? closedDateOf(service.currentTick().asOf);
        const days = query.days ?? BACKTEST_DEFAULT_DAYS;
        const cached = backtester.cached(acc, end, days);
        if (cached) return cached;
        const pool = ctx.workers;
        const runner = pool
          ? async (a: typeof acc, e: string, windowDays: number) => {
              const result = await pool.run({
                kind: "backtest",
                historyDir: backtester.options.historyDir,
                ...(backtester.options.template ? { template: backtester.options.template } : {}),
                portfolio: a.portfolio,
                configDoc: a.configDoc,
                end: e,
                windowDays,
              });
              if (result.kind !== "backtest") throw new XmarginError("unexpected worker answer", { code: "INTERNAL" });
              return result.replay;
            }
          : undefined;
        return ctx.compute.run(() => backtester.run(acc, end, days, runner));
      },
    }),
    defineRoute({
      method: "GET",
      url: "/v1/accounts/:id/plans",
      summary: "rebalancing and liquidation plans with their audit records, newest first",
      access: "account-read",
      params: idParams,
      query: limitQuery,
      ok: { description: "plans", schema: { name: "AccountPlans", zod: accountPlansResponseSchema } },
      errors: unknownAccount,
      handle: async ({ params, query }) => {
        service.getAccount(params.id);
        const plans = await service.store.listPlans(params.id, query.limit ?? 100);
        return { accountId: params.id, plans: plans.map(planJson) };
      },
    }),
  ];
}
