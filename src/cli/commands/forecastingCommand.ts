import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BacktestRunOptions } from "../../backtest/compare.js";
import {
  FORECAST_METHODS,
  type ForecastStudy,
  type ForecastStudyOptions,
  runForecastStudy,
} from "../../backtest/forecastComparison.js";
import { loadHistoryFolder } from "../../backtest/history/loadHistoryFolder.js";
import { backtestVolMethods, type VolMethodRun, walkForwardWeights } from "../../backtest/volMethodBacktest.js";
import { XmarginError } from "../../core/errors.js";
import type { VolMethod } from "../../risk/estimateRiskFactors.js";
import type { MarketSnapshotInput } from "../../schema/marketSnapshot.js";
import { DEFAULT_EXAMPLES_DIR } from "../../service/paths.js";
import { historyDir } from "../historyDir.js";
import { progressBar } from "../progress.js";
import { renderTable } from "../table.js";
import { latestMarketFile, parsePaths, readPortfolio, staticMarket } from "./backtestInputs.js";
import { loadForecastHistory, ML_GRID } from "./forecastInputs.js";

const ROOT = join(
  dirname(fileURLToPath(import.meta.url)),
  import.meta.url.includes("/dist/") ? "../../../.." : "../../..",
);

/** The split of the published report: validation 2021-2022, test from 2023 to the end of the files. */
export const REPORT_STUDY: ForecastStudyOptions = {
  validation: { from: "2021-01-01", to: "2022-12-31", refitDays: 182 },
  test: { from: "2023-01-01", to: "2099-12-31", refitDays: 91 },
  ewmaLambdas: [0.9, 0.94, 0.97],
  mlGrid: ML_GRID,
  significance: 0.05,
  coverage: 0.99,
};

export interface ForecastingArgs {
  history?: string;
  /** Directory the report files are written to; default reports/. */
  out?: string;
  json: boolean;
  /** `--quiet`: no progress bar. */
  quiet?: boolean;
  /** `--paths N`: also backtest xchain on the examples with each vol method (slow), N Monte Carlo paths a day. */
  paths?: string;
  /** Window of that backtest (default 2022-01-01 to the end of the history). */
  from?: string;
  to?: string;
}

/** The backtest section's vol methods and walk-forward refits of the learned model (each on data before it). */
const BACKTEST_METHODS: readonly VolMethod[] = ["ewma", "garch", "ml", "auto"];
const BACKTEST_REFITS = ["2020-01-01", "2021-01-01", "2022-01-01", "2023-01-01", "2024-01-01", "2025-01-01"];
const BACKTEST_FROM = "2022-01-01";

interface BacktestSection {
  from: string;
  to: string | null;
  paths: number;
  refitDates: string[];
  runs: VolMethodRun[];
}

function backtestMarkdown(b: BacktestSection | undefined): string[] {
  if (!b) {
    return [
      "## xchain backtest of the examples with each vol method",
      "",
      "Not run in this generation: `xmargin forecasting --paths N [--from D] [--to D]` adds it (slow: every example, every method).",
    ];
  }
  const money = (x: number) => (Math.abs(x) >= 1e3 ? `${(x / 1e3).toFixed(1)}k` : x.toFixed(0));
  const rows = b.runs.flatMap((run) =>
    run.examples.map((e) => [
      e.name,
      run.method,
      `${e.firstDate}..${e.lastDate}`,
      `${e.total.exceptions} / ${e.total.observations}`,
      f(e.total.kupiecP),
      `${e.simulated.exceptions}`,
      f(e.simulated.kupiecP),
      money(e.averageInitialMarginUsd),
      e.badDebt.some((d) => d.badDebtUsd !== null)
        ? money(e.badDebt.reduce((s, d) => s + (d.badDebtUsd ?? 0), 0))
        : "-",
    ]),
  );
  return [
    "## xchain backtest of the examples with each vol method",
    "",
    `Window ${b.from}..${b.to ?? "end of history"} (a shorter window than the full history, to run in minutes), ${b.paths} Monte Carlo paths a day. ` +
      "The method is the xchain config's `riskFactors.volMethod`; the backtest's daily risk factors are `estimateRiskFactors` with it. " +
      `The learned model is refitted walk-forward at ${b.refitDates.join(", ")} (hyper-parameters chosen above, each fit on targets dated before its refit date); ` +
      'each day uses the latest fit trained through that day. "auto" uses ml only for the factors where the headline makes it the default.',
    "",
    renderTable(
      [
        "example",
        "method",
        "days",
        "total IM exc.",
        "Kupiec p",
        "simulated exc.",
        "Kupiec p (sim.)",
        "avg IM",
        "bad debt (covered windows)",
      ],
      rows,
    ),
  ];
}

