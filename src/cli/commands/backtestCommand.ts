import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type BacktestRunOptions,
  backtestConfig,
  backtestModel,
  compareModels,
  type ModelBacktest,
  methodNotes,
  type Progress,
  renderComparisonMarkdown,
} from "../../backtest/compare.js";
import { type History, historyOf, parseDailyCsv } from "../../backtest/history.js";
import { marginPerModelSpec, renderBacktestHtml, renderSvg } from "../../backtest/htmlReport.js";
import { buildMarketTimeline } from "../../backtest/timeline.js";
import { formatUsd } from "../../core/decimal.js";
import { XmarginError } from "../../core/errors.js";
import { MARGIN_MODEL_NAMES } from "../../margin/models.js";
import { type BridgeRouteDoc, marketSnapshotSchema } from "../../schema/marketSnapshot.js";
import { type Portfolio, portfolioSchema } from "../../schema/portfolio.js";
import { parseDocument } from "../../schema/validate.js";
import { readJsonFile } from "../readJsonFile.js";
import { renderTable } from "../table.js";

/** Repository root, from dist/src/cli/commands or src/cli/commands. */
const ROOT = join(
  dirname(fileURLToPath(import.meta.url)),
  import.meta.url.includes("/dist/") ? "../../../.." : "../../..",
);
const DEFAULT_HISTORY = join(ROOT, "..", "shared", "data");
const DEFAULT_EXAMPLES = join(ROOT, "examples");

export interface BacktestArgs {
  portfolio: string;
  model: string;
  from?: string;
  to?: string;
  json: boolean;
  /** Write an HTML report here. */
  report?: string;
  /** Folder of daily CSVs (default ../shared/data next to the repository). */
  history?: string;
  /** Snapshot whose bridges and chain overrides every day reuses (default the latest examples/market-*.json). */
  market?: string;
  /** Monte Carlo paths per day for xchain. */
  paths?: string;
  /** No progress bar. */
  quiet?: boolean;
}

/** Reads every `*.csv` of a folder as a daily series named by its file stem. */
export function loadDailyHistory(dir: string): History {
  if (!existsSync(dir)) throw new XmarginError(`no history folder ${dir}`, { code: "IO_ERROR", path: "--history" });
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".csv"))
    .sort();
  if (files.length === 0) throw new XmarginError(`no *.csv in ${dir}`, { code: "IO_ERROR", path: "--history" });
  return historyOf(files.map((f) => parseDailyCsv(readFileSync(join(dir, f), "utf8"), basename(f, ".csv"))));
}

function defaultMarketFile(): string | undefined {
  if (!existsSync(DEFAULT_EXAMPLES)) return undefined;
  const f = readdirSync(DEFAULT_EXAMPLES)
    .filter((x) => /^market-.*\.json$/.test(x))
    .sort()
    .at(-1);
  return f ? join(DEFAULT_EXAMPLES, f) : undefined;
}

/** Bridges and chain overrides of a snapshot file: the static part of every replayed day. */
function staticMarket(file: string | undefined): Pick<BacktestRunOptions, "bridges" | "chains"> {
  if (!file) return {};
  const snap = parseDocument(marketSnapshotSchema, readJsonFile(file, "market snapshot"), "MarketSnapshot");
  return { bridges: snap.bridges as BridgeRouteDoc[], chains: snap.chains };
}

function parsePaths(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 100) {
    throw new XmarginError("--paths must be an integer >= 100", { code: "INVALID_INPUT", path: "--paths" });
  }
  return n;
}

function checkDate(v: string | undefined, name: string): string | undefined {
  if (v !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(v)) {
    throw new XmarginError(`--${name} must be YYYY-MM-DD`, { code: "INVALID_INPUT", path: `--${name}` });
  }
  return v;
}

/** A progress bar on stderr (only when stderr is a terminal; redrawn at most every 100 ms). */
export function progressBar(enabled: boolean = process.stderr.isTTY === true): Progress & { done(): void } {
  let last = 0;
  let drawn = false;
  const fn = ((label: string, done: number, total: number) => {
    if (!enabled) return;
    const now = Date.now();
    if (done < total && now - last < 100) return;
    last = now;
    const width = 30;
    const filled = Math.round((width * done) / Math.max(1, total));
    process.stderr.write(
      `\r[${"#".repeat(filled)}${" ".repeat(width - filled)}] ${String(Math.round((100 * done) / Math.max(1, total))).padStart(3)}% ${label}`.padEnd(
        90,
      ),
    );
    drawn = true;
  }) as Progress & { done(): void };
  fn.done = () => {
    if (drawn) process.stderr.write(`\r${" ".repeat(90)}\r`);
    drawn = false;
  };
  return fn;
}

function readPortfolio(file: string): Portfolio {
  return parseDocument(portfolioSchema, readJsonFile(file, "portfolio"), "Portfolio");
}

