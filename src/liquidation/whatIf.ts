import { z } from "zod";
import { parseDecimal } from "../core/decimal.js";
import { invalidInput } from "../core/errors.js";
import type { GroupMargin, MarginReport } from "../margin/report.js";
import { resolveMarket } from "../margin/resolve/resolveMarket.js";
import type { AnyMarginConfig } from "../margin/resolveConfig.js";
import { getToken } from "../market/tokenRegistry.js";
import type { MarketSnapshot } from "../schema/marketSnapshot.js";
import { type Portfolio, positionSchema } from "../schema/portfolio.js";
import { chainId, decimalString, identifier, positiveDecimalString, underlyingSymbol } from "../schema/primitives.js";
import { parseDocument } from "../schema/validate.js";
import { evaluateMargin } from "./evaluateMargin.js";
import { type AccountInput, parseAccountInput } from "./inputs.js";
import { applyMarketMoves } from "./marketMoves.js";
import {
  addCashUsd,
  addPosition,
  addTokenUnits,
  evaluateState,
  planStateOf,
  writePortfolio,
} from "./plan/planState.js";
import { pinPortfolio } from "./portfolioEdits.js";

const transferSchema = z.object({ chain: chainId, token: identifier, amount: positiveDecimalString }).strict();

const shockRel = decimalString.refine((v) => Number(v) > -1 && Number(v) <= 100, {
  message: "must be a relative move above -1 (-0.3 = -30%)",
});

/**
 * Hypothetical changes to a portfolio (decimal strings, like a Portfolio). Applied in this order: deposits,
 * withdrawals, trades at the current market, then price and vol moves (which also move the new trades).
 */