const e = (x: number): string => x.toExponential(3);
const f = (x: number, d = 3): string => (Number.isFinite(x) ? x.toFixed(d) : String(x));

function verdict(r: ForecastStudy["factors"][number]): string {
  if (r.defaultMethod === "ml") return "ml wins: default -> ml";
  if (r.mlWins) return "ml wins on QLIKE but coverage worse: default stays ewma";
  return `ml does not win (DM p ${f(r.dmPValue)}): default stays ewma`;
}

/** Markdown of a study: method, hyper-parameters, per-factor scores, DM tests and the verdicts. */
export function renderForecastingMarkdown(study: ForecastStudy, seconds: number, backtest?: BacktestSection): string {
  const o = study.options;
  const rows = study.factors;
  const wins = rows.filter((r) => r.defaultMethod === "ml").map((r) => r.factor);
  const hyper = Object.entries(study.chosenHyper).map(
    ([g, h]) =>
      `- ${g}: hidden ${h.hidden}, epochs ${h.epochs}, L2 ${h.l2}, learning rate ${h.learningRate}, batch ${h.batchSize}, seed ${h.seed} ` +
      `(validation QLIKE per grid point: ${(study.validationQlike[g as keyof typeof study.validationQlike] ?? []).map((q) => f(q, 4)).join(", ")})`,
  );
  return [
    "# Volatility forecasting: statistical baselines vs the learned model",
    "",
    "Generated by `xmargin forecasting` from the daily history in ../shared/data " +
      `(${f(seconds, 0)} s on this machine). Do not edit by hand.`,
    "",
    "## Headline",
    "",
    wins.length
      ? `The learned model beats the best statistical method out of sample (one-sided Diebold-Mariano p < ${o.significance}, coverage not worse) on: ${wins.join(", ")}. Its default changes there only.`
      : `The learned model does not beat the best statistical method out of sample on any factor at p < ${o.significance}; every default stays EWMA.`,
    `Where it does not win: ${
      rows
        .filter((r) => r.defaultMethod !== "ml")
        .map((r) => r.factor)
        .join(", ") || "none"
    }.`,
    "",
    renderTable(
      [
        "factor",
        "days",
        "QLIKE ewma",
        "QLIKE garch",
        "QLIKE har",
        "QLIKE ml",
        "best stat",
        "DM stat",
        "DM p",
        "verdict",
      ],
      rows.map((r) => [
        r.factor,
        String(r.testDays),
        f(r.scores.ewma.qlike, 4),
        f(r.scores.garch.qlike, 4),
        f(r.scores.har.qlike, 4),
        f(r.scores.ml.qlike, 4),
        r.bestStatistical,
        f(r.dmStatistic, 2),
        f(r.dmPValue),
        verdict(r),
      ]),
    ),
    "",
    "## Mean squared error of the variance forecast",
    "",
    renderTable(
      ["factor", ...FORECAST_METHODS.map((m) => `MSE ${m}`)],
      rows.map((r) => [r.factor, ...FORECAST_METHODS.map((m) => e(r.scores[m].mse))]),
    ),
    "",
    `## 99% one-day VaR coverage (expected ${f((1 - o.coverage) * 100, 0)}% exceptions; Kupiec p in brackets)`,
    "",
    renderTable(
      ["factor", "days", ...FORECAST_METHODS],
      rows.map((r) => [
        r.factor,
        String(r.testDays),
        ...FORECAST_METHODS.map((m) => `${r.scores[m].exceptions} (${f(r.scores[m].kupiecPValue, 2)})`),
      ]),
    ),
    "",
    "## Method",
    "",
    "- Target: the next day's variance of the log return, scored against the squared return. QLIKE is reported as " +
      "mean(ln f + r^2/f) (Patton 2011; lower is better, differences are what matter); MSE as mean((r^2 - f)^2).",
    `- Validation window ${o.validation.from}..${o.validation.to} (refit every ${o.validation.refitDays} days), test window from ${o.test.from} to the end of each file (refit every ${o.test.refitDays} days). Every fit at a refit date uses only returns dated before it (expanding window).`,
    `- EWMA: lambda per factor chosen on validation from ${o.ewmaLambdas.join(", ")} (chosen: ${rows.map((r) => `${r.factor} ${r.ewmaLambda}`).join(", ")}).`,
    "- GARCH(1,1): Gaussian maximum likelihood (src/risk/garch.ts) refitted at each refit date, filtered daily in between.",
    "- HAR-OLS: r^2_{t+1} on 1, r^2_t, RV5, RV22 by least squares at each refit date; non-positive forecasts fall back to RV22.",
    "- Learned model: a one-hidden-layer tanh network (tfjs, CPU backend, seeded) predicting ln(next variance / EWMA(0.94) variance) " +
      "with the QLIKE loss, pooled per group (underlyings; basis factors). Features: HAR realised variances (1, 5, 22 days) and the " +
      "long-run level relative to EWMA, signed and absolute standardised return, BTC's 5/22-day variance ratio and 22-day correlation " +
      "with BTC, the basis spread |ln price| of peg/ratio series, ln(volume / 22-day mean). Hyper-parameters chosen on validation:",
    ...hyper,
    `- Diebold-Mariano: QLIKE loss differential ml - best statistical method (lowest test QLIKE of EWMA, GARCH, HAR), Newey-West variance, one-sided. The default changes to ml only where p < ${o.significance} and the 99% VaR coverage is not worse (Kupiec p >= 0.05 or no more exceptions).`,
    ...(rows.some((r) => r.notes.length)
      ? ["", "## Notes", "", ...rows.flatMap((r) => r.notes.map((n) => `- ${r.factor}: ${n}`))]
      : []),
    "",
    ...backtestMarkdown(backtest),
    "",
  ].join("\n");
}

