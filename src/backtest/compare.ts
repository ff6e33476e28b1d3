import { MARGIN_MODEL_NAMES } from "../margin/models.js";
import { type AnyMarginConfig, resolveMarginConfig } from "../margin/resolveConfig.js";
import type { VolMethod } from "../risk/estimateRiskFactors.js";
import type { Portfolio } from "../schema/portfolio.js";
import type { History } from "./history/history.js";
import {
  CRISIS_WINDOWS,
  type CrisisWindow,
  type LiquidationOptions,
  liquidationReplay,
  type WindowOutcome,
} from "./liquidation.js";
import { type ReplayResult, replayMargin, templateFor } from "./replay.js";
import { type BacktestSummary, summarizeReplay } from "./summary.js";
import { buildMarketTimeline, type MarketTimeline, type TimelineOptions } from "./timeline.js";

/** Everything the backtest of one portfolio under one model produced. */
export interface ModelBacktest {
  portfolio: string;
  config: AnyMarginConfig;
  replay: ReplayResult;
  summary: BacktestSummary;
  liquidation: WindowOutcome[];
  /** Sum of bad debt over the covered windows. */
  badDebtUsd: number;
}

export interface BacktestRunOptions extends TimelineOptions {
  /** Date the portfolio's strikes/expiries refer to (default 2023-06-30). */
  referenceDate?: string;
  /** Coverage level of the exception tests (default 0.99). */
  coverage?: number;
  /** Monte Carlo paths per day for xchain (default: the model's 10,000). */
  paths?: number;
  windows?: readonly CrisisWindow[];
  liquidation?: LiquidationOptions;
}

export type Progress = (label: string, done: number, total: number) => void;

/** The model's default config, with `paths` and the risk factors' vol method applied to xchain. */
export function backtestConfig(model: string, paths?: number, volMethod?: VolMethod): AnyMarginConfig {
  if (model !== "xchain") return resolveMarginConfig({ model });
  return resolveMarginConfig({
    model,
    ...(paths !== undefined ? { simulation: { paths } } : {}),
    ...(volMethod !== undefined ? { riskFactors: { volMethod } } : {}),
  });
}

/** The vol method a config asks the backtest's daily risk-factor estimate to use (xchain's `riskFactors.volMethod`). */
export function volMethodOf(config: AnyMarginConfig): VolMethod | undefined {
  return config.model === "xchain" ? config.riskFactors.volMethod : undefined;
}

/** Replays one model on a prepared timeline: margins and losses, statistics, crisis liquidations. */
export function backtestModel(
  history: History,
  name: string,
  portfolio: Portfolio,
  timeline: MarketTimeline,
  config: AnyMarginConfig,
  options: BacktestRunOptions = {},
  progress?: Progress,
): ModelBacktest {
  const template = templateFor(history, portfolio, options.referenceDate);
  const replay = replayMargin(timeline, template, config, {}, (d, t) => progress?.(`${name} ${config.model}`, d, t));
  const liquidation = liquidationReplay(
    timeline,
    template,
    config,
    options.windows ?? CRISIS_WINDOWS,
    options.liquidation,
  );
  return modelBacktestOf(name, config, replay, liquidation, options);
}

/** A model's backtest from its replay and its crisis-window outcomes: the statistics and the bad debt added. */
export function modelBacktestOf(
  name: string,
  config: AnyMarginConfig,
  replay: ReplayResult,
  liquidation: WindowOutcome[],
  options: BacktestRunOptions = {},
): ModelBacktest {
  return {
    portfolio: name,
    config,
    replay,
    summary: summarizeReplay(replay, options.coverage ?? 0.99),
    liquidation,
    badDebtUsd: liquidation.reduce((s, o) => s + (o.badDebtUsd ?? 0), 0),
  };
}

/**
 * Every portfolio under every model on the same history: one timeline (daily snapshots) per portfolio, shared by all
 * models, so every model sees exactly the same markets.
 */
export function compareModels(
  history: History,
  portfolios: ReadonlyArray<{ name: string; portfolio: Portfolio }>,
  options: BacktestRunOptions = {},
  models: readonly string[] = MARGIN_MODEL_NAMES,
  progress?: Progress,
): ModelBacktest[] {
  const out: ModelBacktest[] = [];
  for (const entry of portfolios) {
    const timeline = portfolioTimeline(history, entry, options, progress);
    for (const model of models) out.push(backtestNamedModel(history, entry, timeline, model, options, progress));
  }
  return out;
}

/** The daily market snapshots of one portfolio's backtest, shared by every model run on it. */
export function portfolioTimeline(
  history: History,
  entry: { name: string; portfolio: Portfolio },
  options: BacktestRunOptions = {},
  progress?: Progress,
): MarketTimeline {
  return buildMarketTimeline(history, entry.portfolio, options, (d, t) => progress?.(`${entry.name} market`, d, t));
}

/** One (portfolio, model) run of a comparison: the model by name, with the comparison's paths and vol method. */
export function backtestNamedModel(
  history: History,
  entry: { name: string; portfolio: Portfolio },
  timeline: MarketTimeline,
  model: string,
  options: BacktestRunOptions = {},
  progress?: Progress,
): ModelBacktest {
  const config = backtestConfig(model, options.paths, options.volMethod);
  return backtestModel(history, entry.name, entry.portfolio, timeline, config, options, progress);
}

const money = (x: number) =>
  Math.abs(x) >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : Math.abs(x) >= 1e3 ? `${(x / 1e3).toFixed(1)}k` : x.toFixed(0);
