import { invalidInput } from "../core/errors.js";
import { parseDocument } from "../schema/validate.js";
import { MARGIN_MODEL_NAMES, type MarginModelName, marginModels } from "./models.js";

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Deep merge where objects merge key by key and anything else (arrays included) replaces. An object whose `kind`
 * differs from the default's is another variant of a union and replaces the default whole.
 */
export function mergeOverDefaults(defaults: unknown, overrides: unknown): unknown {
  if (!isPlainObject(defaults) || !isPlainObject(overrides)) return overrides === undefined ? defaults : overrides;
  if ("kind" in overrides && overrides.kind !== defaults.kind) return overrides;
  const out: Record<string, unknown> = { ...defaults };
  for (const [k, v] of Object.entries(overrides)) out[k] = mergeOverDefaults(defaults[k], v);
  return out;
}

export type AnyMarginConfig = (typeof marginModels)[MarginModelName]["defaults"];

/**
 * Validates a MarginConfig document: `{ model: NAME, ...overrides }`. Fields not given take the model's documented
 * defaults; unknown fields and out-of-range values are INVALID_INPUT with the field's path.
 */
export function resolveMarginConfig(doc: unknown): AnyMarginConfig {
  if (!isPlainObject(doc)) throw invalidInput("$", 'MarginConfig must be an object like {"model": "grid"}');
  const name = doc.model;
  if (typeof name !== "string" || !(MARGIN_MODEL_NAMES as string[]).includes(name)) {
    const shown = typeof name === "string" ? JSON.stringify(name.slice(0, 64)) : typeof name;
    throw invalidInput("$.model", `unknown margin model ${shown}`, `one of: ${MARGIN_MODEL_NAMES.join(", ")}`);
  }
  const model = marginModels[name as MarginModelName];
  return parseDocument(model.configSchema, mergeOverDefaults(model.defaults, doc), "MarginConfig") as AnyMarginConfig;
}