function resultJson(r: ModelBacktest): unknown {
  const s = r.summary;
  return {
    portfolio: r.portfolio,
    model: r.replay.model,
    firstDate: s.firstDate,
    lastDate: s.lastDate,
    observations: s.observations,
    horizonDays: s.horizonDays,
    modelHorizonDays: r.replay.modelHorizonDays,
    coverage: s.coverage,
    exceptions: s.exceptions,
    exceptionRate: s.exceptionRate,
    exceptionDates: s.exceptionDates,
    kupiec: s.kupiec,
    christoffersen: s.christoffersen && {
      counts: s.christoffersen.counts,
      independence: s.christoffersen.independence,
      conditionalCoverage: s.christoffersen.conditionalCoverage,
    },
    trafficLight: s.trafficLight,
    averageMargin: formatUsd(s.averageMarginUsd),
    peakMargin: formatUsd(s.peakMarginUsd),
    averageInitialMargin: formatUsd(s.averageInitialMarginUsd),
    maxLoss: formatUsd(s.maxLossUsd),
    procyclicality: {
      maxIncrease5d: formatUsd(s.procyclicality.maxIncrease5dUsd),
      maxIncrease30d: formatUsd(s.procyclicality.maxIncrease30dUsd),
      maxIncrease5dRel: s.procyclicality.maxIncrease5dRel,
      maxIncrease30dRel: s.procyclicality.maxIncrease30dRel,
      peakToTrough: s.procyclicality.peakToTrough,
    },
    badDebt: formatUsd(r.badDebtUsd),
    crises: r.liquidation.map((o) => ({
      window: o.window.id,
      label: o.window.label,
      covered: o.covered,
      ...(o.covered
        ? {
            openDate: o.openDate,
            fundedEquity: formatUsd(o.fundedEquityUsd ?? 0),
            liquidated: o.liquidated,
            triggerDate: o.triggerDate ?? null,
            executionDate: o.executionDate ?? null,
            unwindCost: o.unwindCostUsd === undefined ? null : formatUsd(o.unwindCostUsd),
            badDebt: formatUsd(o.badDebtUsd ?? 0),
          }
        : { reason: o.reason }),
    })),
    days: r.replay.days.map((d) => ({
      date: d.date,
      margin: formatUsd(d.marginUsd),
      initialMargin: formatUsd(d.initialMarginUsd),
      loss: d.lossUsd === null ? null : formatUsd(d.lossUsd),
      exception: d.exception,
    })),
  };
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
  const history = loadDailyHistory(args.history ?? DEFAULT_HISTORY);
  const portfolio = readPortfolio(args.portfolio);
  const paths = parsePaths(args.paths);
  const from = checkDate(args.from, "from");
  const to = checkDate(args.to, "to");
  const options: BacktestRunOptions = {
    ...staticMarket(args.market ?? defaultMarketFile()),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    ...(paths ? { paths } : {}),
  };
  const bar = progressBar(args.quiet ? false : undefined);
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
    if (args.json) return JSON.stringify(resultJson(main), null, 2);
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

export interface BacktestCompareArgs {
  /** Folder with portfolios/*.json and market-*.json (default examples/). */
  examples?: string;
  history?: string;
  /** Output folder (default reports/). */
  out?: string;
  paths?: string;
  from?: string;
  to?: string;
  quiet?: boolean;
}

/**
 * Every example portfolio under every model on the real history: writes `<out>/backtest-comparison.md` (the table)
 * and `<out>/backtest-comparison.html` (margin per model charts) and returns the markdown.
 */
export async function backtestCompareCommand(args: BacktestCompareArgs = {}): Promise<string> {
  const examples = args.examples ?? DEFAULT_EXAMPLES;
  const history = loadDailyHistory(args.history ?? DEFAULT_HISTORY);
  const paths = parsePaths(args.paths);
  const from = checkDate(args.from, "from");
  const to = checkDate(args.to, "to");
  const market = readdirSync(examples)
    .filter((x) => /^market-.*\.json$/.test(x))
    .sort()
    .at(-1);
  const options: BacktestRunOptions = {
    ...staticMarket(market ? join(examples, market) : undefined),
    ...(paths ? { paths } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
  };
  const dir = join(examples, "portfolios");
  const portfolios = readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => ({ name: basename(f, ".json"), portfolio: readPortfolio(join(dir, f)) }));
  const bar = progressBar(args.quiet ? false : undefined);
  const started = Date.now();
  const results: ModelBacktest[] = [];
  const times: string[] = [];
  try {
    for (const p of portfolios) {
      const t0 = Date.now();
      results.push(...compareModels(history, [p], options, MARGIN_MODEL_NAMES, bar));
      times.push(`${p.name} ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
  } finally {
    bar.done();
  }
  const seconds = (Date.now() - started) / 1000;
  const notes = [
    ...methodNotes(options),
    `Bridges and chain overrides from ${market ?? "none"}; run time ${seconds.toFixed(0)} s in one Node process ` +
      `(all four models per portfolio: ${times.join(", ")}).`,
  ];
  const md = [
    "# Backtest comparison: example portfolios x margin models on the real daily history",
    "",
    "Generated by `backtestCompareCommand` (src/cli/commands/backtestCommand.ts); method in docs/backtest.md.",
    "",
    renderComparisonMarkdown(results, notes),
    "",
  ].join("\n");
  const out = args.out ?? join(ROOT, "reports");
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "backtest-comparison.md"), md);
  const charts: string[] = [];
  for (const p of portfolios) {
    const mine = results.filter((r) => r.portfolio === p.name);
    charts.push(`<h2>${p.name}</h2><figure>${await renderSvg(marginPerModelSpec(mine))}</figure>`);
  }
  writeFileSync(
    join(out, "backtest-comparison.html"),
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>xmargin backtest comparison</title>` +
      `<style>body{font-family:system-ui,sans-serif;margin:24px;max-width:1200px}</style></head><body>` +
      `<h1>Margin over time per model</h1><p>See backtest-comparison.md for the statistics.</p>${charts.join("\n")}</body></html>\n`,
  );
  return md;
}
