import { XmarginError } from "../../../core/errors.js";
import { feedResponseSchema, feedStepResponseSchema } from "../../responseSchemas.js";
import type { HttpContext } from "../httpContext.js";
import { defineRoute, type Route } from "../route.js";

/** The replay feed: status (read) and one step (admin). */
export function feedRoutes(ctx: HttpContext): Route[] {
  return [
    defineRoute({
      method: "GET",
      url: "/v1/feed",
      summary: "replay feed status",
      access: "read",
      ok: { description: "status", schema: { name: "Feed", zod: feedResponseSchema } },
      handle: () => ({ feed: ctx.feed.status() }),
    }),
    defineRoute({
      method: "POST",
      url: "/v1/feed/step",
      summary: "advance the replay by one day (a tick)",
      access: "admin",
      ok: { description: "tick", schema: { name: "FeedStep", zod: feedStepResponseSchema } },
      errors: { 409: "the replay has no further day" },
      handle: async () => {
        const t = await ctx.feed.step();
        if (!t) throw new XmarginError("the replay has no further day", { code: "CONFLICT" });
        return { ...t, feed: ctx.feed.status() };
      },
    }),
  ];
}
