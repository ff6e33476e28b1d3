import jsonLogic from "json-logic-js";
import type { Flag } from "../../core/flags.js";
import type { MarginReport, PolicyOutcome } from "../report.js";
import type { ResolvedPortfolio } from "../resolve/resolvedPortfolio.js";
import type { PolicyFacts } from "./facts.js";
import type { PolicyAction, Rulebook } from "./rulebook.js";

const usd = (x: number): string => `$${x.toFixed(2)}`;

/** Whether a rule's condition holds; a condition that cannot be evaluated counts as holding (restrict when unsure). */
function holds(when: unknown, facts: PolicyFacts): { fired: boolean; error?: string } {
  try {
    return { fired: jsonLogic.truthy(jsonLogic.apply(when as Parameters<typeof jsonLogic.apply>[0], facts)) };
  } catch (err) {
    return { fired: true, error: err instanceof Error ? err.message : String(err) };
  }
}

/** The enabled rules of a rulebook that fire on these facts (a condition that cannot be evaluated fires). */
export function firedRules(rulebook: Rulebook, facts: PolicyFacts): Rulebook["rules"] {
  return rulebook.rules.filter((rule) => rule.enabled && holds(rule.when, facts).fired);
}

/** Whether an action changes figures (margin or collateral); the others restrict or alert only. */
export const changesFigures = (action: PolicyAction): boolean =>
  action.kind === "marginMultiplier" || action.kind === "collateralWeight";

/** A report's headline figures, before or after the policy. */
export interface PolicyHeadline {
  initialMarginUsd: number;
  maintenanceMarginUsd: number;
  collateralValueUsd: number;
  maintenanceCollateralValueUsd: number;
  freeCollateralUsd: number;
  healthRatio: number | null;
}

/**
 * The headline figures after fired rules add margin (`addIm`, `addMm`) and cut collateral (`imCut`, `mmCut`): the
 * one rule for them, used by `applyPolicy` and by the batch figures path (where fired rules change no figure).
 */
export function policyHeadline(model: PolicyHeadline, addIm: number, addMm: number, imCut: number, mmCut: number) {
  const initialMarginUsd = model.initialMarginUsd + addIm;
  const maintenanceMarginUsd = model.maintenanceMarginUsd + addMm;
  const collateralValueUsd = model.collateralValueUsd - imCut;
  const maintenanceCollateralValueUsd = model.maintenanceCollateralValueUsd - mmCut;
  // Models define free collateral and health their own way (cross counts each chain's pool alone), so the policy
  // takes the lower of the model's figure moved by the added margin and the account-wide figure with the capped
  // collateral. Both terms only grow with a deposit, so a deposit still never lowers either.
  const freeCollateralUsd = Math.min(model.freeCollateralUsd - addIm, collateralValueUsd - initialMarginUsd);
  let health = model.healthRatio;
  if (health !== null && maintenanceMarginUsd > 0) {
    health = Math.min(
      (health * model.maintenanceMarginUsd) / maintenanceMarginUsd,
      maintenanceCollateralValueUsd / maintenanceMarginUsd,
    );
  }
  // An undefined ratio (infinite figures) reads as 0: the policy may only ever lower health.
  const healthRatio = health === null || Number.isFinite(health) ? health : 0;
  return {
    initialMarginUsd,
    maintenanceMarginUsd,
    collateralValueUsd,
    maintenanceCollateralValueUsd,
    freeCollateralUsd,
    healthRatio,
  } satisfies PolicyHeadline;
}

/**
 * Evaluates a rulebook on a model's report and returns the report with the fired rules' effects: a `policy`
 * component (the margin a multiplier adds to the model's), collateral weight caps applied to the holdings' collateral
 * values, flags for restrictions and alerts, and `policy` listing each fired rule and its effect. Every action is
 * one-sided (multiplier >= 1, caps only lower a weight), so the result never has less margin, more collateral, more
 * free collateral or a higher health than the model's report. Several multipliers do not compound: the largest applies.
 */
