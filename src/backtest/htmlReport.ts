import * as vega from "vega";
import * as vl from "vega-lite";
import type { ModelBacktest } from "./compare.js";
import { coverageVerdict } from "./coverageVerdict.js";

/** Renders a vega-lite spec to an SVG string in Node (no canvas, no network). */
export async function renderSvg(spec: vl.TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: "none" });
  try {
    return withTooltips(await view.toSVG());
  } finally {
    view.finalize();
  }
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const usd = (x: number) => `${x < 0 ? "-" : ""}$${Math.abs(x).toLocaleString("en-US", { maximumFractionDigits: 0 })}`;
const pct = (x: number | null, d = 1) => (x === null ? "n/a" : `${(x * 100).toFixed(d)}%`);
const r2 = (x: number) => Math.round(x * 100) / 100;
/** "1 exception", "2 exceptions". */
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
/** Every 7th day carries an (invisible) point with a tooltip, so a hover shows the numbers without a point per day. */
const TOOLTIP_EVERY_DAYS = 7;

/**
 * Static SVG has no hover handler: each point mark vega labels for screen readers (aria-label) also gets an SVG
 * <title>, which browsers show as a tooltip. Lines are left alone (their label names only their first point).
 */
export function withTooltips(svg: string): string {
  return svg.replace(
    /<path([^>]*?) aria-label="([^"]*)"([^>]*?)\/>/g,
    (whole, pre: string, label: string, post: string) =>
      /aria-roledescription="line/.test(whole)
        ? whole
        : `<path${pre} aria-label="${label}"${post}><title>${label}</title></path>`,
  );
}

type ChartLayer = Extract<vl.TopLevelSpec, { layer: unknown }>["layer"][number];
/** A point of a chart with the tooltip text shown on hover. */
interface HoverPoint {
  date: string;
  usd: number;
  tip: string;
}

/**
 * Invisible points whose tooltip is `tip`: vega-lite puts the `description` channel into the mark's aria-label, which
 * `withTooltips` turns into an SVG <title>.
 */
function hoverLayer(values: readonly HoverPoint[]): ChartLayer {
  return {
    data: { values: [...values] },
    mark: { type: "point", opacity: 0, size: 60 },
    encoding: {
      x: { field: "date", type: "temporal" },
      y: { field: "usd", type: "quantitative" },
      description: { field: "tip", type: "nominal" },
    },
  };
}

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
    .map((d) => ({
      date: d.date,
      usd: r2(d.lossUsd ?? 0),
      tip: `exception on ${d.date}: realised loss ${usd(d.lossUsd ?? 0)} > margin ${usd(d.marginUsd)}`,
      series: "exception (loss > margin)",
    }));
  const hover = result.replay.days
    .filter((_, k) => k % TOOLTIP_EVERY_DAYS === 0)
    .map((d) => ({
      date: d.date,
      usd: r2(d.marginUsd),
      tip: `${d.date}: margin ${usd(d.marginUsd)}, realised loss ${d.lossUsd === null ? "not known yet" : usd(d.lossUsd)}`,
    }));
  const color = {
    field: "series",
    type: "nominal" as const,
    scale: { domain: [marginLabel, lossLabel, "exception (loss > margin)"], range: ["#1f77b4", "#999999", "#d62728"] },
    legend: { labelLimit: 400, orient: "top" as const },
    title: null,
  };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: `${result.portfolio}: ${result.replay.model} margin vs realised loss (${plural(result.summary.exceptions, "exception")})`,
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
      hoverLayer(hover),
      {
        data: { values: exceptions },
        mark: { type: "point", filled: true, size: 40 },
        encoding: {
          x: { field: "date", type: "temporal" },
          y: { field: "usd", type: "quantitative" },
          color,
          description: { field: "tip", type: "nominal" },
        },
      },
    ],
  };
}

/**
 * Margin over time of every model of one portfolio. Each model has its own colour and dash pattern, and later models
 * are drawn thinner, so two models with the same margin (isolated and cross often coincide) stay visible on top of
 * each other.
 */
export function marginPerModelSpec(results: readonly ModelBacktest[], width = 1000): vl.TopLevelSpec {
  const rows = results.flatMap((r, i) =>
    r.replay.days.map((d) => ({ date: d.date, model: r.replay.model, usd: r2(d.marginUsd), order: i })),
  );
  const models = results.map((r) => r.replay.model);
  const legend = { field: "model", type: "nominal" as const, title: "model", scale: { domain: models } };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: `${results[0]?.portfolio ?? ""}: margin (IM + haircuts) per model`,
    width,
    height: 280,
    layer: [
      {
        data: { values: rows },
        mark: { type: "line" },
        encoding: {
          x: { field: "date", type: "temporal", title: null },
          y: { field: "usd", type: "quantitative", title: "USD" },
          color: { ...legend, legend: { orient: "top" } },
          strokeDash: { ...legend, legend: { orient: "top" } },
          strokeWidth: {
            field: "order",
            type: "quantitative",
            scale: { domain: [0, Math.max(1, models.length - 1)], range: [2.5, 1] },
            legend: null,
          },
        },
      },
      hoverLayer(
        rows
          .filter((_, k) => k % TOOLTIP_EVERY_DAYS === 0)
          .map((r) => ({ ...r, tip: `${r.date}: ${r.model} margin ${usd(r.usd)}` })),
      ),
    ],
  };
}

