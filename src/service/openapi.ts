import { z } from "zod";
import {
  accountPutSchema,
  accountSummarySchema,
  errorResponseSchema,
  marginReportJsonSchema,
  marginRequestSchema,
  marketsResponseSchema,
  quotesPushSchema,
  streamRequestSchema,
  whatIfRequestSchema,
  whatIfResponseSchema,
} from "./apiSchemas.js";
import { rebalancePolicySchema } from "./rebalancePolicy.js";

type JsonObject = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: "input" | "output"): JsonObject {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonObject;
  return rest;
}

const json = (ref: string) => ({ "application/json": { schema: { $ref: `#/components/schemas/${ref}` } } });
const errors = {
  "400": { description: "invalid input; `error.path` names the field", content: json("Error") },
  "429": { description: "rate limited", content: json("Error") },
};
const writeErrors = {
  ...errors,
  "401": { description: "missing or wrong x-api-key", content: json("Error") },
  "413": { description: "body larger than the limit", content: json("Error") },
};
const idParam = {
  name: "id",
  in: "path",
  required: true,
  schema: { type: "string", pattern: "^[A-Za-z0-9_.\\-:/]{1,64}$" },
};
const limitParam = { name: "limit", in: "query", required: false, schema: { type: "integer", minimum: 1 } };

/**
 * The OpenAPI 3.1 document of the service, generated from the zod schemas the service validates with
 * (`z.toJSONSchema`), so the document and the checks cannot drift apart.
 */
