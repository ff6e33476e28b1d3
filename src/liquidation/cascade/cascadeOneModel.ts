import type { ResolvedMarket } from "../../margin/resolve/resolvedMarket.js";
import { resolveMarket } from "../../margin/resolve/resolveMarket.js";
import { resolvePortfolio } from "../../margin/resolve/resolvePortfolio.js";
import { spotUsdOf } from "../../margin/resolve/underlyingFacts.js";
import type { AnyMarginConfig } from "../../margin/resolveConfig.js";
import { xchainDefaults } from "../../margin/xchain/config.js";
import type { MarketSnapshot } from "../../schema/marketSnapshot.js";
import type { Portfolio } from "../../schema/portfolio.js";
import { evaluateMarginResolved, isLiquidatable } from "../evaluateMargin.js";
import { moveResolvedMarket } from "../marketMoves.js";
import { pinPortfolio } from "../portfolioEdits.js";
import type { CascadeParams } from "./cascadeParams.js";
import { closeOutAccount, type Leg } from "./closeOut.js";
import { type CascadeBook, type CascadeTrade, executeInstant, settleAccount } from "./executeInstant.js";

export interface CascadeModelResult {
  model: string;
  accounts: number;
  /** Accounts the model could not margin (with the reason); they take no part. */
  failures: Array<{ accountId: string; message: string }>;
  /** Accounts already liquidatable before the shock. */
  liquidatableBeforeShock: number;
  liquidatedAccounts: number;
  /** Accounts liquidated in each round (index 0 = round 1). */
  liquidatedByRound: number[];
  rounds: number;
  /** True when maxRounds stopped the cascade while accounts were still liquidatable. */
  truncated: boolean;
  volumeByChainUsd: Record<string, number>;
  volumeUsd: number;
  finalPricesUsd: Record<string, number>;
  /** Final price / price before the shock - 1, per underlying. */
  priceChangeRel: Record<string, number>;
  badDebtUsd: number;
  badDebtByChainUsd: Record<string, number>;
  /** Time of the last liquidation trade after the shock, seconds. */
  durationSec: number;
  trades: CascadeTrade[];
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * One cascade under one margin model, in event time. At time 0 the shock moves prices and every account the model
 * finds liquidatable is closed out (closeOut.ts); legs due at the same instant execute together (executeInstant.ts).
 * After each instant with a price move the surviving accounts are re-margined; those now liquidatable form the next
 * round. Bad debt is the negative equity of an account once all its legs have executed, booked once.
 */
export function cascadeOneModel(
  accounts: readonly Portfolio[],
  snapshot: MarketSnapshot,
  config: AnyMarginConfig,
  params: CascadeParams,
): CascadeModelResult {
  const base = resolveMarket(snapshot);
  // Seizure routes and horizons are the xchain model's (its own config when it is the model run).
  const horizon = config.model === "xchain" ? (config as typeof xchainDefaults).horizon : xchainDefaults.horizon;
  const book: CascadeBook = {
    mult: {},
    states: new Map(),
    trades: [],
    volumeByChainUsd: {},
    badDebtByChainUsd: {},
    badDebtUsd: 0,
  };
  const { mult } = book;
  for (const s of params.shocks) mult[s.underlying] = (mult[s.underlying] ?? 1) * (1 + s.spotShockRel);
  const failures: CascadeModelResult["failures"] = [];
  const pinned: Array<Portfolio | undefined> = [];
  const alive = new Set<number>();
  let liquidatableBeforeShock = 0;
  accounts.forEach((p, i) => {
    try {
      const doc = pinPortfolio(p, base);
      pinned[i] = doc;
      if (isLiquidatable(evaluateMarginResolved(doc, base, config))) liquidatableBeforeShock++;
      alive.add(i);
    } catch (err) {
      failures.push({ accountId: p.accountId, message: messageOf(err) });
    }
  });
  const spotOf = (u: string) => (u === "USD" ? 1 : spotUsdOf(base, u) * (mult[u] ?? 1));
  const legs: Leg[] = [];
  const liquidatedByRound: number[] = [];
  let truncated = false;

  const liquidate = (i: number, market: ResolvedMarket, timeSec: number, round: number) => {
    const items = resolvePortfolio(pinned[i]!, market).items;
    const out = closeOutAccount(items, market, i, timeSec, round, horizon);
    legs.push(...out.legs);
    book.states.set(i, out.state);
    alive.delete(i);
    liquidatedByRound[round - 1] = (liquidatedByRound[round - 1] ?? 0) + 1;
  };

  const scan = (timeSec: number, round: number) => {
    const market = moveResolvedMarket(base, mult);
    const hit: number[] = [];
    for (const i of [...alive].sort((a, b) => a - b)) {
      try {
        if (isLiquidatable(evaluateMarginResolved(pinned[i]!, market, config))) hit.push(i);
      } catch (err) {
        alive.delete(i);
        failures.push({ accountId: accounts[i]!.accountId, message: messageOf(err) });
      }
    }
    if (hit.length === 0) return;
    if (round > params.maxRounds) {
      truncated = true;
      return;
    }
    for (const i of hit) liquidate(i, market, timeSec, round);
  };

  scan(0, 1);
  let durationSec = 0;
  while (legs.length > 0) {
    const t = Math.min(...legs.map((l) => l.timeSec));
    const now = legs.filter((l) => l.timeSec === t);
    for (let k = legs.length - 1; k >= 0; k--) if (legs[k]!.timeSec === t) legs.splice(k, 1);
    durationSec = t;
    const { moved, round } = executeInstant(now, t, base, book, params, spotOf);
    if (moved) scan(t, round + 1);
  }
  // Accounts whose legs all had nothing to trade (only cash) settle here; settled accounts are not booked again.
  for (const st of book.states.values()) settleAccount(book, st);
  const underlyingsSeen = [...new Set([...Object.keys(mult), ...book.trades.map((t) => t.underlying)])].sort();
  const finalPricesUsd: Record<string, number> = {};
  const priceChangeRel: Record<string, number> = {};
  for (const u of underlyingsSeen) {
    finalPricesUsd[u] = spotOf(u);
    priceChangeRel[u] = (mult[u] ?? 1) - 1;
  }
  return {
    model: config.model,
    accounts: accounts.length,
    failures,
    liquidatableBeforeShock,
    liquidatedAccounts: book.states.size,
    liquidatedByRound: Array.from(liquidatedByRound, (n) => n ?? 0),
    rounds: liquidatedByRound.length,
    truncated,
    volumeByChainUsd: book.volumeByChainUsd,
    volumeUsd: Object.values(book.volumeByChainUsd).reduce((s, v) => s + v, 0),
    finalPricesUsd,
    priceChangeRel,
    badDebtUsd: book.badDebtUsd,
    badDebtByChainUsd: book.badDebtByChainUsd,
    durationSec,
    trades: book.trades,
  };
}
