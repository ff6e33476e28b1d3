import { formatDecimal, formatUsd } from "../../core/decimal.js";
import { itemGreeksOf, netGreeksByUnderlying } from "../../margin/resolve/itemGreeks.js";
import { loadMarket, loadPortfolio } from "../loadInputs.js";
import { renderTable, usd } from "../table.js";

export interface ValueArgs {
  portfolio: string;
  market: string;
  json: boolean;
}

/**
 * `xmargin value`: each holding's and position's mark value and greeks, then the net greeks per underlying. Delta is
 * dV/dS in units of the underlying (USD for stablecoins) and also in USD (delta x spot), so one column never mixes
 * token units with dollars.
 */
export function valueCommand(args: ValueArgs): string {
  const market = loadMarket(args.market);
  const portfolio = loadPortfolio(args.portfolio, market);
  const rows = itemGreeksOf(portfolio, market);
  const net = netGreeksByUnderlying(rows);
  if (args.json) {
    return JSON.stringify(
      {
        accountId: portfolio.accountId,
        asOf: market.asOf,
        currency: "USD",
        equity: formatUsd(rows.reduce((s, r) => s + r.item.valueUsd, 0)),
        positions: rows.map(({ item, greeks, spotUsd }) => ({
          id: item.id,
          path: item.path,
          label: item.label,
          kind: item.priced.kind,
          chain: item.chain,
          underlying: item.underlying,
          value: formatUsd(item.valueUsd),
          volAnnual: formatDecimal(item.volAnnual, 8),
          delta: formatDecimal(greeks.delta, 10),
          deltaUsd: formatUsd(greeks.delta * spotUsd),
          gamma: formatDecimal(greeks.gamma, 10),
          vegaUsdPerVolPoint: formatDecimal(greeks.vegaUsdPerVolPoint, 10),
          thetaUsdPerDay: formatDecimal(greeks.thetaUsdPerDay, 10),
        })),
        netGreeks: net.map((n) => ({
          underlying: n.underlying,
          spotUsd: formatDecimal(n.spotUsd, 12),
          delta: formatDecimal(n.delta, 10),
          deltaUsd: formatUsd(n.deltaUsd),
          gamma: formatDecimal(n.gamma, 10),
          vegaUsdPerVolPoint: formatDecimal(n.vegaUsdPerVolPoint, 10),
          thetaUsdPerDay: formatDecimal(n.thetaUsdPerDay, 10),
        })),
        flags: [...market.flags, ...portfolio.flags],
      },
      null,
      2,
    );
  }
  const total = rows.reduce((s, r) => s + r.item.valueUsd, 0);
  return [
    `account ${portfolio.accountId}  as of ${market.asOf}  equity ${usd(total)} USD`,
    renderTable(
      [
        "id",
        "position",
        "underlying",
        "value (USD)",
        "delta (units)",
        "delta (USD)",
        "gamma (units/USD)",
        "vega (USD/vol pt)",
        "theta (USD/day)",
        "vol (annual)",
      ],
      rows.map(({ item, greeks, spotUsd }) => [
        item.id,
        item.label,
        item.underlying,
        usd(item.valueUsd),
        greeks.delta.toFixed(4),
        usd(greeks.delta * spotUsd),
        greeks.gamma.toExponential(3),
        usd(greeks.vegaUsdPerVolPoint),
        usd(greeks.thetaUsdPerDay),
        item.volAnnual > 0 ? `${(item.volAnnual * 100).toFixed(1)}%` : "",
      ]),
    ),
    "",
    "net greeks per underlying",
    renderTable(
      [
        "underlying",
        "spot (USD)",
        "delta (units)",
        "delta (USD)",
        "gamma (units/USD)",
        "vega (USD/vol pt)",
        "theta (USD/day)",
      ],
      net.map((n) => [
        n.underlying,
        usd(n.spotUsd),
        n.delta.toFixed(4),
        usd(n.deltaUsd),
        n.gamma.toExponential(3),
        usd(n.vegaUsdPerVolPoint),
        usd(n.thetaUsdPerDay),
      ]),
    ),
  ].join("\n");
}