export function applyPolicy(
  report: MarginReport,
  portfolio: ResolvedPortfolio,
  facts: PolicyFacts,
  rulebook: Rulebook,
): MarginReport {
  const fired: PolicyOutcome["fired"] = [];
  const actions: Array<{ ruleId: string; action: PolicyAction }> = [];
  for (const rule of rulebook.rules) {
    if (!rule.enabled) continue;
    const r = holds(rule.when, facts);
    if (!r.fired) continue;
    fired.push({
      ruleId: rule.id,
      description: rule.description,
      ...(rule.anchor ? { anchor: rule.anchor } : {}),
      effects: r.error ? [`condition could not be evaluated (${r.error}); applied as fired`] : [],
    });
    for (const action of rule.actions) actions.push({ ruleId: rule.id, action });
  }
  if (fired.length === 0) return report;
  const effects = new Map(fired.map((f) => [f.ruleId, f.effects]));
  const note = (ruleId: string, text: string) => effects.get(ruleId)!.push(text);

  let multiplier = 1;
  for (const { ruleId, action } of actions) {
    if (action.kind !== "marginMultiplier") continue;
    multiplier = Math.max(multiplier, action.factor);
    note(ruleId, `margin x${action.factor}`);
  }
  // Guarded so that a model's infinite requirement times a multiplier of 1 does not become 0 x Infinity = NaN.
  const addIm = multiplier > 1 ? (multiplier - 1) * report.initialMarginUsd : 0;
  const addMm = multiplier > 1 ? (multiplier - 1) * report.maintenanceMarginUsd : 0;

  // Weight caps lower what a holding counts for (collateral value), never the requirement: a deposit of a capped
  // token then still adds collateral (cap x value), it only adds less.
  const tokenOf = new Map(portfolio.items.map((i) => [i.id, i.token?.symbol]));
  let imCutTotal = 0;
  let mmCutTotal = 0;
  const byPosition = report.byPosition.map((p) => {
    const token = tokenOf.get(p.id);
    if (p.kind !== "spot" || token === undefined || !(p.valueUsd > 0)) return p;
    let cap = Number.POSITIVE_INFINITY;
    let capRule = "";
    for (const { ruleId, action } of actions) {
      if (action.kind !== "collateralWeight" || action.token !== token) continue;
      if (action.chain !== undefined && action.chain !== p.chain) continue;
      if (action.weight < cap) {
        cap = action.weight;
        capRule = ruleId;
      }
    }
    if (capRule === "") return p;
    const imCut = Math.max(0, p.collateralValueUsd - cap * p.valueUsd);
    const mmCut = Math.max(0, p.maintenanceCollateralValueUsd - cap * p.valueUsd);
    imCutTotal += imCut;
    mmCutTotal += mmCut;
    note(
      capRule,
      `${p.chain}:${token} weight capped at ${cap}: collateral -${usd(imCut)} (maintenance -${usd(mmCut)})`,
    );
    return {
      ...p,
      collateralValueUsd: p.collateralValueUsd - imCut,
      maintenanceCollateralValueUsd: p.maintenanceCollateralValueUsd - mmCut,
    };
  });

  const reduceOnly = actions.some((a) => a.action.kind === "reduceOnly");
  const blockWithdrawals = actions.some((a) => a.action.kind === "blockWithdrawals");
  const alerts: PolicyOutcome["alerts"] = [];
  for (const { ruleId, action } of actions) {
    if (action.kind === "reduceOnly") note(ruleId, "reduce-only");
    if (action.kind === "blockWithdrawals") note(ruleId, "withdrawals blocked");
    if (action.kind === "alert") {
      alerts.push({ ruleId, severity: action.severity, message: action.message });
      note(ruleId, `alert (${action.severity}): ${action.message}`);
    }
  }
  const flags: Flag[] = [
    {
      code: "POLICY_RULE_FIRED",
      severity: addIm > 0 || imCutTotal > 0 ? "warning" : "info",
      message: `rulebook ${rulebook.name}@v${rulebook.version}: ${fired.map((f) => f.ruleId).join(", ")} fired`,
    },
  ];
  if (reduceOnly)
    flags.push({ code: "POLICY_REDUCE_ONLY", severity: "warning", message: "account is reduce-only by policy" });
  if (blockWithdrawals) {
    flags.push({ code: "POLICY_WITHDRAWALS_BLOCKED", severity: "warning", message: "withdrawals blocked by policy" });
  }
  for (const a of alerts)
    flags.push({ code: "POLICY_ALERT", severity: a.severity, message: `${a.ruleId}: ${a.message}` });

  return {
    ...report,
    ...policyHeadline(report, addIm, addMm, imCutTotal, mmCutTotal),
    byPosition,
    components: [
      ...report.components,
      {
        id: "policy",
        name: "policy",
        initialMarginUsd: addIm,
        maintenanceMarginUsd: addMm,
        detail: `rulebook ${rulebook.name}@v${rulebook.version}: ${fired
          .map((f) => `${f.ruleId} (${f.effects.join("; ") || "no effect"})`)
          .join(", ")}`,
      },
    ],
    flags: [...report.flags, ...flags],
    policy: { rulebook: `${rulebook.name}@v${rulebook.version}`, fired, reduceOnly, blockWithdrawals, alerts },
  };
}
