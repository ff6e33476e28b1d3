import { createHash, timingSafeEqual } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import rateLimit from "@fastify/rate-limit";
import websocket from "@fastify/websocket";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { z } from "zod";
import { formatDecimal, formatUsd } from "../core/decimal.js";
import { XmarginError } from "../core/errors.js";
import { reportToJson } from "../margin/reportJson.js";
import { identifier } from "../schema/primitives.js";
import { parseDocument } from "../schema/validate.js";
import { type AccountBacktester, BACKTEST_DEFAULT_DAYS, BACKTEST_MAX_DAYS } from "./accountBacktest.js";
import { accountPutSchema, marginRequestSchema, quotesPushSchema, whatIfRequestSchema } from "./apiSchemas.js";
import type { GroupChange, WhatIfEngine } from "./engines.js";
import { mergeQuotes, pricesOf, priceToJson } from "./liveMarket.js";
import type { LiveAccount, MarginService } from "./marginService.js";
import { buildOpenApi } from "./openapi.js";
import { registerPolicyRoutes } from "./policyRoutes.js";
import type { ReplayStatus } from "./replayFeed.js";
import type { ServiceConfig } from "./serviceConfig.js";
import { errorBody, HttpError } from "./serviceErrors.js";
import { StreamHub } from "./streamHub.js";

/** The replay controls the HTTP layer exposes. */
export interface FeedControl {
  status(): ReplayStatus | null;
  /** Advances one day; undefined when the history is exhausted or there is no feed. */
  step(): { seq: number; asOf: string; source: string } | undefined;
}

export interface HttpServerDeps {
  config: ServiceConfig;
  service: MarginService;
  whatIf: WhatIfEngine;
  feed: FeedControl;
  /** Backtests of stored accounts on the daily history (`GET /v1/accounts/:id/backtest`); absent = 409. */
  backtester?: AccountBacktester;
  version: string;
  log: (line: string) => void;
}

const STATIC_FILES: Readonly<Record<string, string>> = {
  "/": "index.html",
  "/index.html": "index.html",
  "/app.js": "app.js",
  "/style.css": "style.css",
};
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
};

const idParams = z.object({ id: identifier }).strict();
const limitQuery = z.object({ limit: z.coerce.number().int().min(1).max(100_000).optional() }).catchall(z.unknown());
const historyQuery = z.object({
  symbol: z.string().regex(/^[A-Za-z0-9_.-]{1,32}$/, { message: 'must be a feed symbol like "ETH"' }),
  limit: z.coerce.number().int().min(1).max(100_000).optional(),
});
const backtestQuery = z
  .object({ days: z.coerce.number().int().min(1).max(BACKTEST_MAX_DAYS).optional() })
  .catchall(z.unknown());

/** The day a market time closes: a replayed day's snapshot is stamped at its close, the next midnight UTC. */
function closedDateOf(asOf: string): string {
  return new Date(Math.floor(Date.parse(asOf) / 86_400_000) * 86_400_000 - 86_400_000).toISOString().slice(0, 10);
}

function digest(key: string): Buffer {
  return createHash("sha256").update(key).digest();
}

function groupChangeJson(g: GroupChange) {
  return {
    key: g.key,
    initialMarginBefore: formatUsd(g.initialMarginBeforeUsd),
    initialMarginAfter: formatUsd(g.initialMarginAfterUsd),
    initialMarginChange: formatUsd(g.initialMarginChangeUsd),
    equityChange: formatUsd(g.equityChangeUsd),
  };
}

function accountSummary(acc: LiveAccount) {
  const r = acc.reportJson;
  const count = (sev: string) => r?.flags.filter((f) => f.severity === sev).length ?? 0;
  return {
    accountId: acc.accountId,
    version: acc.version,
    updatedAt: acc.updatedAt,
    model: acc.config.model,
    ...(acc.portfolio.description ? { description: acc.portfolio.description } : {}),
    seq: acc.reportSeq ?? null,
    asOf: r?.asOf ?? null,
    equity: r?.equity ?? null,
    initialMargin: r?.initialMargin ?? null,
    maintenanceMargin: r?.maintenanceMargin ?? null,
    freeCollateral: r?.freeCollateral ?? null,
    healthRatio: r?.healthRatio ?? null,
    band: acc.policy ? (acc.band ?? null) : null,
    flags: { critical: count("critical"), warning: count("warning"), info: count("info") },
    error: acc.error ? acc.error.toJSON() : null,
  };
}

/**
 * Builds the fastify app of the service (not listening yet): JSON API, WebSocket stream, OpenAPI document and the
 * dashboard's static files. Write endpoints need `x-api-key`; every route is rate limited per client IP; bodies are
 * limited in size; every answer that fails is `{ error: { code, path?, message } }` without a stack trace.
 */
