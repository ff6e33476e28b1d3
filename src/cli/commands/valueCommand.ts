import { formatDecimal, formatUsd } from "../../core/decimal.js";
import { positionGreeks } from "../../pricing/valuePosition.js";
import { loadMarket, loadPortfolio } from "../loadInputs.js";
import { renderTable, usd } from "../table.js";

export interface ValueArgs {
  portfolio: string;
  market: string;
  json: boolean;
}

/** `xmargin value`: each holding's and position's mark value and greeks. */
export function valueCommand(args: ValueArgs): string {
  const market = loadMarket(args.market);
  const portfolio = loadPortfolio(args.portfolio, market);
  const rows = portfolio.items.map((item) => {
    const state = market.underlyings.get(item.underlying)!;
    return { item, greeks: positionGreeks(item.priced, state, item.volAnnual, item.path) };
  });
  if (args.json) {
    return JSON.stringify(
      {
        accountId: portfolio.accountId,
        asOf: market.asOf,
        currency: "USD",
        equity: formatUsd(rows.reduce((s, r) => s + r.item.valueUsd, 0)),
        positions: rows.map(({ item, greeks }) => ({
          id: item.id,
          path: item.path,
          label: item.label,
          kind: item.priced.kind,
          chain: item.chain,
          underlying: item.underlying,
          value: formatUsd(item.valueUsd),
          volAnnual: formatDecimal(item.volAnnual, 8),
          delta: formatDecimal(greeks.delta, 10),
          gamma: formatDecimal(greeks.gamma, 10),
          vegaUsdPerVolPoint: formatDecimal(greeks.vegaUsdPerVolPoint, 10),
          thetaUsdPerDay: formatDecimal(greeks.thetaUsdPerDay, 10),
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
      ["id", "position", "value", "delta", "gamma", "vega/pt", "theta/day", "vol"],
      rows.map(({ item, greeks }) => [
        item.id,
        item.label,
        usd(item.valueUsd),
        greeks.delta.toFixed(4),
        greeks.gamma.toExponential(3),
        usd(greeks.vegaUsdPerVolPoint),
        usd(greeks.thetaUsdPerDay),
        item.volAnnual > 0 ? `${(item.volAnnual * 100).toFixed(1)}%` : "",
      ]),
    ),
  ].join("\n");
}
