import type { z } from "zod";
import { jsonPath, XmarginError } from "../core/errors.js";

/** Deepest nesting any document may have; ours need fewer than 10 levels. */
export const MAX_DOCUMENT_DEPTH = 64;

/**
 * Rejects documents nested deeper than MAX_DOCUMENT_DEPTH before zod sees them: a 10,000-deep array hidden in a field
 * would otherwise overflow the stack while an error message is formatted. Iterative, so it cannot overflow itself.
 */
function checkNesting(input: unknown, documentName: string): void {
  const stack: Array<{ value: unknown; depth: number; path: Array<string | number> }> = [
    { value: input, depth: 0, path: [] },
  ];
  while (stack.length > 0) {
    const { value, depth, path } = stack.pop()!;
    if (typeof value !== "object" || value === null) continue;
    if (depth >= MAX_DOCUMENT_DEPTH) {
      throw new XmarginError(`${documentName}: nested deeper than ${MAX_DOCUMENT_DEPTH} levels`, {
        code: "INVALID_INPUT",
        path: jsonPath(path),
      });
    }
    const entries: Array<[string | number, unknown]> = Array.isArray(value)
      ? Array.from(value, (v, i): [number, unknown] => [i, v]) // holes of a sparse array read as undefined
      : Object.entries(value);
    for (const [key, child] of entries) {
      if (typeof child === "object" && child !== null)
        stack.push({ value: child, depth: depth + 1, path: [...path, key] });
    }
  }
}

/**
 * Validates an untrusted document against a schema. On failure throws INVALID_INPUT whose path is the JSON path of
 * the first bad field and whose message names the document and the reason, e.g.
 * `$.positions[3].strike: Portfolio: must be greater than 0`.
 */
export function parseDocument<S extends z.ZodType>(schema: S, input: unknown, documentName: string): z.output<S> {
  checkNesting(input, documentName);
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const [first, ...rest] = result.error.issues;
  const path = first ? jsonPath(first.path) : "$";
  const more = rest.length > 0 ? `${rest.length} more issue(s) in ${documentName}` : undefined;
  throw new XmarginError(`${documentName}: ${first?.message ?? "invalid document"}`, {
    code: "INVALID_INPUT",
    path,
    ...(more ? { details: more } : {}),
    cause: result.error,
  });
}
