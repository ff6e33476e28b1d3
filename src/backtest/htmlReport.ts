import * as vega from "vega";
import * as vl from "vega-lite";
import type { ModelBacktest } from "./compare.js";

/** Renders a vega-lite spec to an SVG string in Node (no canvas, no network). */
export async function renderSvg(spec: vl.TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const usd = (x: number) => `${x < 0 ? "-" : ""}$${Math.abs(x).toLocaleString("en-US", { maximumFractionDigits: 0 })}`;
const pct = (x: number | null, d = 1) => (x === null ? "n/a" : `${(x * 100).toFixed(d)}%`);
const r2 = (x: number) => Math.round(x * 100) / 100;

/** Margin vs realised loss of one model, exceptions marked. */
export function marginVsLossSpec(result: ModelBacktest, width = 1000): vl.TopLevelSpec {
  const marginLabel = "margin (IM + haircuts)";
  const lossLabel = `realised ${result.replay.horizonDays}-day loss`;
  const rows = result.replay.days.flatMap((d) => [
    { date: d.date, series: marginLabel, usd: r2(d.marginUsd) },
    ...(d.lossUsd === null ? [] : [{ date: d.date, series: lossLabel, usd: r2(d.lossUsd) }]),
  ]);
  const exceptions = result.replay.days
    .filter((d) => d.exception)
    .map((d) => ({ date: d.date, usd: r2(d.lossUsd ?? 0), series: "exception (loss > margin)" }));
  const color = {
    field: "series",
    type: "nominal" as const,
    scale: { domain: [marginLabel, lossLabel, "exception (loss > margin)"], range: ["#1f77b4", "#999999", "#d62728"] },
    legend: { labelLimit: 400, orient: "top" as const },
    title: null,
  };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: `${result.portfolio}: ${result.replay.model} margin vs realised loss (${result.summary.exceptions} exceptions)`,
    width,
    height: 320,
    layer: [
      {
        data: { values: rows },
        mark: { type: "line", strokeWidth: 1 },
        encoding: {
          x: { field: "date", type: "temporal", title: null },
          y: { field: "usd", type: "quantitative", title: "USD" },
          color,
        },
      },
      {
        data: { values: exceptions },
        mark: { type: "point", filled: true, size: 40 },
        encoding: {
          x: { field: "date", type: "temporal" },
          y: { field: "usd", type: "quantitative" },
          color,
        },
      },
    ],
  };
}

/** Margin over time of every model of one portfolio. */
export function marginPerModelSpec(results: readonly ModelBacktest[], width = 1000): vl.TopLevelSpec {
  const rows = results.flatMap((r) =>
    r.replay.days.map((d) => ({ date: d.date, model: r.replay.model, usd: r2(d.marginUsd) })),
  );
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: `${results[0]?.portfolio ?? ""}: margin (IM + haircuts) per model`,
    width,
    height: 280,
    data: { values: rows },
    mark: { type: "line", strokeWidth: 1 },
    encoding: {
      x: { field: "date", type: "temporal", title: null },
      y: { field: "usd", type: "quantitative", title: "USD" },
      color: { field: "model", type: "nominal", title: "model", legend: { orient: "top" } },
    },
  };
}

function summaryTable(results: readonly ModelBacktest[]): string {
  const head = [
    "model",
    "observations",
    "horizon (days)",
    "exceptions",
    "rate",
    "traffic light",
    "Kupiec LR / p",
    "Christoffersen ind. LR / p",
    "cond. coverage LR / p",
    "avg margin",
    "peak margin",
    "max 5-day rise",
    "max 30-day rise",
    "peak / trough",
    "bad debt (crises)",
  ];
  const rows = results.map((r) => {
    const s = r.summary;
    const c = s.christoffersen;
    return [
      r.replay.model,
      `${s.observations} (${s.firstDate}..${s.lastDate})`,
      String(s.horizonDays),
      String(s.exceptions),
      pct(s.exceptionRate, 2),
      `${s.trafficLight.zone} (green 0-${s.trafficLight.greenMax}, red ${s.trafficLight.redFrom}+)`,
      `${s.kupiec.lr.toFixed(2)} / ${s.kupiec.pValue.toPrecision(3)}`,
      c ? `${c.independence.lr.toFixed(2)} / ${c.independence.pValue.toPrecision(3)}` : "n/a",
      c ? `${c.conditionalCoverage.lr.toFixed(2)} / ${c.conditionalCoverage.pValue.toPrecision(3)}` : "n/a",
      usd(s.averageMarginUsd),
      usd(s.peakMarginUsd),
      `${usd(s.procyclicality.maxIncrease5dUsd)} (${pct(s.procyclicality.maxIncrease5dRel, 0)})`,
      `${usd(s.procyclicality.maxIncrease30dUsd)} (${pct(s.procyclicality.maxIncrease30dRel, 0)})`,
      s.procyclicality.peakToTrough === null ? "n/a" : s.procyclicality.peakToTrough.toFixed(2),
      usd(r.badDebtUsd),
    ];
  });
  return table(head, rows);
}

