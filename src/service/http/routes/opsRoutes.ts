import { DOCS_CSP, DOCS_URL, docsPageHtml } from "../docsAssets.js";
import type { HttpContext } from "../httpContext.js";
import { defineRoute, type Route } from "../route.js";

/** Operations: the rendered API docs page and the Prometheus metrics. */
export function opsRoutes(ctx: HttpContext): Route[] {
  const page = docsPageHtml(`xmargin API ${ctx.version}`);
  return [
    defineRoute({
      method: "GET",
      url: DOCS_URL,
      summary: "API docs page: Swagger UI on /openapi.json, served from the package (no CDN)",
      access: "open",
      produces: "text/html",
      ok: { description: "HTML page" },
      handle: ({ reply }) =>
        reply
          .header("content-type", "text/html; charset=utf-8")
          .header("content-security-policy", DOCS_CSP)
          .header("x-content-type-options", "nosniff")
          .send(page),
    }),
    defineRoute({
      method: "GET",
      url: "/metrics",
      summary:
        "Prometheus metrics: request latency, tick-to-report latency, accounts per health band, event-loop lag and process metrics",
      access: "open",
      unlimited: true,
      produces: "text/plain",
      ok: { description: "Prometheus text exposition format" },
      handle: async ({ reply }) => {
        const { contentType, body } = await ctx.metrics.scrape();
        return reply.header("content-type", contentType).send(body);
      },
    }),
  ];
}
