import {
  marginReportJsonSchema,
  marginRequestSchema,
  whatIfRequestSchema,
  whatIfResponseSchema,
} from "../../apiSchemas.js";
import { marginOnDemand, whatIfOnDemand } from "../../onDemand.js";
import type { HttpContext } from "../httpContext.js";
import { whatIfJson } from "../responseJson.js";
import { defineRoute, type Route } from "../route.js";

const busy = { 503: "busy: the heavy-call queue is full or the wait timed out (retry-after)" };

/** Stateless computations: margin and what-if on demand, through the compute queue. */
export function computeRoutes(ctx: HttpContext): Route[] {
  return [
    defineRoute({
      method: "POST",
      url: "/v1/margin",
      summary: "margin report of a portfolio (at the given snapshot, else the live market)",
      access: "read",
      body: { name: "MarginRequest", schema: marginRequestSchema },
      ok: { description: "report", schema: { name: "MarginReport", zod: marginReportJsonSchema } },
      errors: { ...busy, 422: "the computation gave a non-finite figure" },
      handle: ({ body }) =>
        ctx.compute.run(() => marginOnDemand(ctx.service, body.portfolio, body.market, body.config, ctx.workers)),
    }),
    defineRoute({
      method: "POST",
      url: "/v1/whatif",
      summary: "apply trades, deposits, withdrawals and price moves; report before, after and the difference",
      access: "read",
      body: { name: "WhatIfRequest", schema: whatIfRequestSchema(ctx.whatIfSchema) },
      ok: { description: "what-if", schema: { name: "WhatIfResponse", zod: whatIfResponseSchema } },
      errors: {
        ...busy,
        403: "the key has no access to the account",
        404: "unknown account",
        422: "non-finite figure",
      },
      handle: ({ body, principal }) => {
        if (body.accountId !== undefined) ctx.keys.authorise("account-read", principal, body.accountId);
        return ctx.compute.run(() => whatIfJson(whatIfOnDemand(ctx.service, body)));
      },
    }),
  ];
}
