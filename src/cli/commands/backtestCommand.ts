import { mkdirSync, writeFileSync } from "node:fs";
import { basename, dirname } from "node:path";
import { modelBacktestJson } from "../../backtest/backtestJson.js";
import { type BacktestRunOptions, backtestConfig, backtestModel, methodNotes } from "../../backtest/compare.js";
import { loadHistoryFolder } from "../../backtest/history/loadHistoryFolder.js";
import { renderBacktestHtml } from "../../backtest/htmlReport.js";
import { buildMarketTimeline } from "../../backtest/timeline.js";
import { formatUsd } from "../../core/decimal.js";
import { XmarginError } from "../../core/errors.js";
import { MARGIN_MODEL_NAMES } from "../../margin/models.js";
import { historyDir } from "../historyDir.js";
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

/**
 * `xmargin backtest --portfolio P.json --model NAME [--from D --to D] [--json] [--report out.html]`: replays the
 * portfolio on the daily history under one model. With --report, every other model is replayed too for the
 * margin-per-model chart (xchain at --paths).
 */
export async function backtestCommand(args: BacktestArgs): Promise<string> {
  if (!(MARGIN_MODEL_NAMES as readonly string[]).includes(args.model)) {
    throw new XmarginError(`unknown model "${args.model}"`, {
      code: "INVALID_INPUT",
      path: "--model",
      details: `known: ${MARGIN_MODEL_NAMES.join(", ")}`,
    });
  }
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
    const main = run(args.model);
    const all = args.report ? MARGIN_MODEL_NAMES.map((m) => (m === args.model ? main : run(m))) : [main];
    if (args.report) {
      const html = await renderBacktestHtml(main, all, methodNotes(options));
      mkdirSync(dirname(args.report), { recursive: true });
      writeFileSync(args.report, html);
    }
    bar.done();
    if (args.json) return JSON.stringify(modelBacktestJson(main), null, 2);
    const s = main.summary;
    const c = s.christoffersen;
    const lines = [
      `backtest ${name} (account ${portfolio.accountId}) under ${args.model}: ${s.observations} days ${s.firstDate}..${s.lastDate}, ` +
        `${s.horizonDays}-day loss, coverage ${(s.coverage * 100).toFixed(1)}%`,
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
          ["average margin", formatUsd(s.averageMarginUsd)],
          ["peak margin", formatUsd(s.peakMarginUsd)],
          ["max 5-day rise", formatUsd(s.procyclicality.maxIncrease5dUsd)],
          ["max 30-day rise", formatUsd(s.procyclicality.maxIncrease30dUsd)],
          ["peak / trough", s.procyclicality.peakToTrough === null ? "n/a" : s.procyclicality.peakToTrough.toFixed(2)],
          ["bad debt (crisis windows)", formatUsd(main.badDebtUsd)],
        ],
      ),
      "",
      renderTable(
        ["crisis", "bad debt", "note"],
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
