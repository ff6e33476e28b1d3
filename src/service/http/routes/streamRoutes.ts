import { streamRequestSchema } from "../../apiSchemas.js";
import type { HttpContext } from "../httpContext.js";
import { defineRoute, type Route } from "../route.js";

/**
 * The WebSocket stream, listed in the table so OpenAPI documents it; the server upgrades it through the hub (a
 * browser cannot send headers on an upgrade, so the key may come as `?key=`).
 */
export function streamRoutes(_ctx: HttpContext): Route[] {
  return [
    defineRoute({
      method: "GET",
      url: "/v1/stream",
      summary:
        "WebSocket: subscribe to accounts the key may read, receive reports, ticks and plans (key in x-api-key or ?key=)",
      access: "read",
      ok: {
        description: "switching protocols (WebSocket)",
        schema: { name: "StreamRequest", zod: streamRequestSchema },
      },
      okStatus: 101,
      handle: () => undefined,
    }),
  ];
}
