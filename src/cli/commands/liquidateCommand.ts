import { planLiquidation } from "../../liquidation/liquidationPlan.js";
import { liquidationPlanToJson } from "../../liquidation/resultJson.js";
import { inFile } from "../loadInputs.js";
import { TOTALS_HEADER, totalsRow } from "../renderReport.js";
import { renderTable, usd } from "../table.js";
import { type AccountArgs, readAccountDocs } from "./healthCommand.js";

/**
 * `xmargin liquidate --portfolio P.json --market M.json [--config C.json | --model NAME] [--params L.json] [--json]`:
 * the cheapest partial liquidation that restores initial margin, or a statement that it cannot be restored.
 */
export function liquidateCommand(args: AccountArgs): string {
  const docs = readAccountDocs(args, "grid");
  const plan = inFile(args.portfolio, () => planLiquidation(docs));
  if (args.json) return JSON.stringify(liquidationPlanToJson(plan), null, 2);
  const out = [`account ${plan.accountId}  model ${plan.model}  status ${plan.status.toUpperCase()}`, plan.message, ""];
  out.push(
    renderTable(
      ["", ...TOTALS_HEADER],
      [plan.before, plan.after].map((r, i) => [i === 0 ? "before" : "after", ...totalsRow(r)]),
    ),
  );
  if (plan.steps.length > 0) {
    out.push("", `steps (${plan.method}; total cost ${usd(plan.totalCostUsd)}; done after ${plan.completionSec}s)`);
    out.push(
      renderTable(
        [
          "#",
          "action",
          "item",
          "chain",
          "units",
          "share",
          "notional (USD)",
          "cost (USD)",
          "ready (s)",
          "free after (USD)",
        ],
        plan.steps.map((s) => [
          String(s.order),
          s.action,
          s.label,
          s.toChain ? `${s.chain}->${s.toChain}` : s.chain,
          s.units.toPrecision(6),
          `${(100 * s.fractionOfItem).toFixed(1)}%`,
          usd(s.notionalUsd),
          usd(s.costUsd),
          String(s.readyAfterSec),
          usd(s.freeCollateralAfterUsd),
        ]),
      ),
    );
  }
  return out.join("\n");
}
