import type { z } from "zod";
import { type AnyMarginConfig, resolveMarginConfig } from "../margin/resolveConfig.js";
import { type MarketSnapshot, marketSnapshotSchema } from "../schema/marketSnapshot.js";
import { type Portfolio, portfolioSchema } from "../schema/portfolio.js";
import { parseDocument } from "../schema/validate.js";

/** The documents every liquidation tool takes, untrusted. */
export interface AccountInput {
  /** Portfolio document. */
  portfolio: unknown;
  /** MarketSnapshot document. */
  market: unknown;
  /** MarginConfig document; defaults to `{ "model": "grid" }` unless the tool says otherwise. */
  config?: unknown;
}

export interface AccountDocs {
  portfolio: Portfolio;
  market: MarketSnapshot;
  config: AnyMarginConfig;
}

/** Validates Portfolio, MarketSnapshot and MarginConfig in that order (as `computeMargin`). */
export function parseAccountInput(input: AccountInput, defaultModel = "grid"): AccountDocs {
  return {
    portfolio: parseDocument(portfolioSchema, input.portfolio, "Portfolio"),
    market: parseDocument(marketSnapshotSchema, input.market, "MarketSnapshot"),
    config: resolveMarginConfig(input.config ?? { model: defaultModel }),
  };
}

/** Validates a parameters document (`undefined` = all defaults) with INVALID_INPUT at the bad field's path. */
export function parseParams<S extends z.ZodType>(schema: S, params: unknown, documentName: string): z.output<S> {
  return parseDocument(schema, params ?? {}, documentName);
}
