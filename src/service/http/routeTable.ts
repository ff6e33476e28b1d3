import { openApiResponseSchema } from "../responseSchemas.js";
import type { HttpContext } from "./httpContext.js";
import { buildOpenApi } from "./openapi.js";
import { defineRoute, type Route } from "./route.js";
import { accountRoutes } from "./routes/accountRoutes.js";
import { computeRoutes } from "./routes/computeRoutes.js";
import { dashboardRoutes } from "./routes/dashboardRoutes.js";
import { feedRoutes } from "./routes/feedRoutes.js";
import { healthRoutes } from "./routes/healthRoutes.js";
import { liveRoutes } from "./routes/liveRoutes.js";
import { marketRoutes } from "./routes/marketRoutes.js";
import { opsRoutes } from "./routes/opsRoutes.js";
import { policyRoutes } from "./routes/policyRoutes.js";
import { streamRoutes } from "./routes/streamRoutes.js";

/** The API path of the OpenAPI document itself (served from the table it documents). */
export const OPENAPI_URL = "/openapi.json";

/**
 * THE route table: every API route with its access, inputs and answers. The server registers exactly these, and the
 * OpenAPI document is generated from exactly these, so the two cannot drift apart.
 */
export function routeTable(ctx: HttpContext): Route[] {
  const routes = [
    ...healthRoutes(ctx),
    ...computeRoutes(ctx),
    ...accountRoutes(ctx),
    ...marketRoutes(ctx),
    ...feedRoutes(ctx),
    ...policyRoutes(ctx),
    ...streamRoutes(ctx),
    ...liveRoutes(ctx),
    ...dashboardRoutes(ctx),
    ...opsRoutes(ctx),
  ];
  let doc: Record<string, unknown> | undefined;
  routes.push(
    defineRoute({
      method: "GET",
      url: OPENAPI_URL,
      summary: "this document, generated from the route table",
      access: "open",
      ok: { description: "OpenAPI 3.1", schema: { name: "OpenApiDocument", zod: openApiResponseSchema } },
      handle: () => {
        doc ??= buildOpenApi(routes, ctx.version);
        return doc;
      },
    }),
  );
  return routes;
}
