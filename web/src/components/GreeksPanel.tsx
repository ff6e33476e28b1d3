import type { AccountGreeksJson } from "../apiTypes.js";
import { fmtGreek, fmtUsd, fmtUsdChange } from "../format.js";

/** Net delta, gamma, vega and theta per underlying; delta both in units of the underlying and in USD. */
export function GreeksPanel({ greeks, error }: { greeks: AccountGreeksJson | null; error: string | null }) {
  return (
    <div class="panel" data-testid="greeks">
      <h2>Net greeks per underlying</h2>
      {!greeks ? (
        <p class="muted">{error ? `unavailable: ${error}` : "loading…"}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th class="text">underlying</th>
              <th>spot (USD)</th>
              <th>delta (units)</th>
              <th>delta (USD)</th>
              <th>gamma (units/USD)</th>
              <th>vega (USD/vol pt)</th>
              <th>theta (USD/day)</th>
            </tr>
          </thead>
          <tbody>
            {greeks.net.map((n) => (
              <tr key={n.underlying} data-underlying={n.underlying}>
                <td class="text">{n.underlying}</td>
                <td>{fmtUsd(n.spot)}</td>
                <td>{fmtGreek(n.delta)}</td>
                <td>{fmtUsdChange(n.deltaUsd)}</td>
                <td>{fmtGreek(n.gamma)}</td>
                <td>{fmtUsdChange(n.vegaUsdPerVolPoint)}</td>
                <td>{fmtUsdChange(n.thetaUsdPerDay)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
