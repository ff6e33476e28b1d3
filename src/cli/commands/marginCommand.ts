import { invalidInput } from "../../core/errors.js";
import { runMarginModel } from "../../margin/computeMargin.js";
import { parseRulebook } from "../../margin/policy/rulebook.js";
import type { MarginReport } from "../../margin/report.js";
import { reportToJson } from "../../margin/reportJson.js";
import { resolveMarginConfig } from "../../margin/resolveConfig.js";
import { inFile, loadMarket, loadPortfolio } from "../loadInputs.js";
import { checkModelName } from "../modelName.js";
import { readJsonFile } from "../readJsonFile.js";
import { renderReport } from "../renderReport.js";

export interface MarginArgs {
  portfolio: string;
  market: string;
  config?: string;
  model?: string;
  /** Rulebook JSON evaluated after the model instead of the default one. */
  rules?: string;
  json: boolean;
  /** Receives the report (for `--fail-on`). */
  onReport?: (report: MarginReport) => void;
}

/** `xmargin margin`: one model's report (default grid). */
export function marginCommand(args: MarginArgs): string {
  if (args.config && args.model) throw invalidInput("--model", "give either --config or --model, not both");
  if (args.model) checkModelName(args.model);
  const config = args.config
    ? inFile(args.config, () => resolveMarginConfig(readJsonFile(args.config!, "margin config")))
    : resolveMarginConfig({ model: args.model ?? "grid" });
  const market = loadMarket(args.market);
  const portfolio = loadPortfolio(args.portfolio, market);
  const rulebook = args.rules
    ? inFile(args.rules, () => parseRulebook(readJsonFile(args.rules!, "rulebook")))
    : undefined;
  const report = runMarginModel(portfolio, market, config, rulebook ? { rulebook } : {});
  args.onReport?.(report);
  return args.json ? JSON.stringify(reportToJson(report), null, 2) : renderReport(report);
}
