import type { MarginReportJson } from "../apiTypes.js";
import { fmtUsd, num } from "../format.js";

type Group = Omit<MarginReportJson["breakdown"]["byChain"][number], "chain">;

/**
 * Equity, collateral and margin per chain (or underlying), with a bar of the initial margin. A negative initial margin
 * is drawn to the left in green: that group's positions offset risk held elsewhere, a credit against the total.
 */
export function GroupTable({
  title,
  keyLabel,
  rows,
  testId,
}: {
  title: string;
  keyLabel: string;
  rows: Array<{ key: string; group: Group }>;
  testId: string;
}) {
  const maxAbs = Math.max(1, ...rows.map((r) => Math.abs(num(r.group.initialMargin))));
  const anyCredit = rows.some((r) => num(r.group.initialMargin) < 0);
  return (
    <div class="panel" data-testid={testId}>
      <h2>{title}</h2>
      <table>
        <thead>
          <tr>
            <th class="text">{keyLabel}</th>
            <th>equity (USD)</th>
            <th>collateral value (USD)</th>
            <th>initial margin (USD)</th>
            <th>maint. margin (USD)</th>
            <th class="text bar-col">initial margin</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ key, group: g }) => {
            const im = num(g.initialMargin);
            const width = `${(50 * Math.abs(im)) / maxAbs}%`;
            return (
              <tr key={key} data-group={key}>
                <td class="text">{key}</td>
                <td>{fmtUsd(g.equity)}</td>
                <td>{fmtUsd(g.collateralValue)}</td>
                <td class={im < 0 ? "credit" : ""} title={im < 0 ? "a credit: offsets margin elsewhere" : ""}>
                  {fmtUsd(g.initialMargin)}
                  {im < 0 ? " credit" : ""}
                </td>
                <td>{fmtUsd(g.maintenanceMargin)}</td>
                <td class="text bar-col">
                  <div class="bar-track">
                    <div
                      class={`bar ${im < 0 ? "bar-credit" : "bar-charge"}`}
                      style={im < 0 ? { right: "50%", width } : { left: "50%", width }}
                    />
                  </div>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {anyCredit ? (
        <p class="muted note" data-testid={`${testId}-credit-note`}>
          A negative initial margin is a credit: that group's positions reduce the risk of the others (a hedge on
          another chain or underlying), so the model lowers the total by it. Drawn to the left in green.
        </p>
      ) : null}
    </div>
  );
}
