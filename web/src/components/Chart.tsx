import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { fmtCompact } from "../format.js";

/** One line (or point set) of a chart. */
export interface ChartSeries {
  label: string;
  color: string;
  /** Points only (e.g. backtest exceptions), no line. */
  points?: boolean;
  dash?: number[];
}

export interface ChartProps {
  /** x values then one array per series (null = gap). Time axes take Unix seconds. */
  data: [number[], ...(number | null)[][]];
  series: ChartSeries[];
  /** Time axis (dates, UTC) or a value axis with this label. */
  x: { time: true } | { time: false; label: string; format?: (v: number) => string };
  /** Y-axis label with its unit, e.g. "USD" or "implied vol (%)". */
  yLabel: string;
  yFormat?: (v: number) => string;
  height?: number;
  /** Values under the cursor in the legend (default on); off, the legend lists the series only. */
  legendValues?: boolean;
  testId?: string;
  ariaLabel: string;
}

const AXIS = { stroke: "#8593a1", grid: { stroke: "#26303b", width: 1 }, ticks: { stroke: "#26303b", width: 1 } };

/** Dates on the x axis are calendar days of the replay in UTC, whatever the viewer's time zone. */
const utc = (ts: number) => uPlot.tzDate(new Date(ts * 1e3), "Etc/UTC");

/** A uPlot chart (canvas) that follows its container's width and takes new data without being rebuilt. */
export function Chart(props: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = JSON.stringify([props.series, props.x.time, props.yLabel, props.height, props.legendValues]);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const xFormat = props.x.time ? undefined : props.x.format;
    const yFormat = props.yFormat ?? fmtCompact;
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height: props.height ?? 220,
      tzDate: utc,
      scales: { x: { time: props.x.time } },
      legend: { show: true, live: props.legendValues !== false },
      cursor: { drag: { x: true, y: false } },
      series: [
        props.x.time
          ? { label: "date", value: "{YYYY}-{MM}-{DD}" }
          : { label: props.x.label, value: (_u, v) => (v === null ? "—" : (xFormat?.(v) ?? String(v))) },
        ...props.series.map(
          (s): uPlot.Series => ({
            label: s.label,
            stroke: s.color,
            width: s.points ? 0 : 2,
            ...(s.dash ? { dash: s.dash } : {}),
            points: s.points ? { show: true, size: 8, fill: s.color, stroke: "#0d1117" } : { show: false },
            ...(s.points ? { paths: () => null } : {}),
            value: (_u, v) => (v === null ? "—" : yFormat(v)),
          }),
        ),
      ],
      axes: [
        {
          ...AXIS,
          ...(props.x.time ? { label: "date (UTC)" } : { label: props.x.label }),
          ...(xFormat ? { values: (_u: uPlot, vals: number[]) => vals.map(xFormat) } : {}),
        },
        { ...AXIS, label: props.yLabel, size: 64, values: (_u: uPlot, vals: number[]) => vals.map(yFormat) },
      ],
    };
    const u = new uPlot(opts, props.data as uPlot.AlignedData, el);
    plot.current = u;
    const resize = new ResizeObserver(() => u.setSize({ width: Math.max(200, el.clientWidth), height: opts.height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [shape]);

  useEffect(() => {
    plot.current?.setData(props.data as uPlot.AlignedData);
  }, [props.data]);

  return <div class="chart" ref={box} data-testid={props.testId} role="img" aria-label={props.ariaLabel} />;
}
