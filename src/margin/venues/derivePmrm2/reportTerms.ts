/**
 * A derive-pmrm2 report's components and scenario tables, in the spec's terms: per sub-account only the binding
 * scenario group (regular, tail, skew or the basis contingency) carries f x worst loss, the detail shows every group's
 * worst loss; then the peg-loss part of the IM factor and each add-on. Components add up to MtM minus surplus.
 */
import type { MarginComponent, MarginComponentId, ScenarioTable } from "../../report.js";
import type { Pmrm2Result, Pmrm2ScenarioGroup } from "./computePmrm2.js";
import type { MappedPortfolio } from "./mapPortfolio.js";
import type { Pmrm2Params, Pmrm2Scenario } from "./params.js";

type Binding = Pmrm2ScenarioGroup | "basis";

const GROUP_COMPONENT: Record<Binding, string> = {
  regular: "worst regular scenario loss",
  tail: "worst tail scenario loss",
  skew: "worst skew scenario loss",
  basis: "basis (forward) contingency",
};

/** Component id of each display name (ids are the closed list in report.ts). */
const COMPONENT_ID: Record<string, MarginComponentId> = {
  "worst regular scenario loss": "pmrm2-worst-regular-loss",
  "worst tail scenario loss": "pmrm2-worst-tail-loss",
  "worst skew scenario loss": "pmrm2-worst-skew-loss",
  "basis (forward) contingency": "pmrm2-basis-contingency",
  "peg-loss factor": "pmrm2-peg-loss",
  "perp contingency": "pmrm2-perp-contingency",
  "naked short option contingency": "pmrm2-naked-short-contingency",
  "collateral haircuts": "pmrm2-collateral-haircuts",
  "oracle confidence": "pmrm2-oracle-confidence",
};

function scenarioId(s: Pmrm2Scenario): string {
  const move = s.spotMult - 1;
  const sign = move > 0 ? "+" : "";
  return `spot ${sign}${(100 * move).toFixed(1)}% vol ${s.volShock}${s.dampening === 1 ? "" : ` x${s.dampening.toPrecision(3)}`}`;
}

const money = (v: number) => v.toFixed(2);

export function reportTerms(
  mapped: MappedPortfolio,
  results: ReadonlyMap<string, Pmrm2Result>,
  params: Pmrm2Params,
): { components: MarginComponent[]; scenarios: ScenarioTable[] } {
  // Components: the binding scenario group of each sub-account, the peg-loss part of the IM factor, and each add-on.
  const im: Record<string, number> = {};
  const mm: Record<string, number> = {};
  const details: Record<string, string[]> = {};
  const add = (name: string, imUsd: number, mmUsd: number, detail?: string) => {
    im[name] = (im[name] ?? 0) + imUsd;
    mm[name] = (mm[name] ?? 0) + mmUsd;
    details[name] ??= [];
    if (detail) details[name]!.push(detail);
  };
  for (const name of Object.values(GROUP_COMPONENT)) add(name, 0, 0);
  const scenarios: ScenarioTable[] = [];
  for (const [key, r] of results) {
    const scen = params.scenarios;
    const binding: Binding = r.worstIndex === scen.length ? "basis" : r.scenarioGroup[r.worstIndex]!;
    const sub = mapped.subAccounts.get(key)!.account;
    const hasRisk = sub.expiries.length > 0 || sub.perpAmount !== 0;
    // Every group's worst loss is shown where there is risk; only the binding one counts.
    const shown = (g: Binding, loss: number) =>
      hasRisk ? `${key} ${money(loss)}${binding === g ? " (binding)" : ""}` : undefined;
    for (const g of ["regular", "tail", "skew"] as const) add(GROUP_COMPONENT[g], 0, 0, shown(g, r.worstLoss[g]));
    add(GROUP_COMPONENT.basis, 0, 0, shown("basis", r.basisContingency));
    const baseImFactor = params.margin.imFactor;
    add(GROUP_COMPONENT[binding], -baseImFactor * r.minSpan, -r.mmLossFactor * r.minSpan);
    add(
      "peg-loss factor",
      -(r.imLossFactor - baseImFactor) * r.minSpan,
      0,
      r.imLossFactor > baseImFactor ? `${key} IM factor ${r.imLossFactor.toFixed(4)}` : undefined,
    );
    add("perp contingency", r.mmPerpCont + r.imPerpCont, r.mmPerpCont);
    add("naked short option contingency", r.mmOptionCont + r.imOptionCont, r.mmOptionCont);
    add("collateral haircuts", r.mmBaseCont + r.imBaseCont, r.mmBaseCont);
    add(
      "oracle confidence",
      r.oracleCont.total,
      0,
      r.oracleCont.total > 0
        ? `${key} perp ${money(r.oracleCont.perp)}, options ${money(r.oracleCont.options)}, collateral ${money(r.oracleCont.collateral)}`
        : undefined,
    );
    if (hasRisk) {
      // The vol move shown is the nearest expiry's (each expiry has its own multiplier; skews rotate, so 0).
      const nearest = sub.expiries.reduce(
        (best, e, i) => (best < 0 || e.secondsToExpiry < sub.expiries[best]!.secondsToExpiry ? i : best),
        -1,
      );
      const volMove = (s: Pmrm2Scenario) =>
        nearest < 0
          ? 0
          : s.volShock === "up"
            ? r.volShockUp[nearest]! - 1
            : s.volShock === "down"
              ? r.volShockDown[nearest]! - 1
              : 0;
      scenarios.push({
        underlying: key,
        scenarios: scen.map((s, k) => ({
          id: scenarioId(s),
          spotShockRel: s.spotMult - 1,
          volShockRel: volMove(s),
          weight: s.dampening,
          pnlUsd: r.scenarioPnl[k]!,
        })),
        worstScenarioId: binding === "basis" ? "basis contingency" : scenarioId(scen[r.worstIndex]!),
        worstLossUsd: -r.minSpan,
      });
    }
  }
  const components: MarginComponent[] = Object.keys(im).map((name) => ({
    id: COMPONENT_ID[name]!,
    name,
    initialMarginUsd: im[name]!,
    maintenanceMarginUsd: mm[name]!,
    detail: details[name]!.join("; "),
  }));

  return { components, scenarios };
}
