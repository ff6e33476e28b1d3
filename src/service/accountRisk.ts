import { formatDecimal, formatUsd } from "../core/decimal.js";
import { healthOf, healthParamsSchema } from "../liquidation/health.js";
import { healthToJson } from "../liquidation/resultJson.js";
import { itemGreeksOf, netGreeksByUnderlying } from "../margin/resolve/itemGreeks.js";
import { resolvePortfolio } from "../margin/resolve/resolvePortfolio.js";
import type { AnyMarginConfig } from "../margin/resolveConfig.js";
import type { MarketSnapshot } from "../schema/marketSnapshot.js";
import type { Portfolio } from "../schema/portfolio.js";
import type { AccountGreeksJson, AccountHealthJson } from "./dashboardSchemas.js";
import type { LiveAccount } from "./liveAccount.js";
import type { MarketTick } from "./liveMarket.js";

const HEALTH_PARAMS = healthParamsSchema.parse({});

/**
 * The nearest liquidation level of a health result as a relative spot move (0.23 = a 23% move of one underlying,
 * others held), null when no level lies in the searched range; 0 when the account is liquidatable now.
 */
export function distanceToLiquidationRel(h: ReturnType<typeof healthOf>): number | null {
  if (h.liquidatableNow) return 0;
  const moves = h.underlyings.flatMap((u) => [u.down, u.up]).flatMap((l) => (l ? [Math.abs(l.moveRel)] : []));
  return moves.length > 0 ? Math.min(...moves) : null;
}

/** Which stored account, version and tick a health answer belongs to. */
export interface HealthStamp {
  accountId: string;
  version: number;
  seq: number;
}

/**
 * Liquidation prices per underlying of a portfolio at a snapshot (src/liquidation's search, default parameters),
 * stamped with the account, version and tick it belongs to. Runs on the main thread or in a compute worker.
 */
export function accountHealth(
  portfolio: Portfolio,
  snapshot: MarketSnapshot,
  config: AnyMarginConfig,
  stamp: HealthStamp,
): AccountHealthJson {
  const h = healthOf(portfolio, snapshot, config, HEALTH_PARAMS);
  const distance = distanceToLiquidationRel(h);
  return {
    ...healthToJson(h),
    currency: "USD",
    ...stamp,
    distanceToLiquidation: distance === null ? null : formatDecimal(distance, 6),
  };
}

/** Greeks of each holding and position of a live account at a tick, and their sums per underlying. */
export function accountGreeks(acc: LiveAccount, tick: MarketTick): AccountGreeksJson {
  const rows = itemGreeksOf(resolvePortfolio(acc.portfolio, tick.market), tick.market);
  const greekJson = (g: { delta: number; gamma: number; vegaUsdPerVolPoint: number; thetaUsdPerDay: number }) => ({
    delta: formatDecimal(g.delta, 10),
    gamma: formatDecimal(g.gamma, 10),
    vegaUsdPerVolPoint: formatDecimal(g.vegaUsdPerVolPoint, 10),
    thetaUsdPerDay: formatDecimal(g.thetaUsdPerDay, 10),
  });
  return {
    accountId: acc.accountId,
    seq: tick.seq,
    asOf: tick.asOf,
    positions: rows.map(({ item, underlying, spotUsd, greeks }) => ({
      id: item.id,
      label: item.label,
      chain: item.chain,
      kind: item.priced.kind,
      underlying,
      ...greekJson(greeks),
      deltaUsd: formatUsd(greeks.delta * spotUsd),
    })),
    net: netGreeksByUnderlying(rows).map((n) => ({
      underlying: n.underlying,
      spot: formatDecimal(n.spotUsd, 12),
      ...greekJson(n),
      deltaUsd: formatUsd(n.deltaUsd),
    })),
  };
}
