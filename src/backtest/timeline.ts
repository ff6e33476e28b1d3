import { formatDecimal } from "../core/decimal.js";
import { invalidInput, missingData } from "../core/errors.js";
import { lastIndexAtOrBefore } from "../core/time.js";
import type { ResolvedMarket } from "../margin/resolve/resolvedMarket.js";
import { resolveMarket } from "../margin/resolve/resolveMarket.js";
import { getToken } from "../market/tokenRegistry.js";
import { basisFactorOf } from "../market/tokenRiskFactors.js";
import { type AggregationRules, defaultAggregationRules } from "../oracles/aggregateQuotes.js";
import type { RiskFactorEstimate, RiskFactorEstimateOptions, VolMethod } from "../risk/estimateRiskFactors.js";
import type { ForecastWeights } from "../risk/forecast/mlp.js";
import type { BridgeRouteDoc, MarketSnapshot } from "../schema/marketSnapshot.js";
import type { Portfolio } from "../schema/portfolio.js";
import { buildDaySnapshot, type DayQuoteFeed, type DaySnapshotPlan, dayDocument } from "./history/daySnapshot.js";
import { closeTimeSec, dayNumberOf } from "./history/dayTime.js";
import { EwmaVolProxy } from "./history/ewmaVolProxy.js";
import { type History, seriesOf } from "./history/history.js";
import { riskFactorsDoc } from "./history/riskFactorsDoc.js";
import {
  RISK_FACTOR_SERIES_BY_FACTOR,
  TOKEN_FEED_SERIES,
  UNDERLYING_SERIES,
  VOLUME_SERIES,
  volumeShare,
} from "./history/seriesMap.js";
import { TrailingVolume } from "./history/trailingVolume.js";
import { RiskFactorTracker } from "./riskFactorTracker.js";

/**
 * The history's one "history" source per feed is the reference series standing for a venue's several oracles, not a
 * lone oracle: the single-source band (R9, docs/oracles.md) does not apply to it.
 */
export const HISTORY_RULES: AggregationRules = { ...defaultAggregationRules, singleSourceBandRel: 0 };

/** How the daily MarketSnapshot is built; defaults follow scripts/build-example-market.py. */
export interface TimelineOptions {
  /** First / last day (ISO date) to replay; default: the whole common history after the warm-up. */
  from?: string;
  to?: string;
  /** Common dates of history before the first replayed day (>= 31, default 90). */
  warmupDays?: number;
  /** EWMA decay of the vol proxy and the risk factors (default 0.94). */
  lambda?: number;
  /** Stress window of the risk-factor floor (default 250 returns) and stressed correlation weight (default 0.25). */
  stressWindowDays?: number;
  stressWeight?: number;
  /**
   * Vol method of the daily risk-factor estimate (default "ewma"): the xchain config's `riskFactors.volMethod`
   * (`volMethodOf`). "ml" and "auto" need `forecastWeights`, the learned forecaster's artefacts (`xmargin train`); its
   * cross-asset features read the history's BTC-USD series cut at each day, as `xmargin risk --method ml`.
   */
  volMethod?: VolMethod;
  forecastWeights?: readonly ForecastWeights[];
  /** Trailing days averaged for market depth (default 30). */
  volumeWindowDays?: number;
  /** Rates as in the example market (default 5% risk-free, 5% carry on BTC, ETH, SOL). */
  riskFreeAnnual?: number;
  carryAnnual?: Readonly<Record<string, number>>;
  /** Bridge routes and chain overrides copied into every snapshot (default none: xchain then assumes its worst case). */
  bridges?: readonly BridgeRouteDoc[];
  chains?: MarketSnapshot["chains"];
  /** Square-root impact parameters of every liquidity entry (defaults 5 bps, 0.7 as the example market). */
  halfSpreadBps?: number;
  impactCoefficient?: number;
}

