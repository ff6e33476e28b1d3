import type { MarginReportJson } from "../apiTypes.js";
import { fmtCompact, fmtPct, fmtUsd, num } from "../format.js";

type ScenarioTable = MarginReportJson["scenarios"][number];

function pnlColor(pnl: number, maxAbs: number): string {
  const t = Math.min(1, Math.abs(pnl) / (maxAbs || 1));
  const light = 88 - 48 * t;
  return pnl < 0 ? `hsl(3, 85%, ${light}%)` : `hsl(135, 55%, ${light}%)`;
}

/** Scenario P&L of one underlying on the spot x vol grid, the worst scenario outlined. */
export function Heatmap({ table }: { table: ScenarioTable }) {
  const core = table.scenarios.filter((s) => num(s.weight) === 1);
  const extreme = table.scenarios.filter((s) => num(s.weight) !== 1);
  const spots = [...new Set(core.map((s) => num(s.spotShock)))].sort((a, b) => a - b);
  const vols = [...new Set(core.map((s) => num(s.volShock)))].sort((a, b) => a - b);
  const cell = new Map(core.map((s) => [`${num(s.spotShock)}|${num(s.volShock)}`, s]));
  const maxAbs = Math.max(1, ...table.scenarios.map((s) => Math.abs(num(s.pnl))));
  return (
    <div class="panel" data-testid={`heatmap-${table.underlying}`}>
      <h2>
        {table.underlying}: scenario P&amp;L (USD), worst {table.worstScenarioId} = -{fmtUsd(table.worstLoss)}
      </h2>
      <table class="heatmap">
        <thead>
          <tr>
            <th>vol shock \ spot shock</th>
            {spots.map((x) => (
              <th key={x}>{fmtPct(x, 0)}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {vols.map((v) => (
            <tr key={v}>
              <th>{fmtPct(v, 0)}</th>
              {spots.map((x) => {
                const s = cell.get(`${x}|${v}`);
                if (!s) return <td key={x} />;
                const pnl = num(s.pnl);
                return (
                  <td
                    key={x}
                    class={s.id === table.worstScenarioId ? "worst" : ""}
                    style={{ background: pnlColor(pnl, maxAbs) }}
                    title={`${s.id}: ${fmtUsd(s.pnl)} USD`}
                  >
                    {fmtCompact(pnl)}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      {extreme.length ? (
        <p class="muted">
          extreme moves (counted at their weight):{" "}
          {extreme.map((s) => `${s.id} ${fmtCompact(num(s.pnl))} × ${s.weight}`).join(", ")}
        </p>
      ) : null}
    </div>
  );
}
