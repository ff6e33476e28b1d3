import { formatDecimal } from "../../core/decimal.js";
import { missingData } from "../../core/errors.js";
import { lastIndexAtOrBefore } from "../../core/time.js";
import { type MarketSnapshot, marketSnapshotSchema, type RiskFactorsDoc } from "../../schema/marketSnapshot.js";
import { parseDocument } from "../../schema/validate.js";
import { closeTimeSec, isoSec } from "./dayTime.js";
import type { EwmaVolProxy } from "./ewmaVolProxy.js";
import type { History } from "./history.js";

/** One oracle feed replayed from a daily series: `<symbol>/USD` by `source` on `chain`. */
export interface DayQuoteFeed {
  /** Feed symbol: `BTC` publishes `BTC/USD`. */
  symbol: string;
  /** Series of the history with the USD closes, e.g. `BTC-USD`. */
  series: string;
  source: string;
  chain: string;
  /** Published confidence as a fraction of the price (pyth style); absent = the source publishes none. */
  confidenceRel?: number;
}

/** What every replayed day of one replay publishes, fixed for the whole replay. */
export interface DaySnapshotPlan {
  feeds: readonly DayQuoteFeed[];
  /** Underlyings with a flat vol surface at their EWMA proxy; the strikes follow the first feed of the underlying. */
  volProxies: ReadonlyMap<string, EwmaVolProxy>;
  rates: MarketSnapshot["rates"];
  chains: Readonly<MarketSnapshot["chains"]>;
  bridges: Readonly<MarketSnapshot["bridges"]>;
}

/** What changes from day to day besides the closes. */
export interface DayInputs {
  description: string;
  liquidity: MarketSnapshot["liquidity"];
  riskFactors?: RiskFactorsDoc;
}

/** A replayed day's snapshot with the numbers it was built from. */
export interface DaySnapshot {
  snapshot: MarketSnapshot;
  /** Close used for each feed symbol (USD). */
  closeUsd: Map<string, number>;
  /** Vol proxy of each underlying with a surface, annualised. */
  volProxyAnnual: Map<string, number>;
}

/** Quotes are published this long before the day's close. */
export const PUBLISH_LAG_SEC = 60;
/** Flat surfaces: expiries in days from the close, strikes as multiples of spot (scripts/build-example-market.py). */
const EXPIRY_DAYS = [7, 30, 90, 180, 365, 730];
const STRIKE_MULTIPLES = [0.5, 0.8, 0.9, 1, 1.1, 1.25, 2];
/** Floor of a surface's vol, so a flat price stretch gives a valid (tiny) vol rather than 0. */
const MIN_VOL_ANNUAL = 1e-4;
const num = (x: number, sig = 12) => formatDecimal(x, sig);

/**
 * The MarketSnapshot of one replayed day from closes up to that day only (no look-ahead), the one "snapshot of a day"
 * of the backtest and of the service's replay:
 * - quotes: each feed's close of `date`, published 60 s before that day's close; a series with no close that day
 *   repeats its newest earlier close with that earlier publication time, so the engine sees a stale feed
 *   (ORACLE_STALE) instead of a made-up price; a series with no close yet publishes nothing;
 * - vol surfaces: flat at the EWMA realised-vol proxy of the underlying (NOT implied), expiries 7..730 days, strikes
 *   0.5..2 x spot; no surface before the proxy has 20 returns;
 * - rates, chains and bridges from the plan, liquidity and risk factors from `day`.
 * A plan with no feed at all (a book that needs no price) publishes USDC/USD = 1 so the snapshot is valid; a plan
 * whose feeds have no close by `date` is MISSING_DATA.
 * @param date ISO day.
 */
export function buildDaySnapshot(history: History, date: string, plan: DaySnapshotPlan, day: DayInputs): DaySnapshot {
  const built = dayDocument(history, date, plan, day);
  return { ...built, snapshot: parseDocument(marketSnapshotSchema, built.snapshot, "MarketSnapshot") };
}

/**
 * `buildDaySnapshot`'s document as built, before the schema check: what a backtest's later days resolve once its first
 * day's document passed the check (the same code writes every day's document, so only the numbers differ, and
 * resolveMarket parses each number with its path). Every field the schema defaults is written out, so the check would
 * return the same document.
 */
export function dayDocument(history: History, date: string, plan: DaySnapshotPlan, day: DayInputs): DaySnapshot {
  const asOfSec = closeTimeSec(date);
  const quotes: MarketSnapshot["quotes"] = [];
  const closeUsd = new Map<string, number>();
  for (const feed of plan.feeds) {
    const s = history.get(feed.series);
    const k = s ? lastIndexAtOrBefore(s.dates, date) : -1;
    if (!s || k < 0) continue;
    const priceUsd = s.closes[k]!;
    if (!closeUsd.has(feed.symbol)) closeUsd.set(feed.symbol, priceUsd);
    quotes.push({
      source: feed.source,
      chain: feed.chain,
      feed: `${feed.symbol}/USD`,
      price: num(priceUsd),
      ...(feed.confidenceRel !== undefined ? { confidence: num(priceUsd * feed.confidenceRel, 4) } : {}),
      publishedAt: isoSec(closeTimeSec(s.dates[k]!) - PUBLISH_LAG_SEC),
    });
  }
  if (quotes.length === 0) {
    if (plan.feeds.length > 0) throw missingData("$.date", `no close on or before ${date} for any feed`);
    quotes.push({
      source: "history",
      chain: "ethereum",
      feed: "USDC/USD",
      price: "1",
      publishedAt: isoSec(asOfSec - PUBLISH_LAG_SEC),
    });
  }
  const volProxyAnnual = new Map<string, number>();
  const volSurfaces: MarketSnapshot["volSurfaces"] = [];
  for (const [underlying, proxy] of plan.volProxies) {
    const vol = proxy.at(date);
    const spot = closeUsd.get(underlying);
    if (vol === undefined || spot === undefined) continue;
    volProxyAnnual.set(underlying, vol);
    const strikes = STRIKE_MULTIPLES.map((m) => num(m * spot));
    const vols = strikes.map(() => num(Math.max(vol, MIN_VOL_ANNUAL), 8));
    volSurfaces.push({
      underlying,
      expiries: EXPIRY_DAYS.map((d) => ({ expiry: isoSec(asOfSec + d * 86_400), strikes, vols })),
    });
  }
  const snapshot: MarketSnapshot = {
    asOf: isoSec(asOfSec),
    description: day.description,
    quotes,
    volSurfaces,
    rates: plan.rates,
    liquidity: day.liquidity,
    chains: [...plan.chains],
    bridges: [...plan.bridges],
    ...(day.riskFactors ? { riskFactors: day.riskFactors } : {}),
  };
  return { snapshot, closeUsd, volProxyAnnual };
}
