import { XmarginError } from "../../core/errors.js";
import type { ResolvedMarket } from "../../margin/resolve/resolvedMarket.js";
import type { ResolvedItem } from "../../margin/resolve/resolvedPortfolio.js";
import { resolveMarket } from "../../margin/resolve/resolveMarket.js";
import { resolvePortfolio } from "../../margin/resolve/resolvePortfolio.js";
import { type AnyMarginConfig, resolveMarginConfig } from "../../margin/resolveConfig.js";
import { positionGreeks, valuePosition } from "../../pricing/valuePosition.js";
import { type MarketSnapshot, marketSnapshotSchema } from "../../schema/marketSnapshot.js";
import { type Portfolio, portfolioSchema } from "../../schema/portfolio.js";
import { parseDocument } from "../../schema/validate.js";
import { evaluateMarginResolved, isLiquidatable } from "../evaluateMargin.js";
import { depthFor } from "../marketData.js";
import { applyMarketMoves } from "../marketMoves.js";
import { pinPortfolio } from "../portfolioEdits.js";
import { type CascadeParams, cascadeParamsSchema } from "./cascadeParams.js";

/** One batch of liquidation trades in one market at one instant. */
export interface CascadeTrade {
  timeSec: number;
  /** Liquidation round (wave) of the accounts trading; round 1 is triggered by the shock itself. */
  round: number;
  chain: string;
  underlying: string;
  /** Sum of |notional| of the legs, USD. */
  grossNotionalUsd: number;
  /** Net notional, USD (negative = net selling). */
  netNotionalUsd: number;
  /** Relative price impact of the net flow (square-root model). */
  impactRel: number;
  priceAfterUsd: number;
}

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

export interface CascadeResult {
  asOf: string;
  accounts: number;
  shocks: CascadeParams["shocks"];
  depthMultiplier: number | null;
  /** One result per margin model, in the order of `params.models`. */
  models: CascadeModelResult[];
}

interface Leg {
  timeSec: number;
  round: number;
  account: number;
  chain: string;
  underlying: string;
  /** Signed flow in units of the underlying (negative = sell). */
  flowUnits: number;
  /** Value of what the leg closes at a spot price, USD. */
  valueAt: (spotUsd: number) => number;
}

interface AccountState {
  cashUsd: number;
  proceedsUsd: number;
  pendingLegs: number;
  riskChain: string;
}

function riskChainOf(items: readonly ResolvedItem[], market: ResolvedMarket): string {
  const byChain = new Map<string, number>();
  for (const it of items) {
    const spot = market.underlyings.get(it.underlying)?.spotUsd ?? 0;
    const w = it.source === "position" ? Math.abs(it.priced.size) * spot : it.valueUsd < 0 ? -it.valueUsd : 0;
    byChain.set(it.chain, (byChain.get(it.chain) ?? 0) + w);
  }
  let best = items[0]?.chain ?? "ethereum";
  let bestW = -1;
  for (const [c, w] of [...byChain].sort((a, b) => a[0].localeCompare(b[0]))) {
    if (w > bestW) {
      best = c;
      bestW = w;
    }
  }
  return best;
}

/**
 * One cascade under one margin model, in event time. At time 0 the shock moves prices and every account the model
 * finds liquidatable is closed out: each derivative is closed on its chain and each volatile holding sold on its
 * chain, after that chain's finality (collateral away from the account's risk chain first waits for the fastest
 * bridge route from the risk chain: seizure). Trades executing at the same instant in the same (chain, underlying)
 * net; the net flow pays spread + square-root impact and moves the underlying's price (one price for all chains,
 * arbitrage assumed instantaneous) by k sigma sqrt(Q / V). After each instant with a price move the surviving
 * accounts are re-margined; those now liquidatable form the next round. Bad debt is the negative equity of an
 * account once all its legs have executed.
 */
