import { z } from "zod";
import { XmarginError } from "../../../core/errors.js";
import { identifier } from "../../../schema/primitives.js";
import { accountGreeks, accountHealth } from "../../accountRisk.js";
import {
  type AccountHealthJson,
  accountGreeksSchema,
  accountHealthSchema,
  marketOraclesSchema,
  volSurfacesSchema,
} from "../../dashboardSchemas.js";
import { oraclesView, volSurfacesView } from "../../marketViews.js";
import type { HttpContext } from "../httpContext.js";
import { defineRoute, type Route } from "../route.js";

const idParams = z.object({ id: identifier }).strict();
const busy = { 503: "no live market yet, or busy: the heavy-call queue is full or the wait timed out (retry-after)" };

/**
 * Read-only views the dashboard's account and market pages need: liquidation prices, net greeks, oracle quotes per
 * source and chain, sampled vol smiles. Each is computed by the engine's own functions at the live market.
 */
export function dashboardRoutes(ctx: HttpContext): Route[] {
  const { service } = ctx;
  // A liquidation search re-runs the model dozens of times: one answer per account, version and tick is kept.
  const healthCache = new Map<string, { key: string; answer: Promise<AccountHealthJson> }>();
  return [
    defineRoute({
      method: "GET",
      url: "/v1/accounts/:id/health",
      summary:
        "liquidation prices and distance to liquidation per underlying of a stored account at the live market (the model re-run, each underlying moved alone)",
      access: "account-read",
      params: idParams,
      ok: { description: "health", schema: { name: "AccountHealth", zod: accountHealthSchema } },
      errors: { 404: "unknown account", ...busy },
      handle: ({ params }) => {
        const acc = service.getAccount(params.id);
        const tick = service.currentTick();
        const key = `${acc.version}|${tick.seq}`;
        const hit = healthCache.get(acc.accountId);
        if (hit?.key === key) return hit.answer;
        const stamp = { accountId: acc.accountId, version: acc.version, seq: tick.seq };
        const pool = ctx.workers;
        // Off the event loop when there are compute workers: a simulated model's search takes seconds.
        const answer = ctx.compute.run(async () => {
          if (!pool) return accountHealth(acc.portfolio, tick.snapshot, acc.config, stamp);
          const result = await pool.run({
            kind: "health",
            portfolio: acc.portfolio,
            snapshot: tick.snapshot,
            configDoc: acc.configDoc,
            stamp,
          });
          if (result.kind !== "health") throw new XmarginError("unexpected worker answer", { code: "INTERNAL" });
          return result.health;
        });
        healthCache.set(acc.accountId, { key, answer });
        // A failed search is not kept: the next call tries again.
        answer.catch(() => {
          if (healthCache.get(acc.accountId)?.answer === answer) healthCache.delete(acc.accountId);
        });
        return answer;
      },
    }),
    defineRoute({
      method: "GET",
      url: "/v1/accounts/:id/greeks",
      summary: "delta, gamma, vega and theta of each holding and position, and net per underlying, at the live market",
      access: "account-read",
      params: idParams,
      ok: { description: "greeks", schema: { name: "AccountGreeks", zod: accountGreeksSchema } },
      errors: { 404: "unknown account", 503: "no live market yet" },
      handle: ({ params }) => accountGreeks(service.getAccount(params.id), service.currentTick()),
    }),
    defineRoute({
      method: "GET",
      url: "/v1/markets/oracles",
      summary:
        "every oracle quote of the live market per source and chain: age, staleness, deviation from the aggregate",
      access: "read",
      ok: { description: "quotes per feed", schema: { name: "MarketOracles", zod: marketOraclesSchema } },
      errors: { 503: "no live market yet" },
      handle: () => oraclesView(service.currentTick()),
    }),
    defineRoute({
      method: "GET",
      url: "/v1/markets/vol-surfaces",
      summary: "implied-vol smiles of the live market's surfaces, sampled on a strike grid from 50% to 160% of spot",
      access: "read",
      ok: { description: "sampled smiles", schema: { name: "VolSurfaces", zod: volSurfacesSchema } },
      errors: { 503: "no live market yet" },
      handle: () => volSurfacesView(service.currentTick()),
    }),
  ];
}
