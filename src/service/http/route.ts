import type { FastifyReply, FastifyRequest } from "fastify";
import type { z } from "zod";
import { XmarginError } from "../../core/errors.js";
import { parseDocument } from "../../schema/validate.js";
import type { Principal } from "./auth.js";

export type HttpMethod = "GET" | "POST" | "PUT";

/**
 * Who may call a route:
 * - `open`: anyone (liveness, the OpenAPI document, the dashboard's files);
 * - `read`: a key of any scope, or anyone when the operator opted into public reads;
 * - `account-read`: a key whose scope holds the account in the path (`:id`), or anyone in public read mode;
 * - `account-write`: a key whose scope holds the account in the path and allows writes;
 * - `admin`: an admin key (market pushes, the replay).
 */
export type Access = "open" | "read" | "account-read" | "account-write" | "admin";

/** What a handler receives: validated path parameters, query and body, plus the caller. */
export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  principal: Principal | null;
  req: FastifyRequest;
  reply: FastifyReply;
}

/** A documented response of a route (beyond the statuses the table derives from the route's shape). */
export interface ResponseDoc {
  description: string;
  /** The answer's schema, under this name among the OpenAPI components. */
  schema?: { name: string; zod: z.ZodType };
}

export interface RouteSpec<P, Q, B> {
  method: HttpMethod;
  /** Fastify path, e.g. `/v1/accounts/:id`. */
  url: string;
  summary: string;
  access: Access;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: { name: string; schema: z.ZodType<B> };
  ok: ResponseDoc;
  /** Status of a success (default 200; 101 for a WebSocket upgrade). */
  okStatus?: 101 | 200;
  /** Other statuses this route answers besides those implied by its shape (e.g. 404 unknown account, 409, 503). */
  errors?: Partial<Record<number, string>>;
  /** Exempt from the per-IP rate limit (liveness probes). */
  unlimited?: boolean;
  /** Media type of a success that is not JSON (the docs page, the Prometheus text); its body is a string. */
  produces?: string;
  handle(input: RouteInput<P, Q, B>): unknown;
}

/** A route with its types erased: what the table holds, the server registers and the OpenAPI generator reads. */
export interface Route {
  method: HttpMethod;
  url: string;
  summary: string;
  access: Access;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: { name: string; schema: z.ZodType };
  ok: ResponseDoc;
  okStatus: 101 | 200;
  errors: Partial<Record<number, string>>;
  unlimited: boolean;
  produces?: string;
  run(req: FastifyRequest, reply: FastifyReply, principal: Principal | null): unknown;
}

function parsePart<T>(schema: z.ZodType<T> | undefined, value: unknown, name: string): T {
  return (schema ? parseDocument(schema, value ?? {}, name) : undefined) as T;
}

/** Declares a route: the one description the server registers and OpenAPI documents. */
export function defineRoute<P = undefined, Q = undefined, B = undefined>(spec: RouteSpec<P, Q, B>): Route {
  return {
    method: spec.method,
    url: spec.url,
    summary: spec.summary,
    access: spec.access,
    ...(spec.params ? { params: spec.params } : {}),
    ...(spec.query ? { query: spec.query } : {}),
    ...(spec.body ? { body: spec.body } : {}),
    ok: spec.ok,
    okStatus: spec.okStatus ?? 200,
    errors: spec.errors ?? {},
    unlimited: spec.unlimited ?? false,
    ...(spec.produces ? { produces: spec.produces } : {}),
    run(req, reply, principal) {
      const params = parsePart(spec.params, req.params, "path");
      const query = parsePart(spec.query, req.query, "query");
      let body = undefined as B;
      if (spec.body) {
        if (req.body === undefined || req.body === null) {
          throw new XmarginError(`${spec.body.name}: a JSON body is required`, { code: "INVALID_INPUT", path: "$" });
        }
        body = parseDocument(spec.body.schema, req.body, spec.body.name);
      }
      return spec.handle({ params, query, body, principal, req, reply });
    },
  };
}
