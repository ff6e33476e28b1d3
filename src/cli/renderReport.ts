import type { MarginReport } from "../margin/report.js";
import { renderTable, usd } from "./table.js";

/** Human-readable margin report: totals, components, breakdowns, worst scenarios, flags. */
export function renderReport(r: MarginReport): string {
  const out: string[] = [];
  out.push(`account ${r.accountId}  model ${r.model}  as of ${r.asOf}`);
  out.push(
    renderTable(
      ["equity", "initial margin", "maintenance margin", "free collateral", "health"],
      [
        [
          usd(r.equityUsd),
          usd(r.initialMarginUsd),
          usd(r.maintenanceMarginUsd),
          usd(r.freeCollateralUsd),
          r.healthRatio === null ? "n/a" : r.healthRatio.toFixed(3),
        ],
      ],
    ),
  );
  out.push("", "components");
  out.push(
    renderTable(
      ["component", "initial", "maintenance", "detail"],
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
        ["key", "equity", "initial", "maintenance"],
        groups.map((g) => [g.key, usd(g.equityUsd), usd(g.initialMarginUsd), usd(g.maintenanceMarginUsd)]),
      ),
    );
  }
  out.push("", "by position");
  out.push(
    renderTable(
      ["id", "position", "value", "initial", "maintenance"],
      r.byPosition.map((p) => [p.id, p.label, usd(p.valueUsd), usd(p.initialMarginUsd), usd(p.maintenanceMarginUsd)]),
    ),
  );
  for (const t of r.scenarios) {
    out.push("", `${t.underlying}: worst scenario "${t.worstScenarioId}" loss ${usd(t.worstLossUsd)}`);
  }
  if (r.flags.length > 0) {
    out.push("", "flags");
    for (const f of r.flags) out.push(`  [${f.severity}] ${f.code}: ${f.message}${f.path ? ` (${f.path})` : ""}`);
  }
  return out.join("\n");
}
