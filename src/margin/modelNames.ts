/**
 * The closed list of margin model names. `src/margin/models.ts` maps each to its schema and compute function and
 * checks at compile time that the two lists agree; reports, configs and the service use this type, not `string`.
 */
export type MarginModelName = "isolated" | "cross" | "grid" | "xchain";

export const MARGIN_MODEL_NAMES: MarginModelName[] = ["isolated", "cross", "grid", "xchain"];

export function isMarginModelName(value: unknown): value is MarginModelName {
  return typeof value === "string" && (MARGIN_MODEL_NAMES as readonly string[]).includes(value);
}
