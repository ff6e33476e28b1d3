import { planRebalance } from "../../liquidation/rebalancePlan.js";
import { rebalancePlanToJson } from "../../liquidation/resultJson.js";
import { inFile } from "../loadInputs.js";
import { ratioText } from "../renderReport.js";
import { renderTable, usd } from "../table.js";
import { type AccountArgs, readAccountDocs } from "./healthCommand.js";

/**
 * `xmargin rebalance --portfolio P.json --market M.json [--config C.json | --model NAME] [--params R.json] [--json]`:
 * collateral moves between chains that lower the requirement most per dollar moved (default model xchain).
 */
export function rebalanceCommand(args: AccountArgs): string {
  const docs = readAccountDocs(args, "xchain");
  const plan = inFile(args.portfolio, () => planRebalance(docs));
  if (args.json) return JSON.stringify(rebalancePlanToJson(plan), null, 2);
  const out = [
    `account ${plan.accountId}  model ${plan.model}`,
    `IM ${usd(plan.before.initialMarginUsd)} -> ${usd(plan.after.initialMarginUsd)}; free collateral ` +
      `${usd(plan.before.freeCollateralUsd)} -> ${usd(plan.after.freeCollateralUsd)}; moved ${usd(plan.totalMovedUsd)}, ` +
      `fees ${usd(plan.totalFeesUsd)}, done after ${plan.completionSec}s`,
  ];
  if (plan.moves.length === 0) out.push("no move lowers the requirement by more than it costs");
  else {
    out.push(
      renderTable(
        [
          "#",
          "token",
          "from",
          "to",
          "units",
          "notional (USD)",
          "fee (USD)",
          "route",
          "gain (USD/USD)",
          "IM after (USD)",
          "health (ratio)",
          "in transit (health)",
        ],
        plan.moves.map((m) => [
          String(m.order),
          m.token,
          m.fromChain,
          m.toChain,
          m.units.toPrecision(6),
          usd(m.notionalUsd),
          usd(m.feeUsd),
          `${m.route.name ?? "route"} ${m.route.latencySec}s`,
          m.gainPerUsd.toFixed(4),
          usd(m.initialMarginAfterUsd),
          ratioText(m.healthAfter),
          `${ratioText(m.inTransit.healthRatio)}${m.inTransit.worseInTransit ? " (worse while moving)" : ""}`,
        ]),
      ),
    );
  }
  return out.join("\n");
}