/** What a portfolio needs from the history. */
export interface PortfolioNeeds {
  /** Non-USD underlyings of holdings and positions. */
  underlyings: string[];
  /** Tokens held that have a USD feed of their own. */
  tokenFeeds: string[];
  /** Risk factors the xchain model reads: underlyings and token bases. */
  factors: string[];
  /** Underlyings with options (they need a vol surface). */
  optionUnderlyings: string[];
  /** (chain, asset) markets of the portfolio: token symbol for holdings, underlying for positions. */
  markets: Array<{ chain: string; asset: string }>;
  /** Every series read, ascending. */
  series: string[];
}

export function portfolioNeeds(portfolio: Portfolio): PortfolioNeeds {
  const underlyings = new Set<string>();
  const tokenFeeds = new Set<string>();
  const factors = new Set<string>();
  const optionUnderlyings = new Set<string>();
  const markets = new Map<string, { chain: string; asset: string }>();
  portfolio.holdings.forEach((h, i) => {
    const token = getToken(h.chain, h.token, `$.holdings[${i}].token`);
    if (token.underlying !== "USD") underlyings.add(token.underlying);
    if (TOKEN_FEED_SERIES[token.symbol]) tokenFeeds.add(token.symbol);
    const basis = basisFactorOf(token);
    if (basis) factors.add(basis);
    markets.set(`${h.chain}|${h.token}`, { chain: h.chain, asset: h.token });
  });
  for (const p of portfolio.positions) {
    underlyings.add(p.underlying);
    if (p.kind === "option") optionUnderlyings.add(p.underlying);
    markets.set(`${p.chain}|${p.underlying}`, { chain: p.chain, asset: p.underlying });
  }
  for (const u of underlyings) factors.add(u);
  const series = new Set<string>();
  for (const u of underlyings) {
    const s = UNDERLYING_SERIES[u];
    if (!s) throw missingData("$.portfolio", `no price history is mapped for underlying ${u}`);
    series.add(s);
  }
  for (const t of tokenFeeds) series.add(TOKEN_FEED_SERIES[t]!);
  for (const f of factors) series.add(RISK_FACTOR_SERIES_BY_FACTOR[f]!);
  const sorted = (s: Set<string>) => [...s].sort();
  return {
    underlyings: sorted(underlyings),
    tokenFeeds: sorted(tokenFeeds),
    factors: sorted(factors),
    optionUnderlyings: sorted(optionUnderlyings),
    markets: [...markets.values()],
    series: sorted(series),
  };
}

/** One replayed day: the snapshot built from data up to its close, resolved once for every model. */
export interface MarketDay {
  date: string;
  /** Days since 1970-01-01. */
  dayNumber: number;
  asOfSec: number;
  snapshot: MarketSnapshot;
  market: ResolvedMarket;
  spotUsd: Map<string, number>;
  /** Risk factors put in the snapshot (undefined only when the portfolio has no factor). */
  riskFactors?: RiskFactorEstimate;
  /** EWMA vol proxy of each option underlying, annualised. */
  volProxyAnnual: Map<string, number>;
  /**
   * The day's open, high and low of each quoted feed (`BTC`, `USDC`, ...), USD, where the series has all three that
   * day: what the liquidation replay checks the breach on. A feed without them is absent (the replay then uses closes).
   */
  rangeUsd: Map<string, DayRange>;
}

export interface DayRange {
  openUsd: number;
  highUsd: number;
  lowUsd: number;
}

/** The day's range of each feed whose series has a complete open/high/low on `date`. */
function dayRanges(history: History, feeds: readonly DayQuoteFeed[], date: string): Map<string, DayRange> {
  const out = new Map<string, DayRange>();
  for (const f of feeds) {
    const s = history.get(f.series);
    const k = s ? lastIndexAtOrBefore(s.dates, date) : -1;
    if (!s || k < 0 || s.dates[k] !== date || out.has(f.symbol)) continue;
    const range = {
      openUsd: s.opens?.[k] ?? Number.NaN,
      highUsd: s.highs?.[k] ?? Number.NaN,
      lowUsd: s.lows?.[k] ?? Number.NaN,
    };
    if (Number.isFinite(range.openUsd) && Number.isFinite(range.highUsd) && Number.isFinite(range.lowUsd)) {
      out.set(f.symbol, range);
    }
  }
  return out;
}

