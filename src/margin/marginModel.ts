import type { z } from "zod";
import type { MarginReport } from "./report.js";
import type { ResolvedMarket } from "./resolve/resolvedMarket.js";
import type { ResolvedPortfolio } from "./resolve/resolvedPortfolio.js";

/** A margin model: a validated config with documented defaults and a pure compute function. */
export interface MarginModel<C extends { model: string }> {
  name: C["model"];
  description: string;
  configSchema: z.ZodType<C>;
  defaults: C;
  compute(portfolio: ResolvedPortfolio, market: ResolvedMarket, config: C): MarginReport;
}

export function defineMarginModel<C extends { model: string }>(model: MarginModel<C>): MarginModel<C> {
  return model;
}