/** Column headers of the summary table with the tooltip that explains each. */
const SUMMARY_COLUMNS: ReadonlyArray<readonly [header: string, tooltip: string]> = [
  ["model", "margin model replayed"],
  ["observations (days)", "days with both a margin and a realised loss, first..last"],
  ["horizon (days)", "days over which the realised loss is measured"],
  ["exceptions", "days whose realised loss exceeded the margin"],
  ["rate", "exceptions / observations"],
  ["verdict", "Kupiec test at 5% in words: too many exceptions, about right, or too conservative"],
  ["traffic light", "Basel zone from the exception count at the coverage level"],
  ["Kupiec LR / p", "proportion-of-failures test; p < 0.05 rejects the coverage (either side)"],
  ["Christoffersen ind. LR / p", "independence of exceptions; p < 0.05: they cluster"],
  ["cond. coverage LR / p", "Kupiec and independence together"],
  ["avg margin (USD)", "mean daily margin (IM + haircuts)"],
  ["peak margin (USD)", "largest daily margin"],
  ["max 5-day rise (USD)", "largest margin increase over 5 days (procyclicality)"],
  ["max 30-day rise (USD)", "largest margin increase over 30 days"],
  ["peak / trough", "highest over lowest margin"],
  ["bad debt (USD)", "losses beyond equity in the crisis windows the data covers"],
];

const VERDICT_WORDS = {
  "too-many-exceptions": "too many exceptions",
  "about-right": "about right",
  "too-conservative": "too conservative",
} as const;

function summaryTable(results: readonly ModelBacktest[]): string {
  const rows = results.map((r) => {
    const s = r.summary;
    const c = s.christoffersen;
    return [
      r.replay.model,
      `${s.observations} (${s.firstDate}..${s.lastDate})`,
      String(s.horizonDays),
      String(s.exceptions),
      pct(s.exceptionRate, 2),
      VERDICT_WORDS[coverageVerdict(s).kind],
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
  return table(SUMMARY_COLUMNS, rows);
}

/** A table in a horizontally scrolling box (narrow screens), headers with tooltips. */
function table(
  head: ReadonlyArray<string | readonly [header: string, tooltip: string]>,
  rows: ReadonlyArray<readonly string[]>,
): string {
  const th = (h: string | readonly [string, string]) =>
    typeof h === "string" ? `<th>${esc(h)}</th>` : `<th title="${esc(h[1])}">${esc(h[0])}</th>`;
  return `<div class="scroll"><table><thead><tr>${head.map(th).join("")}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join("")}</tr>`)
    .join("")}</tbody></table></div>`;
}

function liquidationTable(result: ModelBacktest): string {
  return table(
    [
      "window",
      "covered",
      "opened",
      "funded equity (USD)",
      "liquidated",
      "breach seen",
      "unwound",
      "equity at unwind (USD)",
      "unwind cost (USD)",
      "bad debt (USD)",
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
 * A self-contained, responsive HTML page (viewport meta, fluid width, scrolling tables, charts scaled to the width)
 * for the backtest reports.
 */
export function reportPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:0 auto;padding:16px clamp(12px,3vw,32px);color:#222;max-width:1400px;line-height:1.45}
.scroll{overflow-x:auto;margin:8px 0 20px}
table{border-collapse:collapse;font-size:13px}
th,td{border:1px solid #ccc;padding:4px 8px;text-align:right;white-space:nowrap}th{background:#f3f3f3;cursor:help}
td:first-child,th:first-child{text-align:left;position:sticky;left:0;background:#fff}th:first-child{background:#f3f3f3}
.green{color:#2a7d2a}.yellow{color:#b58900}.red{color:#c0392b}
figure{margin:0 0 24px}figure svg{width:100%;height:auto}
.verdict{padding:8px 12px;border-left:4px solid #999;background:#f7f7f7}
.too-many-exceptions{border-color:#c0392b}.about-right{border-color:#2a7d2a}.too-conservative{border-color:#b58900}
</style></head><body>
${body}
</body></html>
`;
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
  const verdict = coverageVerdict(s);
  return reportPage(
    `xmargin backtest: ${main.portfolio} / ${main.replay.model}`,
    `<h1>Backtest: ${esc(main.portfolio)} under <code>${esc(main.replay.model)}</code></h1>
<p>${plural(s.observations, "daily observation")} ${esc(s.firstDate)}..${esc(s.lastDate)}, loss horizon ${plural(s.horizonDays, "day")}
(model horizon ${main.replay.modelHorizonDays.toFixed(3)} days), coverage tested at ${(s.coverage * 100).toFixed(1)}%:
<b class="${s.trafficLight.zone}">${plural(s.exceptions, "exception")} (${pct(s.exceptionRate, 2)}), ${s.trafficLight.zone} zone</b>.</p>
<p class="verdict ${verdict.kind}">${esc(verdict.text)}</p>
<p>Models in this report: ${all.map((r) => `<code>${esc(r.replay.model)}</code>`).join(", ")}. Hover a header or a chart point for details.</p>
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
<ul>${notes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul>`,
  );
}