export interface SeriesRange {
  symbol: string;
  firstDate: string;
  lastDate: string;
}

export interface MarketTimeline {
  needs: PortfolioNeeds;
  /** The replayed days built: all of them, or the ones `select` kept (a part of the run). */
  days: MarketDay[];
  /** First and last replayable day of the whole run, whichever days were built. */
  runFirstDate: string;
  runLastDate: string;
  /** Date range of each series read. */
  ranges: SeriesRange[];
  /** First and last common date of all the series, and the first day after the warm-up. */
  commonFirstDate: string;
  commonLastDate: string;
  firstReplayableDate: string;
  warmupDays: number;
  carryAnnual: Readonly<Record<string, number>>;
  /** Index of each day by dayNumber. */
  indexOfDay: Map<number, number>;
}

const num = (x: number, sig = 12) => formatDecimal(x, sig);

/** The vol method and, for the learned forecaster, its artefacts and market series (BTC-USD, cut per day upstream). */
function learnedOptions(history: History, options: TimelineOptions): Pick<RiskFactorEstimateOptions, "method" | "ml"> {
  const method = options.volMethod ?? "ewma";
  if (method !== "ml" && method !== "auto") return { method };
  if (!options.forecastWeights || options.forecastWeights.length === 0) {
    throw invalidInput(
      "$.riskFactors.volMethod",
      `"${method}" needs the learned forecaster's artefacts (xmargin train)`,
    );
  }
  const btc = seriesOf(history, "BTC-USD", "the learned forecaster's cross-asset features");
  return { method, ml: { weights: options.forecastWeights, market: { ...btc, symbol: "BTC" } } };
}

/** The dates a portfolio's backtest replays and what decides them (the first step of `buildMarketTimeline`). */
export interface ReplayableDays {
  needs: PortfolioNeeds;
  /** Replayable dates after the warm-up within `from`..`to`, ascending (never empty). */
  dates: string[];
  ranges: SeriesRange[];
  /** Common dates of every series read, ascending. */
  common: string[];
  firstReplayableDate: string;
  warmupDays: number;
}

/**
 * The common dates of every series the portfolio reads, after `warmupDays` of them and within `from`..`to`.
 * @throws when the history has no replayable day for it
 */
export function replayableDays(history: History, portfolio: Portfolio, options: TimelineOptions = {}): ReplayableDays {
  const needs = portfolioNeeds(portfolio);
  const warmupDays = options.warmupDays ?? 90;
  if (!Number.isInteger(warmupDays) || warmupDays < 31) {
    throw invalidInput("$.warmupDays", "must be an integer >= 31 (the risk factors need 30 returns)");
  }
  const series = needs.series.map((s) => seriesOf(history, s, portfolio.accountId));
  const ranges = series.map((s) => ({ symbol: s.symbol, firstDate: s.dates[0] ?? "", lastDate: s.dates.at(-1) ?? "" }));
  const count = new Map<string, number>();
  for (const s of series) for (const d of s.dates) count.set(d, (count.get(d) ?? 0) + 1);
  const common = [...count].filter(([, c]) => c === series.length).map(([d]) => d);
  common.sort();
  if (common.length <= warmupDays) {
    throw missingData(
      "$.history",
      `only ${common.length} common dates of ${needs.series.join(", ")}; need > ${warmupDays}`,
    );
  }
  const firstReplayableDate = common[warmupDays]!;
  const dates = common.filter(
    (d, k) => k >= warmupDays && (!options.from || d >= options.from) && (!options.to || d <= options.to),
  );
  if (dates.length === 0) {
    throw missingData(
      "$.from",
      `no replayable day in ${options.from ?? "start"}..${options.to ?? "end"}`,
      `history of ${needs.series.join(", ")} is replayable from ${firstReplayableDate} to ${common.at(-1)}`,
    );
  }
  return { needs, dates, ranges, common, firstReplayableDate, warmupDays };
}

