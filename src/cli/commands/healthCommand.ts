import { formatUsd } from "../../core/decimal.js";
import { invalidInput } from "../../core/errors.js";
import { computeHealth } from "../../liquidation/health.js";
import { healthToJson } from "../../liquidation/resultJson.js";
import type { MarginReport } from "../../margin/report.js";
import { inFile } from "../loadInputs.js";
import { checkModelName } from "../modelName.js";
import { readJsonFile } from "../readJsonFile.js";
import { ratioText, TOTALS_HEADER, totalsRow } from "../renderReport.js";
import { renderTable } from "../table.js";

/** Options shared by `health`, `liquidate`, `rebalance` and `whatif`. */
export interface AccountArgs {
  portfolio: string;
  market: string;
  /** MarginConfig file. */
  config?: string;
  /** Model name (instead of --config). */
  model?: string;
  /** Parameters file of the command (optional; defaults documented in docs/liquidation.md). */
  params?: string;
  json: boolean;
  /** Receives the margin report (health: for `--fail-on`). */
  onReport?: (report: MarginReport) => void;
}

/** Reads the documents of an account command; the liquidation layer validates them. */
export function readAccountDocs(
  args: AccountArgs,
  defaultModel: string,
): { portfolio: unknown; market: unknown; config: unknown; params: unknown } {
  if (args.config && args.model) throw invalidInput("--model", "give either --config or --model, not both");
  if (args.model) checkModelName(args.model);
  return {
    portfolio: readJsonFile(args.portfolio, "portfolio"),
    market: readJsonFile(args.market, "market snapshot"),
    config: args.config ? readJsonFile(args.config, "margin config") : { model: args.model ?? defaultModel },
    params: args.params ? readJsonFile(args.params, "parameters") : undefined,
  };
}

/**
 * `xmargin health --portfolio P.json --market M.json [--config C.json | --model NAME] [--params H.json] [--json]`:
 * equity, IM, MM, health and the liquidation prices per underlying with the time to reach them.
 */
export function healthCommand(args: AccountArgs): string {
  const docs = readAccountDocs(args, "grid");
  const h = inFile(args.portfolio, () => computeHealth(docs));
  args.onReport?.(h.report);
  if (args.json) return JSON.stringify(healthToJson(h), null, 2);
  const out = [`account ${h.accountId}  model ${h.model}  as of ${h.asOf}`];
  out.push(renderTable(TOTALS_HEADER, [totalsRow(h)]));
  if (h.liquidatableNow) out.push("", "LIQUIDATABLE NOW: below maintenance at the snapshot's prices");
  const horizons = h.underlyings[0]?.down?.probabilityWithin ?? h.underlyings[0]?.up?.probabilityWithin ?? [];
  out.push("", "liquidation prices (model re-run at each price; touch probability of a driftless lognormal)");
  out.push(
    renderTable(
      [
        "underlying",
        "spot",
        "side",
        "liq. price",
        "move",
        "health there",
        ...horizons.map((p) => `P(${p.days}d)`),
        "median days",
      ],
      h.underlyings.flatMap((u) =>
        (["down", "up"] as const).map((side) => {
          const l = u[side];
          return [
            u.underlying,
            formatUsd(u.spotUsd),
            side,
            l ? formatUsd(l.priceUsd) : "none",
            l ? `${(100 * l.moveRel).toFixed(2)}%` : "",
            l ? ratioText(l.healthAtPrice, 4) : "",
            ...horizons.map((_, k) => (l ? `${(100 * (l.probabilityWithin[k]?.probability ?? 0)).toFixed(2)}%` : "")),
            l ? l.medianDays.toFixed(1) : "",
          ];
        }),
      ),
    ),
  );
  return out.join("\n");
}
