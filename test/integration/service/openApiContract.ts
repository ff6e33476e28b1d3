import { expect } from "vitest";
import { errorResponseSchema } from "../../../src/service/apiSchemas.js";

/** One observed answer of the service. */
export interface Observed {
  method: string;
  path: string;
  status: number;
  body: Record<string, unknown>;
}

type Doc = { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };

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
 * not list, 404 for no path at all), and every error body has the documented shape.
 */
export function expectMatchesOpenApi(doc: Doc, observed: readonly Observed[]): void {
  const undocumented: string[] = [];
  for (const o of observed) {
    if (o.status === 0) continue; // the connection was cut (a 10 MB body): no answer to check
    const template = templateOf(doc, o.path);
    const op = template ? doc.paths[template]?.[o.method.toLowerCase()] : undefined;
    const ok = !template ? o.status === 404 : !op ? o.status === 405 : String(o.status) in op.responses;
    if (!ok) undocumented.push(`${o.method} ${o.path.slice(0, 60)} -> ${o.status}`);
    if (o.status >= 400 && !errorResponseSchema.safeParse(o.body).success) {
      undocumented.push(`${o.method} ${o.path.slice(0, 60)} -> ${o.status}: body is not the documented Error`);
    }
  }
  expect([...new Set(undocumented)]).toEqual([]);
}
