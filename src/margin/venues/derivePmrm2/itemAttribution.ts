/**
 * Per-item figures of a derive-pmrm2 report: each item's value as Derive marks it (collateral over the stable price,
 * options at Derive's price, perps at their unsettled cash) and its share of its sub-account's requirement: a
 * collateral carries its own haircuts and confidence charge, the derivatives share the rest by notional.
 */
import type { ResolvedPortfolio } from "../../resolve/resolvedPortfolio.js";
import type { Pmrm2Result } from "./computePmrm2.js";
import { confidenceCharge } from "./contingencies.js";
import type { MappedPortfolio } from "./mapPortfolio.js";
import type { Pmrm2Params } from "./params.js";

export interface ItemFigures {
  valueUsd: Float64Array;
  initialUsd: Float64Array;
  maintenanceUsd: Float64Array;
}

export function attributeItems(
  portfolio: ResolvedPortfolio,
  mapped: MappedPortfolio,
  results: ReadonlyMap<string, Pmrm2Result>,
  params: Pmrm2Params,
): ItemFigures {
  const items = portfolio.items;
  const valueUsd = new Float64Array(items.length);
  const initialUsd = new Float64Array(items.length);
  const maintenanceUsd = new Float64Array(items.length);
  const notional = new Float64Array(items.length);
  const notionalSum = new Map<string, number>();
  const own = new Map<string, { im: number; mm: number }>();
  mapped.roles.forEach((role, i) => {
    const sub = mapped.subAccounts.get(role.account)!.account;
    const item = items[i]!;
    const taken = own.get(role.account) ?? { im: 0, mm: 0 };
    own.set(role.account, taken);
    switch (role.kind) {
      case "cash":
        valueUsd[i] = role.amount;
        return;
      case "collateral": {
        const c = sub.collaterals[role.index]!;
        const v = (c.amount * c.priceUsd) / sub.stablePrice;
        valueUsd[i] = v;
        const oracle = confidenceCharge(Math.min(c.confidence, sub.spotConfidence), v, params.otherContingency);
        initialUsd[i] = (c.mmHaircut + c.imHaircut) * v + oracle;
        maintenanceUsd[i] = c.mmHaircut * v;
        taken.im += initialUsd[i]!;
        taken.mm += maintenanceUsd[i]!;
        return;
      }
      case "perp":
        // A borrowed token is cash debt (plus a short perp): its value is the debt.
        valueUsd[i] = item.source === "holding" ? item.valueUsd / sub.stablePrice : item.valueUsd;
        break;
      case "option":
        valueUsd[i] = item.priced.size * results.get(role.account)!.optionPrices[role.expiry]![role.option]!;
        break;
    }
    notional[i] = Math.abs(item.priced.size) * sub.spot;
    notionalSum.set(role.account, (notionalSum.get(role.account) ?? 0) + notional[i]!);
  });
  mapped.roles.forEach((role, i) => {
    const total = notionalSum.get(role.account) ?? 0;
    if (!(total > 0 && notional[i]! > 0)) return;
    const r = results.get(role.account)!;
    const taken = own.get(role.account)!;
    initialUsd[i] = ((r.portfolioMtm - r.initialMargin - taken.im) * notional[i]!) / total;
    maintenanceUsd[i] = ((r.portfolioMtm - r.maintenanceMargin - taken.mm) * notional[i]!) / total;
  });
  return { valueUsd, initialUsd, maintenanceUsd };
}