/** Walk-forward fits, then the xchain validation of every example once per vol method. */
async function runBacktestSection(
  study: ForecastStudy,
  paths: number,
  args: ForecastingArgs,
): Promise<BacktestSection> {
  const history = loadHistoryFolder(historyDir(args.history), "--history");
  const from = args.from ?? BACKTEST_FROM;
  const refitDates = BACKTEST_REFITS.filter((d) => !args.to || d <= args.to);
  const mlDefault = study.factors.filter((r) => r.defaultMethod === "ml").map((r) => r.factor);
  const weights = await walkForwardWeights(history, refitDates, study.chosenHyper, mlDefault);
  const marketFile = latestMarketFile(DEFAULT_EXAMPLES_DIR);
  if (!marketFile) throw new XmarginError(`no market-*.json in ${DEFAULT_EXAMPLES_DIR}`, { code: "MISSING_DATA" });
  const reference = JSON.parse(readFileSync(marketFile, "utf8")) as MarketSnapshotInput;
  const dir = join(DEFAULT_EXAMPLES_DIR, "portfolios");
  const examples = readdirSync(dir)
    .filter((x) => x.endsWith(".json"))
    .sort()
    .map((x) => ({ name: basename(x, ".json"), portfolio: readPortfolio(join(dir, x)) }));
  const options: BacktestRunOptions = { ...staticMarket(marketFile), paths, from, ...(args.to ? { to: args.to } : {}) };
  const runs = backtestVolMethods(history, examples, reference, BACKTEST_METHODS, weights, options, (m) => {
    if (!args.quiet) process.stderr.write(`xchain backtest, vol method ${m}\n`);
  });
  return { from, to: args.to ?? null, paths, refitDates, runs };
}

/** `xmargin forecasting`: regenerates reports/forecasting.md and reports/forecasting.json. */
export async function forecastingCommand(args: ForecastingArgs): Promise<string> {
  const started = Date.now();
  const history = loadForecastHistory(historyDir(args.history));
  const bar = progressBar({ quiet: args.quiet === true });
  let study: ForecastStudy;
  try {
    study = await runForecastStudy(history.factors, history.market, REPORT_STUDY, bar);
  } finally {
    bar.done();
  }
  const paths = parsePaths(args.paths);
  let backtest: BacktestSection | undefined;
  if (paths !== undefined) backtest = await runBacktestSection(study, paths, args);
  const seconds = (Date.now() - started) / 1000;
  const out = args.out ?? join(ROOT, "reports");
  mkdirSync(out, { recursive: true });
  const json = JSON.stringify(
    { generatedInSeconds: Math.round(seconds), ...study, ...(backtest ? { xchainBacktest: backtest } : {}) },
    null,
    2,
  );
  const markdown = renderForecastingMarkdown(study, seconds, backtest);
  writeFileSync(join(out, "forecasting.md"), markdown);
  writeFileSync(join(out, "forecasting.json"), `${json}\n`);
  return args.json ? json : markdown;
}
