import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import type { BacktestRunOptions } from "../../backtest/compare.js";
import { methodNotes } from "../../backtest/compare.js";
import { loadHistoryFolder } from "../../backtest/history/loadHistoryFolder.js";
import { renderValidationMarkdown, validateXchain } from "../../backtest/xchainValidation.js";
import { XmarginError } from "../../core/errors.js";
import type { MarketSnapshotInput } from "../../schema/marketSnapshot.js";
import { DEFAULT_EXAMPLES_DIR } from "../../service/paths.js";
import { historyDir } from "../historyDir.js";
import { latestMarketFile, parsePaths, readPortfolio, staticMarket } from "./backtestInputs.js";

export interface XchainValidationArgs {
  /** Folder with portfolios/*.json and market-*.json (default examples/). */
  examples?: string;
  history?: string;
  /** Output folder (default reports/ next to examples/). */
  out?: string;
  paths?: string;
  json: boolean;
}

/**
 * `xmargin xchain-validation [--json]`: the issue-13 validation of xchain on every example portfolio; writes
 * `<out>/xchain-validation.md` and returns it (or the figures as JSON with --json, writing nothing).
 */
export function xchainValidationCommand(args: XchainValidationArgs): string {
  const examples = args.examples ?? DEFAULT_EXAMPLES_DIR;
  const history = loadHistoryFolder(historyDir(args.history), "--history");
  const marketFile = latestMarketFile(examples);
  if (!marketFile) {
    throw new XmarginError(`no market-*.json in ${examples}`, { code: "MISSING_DATA", path: "--examples" });
  }
  const reference = JSON.parse(readFileSync(marketFile, "utf8")) as MarketSnapshotInput;
  const paths = parsePaths(args.paths);
  const options: BacktestRunOptions = { ...staticMarket(marketFile), ...(paths ? { paths } : {}) };
  const dir = join(examples, "portfolios");
  const portfolios = readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => ({ name: basename(f, ".json"), portfolio: readPortfolio(join(dir, f)) }));
  const results = validateXchain(history, portfolios, reference, options);
  if (args.json) return JSON.stringify({ examples: results }, null, 2);
  const markdown = renderValidationMarkdown(results, [
    ...methodNotes(options),
    `Reference requirement (equity - free collateral) on ${basename(marketFile)}; total IM exceptions count a 1-day loss above IM + haircuts, simulated-component exceptions a loss above the simulated ES (or its floor) at the liquidation horizon.`,
  ]);
  const out = args.out ?? join(examples, "..", "reports");
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "xchain-validation.md"), markdown);
  return markdown;
}
