import { dirname } from "node:path";
import { readAccountPortfolio } from "../../chains/readAccountPortfolio.js";
import { computeMargin } from "../../margin/computeMargin.js";
import type { MarginReport } from "../../margin/report.js";
import { reportToJson } from "../../margin/reportJson.js";
import { buildSnapshot } from "../../oracles/buildSnapshot.js";
import { parseSourcesConfig } from "../../oracles/sourcesConfig.js";
import { snapshotTimeSec } from "../../oracles/sourcesTime.js";
import { inFile } from "../loadInputs.js";
import { checkModelName } from "../modelName.js";
import { readJsonFile } from "../readJsonFile.js";
import { renderReport } from "../renderReport.js";

export interface AccountMarginArgs {
  /** EVM address whose balances are read on every configured chain. */
  account: string;
  /** Path of a SourcesConfig JSON file (docs/oracles.md). */
  sources: string;
  /** Margin model (default grid, as `xmargin margin`). */
  model?: string;
  json: boolean;
  /** Receives the report (for `--fail-on`). */
  onReport?: (report: MarginReport) => void;
}

/**
 * `xmargin margin --account ADDRESS --sources S.json [--model NAME] [--json]`: reads the account's balances and the
 * configured price sources from chain state, then computes the margin report. Failed price sources and per-feed
 * staleness appear as flags in the report; a failed balance read is an IO_ERROR (never a portfolio missing a balance).
 */
export async function accountMarginCommand(args: AccountMarginArgs): Promise<string> {
  const model = checkModelName(args.model ?? "grid");
  const config = inFile(args.sources, () => parseSourcesConfig(readJsonFile(args.sources, "sources config")));
  const nowSec = snapshotTimeSec(config, Math.floor(Date.now() / 1000));
  const [built, portfolio] = await Promise.all([
    buildSnapshot(config, nowSec, { baseDir: dirname(args.sources) }),
    readAccountPortfolio(config, args.account),
  ]);
  const report = computeMargin({ portfolio, market: built.snapshot, config: { model } });
  const withSourceFlags: MarginReport = {
    ...report,
    flags: [...report.flags, ...built.flags.filter((f) => !report.flags.some((g) => g.message === f.message))],
  };
  args.onReport?.(withSourceFlags);
  return args.json ? JSON.stringify(reportToJson(withSourceFlags), null, 2) : renderReport(withSourceFlags);
}
