import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { formatDecimal } from "../core/decimal.js";
import { XmarginError } from "../core/errors.js";
import { secToIso } from "../core/time.js";
import { estimateRiskFactors } from "../risk/estimateRiskFactors.js";
import { type PriceSeries, parsePriceCsv } from "../risk/priceHistory.js";
import { RISK_FACTOR_SERIES } from "../risk/riskFactorSeries.js";
import { type MarketSnapshot, marketSnapshotSchema, type RiskFactorsDoc } from "../schema/marketSnapshot.js";
import { parseDocument } from "../schema/validate.js";

/**
 * Underlying feeds of the replay: `<SYM>/USD` from chainlink on one EVM chain plus pyth on solana, as
 * scripts/build-example-market.py builds the example market.
 */
const UNDERLYING_FEEDS: ReadonlyArray<[symbol: string, file: string, chainlinkChain: string]> = [
  ["BTC", "BTC-USD.csv", "ethereum"],
  ["ETH", "ETH-USD.csv", "ethereum"],
  ["SOL", "SOL-USD.csv", "arbitrum"],
  ["BNB", "BNB-USD.csv", "bsc"],
  ["AVAX", "AVAX-USD.csv", "avalanche"],
  ["MATIC", "MATIC-USD.csv", "polygon"],
  ["LINK", "LINK-USD.csv", "ethereum"],
];

/** Token feeds: (feed symbol, file, source, chain), the example market's list. */
const TOKEN_FEEDS: ReadonlyArray<[feed: string, file: string, source: string, chain: string]> = [
  ["stETH", "STETH-USD.csv", "chainlink", "ethereum"],
  ["wstETH", "WSTETH-USD.csv", "chainlink", "ethereum"],
  ["wstETH", "WSTETH-USD.csv", "chainlink", "arbitrum"],
  ["wstETH", "WSTETH-USD.csv", "chainlink", "optimism"],
  ["wstETH", "WSTETH-USD.csv", "chainlink", "base"],
  ["WBTC", "WBTC-USD.csv", "chainlink", "ethereum"],
  ["USDC", "USDC-USD.csv", "chainlink", "ethereum"],
  ["USDC", "USDC-USD.csv", "pyth", "solana"],
  ["USDT", "USDT-USD.csv", "chainlink", "ethereum"],
  ["USDT", "USDT-USD.csv", "pyth", "solana"],
  ["DAI", "DAI-USD.csv", "chainlink", "ethereum"],
];

/** Risk factor -> file (src/risk/riskFactorSeries.ts, as `xmargin risk` and the backtest use it). */
const FACTOR_FILES: ReadonlyArray<[file: string, factor: string]> = RISK_FACTOR_SERIES.map(({ factor, series }) => [
  `${series}.csv`,
  factor,
]);

const PYTH_CONFIDENCE_REL = 0.0005;
const PUBLISH_LAG_SEC = 60;
const EWMA_LAMBDA = 0.94;
const EWMA_SEED_RETURNS = 20;
const EXPIRY_DAYS = [7, 30, 90, 180, 365];
const STRIKE_MULTIPLES = [0.5, 0.8, 0.9, 1, 1.1, 1.25, 2];

/** The daily closes the replay reads, by file name. */
export interface ReplayHistory {
  dataDir: string;
  series: ReadonlyMap<string, PriceSeries>;
  /** Days the replay can tick: every date with a BTC and an ETH close, ascending. */
  dates: string[];
}

/** Reads the history files of `dataDir` (I/O). Files that are absent are skipped; BTC and ETH are required. */
export function loadReplayHistory(dataDir: string): ReplayHistory {
  const files = new Set([
    ...UNDERLYING_FEEDS.map(([, f]) => f),
    ...TOKEN_FEEDS.map(([, f]) => f),
    ...FACTOR_FILES.map(([f]) => f),
  ]);
  const series = new Map<string, PriceSeries>();
  for (const file of files) {
    const path = join(dataDir, file);
    if (!existsSync(path)) continue;
    series.set(file, parsePriceCsv(readFileSync(path, "utf8"), file.replace(/\.csv$/, "")));
  }
  const btc = series.get("BTC-USD.csv");
  const eth = series.get("ETH-USD.csv");
  if (!btc || !eth) {
    throw new XmarginError(`no BTC-USD.csv and ETH-USD.csv in ${dataDir}`, {
      code: "IO_ERROR",
      path: "$.feed.dataDir",
    });
  }
  const ethDates = new Set(eth.dates);
  return { dataDir, series, dates: btc.dates.filter((d) => ethDates.has(d)) };
}

/** Index of the last date <= `date`, -1 when none. */
function lastIndexAtOrBefore(dates: readonly string[], date: string): number {
  let lo = 0;
  let hi = dates.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (dates[mid]! <= date) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** Close time of a UTC day: the next midnight, epoch seconds. */
export function closeTimeSec(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) / 1000 + 86_400;
}

const isoSec = (sec: number) => secToIso(sec).replace(/\.000Z$/, "Z");
const num = (x: number, sig = 10) => formatDecimal(x, sig);

/** RiskMetrics EWMA vol (annualised, x sqrt(365)) of the log-returns of closes up to index `end` (seed: 20 returns). */
export function ewmaVolAnnual(closes: Float64Array, end: number, lambda = EWMA_LAMBDA): number | undefined {
  if (end < EWMA_SEED_RETURNS + 1) return undefined;
  let seed = 0;
  for (let k = 1; k <= EWMA_SEED_RETURNS; k++) seed += Math.log(closes[k]! / closes[k - 1]!) ** 2;
  let variance = seed / EWMA_SEED_RETURNS;
  for (let k = EWMA_SEED_RETURNS + 1; k <= end; k++) {
    variance = lambda * variance + (1 - lambda) * Math.log(closes[k]! / closes[k - 1]!) ** 2;
  }
  return Math.sqrt(variance * 365);
}

