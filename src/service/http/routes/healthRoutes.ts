import { healthResponseSchema } from "../../responseSchemas.js";
import type { HttpContext } from "../httpContext.js";
import { defineRoute, type Route } from "../route.js";

/** Liveness: answered without a key and without a rate limit, never queued behind heavy work. */
export function healthRoutes(ctx: HttpContext): Route[] {
  return [
    defineRoute({
      method: "GET",
      url: "/healthz",
      summary: "liveness, market sequence, store version and load",
      access: "open",
      unlimited: true,
      ok: { description: "ok", schema: { name: "Health", zod: healthResponseSchema } },
      handle: () => {
        const tick = ctx.service.market.current;
        return {
          status: "ok",
          version: ctx.version,
          seq: tick?.seq ?? null,
          asOf: tick?.asOf ?? null,
          accounts: ctx.service.accounts.size,
          streamClients: ctx.hub.size,
          storeSchemaVersion: ctx.service.store.schemaVersion,
          stats: ctx.service.stats,
          compute: { active: ctx.compute.active, queued: ctx.compute.depth, ...ctx.compute.stats },
          feed: ctx.feed.status(),
        };
      },
    }),
  ];
}
