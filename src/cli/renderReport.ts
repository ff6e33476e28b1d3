import type { MarginReport } from "../margin/report.js";
import { renderTable, usd } from "./table.js";

/** The account totals every margin-bearing command prints first, with their units. */
export interface MarginTotals {
  equityUsd: number;
  initialMarginUsd: number;
  maintenanceMarginUsd: number;
  freeCollateralUsd: number;
  healthRatio: number | null;
}

/** Header and row of the totals table (one home for the columns of margin, health, liquidate and what-if). */
export const TOTALS_HEADER = [
  "equity (USD)",
  "initial margin (USD)",
  "maintenance margin (USD)",
  "free collateral (USD)",
  "health (ratio)",
];

export const ratioText = (x: number | null, digits = 3) => (x === null ? "n/a" : x.toFixed(digits));

export function totalsRow(r: MarginTotals): string[] {
  return [
    usd(r.equityUsd),
    usd(r.initialMarginUsd),
    usd(r.maintenanceMarginUsd),
    usd(r.freeCollateralUsd),
    ratioText(r.healthRatio),
  ];
}

/** Human-readable margin report: totals, components, breakdowns, worst scenarios, flags. */
export function renderReport(r: MarginReport): string {
  const out: string[] = [];
  out.push(`account ${r.accountId}  model ${r.model}  as of ${r.asOf}`);
  out.push(renderTable(TOTALS_HEADER, [totalsRow(r)]));
  out.push("", "components");
  out.push(
    renderTable(
      ["component", "initial (USD)", "maintenance (USD)", "detail"],
      r.components.map((c) => [c.name, usd(c.initialMarginUsd), usd(c.maintenanceMarginUsd), c.detail]),
    ),
  );
  for (const [title, groups] of [
    ["by chain", r.byChain],
    ["by underlying", r.byUnderlying],
  ] as const) {
    out.push("", title);
    out.push(
      renderTable(
        ["key", "equity (USD)", "initial (USD)", "maintenance (USD)"],
        groups.map((g) => [g.key, usd(g.equityUsd), usd(g.initialMarginUsd), usd(g.maintenanceMarginUsd)]),
      ),
    );
  }
  out.push("", "by position");
  out.push(
    renderTable(
      ["id", "position", "value (USD)", "initial (USD)", "maintenance (USD)"],
      r.byPosition.map((p) => [p.id, p.label, usd(p.valueUsd), usd(p.initialMarginUsd), usd(p.maintenanceMarginUsd)]),
    ),
  );
  for (const t of r.scenarios) {
    out.push("", `${t.underlying}: worst scenario "${t.worstScenarioId}" loss ${usd(t.worstLossUsd)} USD`);
  }
  if (r.flags.length > 0) {
    out.push("", "flags");
    for (const f of r.flags) out.push(`  [${f.severity}] ${f.code}: ${f.message}${f.path ? ` (${f.path})` : ""}`);
  }
  return out.join("\n");
}
