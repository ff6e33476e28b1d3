import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import type { BacktestRunOptions } from "../../backtest/compare.js";
import { methodNotes } from "../../backtest/compare.js";
import { loadHistoryFolder } from "../../backtest/history/loadHistoryFolder.js";
import { residualDiagnostics } from "../../backtest/residualDiagnostics.js";
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
  const lastDate = results.map((r) => r.lastDate).sort()[0] ?? "";
  const residuals = residualDiagnostics(
    history,
    portfolios.map((p) => p.portfolio),
    lastDate,
  );
  if (args.json) return JSON.stringify({ examples: results, residuals }, null, 2);
  const markdown = renderValidationMarkdown(
    results,
    [
      ...methodNotes(options),
      `Reference requirement (equity - free collateral) on ${basename(marketFile)}.`,
      "Total IM: an exception is a realised loss above IM + haircuts, each item's loss over its own liquidation horizon in that day's report (rounded to whole days, at least 1).",
      "Simulated component (Basel 2.5 / FRTB style: backtest a 1-day 99% VaR while charging a stressed, longer-horizon measure): the model's 1-day 99% VaR of the book's simulated P&L (margin/xchain/backtestVar.ts: the same Monte Carlo paths scaled to 1 day, each factor at its current EWMA vol instead of its anti-procyclicality floor, basis factors at the vol of their raw closes, every chain at face value; no floor, add-on, event or IM buffer) against the realised 1-day P&L (every token on its own price series).",
      "Simulated component, innovations: filtered historical simulation (each factor's EWMA-standardised residuals of the last 4 years at today's vol, t(4) copula; Barone-Adesi et al. 1999); the vol factor of an option underlying estimated from the surfaces' own vol history (the proxy): move response k by least squares, its vol from the residual.",
      "Bad debt: the liquidation replay checks the maintenance requirement within each day on the open/high/low of every feed (prices from the open to the day's low and to its high, re-margined with the previous close's risk factors) and at the close; the book is unwound at the breach point plus the square-root unwind cost, or at the worst of the day when the open had already gapped past the breach. MM is the risk over the liquidation horizon (base 1 day + finality + bridging), the time from breach to completed unwind; IM = MM / 0.8.",
    ],
    residuals,
  );
  const out = args.out ?? join(examples, "..", "reports");
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "xchain-validation.md"), markdown);
  return markdown;
}
