import { z } from "zod";
import { invalidInput, jsonPath } from "../../core/errors.js";
import { POLICY_FACT_PATHS } from "./facts.js";

/** What a fired rule does. Every action can only raise a requirement or restrict the account, by construction. */
export const policyActionSchema = z.discriminatedUnion("kind", [
  z
    .object({
      kind: z.literal("marginMultiplier"),
      /** Initial and maintenance margin are multiplied by this (>= 1: a rule never lowers margin). */
      factor: z.number().min(1).max(100),
    })
    .strict(),
  z
    .object({
      kind: z.literal("collateralWeight"),
      /** Token symbol the cap applies to (USDC, stETH, ...). */
      token: z.string().min(1),
      /** Only this chain; all chains when absent. */
      chain: z.string().min(1).optional(),
      /** Cap on the weight the token counts at (0 = not collateral); a weight already lower stays. */
      weight: z.number().min(0).max(1),
    })
    .strict(),
  z.object({ kind: z.literal("reduceOnly") }).strict(),
  z.object({ kind: z.literal("blockWithdrawals") }).strict(),
  z
    .object({
      kind: z.literal("alert"),
      severity: z.enum(["info", "warning", "critical"]),
      message: z.string().min(1).max(500),
    })
    .strict(),
]);
export type PolicyAction = z.infer<typeof policyActionSchema>;

/** A JsonLogic expression (jsonlogic.com): operators and `var` paths are checked by `checkCondition`. */
const jsonLogicSchema: z.ZodType<unknown> = z.lazy(() =>
  z.union([
    z.number(),
    z.string(),
    z.boolean(),
    z.null(),
    z.array(jsonLogicSchema),
    z.record(z.string(), jsonLogicSchema),
  ]),
);

export const policyRuleSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, "lower-case letters, digits and dashes"),
    description: z.string().min(1).max(500),
    /** Public source of the threshold (venue rule, paper, incident). */
    anchor: z.string().max(500).optional(),
    enabled: z.boolean().default(true),
    when: jsonLogicSchema,
    actions: z.array(policyActionSchema).min(1),
  })
  .strict();
export type PolicyRule = z.infer<typeof policyRuleSchema>;

export const rulebookSchema = z
  .object({
    kind: z.literal("xmargin-rulebook"),
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, "lower-case letters, digits and dashes"),
    /** Increases with every edit; the service keeps every version. */
    version: z.number().int().min(1),
    description: z.string().max(2000).optional(),
    rules: z.array(policyRuleSchema).max(500),
  })
  .strict()
  .superRefine((book, ctx) => {
    const seen = new Set<string>();
    book.rules.forEach((r, i) => {
      if (seen.has(r.id))
        ctx.addIssue({ code: "custom", path: ["rules", i, "id"], message: `duplicate rule id "${r.id}"` });
      seen.add(r.id);
      const problem = checkCondition(r.when);
      if (problem)
        ctx.addIssue({ code: "custom", path: ["rules", i, "when", ...problem.path], message: problem.message });
    });
  });
export type Rulebook = z.infer<typeof rulebookSchema>;

/** JsonLogic operators a condition may use: comparisons, logic, arithmetic and array tests; nothing that mutates. */
const OPERATORS = new Set([
  "==",
  "===",
  "!=",
  "!==",
  ">",
  ">=",
  "<",
  "<=",
  "!",
  "!!",
  "and",
  "or",
  "if",
  "?:",
  "var",
  "in",
  "some",
  "all",
  "none",
  "max",
  "min",
  "+",
  "-",
  "*",
  "/",
  "%",
  "map",
  "filter",
]);

/**
 * First problem of a condition, or undefined: an unknown operator, or a `var` naming no fact (a misspelt fact would
 * read as null, and null compares as 0 in JsonLogic, so a rule could silently never, or always, fire).
 */
export function checkCondition(
  node: unknown,
  path: Array<string | number> = [],
): { path: Array<string | number>; message: string } | undefined {
  if (Array.isArray(node)) {
    for (const [i, x] of node.entries()) {
      const p = checkCondition(x, [...path, i]);
      if (p) return p;
    }
    return undefined;
  }
  if (node === null || typeof node !== "object") return undefined;
  const keys = Object.keys(node);
  if (keys.length !== 1) return { path, message: "a JsonLogic operation is an object with exactly one operator key" };
  const op = keys[0]!;
  if (!OPERATORS.has(op)) return { path: [...path, op], message: `unknown operator "${op}"` };
  const arg = (node as Record<string, unknown>)[op];
  if (op === "var") {
    const name = Array.isArray(arg) ? arg[0] : arg;
    // Inside some/all/none/map/filter, "" and relative names refer to the current array element.
    const inArrayOp = path.some((p) => p === "some" || p === "all" || p === "none" || p === "map" || p === "filter");
    if (typeof name !== "string") return { path: [...path, op], message: "var needs a fact name" };
    if (!inArrayOp && !isFactPath(name)) {
      return { path: [...path, op], message: `unknown fact "${name}"; known: ${POLICY_FACT_PATHS.join(", ")}` };
    }
    return undefined;
  }
  return checkCondition(arg, [...path, op]);
}

/** A known fact path; `<SYMBOL>` in a listed path stands for any token symbol. */
function isFactPath(name: string): boolean {
  return POLICY_FACT_PATHS.some((p) => {
    if (!p.endsWith("<SYMBOL>")) return p === name;
    const prefix = p.slice(0, -"<SYMBOL>".length);
    return name.startsWith(prefix) && /^[A-Za-z0-9]+$/.test(name.slice(prefix.length));
  });
}

/** Rejects a rulebook with the JSON path of the first problem. */
export function parseRulebook(doc: unknown, path = "$"): Rulebook {
  const r = rulebookSchema.safeParse(doc);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw invalidInput(`${path}${jsonPath(issue.path).slice(1)}`, `rulebook: ${issue.message}`);
}
