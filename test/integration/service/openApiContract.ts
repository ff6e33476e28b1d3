import { Ajv2020 } from "ajv/dist/2020.js";
import { expect } from "vitest";
import { errorResponseSchema } from "../../../src/service/apiSchemas.js";
import type { Harness } from "./serviceHarness.js";

/** One observed answer of the service. */
export interface Observed {
  method: string;
  path: string;
  status: number;
  body: Record<string, unknown>;
}

type Doc = {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: { "application/json"?: { schema?: unknown } } }> }>
  >;
};

/**
 * A validator of answers against the document's own response schemas (JSON Schema 2020-12, as OpenAPI 3.1 has
 * them): the body of a success must match the schema its path, method and status document.
 */
export function bodyValidator(doc: Doc): (o: Observed) => string | undefined {
  const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: false });
  ajv.addSchema(doc as object, "openapi");
  const cache = new Map<string, ReturnType<typeof ajv.compile>>();
  return (o) => {
    const template = templateOf(doc, o.path);
    const op = template ? doc.paths[template]?.[o.method.toLowerCase()] : undefined;
    const schema = op?.responses[String(o.status)]?.content?.["application/json"]?.schema as
      | { $ref?: string }
      | undefined;
    if (!schema?.$ref) return o.status < 300 && o.status !== 101 ? "no response schema documented" : undefined;
    let validate = cache.get(schema.$ref);
    if (!validate) {
      validate = ajv.compile({ $ref: `openapi${schema.$ref}` });
      cache.set(schema.$ref, validate);
    }
    if (validate(o.body)) return undefined;
    const e = validate.errors?.[0];
    return `${e?.instancePath || "/"} ${e?.message ?? "invalid"}`;
  };
}

/** Wraps the harness's `call` so that every answer is pushed to `observed`, for the contract check. */
export function recordAnswers(h: Harness, observed: Observed[]): void {
  const call = h.call.bind(h);
  h.call = async (path, init = {}) => {
    const res = await call(path, init);
    const method = init.method ?? (init.body !== undefined || init.raw !== undefined ? "POST" : "GET");
    observed.push({ method, path, status: res.status, body: res.body });
    return res;
  };
}

/** The OpenAPI path template a concrete path matches (`/v1/accounts/{id}`), if any. */
export function templateOf(doc: Doc, path: string): string | undefined {
  const clean = path.split("?")[0] ?? "";
  for (const template of Object.keys(doc.paths)) {
    const re = new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`);
    if (re.test(clean)) return template;
  }
  return undefined;
}

/**
 * Every observed answer is documented: its status is listed for its path and method (405 for a method the path does
 * not list, 404 for no path at all), every error body has the documented shape, and every success body matches the
 * response schema the document gives for it.
 */
export function expectMatchesOpenApi(doc: Doc, observed: readonly Observed[]): void {
  const undocumented: string[] = [];
  const checkBody = bodyValidator(doc);
  for (const o of observed) {
    if (o.status === 0) continue; // the connection was cut (a 10 MB body): no answer to check
    const template = templateOf(doc, o.path);
    const op = template ? doc.paths[template]?.[o.method.toLowerCase()] : undefined;
    const ok = !template ? o.status === 404 : !op ? o.status === 405 : String(o.status) in op.responses;
    if (!ok) undocumented.push(`${o.method} ${o.path.slice(0, 60)} -> ${o.status}`);
    if (ok && o.status < 300) {
      const bad = checkBody(o);
      if (bad) undocumented.push(`${o.method} ${o.path.slice(0, 60)} -> ${o.status}: ${bad}`);
    }
    if (o.status >= 400 && !errorResponseSchema.safeParse(o.body).success) {
      undocumented.push(`${o.method} ${o.path.slice(0, 60)} -> ${o.status}: body is not the documented Error`);
    }
  }
  expect([...new Set(undocumented)]).toEqual([]);
}
