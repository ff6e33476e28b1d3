import type { z } from "zod";
import { jsonPath, XmarginError } from "../core/errors.js";

/**
 * Validates an untrusted document against a schema. On failure throws INVALID_INPUT whose path is the JSON path of
 * the first bad field and whose message names the document and the reason, e.g.
 * `$.positions[3].strike: Portfolio: must be greater than 0`.
 */
export function parseDocument<S extends z.ZodType>(schema: S, input: unknown, documentName: string): z.output<S> {
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
