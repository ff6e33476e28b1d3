import { z } from "zod";
import { formatDecimal } from "../../../core/decimal.js";
import { marketsResponseSchema, quotesPushSchema } from "../../apiSchemas.js";
import { mergeQuotes, pricesOf, priceToJson } from "../../liveMarket.js";
import { checkQuotesPush } from "../../quoteSanity.js";
import { priceHistoryResponseSchema, quotesPushResponseSchema } from "../../responseSchemas.js";
import type { HttpContext } from "../httpContext.js";
import { defineRoute, type Route } from "../route.js";

const historyQuery = z.object({
  symbol: z.string().regex(/^[A-Za-z0-9_.-]{1,32}$/, { message: 'must be a feed symbol like "ETH"' }),
  limit: z.coerce.number().int().min(1).max(100_000).optional(),
});

/** The live market: aggregated prices, their stored history, and quote pushes (admin). */
export function marketRoutes(ctx: HttpContext): Route[] {
  const { service, config } = ctx;
  return [
    defineRoute({
      method: "GET",
      url: "/v1/markets",
      summary: "current aggregated prices with their flags",
      access: "read",
      ok: { description: "prices", schema: { name: "Markets", zod: marketsResponseSchema } },
      errors: { 503: "no live market yet" },
      handle: () => {
        const tick = service.currentTick();
        return {
          seq: tick.seq,
          asOf: tick.asOf,
          source: tick.source,
          prices: pricesOf(tick.market).map(priceToJson),
          flags: tick.market.flags,
        };
      },
    }),
    defineRoute({
      method: "GET",
      url: "/v1/markets/history",
      summary: "stored price history of one feed symbol",
      access: "read",
      query: historyQuery,
      ok: { description: "history", schema: { name: "PriceHistory", zod: priceHistoryResponseSchema } },
      handle: async ({ query }) => ({
        symbol: query.symbol,
        history: (await service.store.priceHistory(query.symbol, query.limit ?? config.historyLimit)).map((p) => ({
          seq: p.seq,
          asOf: p.asOf,
          price: formatDecimal(p.priceUsd, 10),
        })),
      }),
    }),
    defineRoute({
      method: "POST",
      url: "/v1/markets/quotes",
      summary: "push oracle quotes into the live market (a tick); only accounts holding them are recomputed",
      access: "admin",
      body: { name: "QuotesPush", schema: quotesPushSchema },
      ok: { description: "tick", schema: { name: "QuotesPushResult", zod: quotesPushResponseSchema } },
      errors: { 503: "no live market yet" },
      handle: async ({ body }) => {
        const current = service.currentTick();
        checkQuotesPush(current.snapshot, body);
        const tick = await service.applyMarket(mergeQuotes(current.snapshot, body.quotes, body.asOf), "push");
        return { seq: tick.seq, asOf: tick.asOf, changed: [...tick.changed].sort() };
      },
    }),
  ];
}