const pct = (x: number | null, digits = 0) => (x === null ? "n/a" : `${(x * 100).toFixed(digits)}%`);
const pval = (x: number) => (x < 0.001 ? "<0.001" : x.toFixed(3));

/** The comparison as a markdown table (one row per portfolio and model) with a legend. */
export function renderComparisonMarkdown(results: readonly ModelBacktest[], notes: readonly string[] = []): string {
  const header = [
    "portfolio",
    "model",
    "days",
    "h",
    "exc",
    "rate",
    "zone",
    "Kupiec p",
    "CC p",
    "avg margin",
    "peak margin",
    "max 5d up",
    "max 30d up",
    "peak/trough",
    "bad debt",
    "windows",
  ];
  const rows = results.map((r) => {
    const s = r.summary;
    const covered = r.liquidation.filter((o) => o.covered);
    const liquidated = covered.filter((o) => o.liquidated).length;
    return [
      r.portfolio,
      r.replay.model,
      `${s.observations} (${s.firstDate}..${s.lastDate})`,
      String(s.horizonDays),
      String(s.exceptions),
      pct(s.exceptionRate, 2),
      s.trafficLight.zone,
      pval(s.kupiec.pValue),
      s.christoffersen ? pval(s.christoffersen.conditionalCoverage.pValue) : "n/a",
      money(s.averageMarginUsd),
      money(s.peakMarginUsd),
      pct(s.procyclicality.maxIncrease5dRel),
      pct(s.procyclicality.maxIncrease30dRel),
      s.procyclicality.peakToTrough === null ? "n/a" : s.procyclicality.peakToTrough.toFixed(1),
      money(r.badDebtUsd),
      `${covered.length}/${r.liquidation.length} (${liquidated} liq.)`,
    ];
  });
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  const windows = results[0]?.liquidation.map((o) => o.window) ?? CRISIS_WINDOWS;
  const uncovered = new Map<string, string[]>();
  for (const r of results) {
    if (uncovered.has(r.portfolio)) continue;
    uncovered.set(
      r.portfolio,
      r.liquidation.filter((o) => !o.covered).map((o) => `${o.window.id}: ${o.reason}`),
    );
  }
  const badDebtRows = results.map((r) =>
    line([
      r.portfolio,
      r.replay.model,
      ...r.liquidation.map((o) =>
        !o.covered ? "-" : o.liquidated ? `${money(o.badDebtUsd ?? 0)} (liq. ${o.triggerDate?.slice(5)})` : "0",
      ),
    ]),
  );
  return [
    line(header),
    line(header.map(() => "---")),
    ...rows.map(line),
    "",
    "Bad debt per crisis window (`-`: the data cannot cover the window for that portfolio; `liq. MM-DD`: day the breach was seen):",
    "",
    line(["portfolio", "model", ...windows.map((w) => w.id)]),
    line(["---", "---", ...windows.map(() => "---")]),
    ...badDebtRows,
    "",
    "Windows the data cannot cover:",
    "",
    ...[...uncovered].flatMap(([p, list]) => (list.length ? [`- ${p}: ${list.join("; ")}`] : [`- ${p}: none`])),
    ...(notes.length ? ["", ...notes.map((n) => `- ${n}`)] : []),
  ].join("\n");
}

/** How the numbers were made, for the markdown and HTML reports. */
export function methodNotes(options: BacktestRunOptions = {}): string[] {
  return [
    `Daily closes of ../shared/data; each day's MarketSnapshot uses closes up to that day only: quotes = that close, ` +
      `flat vol surface = EWMA(${options.lambda ?? 0.94}) realised-vol proxy, riskFactors = estimateRiskFactors ` +
      `(per factor on its own history: EWMA with 25% weight on its own ${options.stressWindowDays ?? 250}-day stressed window), depth = trailing ` +
      `${options.volumeWindowDays ?? 30}-day mean volume x the example market's chain share; ${options.warmupDays ?? 90} ` +
      "common days of warm-up before the first margin.",
    `Book: sizes and amounts fixed in units; re-based at each close (perps entered at spot, options re-struck at the ` +
      `moneyness and time to expiry they had against the ${options.referenceDate ?? "2023-06-30"} close, futures at the ` +
      "fair forward with the same time to expiry); funding ignored.",
    "Margin = IM + collateral haircuts (equity - collateral value): the least equity the model lets the account hold. " +
      "Exception: the book's realised loss, each item over its own liquidation horizon in that day's report (rounded to whole days, at least 1), > margin.",
    `Tests at ${((options.coverage ?? 0.99) * 100).toFixed(1)}% coverage: Kupiec POF, Christoffersen independence and ` +
      "conditional coverage (chi-square 1 and 2 dof), Basel traffic light scaled to the number of observations " +
      "(binomial cdf: green < 95%, red >= 99.99%).",
    "Procyclicality: largest rise of the margin over 5 and 30 calendar days (relative to the starting level) and " +
      "peak / trough over the run.",
    "Liquidation replay: account opened the day before each crisis window with cash so that collateral value = IM, " +
      "book held; maintenance checked within each day on every feed's open/high/low (path from the open to the low " +
      "and to the high, previous close's risk factors) and at the close; unwound at the breach point paying the " +
      "square-root unwind cost (xchain liquidity model), at the worst of the day when the open gapped past the " +
      `breach; days without a range: ${options.liquidation?.delayDays ?? 1} day(s) after a breach at a close; ` +
      "bad debt = unpaid loss.",
    `xchain Monte Carlo paths per day: ${options.paths ?? 10_000}.`,
  ];
}
