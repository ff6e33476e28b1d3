import { XmarginError } from "../../core/errors.js";
import { resolveMarginConfig } from "../../margin/resolveConfig.js";
import { type MarketSnapshot, marketSnapshotSchema } from "../../schema/marketSnapshot.js";
import { type Portfolio, portfolioSchema } from "../../schema/portfolio.js";
import { parseDocument } from "../../schema/validate.js";
import { type CascadeModelResult, cascadeOneModel } from "./cascadeOneModel.js";
import { type CascadeParams, cascadeParamsSchema } from "./cascadeParams.js";

export type { CascadeModelResult } from "./cascadeOneModel.js";
export type { CascadeTrade } from "./executeInstant.js";

export interface CascadeResult {
  asOf: string;
  accounts: number;
  shocks: CascadeParams["shocks"];
  depthMultiplier: number | null;
  /** One result per margin model, in the order of `params.models`. */
  models: CascadeModelResult[];
}

/** Cascade on validated documents, one run per model config. */
export function runCascadeOf(
  accounts: readonly Portfolio[],
  snapshot: MarketSnapshot,
  params: CascadeParams,
  onProgress?: (done: number, total: number) => void,
): CascadeResult {
  const configs = params.models.map((doc, i) => {
    try {
      return resolveMarginConfig(doc);
    } catch (err) {
      if (err instanceof XmarginError) {
        throw new XmarginError(err.shortMessage, {
          code: err.code,
          path: `$.models[${i}]${(err.path ?? "$").slice(1)}`,
          ...(err.details ? { details: err.details } : {}),
          cause: err,
        });
      }
      throw err;
    }
  });
  return {
    asOf: snapshot.asOf,
    accounts: accounts.length,
    shocks: params.shocks,
    depthMultiplier: params.depthMultiplier,
    models: configs.map((c, i) => {
      const result = cascadeOneModel(accounts, snapshot, c, params);
      onProgress?.(i + 1, configs.length);
      return result;
    }),
  };
}

export interface CascadeInput {
  /** Portfolio documents. */
  accounts: readonly unknown[];
  /** MarketSnapshot document. */
  market: unknown;
  /** CascadeParams document (cascadeParamsSchema). */
  params: unknown;
}

/**
 * Validates the documents and runs the cascade stress test under each model, side by side.
 * @param onProgress called after each model's cascade with (models done, models)
 * @example
 * const r = runCascade({ accounts, market, params: { shocks: [{ underlying: "ETH", spotShockRel: -0.3 }] } });
 * for (const m of r.models) console.log(m.model, m.rounds, m.badDebtUsd);
 * @see docs/liquidation.md
 */
export function runCascade(input: CascadeInput, onProgress?: (done: number, total: number) => void): CascadeResult {
  const accounts = input.accounts.map((a, i) => {
    try {
      return parseDocument(portfolioSchema, a, "Portfolio");
    } catch (err) {
      if (err instanceof XmarginError) {
        throw new XmarginError(`account ${i}: ${err.shortMessage}`, {
          code: err.code,
          ...(err.path ? { path: err.path } : {}),
          cause: err,
        });
      }
      throw err;
    }
  });
  const snapshot = parseDocument(marketSnapshotSchema, input.market, "MarketSnapshot");
  const params = parseDocument(cascadeParamsSchema, input.params, "CascadeParams");
  return runCascadeOf(accounts, snapshot, params, onProgress);
}
