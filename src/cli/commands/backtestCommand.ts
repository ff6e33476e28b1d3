import { mkdirSync, writeFileSync } from "node:fs";
import { basename, dirname } from "node:path";
import { modelBacktestJson } from "../../backtest/backtestJson.js";
import { type BacktestRunOptions, backtestConfig, backtestModel, methodNotes } from "../../backtest/compare.js";
import { coverageVerdict } from "../../backtest/coverageVerdict.js";
import { loadHistoryFolder } from "../../backtest/history/loadHistoryFolder.js";
import { renderBacktestHtml } from "../../backtest/htmlReport.js";
import { buildMarketTimeline } from "../../backtest/timeline.js";
import { formatUsd } from "../../core/decimal.js";
import { MARGIN_MODEL_NAMES } from "../../margin/models.js";
import { historyDir } from "../historyDir.js";
import { checkModelName } from "../modelName.js";
import { progressBar } from "../progress.js";
import { renderTable } from "../table.js";
import { checkDate, latestMarketFile, parsePaths, readPortfolio, staticMarket } from "./backtestInputs.js";

export interface BacktestArgs {
  portfolio: string;
  model: string;
  from?: string;
  to?: string;
  json: boolean;
  /** Write an HTML report here. */
  report?: string;
  /** Folder of daily CSVs (default XMARGIN_HISTORY_DIR, else ../shared/data next to the package). */
  history?: string;
  /** Snapshot whose bridges and chain overrides every day reuses (default the latest examples/market-*.json). */
  market?: string;
  /** Monte Carlo paths per day for xchain. */
  paths?: string;
  /** No progress bar. */
  quiet?: boolean;
}

/** `--model grid`, `--model grid,xchain` or `--model all`: the models to replay, the first one is reported in text. */
function modelList(text: string): string[] {
  if (text === "all") return [...MARGIN_MODEL_NAMES];
  const names = text.split(",").map((m) => checkModelName(m.trim()));
  return [...new Set(names)];
}

/**
 * `xmargin backtest --portfolio P.json --model NAME[,NAME...|all] [--from D --to D] [--json] [--report out.html]`:
 * replays the portfolio on the daily history under the named models only (xchain at --paths); the text shows the
 * first, the JSON and the HTML report (margin per model chart) every one.
 */
export async function backtestCommand(args: BacktestArgs): Promise<string> {
  const models = modelList(args.model);
  const history = loadHistoryFolder(historyDir(args.history), "--history");
  const portfolio = readPortfolio(args.portfolio);
  const paths = parsePaths(args.paths);
  const from = checkDate(args.from, "from");
  const to = checkDate(args.to, "to");
  const options: BacktestRunOptions = {
    ...staticMarket(args.market ?? latestMarketFile()),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    ...(paths ? { paths } : {}),
  };
  const bar = progressBar({ quiet: args.quiet === true });
  const name = basename(args.portfolio, ".json");
  try {
    const timeline = buildMarketTimeline(history, portfolio, options, (d, t) => bar(`${name} market`, d, t));
    const run = (model: string) =>
      backtestModel(history, name, portfolio, timeline, backtestConfig(model, paths), options, bar);
    const all = models.map(run);
    const main = all[0]!;
    if (args.report) {
      const html = await renderBacktestHtml(main, all, methodNotes(options));
      mkdirSync(dirname(args.report), { recursive: true });
      writeFileSync(args.report, html);
    }
    bar.done();
    if (args.json) {
      return JSON.stringify(all.length === 1 ? modelBacktestJson(main) : all.map(modelBacktestJson), null, 2);
    }
    const s = main.summary;
    const c = s.christoffersen;
    const lines = [
      `backtest ${name} (account ${portfolio.accountId}) under ${main.replay.model}: ${s.observations} days ${s.firstDate}..${s.lastDate}, ` +
        `${s.horizonDays}-day loss, coverage ${(s.coverage * 100).toFixed(1)}%`,
      coverageVerdict(s).text,
      renderTable(
        ["statistic", "value"],
        [
          ["exceptions", `${s.exceptions} (${(s.exceptionRate * 100).toFixed(2)}%)`],
          [
            "traffic light",
            `${s.trafficLight.zone} (green 0-${s.trafficLight.greenMax}, red from ${s.trafficLight.redFrom})`,
          ],
          ["Kupiec POF LR / p", `${s.kupiec.lr.toFixed(3)} / ${s.kupiec.pValue.toPrecision(3)}`],
          [
            "Christoffersen ind. LR / p",
            c ? `${c.independence.lr.toFixed(3)} / ${c.independence.pValue.toPrecision(3)}` : "n/a",
          ],
          [
            "cond. coverage LR / p",
            c ? `${c.conditionalCoverage.lr.toFixed(3)} / ${c.conditionalCoverage.pValue.toPrecision(3)}` : "n/a",
          ],
          ["average margin (USD)", formatUsd(s.averageMarginUsd)],
          ["peak margin (USD)", formatUsd(s.peakMarginUsd)],
          ["max 5-day rise (USD)", formatUsd(s.procyclicality.maxIncrease5dUsd)],
          ["max 30-day rise (USD)", formatUsd(s.procyclicality.maxIncrease30dUsd)],
          [
            "peak / trough (ratio)",
            s.procyclicality.peakToTrough === null ? "n/a" : s.procyclicality.peakToTrough.toFixed(2),
          ],
          ["bad debt in crisis windows (USD)", formatUsd(main.badDebtUsd)],
        ],
      ),
      "",
      renderTable(
        ["crisis", "bad debt (USD)", "note"],
        main.liquidation.map((o) => [
          o.window.label,
          o.covered ? formatUsd(o.badDebtUsd ?? 0) : "-",
          o.covered
            ? o.liquidated
              ? `breach ${o.triggerDate}, unwound ${o.executionDate}`
              : "not liquidated"
            : (o.reason ?? ""),
        ]),
      ),
    ];
    if (args.report) lines.push("", `report written to ${args.report}`);
    return lines.join("\n");
  } finally {
    bar.done();
  }
}