function cascadeOneModel(
  accounts: readonly Portfolio[],
  snapshot: MarketSnapshot,
  config: AnyMarginConfig,
  params: CascadeParams,
): CascadeModelResult {
  const base = resolveMarket(snapshot);
  const mult: Record<string, number> = {};
  for (const s of params.shocks) mult[s.underlying] = (mult[s.underlying] ?? 1) * (1 + s.spotShockRel);
  const pinned = accounts.map((p) => pinPortfolio(p, base));
  const failures: CascadeModelResult["failures"] = [];
  const alive = new Set<number>();
  let liquidatableBeforeShock = 0;
  pinned.forEach((p, i) => {
    try {
      if (isLiquidatable(evaluateMarginResolved(p, base, config))) liquidatableBeforeShock++;
      alive.add(i);
    } catch (err) {
      failures.push({ accountId: p.accountId, message: err instanceof Error ? err.message : String(err) });
    }
  });
  const spotOf = (u: string) => (base.underlyings.get(u)?.spotUsd ?? 1) * (u === "USD" ? 1 : (mult[u] ?? 1));
  const states = new Map<number, AccountState>();
  const legs: Leg[] = [];
  const liquidatedByRound: number[] = [];
  let truncated = false;
  const finality = (chain: string) => base.chains.get(chain)?.finalitySec ?? 0;
  const seizureSec = (from: string, to: string) => {
    if (from === to) return 0;
    const routes = base.bridges.filter((b) => b.from === from && b.to === to);
    return routes.length > 0 ? Math.min(...routes.map((r) => r.latencySec)) : params.missingBridgeLatencySec;
  };

  const liquidate = (i: number, market: ResolvedMarket, timeSec: number, round: number) => {
    const items = resolvePortfolio(pinned[i]!, market).items;
    const riskChain = riskChainOf(items, market);
    const state: AccountState = { cashUsd: 0, proceedsUsd: 0, pendingLegs: 0, riskChain };
    for (const it of items) {
      const u = market.underlyings.get(it.underlying);
      if (!u || it.underlying === "USD") {
        state.cashUsd += it.valueUsd;
        continue;
      }
      const state0 = { carryRateAnnual: u.carryRateAnnual, riskFreeRateAnnual: u.riskFreeRateAnnual };
      const valueAt = (spotUsd: number) => valuePosition(it.priced, { ...state0, spotUsd }, it.volAnnual);
      const deltaUnits =
        it.priced.kind === "option"
          ? positionGreeks(it.priced, u, it.volAnnual).delta
          : it.priced.kind === "spot"
            ? it.priced.size * it.priced.priceRatio
            : it.priced.size;
      const delay = it.source === "holding" ? seizureSec(riskChain, it.chain) : 0;
      legs.push({
        timeSec: timeSec + delay + finality(it.chain),
        round,
        account: i,
        chain: it.chain,
        underlying: it.underlying,
        flowUnits: -deltaUnits,
        valueAt,
      });
      state.pendingLegs++;
    }
    states.set(i, state);
    alive.delete(i);
    liquidatedByRound[round - 1] = (liquidatedByRound[round - 1] ?? 0) + 1;
  };

  const scan = (timeSec: number, round: number) => {
    const market = resolveMarket(applyMarketMoves(snapshot, { spotMult: mult }));
    const hit: number[] = [];
    for (const i of [...alive].sort((a, b) => a - b)) {
      try {
        if (isLiquidatable(evaluateMarginResolved(pinned[i]!, market, config))) hit.push(i);
      } catch (err) {
        alive.delete(i);
        failures.push({ accountId: pinned[i]!.accountId, message: err instanceof Error ? err.message : String(err) });
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
  const trades: CascadeTrade[] = [];
  const volumeByChainUsd: Record<string, number> = {};
  const badDebtByChainUsd: Record<string, number> = {};
  let badDebtUsd = 0;
  let durationSec = 0;
  while (legs.length > 0) {
    const t = Math.min(...legs.map((l) => l.timeSec));
    const now = legs.filter((l) => l.timeSec === t);
    for (let k = legs.length - 1; k >= 0; k--) if (legs[k]!.timeSec === t) legs.splice(k, 1);
    durationSec = t;
    const groups = new Map<string, Leg[]>();
    for (const l of now) {
      const key = `${l.chain}|${l.underlying}`;
      groups.set(key, [...(groups.get(key) ?? []), l]);
    }
    let moved = false;
    let round = 0;
    for (const [key, group] of [...groups].sort((a, b) => a[0].localeCompare(b[0]))) {
      const [chain, underlying] = key.split("|") as [string, string];
      const spot = spotOf(underlying);
      const net = group.reduce((s, l) => s + l.flowUnits, 0);
      const gross = group.reduce((s, l) => s + Math.abs(l.flowUnits), 0);
      const netUsd = net * spot;
      let costRate = 0;
      let impactRel = 0;
      if (params.depthMultiplier !== null && netUsd !== 0) {
        const d = depthFor(base, chain, underlying, underlying, params.missingDepth, params.fallbackVolDaily);
        const volume = d.dailyVolumeUsd * params.depthMultiplier;
        impactRel = d.impactCoefficient * d.volDaily * Math.sqrt(Math.abs(netUsd) / volume);
        costRate = d.halfSpreadRel + impactRel;
      }
      for (const l of group) {
        const st = states.get(l.account)!;
        st.proceedsUsd += l.valueAt(spot) - costRate * Math.abs(l.flowUnits) * spot;
        st.pendingLegs--;
        round = Math.max(round, l.round);
        if (st.pendingLegs === 0) {
          const equity = st.cashUsd + st.proceedsUsd;
          if (equity < 0) {
            badDebtUsd -= equity;
            badDebtByChainUsd[st.riskChain] = (badDebtByChainUsd[st.riskChain] ?? 0) - equity;
          }
        }
      }
      if (impactRel > 0) {
        mult[underlying] = (mult[underlying] ?? 1) * Math.exp(Math.sign(net) * impactRel);
        moved = true;
      }
      volumeByChainUsd[chain] = (volumeByChainUsd[chain] ?? 0) + gross * spot;
      trades.push({
        timeSec: t,
        round: group.reduce((m, l) => Math.max(m, l.round), 0),
        chain,
        underlying,
        grossNotionalUsd: gross * spot,
        netNotionalUsd: netUsd,
        impactRel,
        priceAfterUsd: spotOf(underlying),
      });
    }
    if (moved) scan(t, round + 1);
  }
  // Accounts whose legs all had nothing to trade (only cash) settle here.
  for (const st of states.values()) {
    if (st.pendingLegs === 0 && st.proceedsUsd === 0 && st.cashUsd < 0) {
      badDebtUsd -= st.cashUsd;
      badDebtByChainUsd[st.riskChain] = (badDebtByChainUsd[st.riskChain] ?? 0) - st.cashUsd;
    }
  }
  const underlyingsSeen = [...new Set([...Object.keys(mult), ...trades.map((t) => t.underlying)])].sort();
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
    liquidatedAccounts: states.size,
    liquidatedByRound: Array.from(liquidatedByRound, (n) => n ?? 0),
    rounds: liquidatedByRound.length,
    truncated,
    volumeByChainUsd,
    volumeUsd: Object.values(volumeByChainUsd).reduce((s, v) => s + v, 0),
    finalPricesUsd,
    priceChangeRel,
    badDebtUsd,
    badDebtByChainUsd,
    durationSec,
    trades,
  };
}

/** Cascade on validated documents, one run per model config. */
export function runCascadeOf(
  accounts: readonly Portfolio[],
  snapshot: MarketSnapshot,
  params: CascadeParams,
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
    models: configs.map((c) => cascadeOneModel(accounts, snapshot, c, params)),
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
 * @example
 * const r = runCascade({ accounts, market, params: { shocks: [{ underlying: "ETH", spotShockRel: -0.3 }] } });
 * for (const m of r.models) console.log(m.model, m.rounds, m.badDebtUsd);
 * @see docs/liquidation.md
 */
export function runCascade(input: CascadeInput): CascadeResult {
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
  return runCascadeOf(accounts, snapshot, params);
}