export const whatIfSchema = z
  .object({
    /**
     * New positions, in the Portfolio's position format. `entryPrice` is the trade price (default: the current mark;
     * for options the premium, paid or received in the chain's stablecoin). A trade opposite to an existing position
     * offsets it (value is linear in size).
     */
    trades: z.array(positionSchema).default([]),
    deposits: z.array(transferSchema).default([]),
    /** Must not exceed the balance of that token on that chain. */
    withdrawals: z.array(transferSchema).default([]),
    moves: z
      .array(
        z
          .object({
            underlying: underlyingSymbol,
            /** Spot move, relative (-0.3 = -30%). */
            spotShockRel: shockRel.optional(),
            /** Implied-vol move, relative (0.2 = every vol x 1.2). */
            volShockRel: shockRel.optional(),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

export type WhatIf = z.infer<typeof whatIfSchema>;

export interface GroupDiff {
  key: string;
  initialMarginBeforeUsd: number;
  initialMarginAfterUsd: number;
  initialMarginChangeUsd: number;
  equityChangeUsd: number;
}

export interface WhatIfDiff {
  equityUsd: number;
  initialMarginUsd: number;
  maintenanceMarginUsd: number;
  freeCollateralUsd: number;
  /** after - before; null when either has no health ratio. */
  healthRatio: number | null;
  byChain: GroupDiff[];
  byUnderlying: GroupDiff[];
}

export interface WhatIfResult {
  before: MarginReport;
  after: MarginReport;
  /** after - before. */
  diff: WhatIfDiff;
  portfolio: Portfolio;
  market: MarketSnapshot;
}

function groupDiff(before: GroupMargin[], after: GroupMargin[]): GroupDiff[] {
  const keys = [...new Set([...before.map((g) => g.key), ...after.map((g) => g.key)])].sort();
  return keys.map((key) => {
    const b = before.find((g) => g.key === key);
    const a = after.find((g) => g.key === key);
    return {
      key,
      initialMarginBeforeUsd: b?.initialMarginUsd ?? 0,
      initialMarginAfterUsd: a?.initialMarginUsd ?? 0,
      initialMarginChangeUsd: (a?.initialMarginUsd ?? 0) - (b?.initialMarginUsd ?? 0),
      equityChangeUsd: (a?.equityUsd ?? 0) - (b?.equityUsd ?? 0),
    };
  });
}

/** Difference of two reports of the same account: after - before. */
export function diffReports(before: MarginReport, after: MarginReport): WhatIfDiff {
  return {
    equityUsd: after.equityUsd - before.equityUsd,
    initialMarginUsd: after.initialMarginUsd - before.initialMarginUsd,
    maintenanceMarginUsd: after.maintenanceMarginUsd - before.maintenanceMarginUsd,
    freeCollateralUsd: after.freeCollateralUsd - before.freeCollateralUsd,
    healthRatio:
      before.healthRatio === null || after.healthRatio === null ? null : after.healthRatio - before.healthRatio,
    byChain: groupDiff(before.byChain, after.byChain),
    byUnderlying: groupDiff(before.byUnderlying, after.byUnderlying),
  };
}

/**
 * Applies a validated what-if to validated documents and re-runs the model (Deribit's "simulate portfolio"):
 * returns the report before, the report after and their difference.
 * @see docs/liquidation.md
 */
export function whatIfOf(
  portfolioDoc: Portfolio,
  snapshot: MarketSnapshot,
  config: AnyMarginConfig,
  whatIf: WhatIf,
): WhatIfResult {
  const market = resolveMarket(snapshot);
  let state = planStateOf(pinPortfolio(portfolioDoc, market), market);
  const before = evaluateState(state, market, config);
  whatIf.deposits.forEach((d, i) => {
    getToken(d.chain, d.token, `$.deposits[${i}].token`);
    state = addTokenUnits(state, market, d.chain, d.token, parseDecimal(d.amount, `$.deposits[${i}].amount`));
  });
  whatIf.withdrawals.forEach((w, i) => {
    const path = `$.withdrawals[${i}]`;
    getToken(w.chain, w.token, `${path}.token`);
    const amount = parseDecimal(w.amount, `${path}.amount`);
    const balance = state.resolved.items
      .filter((it) => it.source === "holding" && it.chain === w.chain && it.token?.symbol === w.token)
      .reduce((s, it) => s + it.priced.size, 0);
    if (amount > balance + 1e-12) {
      throw invalidInput(
        `${path}.amount`,
        `cannot withdraw ${w.amount} ${w.token} on ${w.chain}`,
        `balance ${balance}`,
      );
    }
    state = addTokenUnits(state, market, w.chain, w.token, -amount);
  });
  const ids = new Set(state.resolved.items.map((it) => it.id));
  for (let i = 0; i < state.start.holdings.length; i++) ids.add(`h${i}`);
  whatIf.trades.forEach((t, i) => {
    const path = `$.trades[${i}]`;
    const id = t.id ?? `whatif-${i}`;
    if (ids.has(id)) throw invalidInput(`${path}.id`, `position id "${id}" is already used`);
    ids.add(id);
    // The trade at the current market: its mark per unit is the default trade price (pinned like the portfolio).
    const trade = pinPortfolio({ accountId: "whatif", holdings: [], positions: [{ ...t, id }] }, market).positions[0]!;
    const before = state.resolved.items.length;
    state = addPosition(state, market, trade);
    const item = state.resolved.items[before]!;
    if (t.kind === "option") {
      const size = item.priced.size;
      const premium =
        t.entryPrice === undefined ? item.valueUsd / size : parseDecimal(t.entryPrice, `${path}.entryPrice`);
      state = addCashUsd(state, market, t.chain, -size * premium);
    }
  });
  const portfolio = writePortfolio(state);
  const spotMult: Record<string, number> = {};
  const volMult: Record<string, number> = {};
  whatIf.moves.forEach((m, i) => {
    if (m.spotShockRel !== undefined) {
      spotMult[m.underlying] =
        (spotMult[m.underlying] ?? 1) * (1 + parseDecimal(m.spotShockRel, `$.moves[${i}].spotShockRel`));
    }
    if (m.volShockRel !== undefined) {
      volMult[m.underlying] =
        (volMult[m.underlying] ?? 1) * (1 + parseDecimal(m.volShockRel, `$.moves[${i}].volShockRel`));
    }
  });
  const moved = applyMarketMoves(snapshot, { spotMult, volMult });
  const after = evaluateMargin(portfolio, moved, config);
  return { before, after, diff: diffReports(before, after), portfolio, market: moved };
}

export interface WhatIfInput extends AccountInput {
  /** WhatIf document (whatIfSchema). */
  whatIf: unknown;
}

/**
 * Validates the documents and simulates the what-if.
 * @example
 * const r = simulateWhatIf({ portfolio, market, config: { model: "grid" },
 *   whatIf: { trades: [{ kind: "perp", chain: "arbitrum", venue: "gmx", underlying: "ETH", size: "-10" }],
 *             moves: [{ underlying: "ETH", spotShockRel: "-0.1" }] } });
 * console.log(r.diff.initialMarginUsd);
 * @see docs/liquidation.md
 */
export function simulateWhatIf(input: WhatIfInput): WhatIfResult {
  const docs = parseAccountInput(input);
  const whatIf = parseDocument(whatIfSchema, input.whatIf, "WhatIf");
  return whatIfOf(docs.portfolio, docs.market, docs.config, whatIf);
}