/**
 * Builds the MarketSnapshot of every replayable day from closes up to that day only:
 * - quotes: each underlying's and each held token's close as one fresh `history` quote (chain ethereum, 60 s old);
 * - vol surfaces (option underlyings): flat at the EWMA(0.94) realised-vol proxy of the underlying's own closes,
 *   expiries 7..730 days, strikes 0.5..2 x spot (as scripts/build-example-market.py, plus longer expiries);
 * - liquidity per (chain, asset) of the portfolio: the trailing 30-day mean USD volume x the example market's chain
 *   share (history.ts);
 * - riskFactors: `estimateRiskFactors` on the portfolio's factors, incrementally (RiskFactorTracker);
 * - rates, bridges and chain overrides: constants from the options.
 * Days are the common dates of every series the portfolio reads, after `warmupDays` of them (`replayableDays`).
 * Every day is computed from the data up to it alone, so a part of the run (`select`) gives the same days as the
 * whole run: parts can be built and replayed on different threads.
 * @param onProgress called after each day with (done, total)
 * @param select which replayable days to build, by date and index among them (default all)
 */
export function buildMarketTimeline(
  history: History,
  portfolio: Portfolio,
  options: TimelineOptions = {},
  onProgress?: (done: number, total: number) => void,
  select?: (date: string, index: number) => boolean,
): MarketTimeline {
  const {
    needs,
    dates: runDates,
    ranges,
    common,
    firstReplayableDate,
    warmupDays,
  } = replayableDays(history, portfolio, options);
  const days = select ? runDates.filter((d, k) => select(d, k)) : runDates;
  const lambda = options.lambda ?? 0.94;

  const volProxies = new Map(
    needs.optionUnderlyings.map((u) => [u, new EwmaVolProxy(seriesOf(history, UNDERLYING_SERIES[u]!, u), lambda)]),
  );
  // The surfaces' implied-vol history (the proxy) estimates each option underlying's vol factor, as market data would.
  const volFactors = [...volProxies].map(([u, proxy]) => ({ name: `vol:${u}`, ...proxy.levels() }));
  const tracker =
    needs.factors.length > 0
      ? new RiskFactorTracker(
          [
            ...needs.factors.map((f) => {
              const s = seriesOf(history, RISK_FACTOR_SERIES_BY_FACTOR[f]!, f);
              return { name: f, dates: s.dates, closes: s.closes, ...(s.volumes ? { volumes: s.volumes } : {}) };
            }),
            ...volFactors,
          ],
          {
            lambda,
            stressWindowDays: options.stressWindowDays ?? 250,
            stressWeight: options.stressWeight ?? 0.25,
            ...learnedOptions(history, options),
          },
        )
      : undefined;
  const volumeWindow = options.volumeWindowDays ?? 30;
  const depth = needs.markets.flatMap((m) => {
    const file = VOLUME_SERIES[m.asset];
    const s = file ? history.get(file) : undefined;
    return s ? [{ ...m, share: volumeShare(file!, m.chain), trailing: new TrailingVolume(s, volumeWindow) }] : [];
  });
  const riskFree = options.riskFreeAnnual ?? 0.05;
  const carry = options.carryAnnual ?? { BTC: 0.05, ETH: 0.05, SOL: 0.05 };
  const halfSpread = num(options.halfSpreadBps ?? 5);
  const impact = num(options.impactCoefficient ?? 0.7);
  const feeds: DayQuoteFeed[] = [
    ...needs.underlyings.map((u) => ({ symbol: u, series: UNDERLYING_SERIES[u]! })),
    ...needs.tokenFeeds.map((t) => ({ symbol: t, series: TOKEN_FEED_SERIES[t]! })),
  ].map((f) => ({ ...f, source: "history", chain: "ethereum" }));
  const plan: DaySnapshotPlan = {
    feeds,
    volProxies,
    rates: {
      riskFreeAnnual: num(riskFree),
      carryAnnual: Object.fromEntries(Object.entries(carry).map(([u, c]) => [u, num(c)])),
    },
    chains: options.chains ?? [],
    bridges: options.bridges ?? [],
  };

  const out: MarketDay[] = [];
  let checkedShape: string | undefined;
  days.forEach((date, k) => {
    const liquidity: MarketSnapshot["liquidity"] = [];
    for (const m of depth) {
      const v = Math.round(m.trailing.at(date) * m.share);
      if (v > 0) {
        liquidity.push({
          chain: m.chain,
          asset: m.asset,
          dailyVolumeUsd: String(v),
          halfSpreadBps: halfSpread,
          impactCoefficient: impact,
        });
      }
    }
    const estimate = tracker?.estimateAt(date);
    if (tracker && !estimate) {
      throw missingData("$.warmupDays", `fewer than 30 common factor returns up to ${date}: raise warmupDays`);
    }
    const inputs = () => ({
      description: `xmargin backtest: closes of ${date} and earlier from the daily history (no later data)`,
      liquidity,
      ...(estimate ? { riskFactors: riskFactorsDoc(estimate) } : {}),
    });
    // A day's document goes through the schema check when its shape differs from the last checked one (the first
    // day, and any day on which a feed, vol surface, liquidity row or risk-factor field appears or goes): the same
    // code writes every entry of a kind, so a day of the same shape differs only in numbers, which resolveMarket
    // parses one by one with their paths (the check on every day was a quarter of a timeline's cost).
    const unchecked = dayDocument(history, date, plan, inputs());
    const shape = documentShape(unchecked.snapshot);
    const built = shape === checkedShape ? unchecked : buildDaySnapshot(history, date, plan, inputs());
    checkedShape = shape;
    for (const u of needs.optionUnderlyings) {
      if (!built.volProxyAnnual.has(u)) {
        throw missingData("$.warmupDays", `fewer than 20 ${u} returns up to ${date} for its vol proxy`);
      }
    }
    const spotUsd = new Map<string, number>([["USD", 1]]);
    for (const u of needs.underlyings) spotUsd.set(u, built.closeUsd.get(u)!);
    // The snapshot document is read only on the few days the liquidation replay visits: rebuilt from the same inputs
    // on first use rather than kept for every day (it was a third of a long timeline's heap, and the live heap sets
    // the cost of every full garbage collection of the replays).
    let snapshot: MarketSnapshot | undefined;
    out.push({
      date,
      dayNumber: dayNumberOf(date),
      asOfSec: closeTimeSec(date),
      get snapshot(): MarketSnapshot {
        snapshot ??= buildDaySnapshot(history, date, plan, inputs()).snapshot;
        return snapshot;
      },
      market: resolveMarket(built.snapshot, HISTORY_RULES),
      spotUsd,
      ...(estimate ? { riskFactors: estimate } : {}),
      volProxyAnnual: built.volProxyAnnual,
      rangeUsd: dayRanges(history, feeds, date),
    });
    onProgress?.(k + 1, days.length);
  });
  return {
    needs,
    days: out,
    runFirstDate: runDates[0]!,
    runLastDate: runDates.at(-1)!,
    ranges,
    commonFirstDate: common[0]!,
    commonLastDate: common.at(-1)!,
    firstReplayableDate,
    warmupDays,
    carryAnnual: carry,
    indexOfDay: new Map(out.map((d, i) => [d.dayNumber, i])),
  };
}

/** The counts of a day document's entries and of each risk factor's fields: equal shapes differ only in values. */
function documentShape(doc: MarketSnapshot): string {
  const factors = doc.riskFactors?.factors.map((f) => Object.keys(f).length).join(",") ?? "none";
  return `${doc.quotes.length}|${doc.volSurfaces.length}|${doc.liquidity.length}|${factors}`;
}