function table(head: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join("")}</tr>`)
    .join("")}</tbody></table>`;
}

function liquidationTable(result: ModelBacktest): string {
  return table(
    [
      "window",
      "covered",
      "opened",
      "funded equity",
      "liquidated",
      "breach seen",
      "unwound",
      "equity at unwind",
      "unwind cost",
      "bad debt",
    ],
    result.liquidation.map((o) =>
      o.covered
        ? [
            `${o.window.label} (${o.window.start}..${o.window.end})`,
            "yes",
            o.openDate ?? "",
            usd(o.fundedEquityUsd ?? 0),
            o.liquidated ? "yes" : "no",
            o.triggerDate ?? "",
            o.executionDate ?? "",
            o.equityAtExecutionUsd === undefined ? "" : usd(o.equityAtExecutionUsd),
            o.unwindCostUsd === undefined ? "" : usd(o.unwindCostUsd),
            usd(o.badDebtUsd ?? 0),
          ]
        : [
            `${o.window.label} (${o.window.start}..${o.window.end})`,
            `no: ${o.reason ?? ""}`,
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
          ],
    ),
  );
}

/**
 * Self-contained HTML report of one portfolio's backtest: summary statistics for every model given, the chosen
 * model's margin vs realised loss chart with exceptions marked, margin over time per model, and the crisis
 * liquidation replay. Charts are inline SVG (vega-lite rendered in Node): the file opens offline.
 * @param main the model the report is about (must be one of `all`)
 * @param all every model of the same portfolio (for the per-model chart and table)
 * @param notes method notes printed at the end
 */
export async function renderBacktestHtml(
  main: ModelBacktest,
  all: readonly ModelBacktest[],
  notes: readonly string[] = [],
): Promise<string> {
  const chart1 = await renderSvg(marginVsLossSpec(main));
  const chart2 = all.length > 1 ? await renderSvg(marginPerModelSpec(all)) : "";
  const s = main.summary;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(`xmargin backtest: ${main.portfolio} / ${main.replay.model}`)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}
table{border-collapse:collapse;font-size:13px;margin:8px 0 20px}
th,td{border:1px solid #ccc;padding:3px 6px;text-align:right}th{background:#f3f3f3}td:first-child{text-align:left}
.green{color:#2a7d2a}.yellow{color:#b58900}.red{color:#c0392b}figure{margin:0 0 24px}
</style></head><body>
<h1>Backtest: ${esc(main.portfolio)} under <code>${esc(main.replay.model)}</code></h1>
<p>${s.observations} daily observations ${esc(s.firstDate)}..${esc(s.lastDate)}, loss horizon ${s.horizonDays} day(s)
(model horizon ${main.replay.modelHorizonDays.toFixed(3)} days), coverage tested at ${(s.coverage * 100).toFixed(1)}%:
<b class="${s.trafficLight.zone}">${s.exceptions} exceptions (${pct(s.exceptionRate, 2)}), ${s.trafficLight.zone} zone</b>.</p>
<h2>Coverage and capital</h2>
${summaryTable(all.length > 0 ? all : [main])}
<h2>Margin vs realised loss</h2>
<figure>${chart1}</figure>
${chart2 ? `<h2>Margin over time per model</h2><figure>${chart2}</figure>` : ""}
<h2>Liquidation replay through crises (${esc(main.replay.model)})</h2>
${liquidationTable(main)}
${all
  .filter((r) => r !== main)
  .map((r) => `<h3>${esc(r.replay.model)}</h3>${liquidationTable(r)}`)
  .join("\n")}
<h2>Method</h2>
<ul>${notes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul>
</body></html>
`;
}
