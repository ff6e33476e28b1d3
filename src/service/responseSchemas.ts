import { z } from "zod";
import { portfolioSchema } from "../schema/portfolio.js";
import { marginReportJsonSchema } from "./apiSchemas.js";

/**
 * Schemas of the answers the route table documents beyond apiSchemas.ts: one per route, for the OpenAPI document
 * and the contract test that checks every answer against it. Deep documents whose shape has its own home (a
 * rulebook, a plan's audit record, a margin config) are objects here, described and pointed at.
 */

const usd = z.string().describe("USD amount as a decimal string, 2 decimals");
const dec = z.string().describe("decimal string");
const isoTime = z.string().describe("ISO 8601 time");
const isoDate = z.string().describe("ISO day, YYYY-MM-DD");
const object = (what: string) => z.record(z.string(), z.unknown()).describe(what);

/** The replay feed's status (null without a replay). */
const feedStatus = z
  .object({
    from: isoDate,
    to: isoDate,
    lastDate: isoDate.nullable(),
    nextDate: isoDate.nullable(),
    daysTotal: z.number().int(),
    daysDone: z.number().int(),
    running: z.boolean(),
    intervalMs: z.number(),
  })
  .nullable();

/** `GET /healthz`. */
export const healthResponseSchema = z.object({
  status: z.literal("ok"),
  version: z.string(),
  seq: z.number().int().nullable(),
  asOf: isoTime.nullable(),
  accounts: z.number().int(),
  streamClients: z.number().int(),
  storeSchemaVersion: z.number().int(),
  stats: object("re-margining counters and timings (ticks, recomputations, last tick ms)"),
  compute: object("heavy-call queue: active, queued and its counters"),
  feed: feedStatus,
});

/** `GET /v1/accounts/:id`. */
export const accountResponseSchema = z.object({
  accountId: z.string(),
  version: z.number().int(),
  updatedAt: isoTime,
  portfolio: portfolioSchema,
  config: object("the account's MarginConfig document as stored (docs/documents.md)"),
  policy: object("RebalancePolicy (docs/service.md)").nullable(),
  band: z.string().nullable(),
});

/** `PUT /v1/accounts/:id`. */
export const accountPutResponseSchema = z.object({
  accountId: z.string(),
  version: z.number().int(),
  updatedAt: isoTime,
  report: marginReportJsonSchema.nullable(),
});

/** `GET /v1/accounts/:id/margin`. */
export const accountMarginResponseSchema = z.object({
  accountId: z.string(),
  version: z.number().int(),
  seq: z.number().int(),
  asOf: isoTime,
  report: marginReportJsonSchema,
});

/** `GET /v1/accounts/:id/history`. */
export const accountHistoryResponseSchema = z.object({
  accountId: z.string(),
  history: z.array(
    z.object({
      seq: z.number().int(),
      asOf: isoTime,
      model: z.string(),
      accountVersion: z.number().int(),
      reason: z.string(),
      equity: usd,
      initialMargin: usd,
      maintenanceMargin: usd,
      freeCollateral: usd,
      healthRatio: dec.nullable(),
    }),
  ),
});

/** `GET /v1/accounts/:id/backtest`. */
export const accountBacktestResponseSchema = z.object({
  accountId: z.string(),
  accountVersion: z.number().int(),
  model: z.string(),
  from: isoDate,
  to: isoDate,
  paths: z.number().int().optional().describe("Monte Carlo paths per day (xchain only)"),
  horizonDays: z.number(),
  coverage: z.number(),
  days: z.array(
    z.object({
      date: isoDate,
      margin: usd,
      initialMargin: usd,
      loss: usd.nullable(),
      exception: z.boolean().nullable(),
    }),
  ),
  summary: z.object({
    observations: z.number().int(),
    exceptions: z.number().int(),
    rate: z.number(),
    zone: z.string(),
    kupiecP: z.number(),
  }),
});

/** `GET /v1/accounts/:id/plans`. */
export const accountPlansResponseSchema = z.object({
  accountId: z.string(),
  plans: z.array(
    z.object({
      id: z.number().int(),
      createdAt: isoTime,
      seq: z.number().int(),
      asOf: isoTime,
      kind: z.string(),
      status: z.string(),
      delivery: z.unknown().describe("webhook delivery state"),
      record: object("the plan and its audit record (docs/service.md)"),
    }),
  ),
});

/** `GET /v1/feed`. */
export const feedResponseSchema = z.object({ feed: feedStatus });

/** `POST /v1/feed/step`. */
export const feedStepResponseSchema = z.object({
  seq: z.number().int(),
  asOf: isoTime,
  source: z.string(),
  feed: feedStatus,
});

/** `GET /v1/markets/history`. */
export const priceHistoryResponseSchema = z.object({
  symbol: z.string(),
  history: z.array(z.object({ seq: z.number().int(), asOf: isoTime, price: dec })),
});

/** `POST /v1/markets/quotes`. */
export const quotesPushResponseSchema = z.object({
  seq: z.number().int(),
  asOf: isoTime,
  changed: z.array(z.string()).describe("feed symbols whose price, band or flags changed"),
});

/** `GET /v1/rulebook`. */
export const rulebookResponseSchema = z.object({
  label: z.string().describe("name@vN"),
  rulebook: object("the active rulebook (docs/rules.md)"),
});

/** `PUT /v1/rulebook`. */
export const rulebookPutResponseSchema = z.object({
  label: z.string(),
  recomputed: z.array(z.string()).describe("account ids re-margined under the new rulebook"),
});

/** `GET /v1/rulebook/versions`. */
export const rulebookVersionsResponseSchema = z.object({
  name: z.string(),
  active: z.number().int(),
  versions: z.array(
    z.object({ version: z.number().int(), createdAt: isoTime, actor: z.string(), rulebook: object("rulebook") }),
  ),
});

/** `GET /v1/policy/audit`. */
export const policyAuditResponseSchema = z.object({
  entries: z.array(
    z.object({
      id: z.number().int(),
      at: isoTime,
      kind: z.enum(["rulebook-put", "rules-fired", "rules-cleared"]),
      actor: z.string(),
      rulebook: z.string(),
      accountId: z.string().nullable(),
      detail: z.unknown(),
    }),
  ),
});

/** `GET /v1/live`. */
export const liveStatusResponseSchema = z.object({
  chains: z.array(object("RPC state of one chain")),
  execution: z.string(),
  updates: z.number().int(),
  applyMs: z.object({ p50: z.number().nullable(), p99: z.number().nullable() }),
});

/** `POST /v1/accounts/:id/plans/:planId/approve`. */
export const planApproveResponseSchema = z.object({
  accountId: z.string(),
  planId: z.string(),
  execution: object("execution record of the plan's cross-chain moves (docs/service.md)"),
});

/** `GET /openapi.json`: an OpenAPI 3.1 document. */
export const openApiResponseSchema = z.object({
  openapi: z.string(),
  info: object("title, version, description"),
  components: object("schemas and security schemes"),
  security: z.array(object("requirement")),
  paths: object("operations per path"),
});
