/**
 * The `derive-pmrm2` margin model: maps the portfolio to PMRM_2 sub-accounts (mapPortfolio.ts), computes each with
 * Derive's methodology (computePmrm2.ts) and reports the requirement as the spec's terms. Derive's MM and IM are
 * surpluses over the sub-account's MtM; the report's requirement is MtM minus surplus, so free collateral is the sum
 * of the IM surpluses and the account is liquidatable when the MM surpluses sum below 0.
 * @see docs/models/derive-pmrm2.md
 */
import { SECONDS_PER_YEAR } from "../../../core/time.js";
import { assembleReport } from "../../common/assembleReport.js";
import type { MarginComponent, MarginReport, ScenarioTable } from "../../report.js";
import type { ResolvedMarket } from "../../resolve/resolvedMarket.js";
import type { ResolvedPortfolio } from "../../resolve/resolvedPortfolio.js";
import { computePmrm2, type Pmrm2Result, type Pmrm2ScenarioGroup } from "./computePmrm2.js";
import type { DerivePmrm2Config } from "./config.js";
import { confidenceCharge } from "./contingencies.js";
import { mapPortfolio } from "./mapPortfolio.js";
import { pmrm2OptionPrice } from "./optionPrice.js";
import type { Pmrm2Scenario } from "./params.js";

type Binding = Pmrm2ScenarioGroup | "basis";

const GROUP_COMPONENT: Record<Binding, string> = {
  regular: "worst regular scenario loss",
  tail: "worst tail scenario loss",
  skew: "worst skew scenario loss",
  basis: "basis (forward) contingency",
};

function scenarioId(s: Pmrm2Scenario): string {
  const move = s.spotMult - 1;
  const sign = move > 0 ? "+" : "";
  return `spot ${sign}${(100 * move).toFixed(1)}% vol ${s.volShock}${s.dampening === 1 ? "" : ` x${s.dampening.toPrecision(3)}`}`;
}

const money = (v: number) => v.toFixed(2);

export function computeDerivePmrm2(
  portfolio: ResolvedPortfolio,
  market: ResolvedMarket,
  config: DerivePmrm2Config,
): MarginReport {
  const mapped = mapPortfolio(portfolio, market, config);
  const results = new Map<string, Pmrm2Result>();
  for (const [key, sub] of mapped.subAccounts)
    results.set(key, computePmrm2(sub.account, config.params, `$.subAccounts.${key}`));

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
    const scen = config.params.scenarios;
    const binding: Binding = r.worstIndex === scen.length ? "basis" : r.scenarioGroup[r.worstIndex]!;
    const sub = mapped.subAccounts.get(key)!.account;
    const hasRisk = sub.expiries.length > 0 || sub.perpAmount !== 0;
    // Every group's worst loss is shown where there is risk; only the binding one counts.
    const shown = (g: Binding, loss: number) =>
      hasRisk ? `${key} ${money(loss)}${binding === g ? " (binding)" : ""}` : undefined;
    for (const g of ["regular", "tail", "skew"] as const) add(GROUP_COMPONENT[g], 0, 0, shown(g, r.worstLoss[g]));
    add(GROUP_COMPONENT.basis, 0, 0, shown("basis", r.basisContingency));
    const baseImFactor = config.params.margin.imFactor;
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
      scenarios.push({
        underlying: key,
        scenarios: scen.map((s, k) => ({
          id: scenarioId(s),
          spotShockRel: s.spotMult - 1,
          volShockRel: 0,
          weight: s.dampening,
          pnlUsd: r.scenarioPnl[k]!,
        })),
        worstScenarioId: binding === "basis" ? "basis contingency" : scenarioId(scen[r.worstIndex]!),
        worstLossUsd: -r.minSpan,
      });
    }
  }
  const components: MarginComponent[] = Object.keys(im).map((name) => ({
    name,
    initialMarginUsd: im[name]!,
    maintenanceMarginUsd: mm[name]!,
    detail: details[name]!.join("; "),
  }));

  // Per item: its value as Derive marks it, and a share of its sub-account's requirement.
  const items = portfolio.items;
  const itemValue = new Float64Array(items.length);
  const itemIm = new Float64Array(items.length);
  const itemMm = new Float64Array(items.length);
  const weight = new Float64Array(items.length);
  const weightSum = new Map<string, number>();
  const assigned = new Map<string, { im: number; mm: number }>();
  mapped.roles.forEach((role, i) => {
    const sub = mapped.subAccounts.get(role.account)!.account;
    const item = items[i]!;
    const a = assigned.get(role.account) ?? { im: 0, mm: 0 };
    if (role.kind === "cash") itemValue[i] = role.amount;
    else if (role.kind === "collateral") {
      const c = sub.collaterals[role.index]!;
      const v = (c.amount * c.priceUsd) / sub.stablePrice;
      itemValue[i] = v;
      const oracle = confidenceCharge(Math.min(c.confidence, sub.spotConfidence), v, config.params.otherContingency);
      itemIm[i] = (c.mmHaircut + c.imHaircut) * v + oracle;
      itemMm[i] = c.mmHaircut * v;
      a.im += itemIm[i]!;
      a.mm += itemMm[i]!;
    } else {
      if (role.kind === "perp") itemValue[i] = item.source === "holding" ? 0 : item.valueUsd;
      else {
        const e = sub.expiries[role.expiry]!;
        const years = Math.max(e.secondsToExpiry, 0) / SECONDS_PER_YEAR;
        const discount = Math.exp(-Math.max(e.rateAnnual, 0) * years);
        const p = item.priced;
        itemValue[i] =
          p.size *
          pmrm2OptionPrice(e.forwardFixed + e.forwardVariable, p.strikeUsd, item.volAnnual, years, discount, p.isCall);
      }
      weight[i] = Math.abs(item.priced.size) * sub.spot;
      weightSum.set(role.account, (weightSum.get(role.account) ?? 0) + weight[i]!);
    }
    assigned.set(role.account, a);
  });
  // A borrowed token mapped to cash debt keeps its (negative) value.
  mapped.roles.forEach((role, i) => {
    if (role.kind === "perp" && items[i]!.source === "holding") {
      itemValue[i] = items[i]!.valueUsd / mapped.subAccounts.get(role.account)!.account.stablePrice;
    }
  });
  mapped.roles.forEach((role, i) => {
    const r = results.get(role.account)!;
    const a = assigned.get(role.account)!;
    const total = weightSum.get(role.account) ?? 0;
    const restIm = r.portfolioMtm - r.initialMargin - a.im;
    const restMm = r.portfolioMtm - r.maintenanceMargin - a.mm;
    // The rest (scenario loss, perp and option add-ons) is shared by the derivatives by notional.
    if (total > 0 && weight[i]! > 0) {
      itemIm[i] = (restIm * weight[i]!) / total;
      itemMm[i] = (restMm * weight[i]!) / total;
    }
  });

  const report = assembleReport({
    model: "derive-pmrm2",
    portfolio,
    market,
    itemInitialUsd: itemIm,
    itemMaintenanceUsd: itemMm,
    itemCollateralUsd: itemValue,
    itemMaintenanceCollateralUsd: itemValue,
    components,
    scenarios,
    flags: mapped.flags,
  });
  return report;
}
