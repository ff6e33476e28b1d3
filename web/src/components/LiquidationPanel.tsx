import type { AccountHealthJson } from "../apiTypes.js";
import { fmtDays, fmtHealth, fmtPct, fmtPctAbs, fmtUsd, num } from "../format.js";
import { distanceClass } from "../health.js";

type Level = AccountHealthJson["underlyings"][number]["down"];

function LevelCells({ level, testId }: { level: Level; testId: string }) {
  if (!level) {
    return (
      <>
        <td class="muted" data-testid={testId}>
          none in range
        </td>
        <td />
      </>
    );
  }
  return (
    <>
      <td data-testid={testId} title={`health re-run at this price: ${fmtHealth(level.healthAtPrice)}`}>
        {fmtUsd(level.price)}
      </td>
      <td class={`health ${distanceClass(Math.abs(num(level.move)))}`}>{fmtPct(level.move)}</td>
    </>
  );
}

/**
 * Liquidation prices per underlying: the first spot below and above today's where the model, re-run with that one
 * underlying moved, makes the account liquidatable; the chance of touching either within 1 and 7 days.
 */
export function LiquidationPanel({
  health,
  error,
  withPolicy,
  currentSeq,
}: {
  health: AccountHealthJson | null;
  error: string | null;
  withPolicy: boolean;
  currentSeq: number | undefined;
}) {
  const behind = health !== null && currentSeq !== undefined && health.seq !== currentSeq;
  return (
    <div class="panel" data-testid="liquidation">
      <h2>
        Liquidation prices and distance to liquidation{" "}
        {health ? (
          <span class="muted" data-testid="liquidation-seq">
            (market seq {health.seq}
            {behind ? ", updating…" : ""})
          </span>
        ) : null}
      </h2>
      {!health ? (
        <p class="muted">{error ? `unavailable: ${error}` : "searching the liquidation prices…"}</p>
      ) : health.liquidatableNow ? (
        <p class="bad" data-testid="liquidatable-now">
          Liquidatable now: health {fmtHealth(health.healthRatio)} is below 1.
        </p>
      ) : health.underlyings.length === 0 ? (
        <p class="muted">No exposure to a moving underlying: only stablecoins.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th class="text">underlying</th>
              <th>spot (USD)</th>
              <th>liq. price below (USD)</th>
              <th>move</th>
              <th>liq. price above (USD)</th>
              <th>move</th>
              <th>daily vol</th>
              <th title="median first-passage time of a driftless lognormal price">median time to liq.</th>
              <th title="probability of touching a liquidation price within the horizon">P(within 1 d / 7 d)</th>
            </tr>
          </thead>
          <tbody>
            {health.underlyings.map((u) => {
              const p = u.exitProbabilityWithin ?? (u.down ?? u.up)?.probabilityWithin ?? [];
              return (
                <tr key={u.underlying}>
                  <td class="text">{u.underlying}</td>
                  <td>{fmtUsd(u.spot)}</td>
                  <LevelCells level={u.down} testId={`liq-${u.underlying}-down`} />
                  <LevelCells level={u.up} testId={`liq-${u.underlying}-up`} />
                  <td>{fmtPctAbs(u.volDaily, 2)}</td>
                  <td>{u.medianDaysToLiquidation === null ? "—" : fmtDays(u.medianDaysToLiquidation)}</td>
                  <td>{p.length ? p.map((x) => fmtPctAbs(x.probability, 1)).join(" / ") : "—"}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <p class="muted note">
        Each underlying is moved alone, the others held at today's prices; the margin model is re-run at every trial
        price (no linear extrapolation).
        {withPolicy
          ? " The rulebook's multipliers are not applied to the search, so a fired rule brings liquidation closer than shown."
          : ""}
      </p>
    </div>
  );
}
