import rateLimit from "@fastify/rate-limit";
import websocket from "@fastify/websocket";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { XmarginError } from "../../core/errors.js";
import type { AccountBacktester } from "../accountBacktest.js";
import type { WorkerPool } from "../compute/workerPool.js";
import { ComputeQueue } from "../computeQueue.js";
import type { WhatIfEngine } from "../engines.js";
import type { LiveChains } from "../liveChains.js";
import type { MarginService } from "../marginService.js";
import type { PlanExecution } from "../planExecution.js";
import type { ServiceConfig } from "../serviceConfig.js";
import { StreamHub } from "../streamHub.js";
import { KeyRing, OriginGuard, type Principal } from "./auth.js";
import { registerDocsAssets } from "./docsAssets.js";
import { errorAnswer } from "./errorStatus.js";
import type { FeedControl, HttpContext } from "./httpContext.js";
import type { Route } from "./route.js";
import { routeTable } from "./routeTable.js";
import { ServiceMetrics } from "./serviceMetrics.js";
import { registerWebFiles } from "./webFiles.js";

export interface HttpServerDeps {
  config: ServiceConfig;
  service: MarginService;
  whatIf: WhatIfEngine;
  feed: FeedControl;
  /** Backtests of stored accounts on the daily history (`GET /v1/accounts/:id/backtest`); absent = 409. */
  backtester?: AccountBacktester;
  version: string;
  log: (line: string) => void;
  /** Worker threads for heavy calls (absent: they run on the event loop, bounded by the queue). */
  workers?: WorkerPool;
  /** Live mode: the followed chains and on-chain plan execution (routes in routes/liveRoutes.ts). */
  live?: LiveChains;
  execution?: PlanExecution;
}

const STREAM_URL = "/v1/stream";

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** The key a request presents: `x-api-key`, or `?key=` on the WebSocket upgrade (browsers cannot set headers). */
function presentedKey(req: FastifyRequest): string | undefined {
  const header = headerValue(req.headers["x-api-key"]);
  if (header !== undefined) return header;
  if (req.url.split("?")[0] !== STREAM_URL) return undefined;
  const q = req.query as Record<string, unknown> | undefined;
  return typeof q?.key === "string" ? q.key : undefined;
}

function accountIdOf(req: FastifyRequest): string | undefined {
  const id = (req.params as Record<string, unknown> | undefined)?.id;
  return typeof id === "string" ? id : undefined;
}

/**
 * Builds the fastify app of the service (not listening yet) from the route table: JSON API, WebSocket stream,
 * OpenAPI document and the dashboard's static files. Every request passes the Host/Origin guard; every route checks
 * the caller's key against its access and is rate limited per client IP (except liveness); bodies are limited in
 * size; an unsupported method on a known path is a 405 with `allow`; every failure is
 * `{ error: { code, path?, message, details?, docsPath } }` without a stack trace, its status mapped from the reason.
 */
