import { z } from "zod";
import { errorResponseSchema } from "../apiSchemas.js";
import { rebalancePolicySchema } from "../rebalancePolicy.js";
import type { Route } from "./route.js";

type JsonObject = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: "input" | "output"): JsonObject {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonObject;
  return rest;
}

const ref = (name: string) => ({ "application/json": { schema: { $ref: `#/components/schemas/${name}` } } });

/** Statuses every route can answer, and why; the route table adds those its shape implies. */
const COMMON: Readonly<Record<number, string>> = {
  403: "the Host header or the Origin is not allowed (or the key lacks the scope)",
  500: "internal error (no detail is given)",
};

/** Every status a route can answer, with a description: derived from its shape, then its own list. */
export function statusesOf(route: Route): Map<number, string> {
  const out = new Map<number, string>([[route.okStatus, route.ok.description]]);
  if (route.params || route.query || route.body || route.errors[400]) {
    out.set(400, "invalid input or over the compute budget; `error.path` names the field");
  }
  if (route.params) out.set(414, "a path parameter longer than the router allows");
  if (route.body) {
    out.set(413, "body larger than the limit");
    out.set(415, "body is not application/json");
  }
  if (route.access !== "open") out.set(401, "missing or unknown API key");
  for (const [s, d] of Object.entries(COMMON)) out.set(Number(s), d);
  if (!route.unlimited) out.set(429, "rate limited (retry-after)");
  for (const [s, d] of Object.entries(route.errors)) if (d) out.set(Number(s), d);
  return new Map([...out].sort((a, b) => a[0] - b[0]));
}

/** `:id` -> `{id}`. */
export function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z_]\w*)/g, "{$1}");
}

function parametersOf(route: Route): JsonObject[] {
  const params: JsonObject[] = [];
  for (const [where, schema] of [
    ["path", route.params],
    ["query", route.query],
  ] as const) {
    if (!schema) continue;
    const doc = jsonSchema(schema, "input") as { properties?: Record<string, JsonObject>; required?: string[] };
    for (const [name, s] of Object.entries(doc.properties ?? {})) {
      params.push({ name, in: where, required: where === "path" || (doc.required ?? []).includes(name), schema: s });
    }
  }
  return params;
}

/**
 * The OpenAPI 3.1 document of the service, generated from the route table that serves requests: paths, methods,
 * access, parameters with their constraints, bodies and every status each route can answer. Schemas come from the
 * zod schemas the service validates with (`z.toJSONSchema`).
 */
export function buildOpenApi(routes: readonly Route[], version: string): JsonObject {
  const schemas: Record<string, JsonObject> = {
    Error: jsonSchema(errorResponseSchema, "output"),
    RebalancePolicy: jsonSchema(rebalancePolicySchema, "input"),
  };
  const paths: Record<string, Record<string, JsonObject>> = {};
  for (const route of routes) {
    if (route.body) schemas[route.body.name] = jsonSchema(route.body.schema, "input");
    if (route.ok.schema) {
      schemas[route.ok.schema.name] = jsonSchema(route.ok.schema.zod, route.okStatus === 101 ? "input" : "output");
    }
    const responses: Record<string, JsonObject> = {};
    for (const [status, description] of statusesOf(route)) {
      const content =
        status === route.okStatus
          ? route.produces
            ? { [route.produces]: { schema: { type: "string" } } }
            : route.ok.schema && status !== 101
              ? ref(route.ok.schema.name)
              : undefined
          : ref("Error");
      responses[String(status)] = { description, ...(content ? { content } : {}) };
    }
    const parameters = parametersOf(route);
    const op: JsonObject = {
      summary: route.summary,
      "x-access": route.access,
      ...(route.access === "open" ? { security: [] } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(route.body ? { requestBody: { required: true, content: ref(route.body.name) } } : {}),
      responses,
    };
    const path = openApiPath(route.url);
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = op;
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "xmargin margin service",
      version,
      description:
        "Cross-chain portfolio margin as a service: margin and what-if on demand, stored accounts re-margined live on " +
        "every price tick, rebalancing plans. Decimals are JSON strings. Every route requires an x-api-key (scoped " +
        "to accounts, or admin) unless x-access is `open` or the operator enabled public reads. A method a path does " +
        "not list answers 405 with an `allow` header. Errors are `{ error: { code, path?, message, details?, " +
        "docsPath } }`. WebSocket: GET /v1/stream (messages: StreamRequest in; hello, subscribed, tick, report, plan, " +
        "account-error, error, pong out). See docs/service.md.",
    },
    components: {
      schemas,
      securitySchemes: { apiKey: { type: "apiKey", in: "header", name: "x-api-key" } },
    },
    security: [{ apiKey: [] }],
    paths,
  };
}