export async function buildHttpServer(deps: HttpServerDeps): Promise<{ app: FastifyInstance; hub: StreamHub }> {
  const { config, service, feed, log } = deps;
  const app = Fastify({
    logger: false,
    bodyLimit: config.bodyLimitBytes,
    return503OnClosing: true,
    forceCloseConnections: true,
    // Errors raised by the router itself (e.g. a path parameter over maxParamLength) get the same JSON shape as ours.
    frameworkErrors: (err, _req, reply) => {
      const status =
        typeof err.statusCode === "number" && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 400;
      void (reply as FastifyReply)
        .code(status)
        .send({ error: { code: "INVALID_INPUT", message: err.message.slice(0, 200) } });
    },
  });
  const keyDigests = config.apiKeys.map(digest);
  const hub = new StreamHub(service);
  const whatIfRequest = whatIfRequestSchema(deps.whatIf.whatIfSchema);
  const openApi = buildOpenApi(deps.whatIf.whatIfSchema, deps.version);
  const staticFiles = new Map<string, { type: string; body: string }>();
  for (const [route, file] of Object.entries(STATIC_FILES)) {
    const path = join(config.webDir, file);
    if (!existsSync(path)) continue;
    staticFiles.set(route, { type: CONTENT_TYPES[file.split(".").pop()!]!, body: readFileSync(path, "utf8") });
  }

  app.setErrorHandler((err, req, reply) => {
    const { status, body } = errorBody(err);
    if (status >= 500)
      log(`${req.method} ${req.url}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    void reply.code(status).send(body);
  });
  app.setNotFoundHandler((req, reply) => {
    void reply
      .code(404)
      .send({ error: { code: "NOT_FOUND", message: `no route ${req.method} ${req.url.split("?")[0]}` } });
  });

  await app.register(rateLimit, {
    global: true,
    max: config.rateLimit.max,
    timeWindow: config.rateLimit.timeWindowMs,
    errorResponseBuilder: (_req, ctx) =>
      new HttpError(429, "RATE_LIMITED", `rate limit of ${ctx.max} requests per ${ctx.after} exceeded`),
  });
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });

  const requireKey = async (req: FastifyRequest, _reply: FastifyReply) => {
    const given = req.headers["x-api-key"];
    const key = Array.isArray(given) ? given[0] : given;
    if (!key) throw new HttpError(401, "UNAUTHORIZED", "this endpoint needs an x-api-key header");
    const d = digest(key);
    if (!keyDigests.some((k) => timingSafeEqual(k, d))) throw new HttpError(401, "UNAUTHORIZED", "unknown API key");
  };
  const body = <S extends z.ZodType>(schema: S, req: FastifyRequest, name: string): z.output<S> => {
    if (req.body === undefined || req.body === null) {
      throw new XmarginError(`${name}: a JSON body is required`, { code: "INVALID_INPUT", path: "$" });
    }
    return parseDocument(schema, req.body, name);
  };
  const accountId = (req: FastifyRequest) => parseDocument(idParams, req.params, "path").id;
  const limit = (req: FastifyRequest, fallback: number) =>
    parseDocument(limitQuery, req.query, "query").limit ?? fallback;

  app.get("/healthz", { config: { rateLimit: false } }, async () => {
    const tick = service.market.current;
    return {
      status: "ok",
      version: deps.version,
      seq: tick?.seq ?? null,
      asOf: tick?.asOf ?? null,
      accounts: service.accounts.size,
      streamClients: hub.size,
      storeSchemaVersion: service.store.schemaVersion,
      stats: service.stats,
      feed: feed.status(),
    };
  });
  app.get("/openapi.json", async () => openApi);
  registerPolicyRoutes(app, service, config.adminKeys);

  app.post("/v1/margin", async (req) => {
    const r = body(marginRequestSchema, req, "MarginRequest");
    return reportToJson(service.margin(r.portfolio, r.market, r.config));
  });

  app.post("/v1/whatif", async (req) => {
    const r = body(whatIfRequest, req, "WhatIfRequest");
    const out = service.whatIf(r);
    return {
      before: reportToJson(out.before),
      after: reportToJson(out.after),
      diff: {
        equity: formatUsd(out.diff.equityUsd),
        initialMargin: formatUsd(out.diff.initialMarginUsd),
        maintenanceMargin: formatUsd(out.diff.maintenanceMarginUsd),
        freeCollateral: formatUsd(out.diff.freeCollateralUsd),
        healthRatio: out.diff.healthRatio === null ? null : formatDecimal(out.diff.healthRatio, 6),
        byChain: out.diff.byChain.map(groupChangeJson),
        byUnderlying: out.diff.byUnderlying.map(groupChangeJson),
      },
      portfolio: out.portfolio,
    };
  });

  app.get("/v1/accounts", async () => ({
    accounts: [...service.accounts.values()].sort((a, b) => a.accountId.localeCompare(b.accountId)).map(accountSummary),
  }));

  app.get("/v1/accounts/:id", async (req) => {
    const acc = service.getAccount(accountId(req));
    return {
      accountId: acc.accountId,
      version: acc.version,
      updatedAt: acc.updatedAt,
      portfolio: acc.portfolio,
      config: acc.configDoc,
      policy: acc.policy,
      band: acc.band ?? null,
    };
  });

  app.put("/v1/accounts/:id", { preHandler: requireKey }, async (req) => {
    const id = accountId(req);
    const doc = body(accountPutSchema, req, "AccountPut");
    const acc = service.putAccount(id, doc);
    return { accountId: id, version: acc.version, updatedAt: acc.updatedAt, report: acc.reportJson ?? null };
  });

  app.get("/v1/accounts/:id/margin", async (req) => {
    const id = accountId(req);
    const acc = service.getAccount(id);
    if (acc.error && acc.reportSeq === undefined) throw acc.error;
    return { accountId: id, version: acc.version, ...service.accountReport(id) };
  });

  app.get("/v1/accounts/:id/history", async (req) => {
    const id = accountId(req);
    service.getAccount(id);
    const rows = service.store.marginHistory(id, limit(req, config.historyLimit));
    return {
      accountId: id,
      history: rows.map((r) => ({
        seq: r.seq,
        asOf: r.asOf,
        model: r.model,
        accountVersion: r.accountVersion,
        reason: r.reason,
        equity: formatUsd(r.equityUsd),
        initialMargin: formatUsd(r.initialMarginUsd),
        maintenanceMargin: formatUsd(r.maintenanceMarginUsd),
        freeCollateral: formatUsd(r.freeCollateralUsd),
        healthRatio: r.healthRatio === null ? null : formatDecimal(r.healthRatio, 6),
      })),
    };
  });

  app.get("/v1/accounts/:id/backtest", async (req) => {
    const acc = service.getAccount(accountId(req));
    const days = parseDocument(backtestQuery, req.query, "query").days ?? BACKTEST_DEFAULT_DAYS;
    if (!deps.backtester) throw new HttpError(409, "MISSING_DATA", "the backtest needs the daily price history");
    // The replay's current day (no later close is read); without a replay, the last day closed at the live market.
    const end = feed.status()?.lastDate ?? closedDateOf(service.currentTick().asOf);
    return deps.backtester.run(acc, end, days);
  });

  app.get("/v1/accounts/:id/plans", async (req) => {
    const id = accountId(req);
    service.getAccount(id);
    return {
      accountId: id,
      plans: service.store.listPlans(id, limit(req, 100)).map((p) => ({
        id: p.id,
        createdAt: p.createdAt,
        seq: p.seq,
        asOf: p.asOf,
        kind: p.kind,
        status: p.status,
        delivery: p.delivery,
        record: p.record,
      })),
    };
  });

  app.get("/v1/markets", async () => {
    const tick = service.currentTick();
    return {
      seq: tick.seq,
      asOf: tick.asOf,
      source: tick.source,
      prices: pricesOf(tick.market).map(priceToJson),
      flags: tick.market.flags,
    };
  });

  app.get("/v1/markets/history", async (req) => {
    const q = parseDocument(historyQuery, req.query, "query");
    return {
      symbol: q.symbol,
      history: service.store
        .priceHistory(q.symbol, q.limit ?? config.historyLimit)
        .map((p) => ({ seq: p.seq, asOf: p.asOf, price: formatDecimal(p.priceUsd, 10) })),
    };
  });

  app.post("/v1/markets/quotes", { preHandler: requireKey }, async (req) => {
    const push = body(quotesPushSchema, req, "QuotesPush");
    const current = service.currentTick();
    const tick = service.applyMarket(mergeQuotes(current.snapshot, push.quotes, push.asOf), "push");
    return { seq: tick.seq, asOf: tick.asOf, changed: [...tick.changed].sort() };
  });

  app.get("/v1/feed", async () => ({ feed: feed.status() }));
  app.post("/v1/feed/step", { preHandler: requireKey }, async () => {
    const t = feed.step();
    if (!t) throw new HttpError(409, "MISSING_DATA", "the replay has no further day");
    return { ...t, feed: feed.status() };
  });

  app.register(async (scope) => {
    scope.get("/v1/stream", { websocket: true }, (socket) => hub.attach(socket));
  });

  for (const [route, file] of staticFiles) {
    app.get(route, async (_req, reply) =>
      reply
        .header("content-type", file.type)
        .header("cache-control", "no-cache")
        .header("x-content-type-options", "nosniff")
        .header(
          "content-security-policy",
          "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self'; script-src 'self'",
        )
        .send(file.body),
    );
  }
  app.get("/favicon.ico", { config: { rateLimit: false } }, async (_req, reply) => reply.code(204).send());
  return { app, hub };
}