export function buildOpenApi(whatIfDoc: z.ZodType, version: string): JsonObject {
  const schemas: Record<string, JsonObject> = {
    MarginRequest: jsonSchema(marginRequestSchema, "input"),
    MarginReport: jsonSchema(marginReportJsonSchema, "output"),
    WhatIfRequest: jsonSchema(whatIfRequestSchema(whatIfDoc), "input"),
    WhatIfResponse: jsonSchema(whatIfResponseSchema, "output"),
    AccountPut: jsonSchema(accountPutSchema, "input"),
    AccountSummary: jsonSchema(accountSummarySchema, "output"),
    RebalancePolicy: jsonSchema(rebalancePolicySchema, "input"),
    Markets: jsonSchema(marketsResponseSchema, "output"),
    QuotesPush: jsonSchema(quotesPushSchema, "input"),
    StreamRequest: jsonSchema(streamRequestSchema, "input"),
    Error: jsonSchema(errorResponseSchema, "output"),
  };
  const apiKey = [{ apiKey: [] }];
  return {
    openapi: "3.1.0",
    info: {
      title: "xmargin margin service",
      version,
      description:
        "Cross-chain portfolio margin as a service: margin and what-if on demand, stored accounts re-margined live on " +
        "every price tick, rebalancing plans. Decimals are JSON strings. WebSocket: GET /v1/stream (messages: " +
        "StreamRequest in; hello, subscribed, tick, report, plan, account-error, error, pong out). See docs/service.md.",
    },
    components: {
      schemas,
      securitySchemes: {
        apiKey: { type: "apiKey", in: "header", name: "x-api-key" },
        adminKey: { type: "apiKey", in: "header", name: "x-admin-key" },
      },
    },
    paths: {
      "/healthz": {
        get: { summary: "liveness, market sequence and store version", responses: { "200": { description: "ok" } } },
      },
      "/openapi.json": { get: { summary: "this document", responses: { "200": { description: "OpenAPI 3.1" } } } },
      "/v1/rulebook": {
        get: {
          summary: "the active policy rulebook (docs/rules.md)",
          responses: { "200": { description: "rulebook" } },
        },
        put: {
          summary: "store the next rulebook version (version = active + 1), audit it and re-margin every account",
          security: [{ adminKey: [] }],
          requestBody: { required: true, content: { "application/json": { schema: { type: "object" } } } },
          responses: {
            "200": { description: "active label and re-margined accounts" },
            "409": { description: "version is not active + 1", content: json("Error") },
            ...writeErrors,
          },
        },
      },
      "/v1/rulebook/versions": {
        get: { summary: "stored rulebook versions, newest first", responses: { "200": { description: "versions" } } },
      },
      "/v1/policy/audit": {
        get: {
          summary: "policy audit trail: rulebook edits and, per account, changes of the rules firing on it",
          responses: { "200": { description: "entries, newest first" } },
        },
      },
      "/v1/margin": {
        post: {
          summary: "margin report of a portfolio (at the given snapshot, else the live market)",
          requestBody: { required: true, content: json("MarginRequest") },
          responses: { "200": { description: "report", content: json("MarginReport") }, ...errors },
        },
      },
      "/v1/whatif": {
        post: {
          summary: "apply trades, deposits, withdrawals and price moves; report before, after and the difference",
          requestBody: { required: true, content: json("WhatIfRequest") },
          responses: { "200": { description: "what-if", content: json("WhatIfResponse") }, ...errors },
        },
      },
      "/v1/accounts": {
        get: {
          summary: "stored accounts with their latest headline figures and band",
          responses: {
            "200": {
              description: "accounts",
              content: {
                "application/json": {
                  schema: {
                    type: "object",
                    properties: { accounts: { type: "array", items: { $ref: "#/components/schemas/AccountSummary" } } },
                  },
                },
              },
            },
          },
        },
      },
      "/v1/accounts/{id}": {
        get: {
          summary: "stored portfolio, config and policy",
          parameters: [idParam],
          responses: { "200": { description: "account" }, "404": { description: "unknown", content: json("Error") } },
        },
        put: {
          summary: "store a portfolio (and config, policy); re-margins and streams the account",
          security: apiKey,
          parameters: [idParam],
          requestBody: { required: true, content: json("AccountPut") },
          responses: { "200": { description: "stored, with the new report" }, ...writeErrors },
        },
      },
      "/v1/accounts/{id}/margin": {
        get: {
          summary: "current report of a stored account at the live market",
          parameters: [idParam],
          responses: { "200": { description: "report" }, "404": { description: "unknown", content: json("Error") } },
        },
      },
      "/v1/accounts/{id}/history": {
        get: {
          summary: "margin snapshots of the account from the store, oldest first",
          parameters: [idParam, limitParam],
          responses: { "200": { description: "history" } },
        },
      },
      "/v1/accounts/{id}/backtest": {
        get: {
          summary:
            "backtest of the account on the real daily history up to the replay date: margin vs realised loss per day, exceptions, Kupiec",
          parameters: [
            idParam,
            {
              name: "days",
              in: "query",
              required: false,
              schema: { type: "integer", minimum: 1, maximum: 730, default: 180 },
            },
          ],
          responses: { "200": { description: "backtest" }, "404": { description: "unknown", content: json("Error") } },
        },
      },
      "/v1/accounts/{id}/plans": {
        get: {
          summary: "rebalancing and liquidation plans with their audit records, newest first",
          parameters: [idParam, limitParam],
          responses: { "200": { description: "plans" } },
        },
      },
      "/v1/markets": {
        get: {
          summary: "current aggregated prices with their flags",
          responses: { "200": { description: "prices", content: json("Markets") } },
        },
      },
      "/v1/markets/history": {
        get: {
          summary: "stored price history of one feed symbol",
          parameters: [{ name: "symbol", in: "query", required: true, schema: { type: "string" } }, limitParam],
          responses: { "200": { description: "history" } },
        },
      },
      "/v1/markets/quotes": {
        post: {
          summary: "push oracle quotes into the live market (a tick); only accounts holding them are recomputed",
          security: apiKey,
          requestBody: { required: true, content: json("QuotesPush") },
          responses: { "200": { description: "tick" }, ...writeErrors },
        },
      },
      "/v1/feed": { get: { summary: "replay feed status", responses: { "200": { description: "status" } } } },
      "/v1/feed/step": {
        post: {
          summary: "advance the replay by one day (a tick)",
          security: apiKey,
          responses: { "200": { description: "tick" }, ...writeErrors },
        },
      },
      "/v1/stream": {
        get: {
          summary: "WebSocket: subscribe to accounts, receive reports, ticks and plans",
          responses: { "101": { description: "upgrade" } },
        },
      },
    },
  };
}