export async function buildHttpServer(deps: HttpServerDeps): Promise<{ app: FastifyInstance; hub: StreamHub }> {
  const { config, service, log } = deps;
  const app = Fastify({
    logger: false,
    bodyLimit: config.bodyLimitBytes,
    return503OnClosing: true,
    forceCloseConnections: true,
    // Errors raised by the router itself (e.g. a path parameter over maxParamLength) get the same JSON shape as ours.
    frameworkErrors: (err, _req, reply) => {
      const { status, body } = errorAnswer(err);
      void (reply as FastifyReply).code(status >= 500 ? 400 : status).send(body);
    },
  });
  const keys = new KeyRing(config.apiKeys, config.publicRead);
  const guard = new OriginGuard(config.host, config.allowedHosts, config.allowedOrigins);
  const hub = new StreamHub(service, config.stream, (p, id) => keys.mayRead(p, id));
  const compute = new ComputeQueue({
    concurrency: config.budget.concurrency,
    queueLength: config.budget.queueLength,
    timeoutMs: config.budget.timeoutMs,
  });
  const workers = deps.workers;
  const metrics = new ServiceMetrics(service);
  metrics.instrument(app);
  const ctx: HttpContext = {
    config,
    service,
    ...(workers ? { workers } : {}),
    whatIfSchema: deps.whatIf.whatIfSchema,
    feed: deps.feed,
    ...(deps.backtester ? { backtester: deps.backtester } : {}),
    compute,
    hub,
    keys,
    version: deps.version,
    metrics,
    ...(deps.live ? { live: deps.live } : {}),
    ...(deps.execution ? { execution: deps.execution } : {}),
  };
  const routes = routeTable(ctx);

  app.setErrorHandler((err, req, reply) => {
    const { status, body, headers } = errorAnswer(err);
    if (status >= 500 && !(err instanceof XmarginError && err.code === "UNAVAILABLE")) {
      log(`${req.method} ${req.url}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
    // A refused WebSocket upgrade owns a raw socket that nothing else would end: end it after the answer.
    if (headerValue(req.headers.upgrade)?.toLowerCase() === "websocket") {
      reply.raw.once("finish", () => req.socket.destroy());
      void reply
        .code(status)
        .headers({ ...headers, connection: "close" })
        .send(body);
      return;
    }
    void reply.code(status).headers(headers).send(body);
  });
  app.addHook("onRequest", async (req) => {
    guard.check(headerValue(req.headers.host), headerValue(req.headers.origin));
  });

  await app.register(rateLimit, {
    global: true,
    max: config.rateLimit.max,
    timeWindow: config.rateLimit.timeWindowMs,
    errorResponseBuilder: (_req, rl) =>
      new XmarginError(
        `rate limit of ${rl.max} requests per ${Math.round(config.rateLimit.timeWindowMs / 1000)} seconds exceeded`,
        { code: "RATE_LIMITED", retryAfterSec: Math.ceil(rl.ttl / 1000) },
      ),
  });
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });

  const principalFor = (route: Route, req: FastifyRequest): Principal | null => {
    const principal = keys.identify(presentedKey(req));
    keys.authorise(route.access, principal, accountIdOf(req));
    return principal;
  };
  const allowed = new Map<string, Set<string>>();
  for (const route of routes) {
    const methods = allowed.get(route.url) ?? new Set<string>();
    methods.add(route.method);
    allowed.set(route.url, methods);
    if (route.url === STREAM_URL) continue;
    app.route({
      method: route.method,
      url: route.url,
      ...(route.unlimited ? { config: { rateLimit: false } } : {}),
      handler: async (req, reply) => route.run(req, reply, principalFor(route, req)),
    });
  }
  const stream = routes.find((r) => r.url === STREAM_URL);
  if (stream) {
    app.register(async (scope) => {
      const principals = new WeakMap<FastifyRequest, Principal | null>();
      scope.get(
        STREAM_URL,
        {
          websocket: true,
          preValidation: async (req) => {
            principals.set(req, principalFor(stream, req));
          },
        },
        (socket, req) => hub.attach(socket, principals.get(req) ?? null),
      );
    });
  }
  for (const path of registerWebFiles(app, config.webDir)) allowed.set(path, new Set(["GET", "HEAD"]));
  for (const path of registerDocsAssets(app)) allowed.set(path, new Set(["GET", "HEAD"]));

  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split("?")[0] ?? "";
    const methods = allowed.get(path) ?? allowedByPattern(allowed, path);
    if (methods) {
      const allow = [...methods, ...(methods.has("GET") ? ["HEAD"] : [])];
      const err = new XmarginError(`${req.method} is not supported on ${path}`, {
        code: "METHOD_NOT_ALLOWED",
        details: `allowed: ${[...new Set(allow)].join(", ")}`,
      });
      void reply
        .code(405)
        .header("allow", [...new Set(allow)].join(", "))
        .send(errorAnswer(err).body);
      return;
    }
    const err = new XmarginError(`no route ${req.method} ${path}`, { code: "NOT_FOUND" });
    void reply.code(404).send(errorAnswer(err).body);
  });
  return { app, hub };
}

/** The methods of the route whose pattern (`/v1/accounts/:id`) matches a concrete path. */
function allowedByPattern(allowed: Map<string, Set<string>>, path: string): Set<string> | undefined {
  for (const [pattern, methods] of allowed) {
    if (!pattern.includes(":")) continue;
    const re = new RegExp(`^${pattern.replace(/:[A-Za-z_]\w*/g, "[^/]+")}$`);
    if (re.test(path)) return methods;
  }
  return undefined;
}