interface QuotePoint {
  priceUsd: number;
  /** Close time of the day the close belongs to (a close from an earlier day is stale). */
  closeSec: number;
}

function closeAt(series: PriceSeries | undefined, date: string): QuotePoint | undefined {
  if (!series) return undefined;
  const k = lastIndexAtOrBefore(series.dates, date);
  if (k < 0) return undefined;
  return { priceUsd: series.closes[k]!, closeSec: closeTimeSec(series.dates[k]!) };
}

function riskFactorsDoc(history: ReplayHistory, date: string): RiskFactorsDoc | undefined {
  const series = FACTOR_FILES.flatMap(([file, factor]) => {
    const s = history.series.get(file);
    return s ? [{ ...s, symbol: factor }] : [];
  });
  let e: ReturnType<typeof estimateRiskFactors>;
  try {
    e = estimateRiskFactors(series, { toDate: date });
  } catch {
    return undefined; // too little common history before `date`: the snapshot goes without risk factors
  }
  const n = e.names.length;
  return {
    source: `replay: EWMA(0.94) with stressed floor, closes ${e.fromDate}..${e.toDate}${
      e.excluded.length ? `; no close on ${date}: ${e.excluded.join(", ")}` : ""
    }`.slice(0, 500),
    factors: e.names.map((name, i) => ({ name, volDaily: num(e.volsDaily[i]!) })),
    correlations: e.names.map((_, i) =>
      e.names.map((__, j) => (i === j ? "1" : num(e.correlation[Math.min(i, j) * n + Math.max(i, j)]!))),
    ),
  };
}

/**
 * The MarketSnapshot of one replayed day, from closes up to that day only (no look-ahead):
 * - quotes: each underlying's close from chainlink (one EVM chain) and pyth (solana, confidence 0.05%), and the token
 *   feeds of the example market, published 60 s before the close. A series with no close that day repeats its last
 *   close with that day's publication time, so the engine sees a stale feed (ORACLE_STALE) instead of a made-up price.
 * - vol surfaces: flat at the EWMA(0.94) realised-vol proxy of each underlying, expiries 7..365 days, strikes
 *   0.5..2 x spot (NOT implied vols; as scripts/build-example-market.py);
 * - riskFactors: `estimateRiskFactors` up to the day (EWMA with stressed floor), as `xmargin risk`;
 * - rates, liquidity, chain overrides and bridge routes: copied from `template` (the example market).
 * Pure: the history is read by `loadReplayHistory`.
 */
export function buildReplaySnapshot(history: ReplayHistory, date: string, template: MarketSnapshot): MarketSnapshot {
  const asOfSec = closeTimeSec(date);
  const quotes: MarketSnapshot["quotes"] = [];
  const volSurfaces: MarketSnapshot["volSurfaces"] = [];
  for (const [symbol, file, chain] of UNDERLYING_FEEDS) {
    const series = history.series.get(file);
    const q = closeAt(series, date);
    if (!q || !series) continue;
    const publishedAt = isoSec(q.closeSec - PUBLISH_LAG_SEC);
    const price = num(q.priceUsd, 12);
    quotes.push({ source: "chainlink", chain, feed: `${symbol}/USD`, price, publishedAt });
    quotes.push({
      source: "pyth",
      chain: "solana",
      feed: `${symbol}/USD`,
      price,
      confidence: num(q.priceUsd * PYTH_CONFIDENCE_REL, 4),
      publishedAt,
    });
    const vol = ewmaVolAnnual(series.closes, lastIndexAtOrBefore(series.dates, date));
    if (vol !== undefined && vol > 0) {
      const strikes = STRIKE_MULTIPLES.map((m) => num(m * q.priceUsd, 8));
      const vols = strikes.map(() => num(vol, 6));
      volSurfaces.push({
        underlying: symbol,
        expiries: EXPIRY_DAYS.map((d) => ({ expiry: isoSec(asOfSec + d * 86_400), strikes, vols })),
      });
    }
  }
  for (const [feed, file, source, chain] of TOKEN_FEEDS) {
    const q = closeAt(history.series.get(file), date);
    if (!q) continue;
    quotes.push({
      source,
      chain,
      feed: `${feed}/USD`,
      price: num(q.priceUsd, 12),
      ...(source === "pyth" ? { confidence: num(q.priceUsd * PYTH_CONFIDENCE_REL, 4) } : {}),
      publishedAt: isoSec(q.closeSec - PUBLISH_LAG_SEC),
    });
  }
  if (quotes.length === 0) {
    throw new XmarginError(`no close on or before ${date}`, { code: "MISSING_DATA", path: "$.feed.from" });
  }
  const riskFactors = riskFactorsDoc(history, date);
  const snapshot = {
    asOf: isoSec(asOfSec),
    description:
      `xmargin replay of ${date}: daily closes from ${history.dataDir} up to that day (SOURCES.md there). Vols are an ` +
      "EWMA(0.94) realised-vol proxy, not implied; rates, liquidity and bridges copied from the example market.",
    quotes,
    volSurfaces,
    rates: template.rates,
    liquidity: template.liquidity,
    chains: template.chains,
    bridges: template.bridges,
    ...(riskFactors ? { riskFactors } : {}),
  };
  return parseDocument(marketSnapshotSchema, snapshot, "MarketSnapshot");
}
