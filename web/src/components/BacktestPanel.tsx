import type { BacktestJson } from "../apiTypes.js";
import { fmtUsd, num, plural } from "../format.js";
import { Chart, type ChartSeries } from "./Chart.js";

export const BACKTEST_DAYS = 180;

/** Kupiec's verdict in words: too many exceptions, about right, or too few (the model is too conservative). */
function kupiecWords(s: BacktestJson["summary"], coverage: number): string {
  const expected = (1 - coverage) * s.observations;
  if (s.kupiecP >= 0.05) return "about the expected number of exceptions";
  return s.exceptions > expected ? "too many exceptions: margin too low" : "too few exceptions: margin conservative";
}

/** Margin against the realised loss per day on the daily history, exceptions as points. */
export function BacktestPanel({ data, error }: { data: BacktestJson | null; error: string | null }) {
  const title = `Backtest (last ${data ? data.days.length : BACKTEST_DAYS} days)`;
  if (!data) {
    return (
      <div class="panel" data-testid="backtest">
        <h2>{title}</h2>
        <p class="muted" data-testid="backtest-status">
          {error ? `backtest unavailable: ${error}` : "running the backtest on the daily history…"}
        </p>
      </div>
    );
  }
  const series: ChartSeries[] = [
    { label: "margin (IM + haircuts, USD)", color: "#58a6ff" },
    { label: `realised ${data.horizonDays}-day loss (USD)`, color: "#f85149" },
    { label: "exception (loss > margin)", color: "#ffa657", points: true },
  ];
  const x = data.days.map((d) => Date.parse(`${d.date}T00:00:00Z`) / 1000);
  const chartData: [number[], ...(number | null)[][]] = [
    x,
    data.days.map((d) => num(d.margin)),
    data.days.map((d) => (d.loss === null ? null : num(d.loss))),
    data.days.map((d) => (d.exception ? num(d.loss) : null)),
  ];
  const s = data.summary;
  return (
    <div class="panel" data-testid="backtest">
      <h2>{title}</h2>
      <Chart
        data={chartData}
        series={series}
        x={{ time: true }}
        yLabel="USD"
        height={260}
        testId="backtest-chart"
        ariaLabel="backtest: margin and realised loss per day, exceptions marked"
      />
      <p class="muted" data-testid="backtest-summary">
        {data.model} on {data.from} – {data.to}
        {data.paths ? ` (${data.paths} paths per day)` : ""}: {plural(s.exceptions, "exception")} in {s.observations}{" "}
        observed days ({(s.rate * 100).toFixed(2)}%), traffic light {s.zone}, Kupiec p{" "}
        {s.kupiecP < 0.001 ? "< 0.001" : s.kupiecP.toFixed(3)} ({kupiecWords(s, data.coverage)}). The last{" "}
        {plural(data.horizonDays, "day")} have no realised loss yet. Largest loss{" "}
        {fmtUsd(Math.max(0, ...data.days.map((d) => num(d.loss)).filter(Number.isFinite)))} USD.
      </p>
    </div>
  );
}
