import { buildDaySnapshot, type DayQuoteFeed, type DaySnapshotPlan } from "../backtest/history/daySnapshot.js";
import { EwmaVolProxy } from "../backtest/history/ewmaVolProxy.js";
import type { History } from "../backtest/history/history.js";
import { loadHistoryFolder } from "../backtest/history/loadHistoryFolder.js";
import { riskFactorsDoc } from "../backtest/history/riskFactorsDoc.js";
import { TOKEN_FEED_SERIES, UNDERLYING_SERIES } from "../backtest/history/seriesMap.js";
import { XmarginError } from "../core/errors.js";
import { lastIndexAtOrBefore, secToIso } from "../core/time.js";
import { resolveMarket } from "../margin/resolve/resolveMarket.js";
import { estimateRiskFactors, type RiskFactorEstimateOptions, type VolMethod } from "../risk/estimateRiskFactors.js";
import type { ForecastWeights } from "../risk/forecast/mlp.js";
import { weightsAsOf } from "../risk/forecast/weightsAsOf.js";
import { RISK_FACTOR_SERIES } from "../risk/riskFactorSeries.js";
import type { MarketSnapshot, RiskFactorsDoc } from "../schema/marketSnapshot.js";
import type { RollInputs } from "./demoBook.js";

/** Chain of each underlying's chainlink feed in the replay (plus pyth on solana), as the example market. */
const CHAINLINK_CHAIN: Readonly<Record<string, string>> = {
  BTC: "ethereum",
  ETH: "ethereum",
  SOL: "arbitrum",
  BNB: "bsc",
  AVAX: "avalanche",
  MATIC: "polygon",
  LINK: "ethereum",
};
const PYTH_CONFIDENCE_REL = 0.0005;
const EWMA_LAMBDA = 0.94;

/**
 * Feeds of the replay, the example market's list (scripts/build-example-market.py): `<SYM>/USD` from chainlink on one
 * EVM chain plus pyth on solana per underlying, then the token feeds.
 */
const REPLAY_FEEDS: readonly DayQuoteFeed[] = [
  ...Object.entries(CHAINLINK_CHAIN).flatMap(([symbol, chain]) => {
    const series = UNDERLYING_SERIES[symbol]!;
    return [
      { symbol, series, source: "chainlink", chain },
      { symbol, series, source: "pyth", chain: "solana", confidenceRel: PYTH_CONFIDENCE_REL },
    ];
  }),
  ...(
    [
      ["stETH", "chainlink", "ethereum"],
      ["wstETH", "chainlink", "ethereum"],
      ["wstETH", "chainlink", "arbitrum"],
      ["wstETH", "chainlink", "optimism"],
      ["wstETH", "chainlink", "base"],
      ["WBTC", "chainlink", "ethereum"],
      ["USDC", "chainlink", "ethereum"],
      ["USDC", "pyth", "solana"],
      ["USDT", "chainlink", "ethereum"],
      ["USDT", "pyth", "solana"],
      ["DAI", "chainlink", "ethereum"],
    ] as const
  ).map(([symbol, source, chain]) => ({
    symbol,
    series: TOKEN_FEED_SERIES[symbol]!,
    source,
    chain,
    ...(source === "pyth" ? { confidenceRel: PYTH_CONFIDENCE_REL } : {}),
  })),
];

/** The daily closes the replay reads (src/backtest/history), with the vol proxy of each underlying built once. */
export interface ReplayHistory {
  dataDir: string;
  history: History;
  /** Days the replay can tick: every date with a BTC and an ETH close, ascending. */
  dates: string[];
  volProxies: ReadonlyMap<string, EwmaVolProxy>;
  /** Vol method of the daily risk factors (an xchain config's `riskFactors.volMethod`; default "ewma"). */
  volMethod: VolMethod;
  /** The learned forecaster's artefacts ("ml", "auto"); each day uses the versions trained through it. */
  forecastWeights: readonly ForecastWeights[];
}

export interface ReplayRiskOptions {
  volMethod?: VolMethod;
  forecastWeights?: readonly ForecastWeights[];
}

/** Reads the history folder `dataDir` (I/O, via the backtest's loader); BTC-USD and ETH-USD are required. */
export function loadReplayHistory(dataDir: string, risk: ReplayRiskOptions = {}): ReplayHistory {
  const history = loadHistoryFolder(dataDir, "$.feed.dataDir");
  const btc = history.get("BTC-USD");
  const eth = history.get("ETH-USD");
  if (!btc || !eth) {
    throw new XmarginError(`no BTC-USD.csv and ETH-USD.csv in ${dataDir}`, {
      code: "IO_ERROR",
      path: "$.feed.dataDir",
    });
  }
  const ethDates = new Set(eth.dates);
  const volProxies = new Map<string, EwmaVolProxy>();
  for (const [underlying, series] of Object.entries(UNDERLYING_SERIES)) {
    const s = history.get(series);
    if (s) volProxies.set(underlying, new EwmaVolProxy(s, EWMA_LAMBDA));
  }
  const volMethod = risk.volMethod ?? "ewma";
  const forecastWeights = risk.forecastWeights ?? [];
  if ((volMethod === "ml" || volMethod === "auto") && forecastWeights.length === 0) {
    throw new XmarginError(`volMethod "${volMethod}" needs the learned forecaster's artefacts`, {
      code: "INVALID_INPUT",
      path: "$.riskFactors.volMethod",
    });
  }
  return { dataDir, history, dates: btc.dates.filter((d) => ethDates.has(d)), volProxies, volMethod, forecastWeights };
}

function replayRiskFactors(replay: ReplayHistory, date: string): RiskFactorsDoc | undefined {
  const history = replay.history;
  const series = RISK_FACTOR_SERIES.flatMap(({ series: name, factor }) => {
    const s = history.get(name);
    return s ? [{ ...s, symbol: factor }] : [];
  });
  let e: ReturnType<typeof estimateRiskFactors>;
  try {
    e = estimateRiskFactors(series, { toDate: date, method: replay.volMethod, ...learnedInputs(replay, date) });
  } catch {
    return undefined; // too little common history before `date`: the snapshot goes without risk factors
  }
  const excluded = e.excluded.length ? `; no close on ${date}: ${e.excluded.join(", ")}` : "";
  return riskFactorsDoc(e, `replay: ${e.source}, closes ${e.fromDate}..${e.toDate}${excluded}`);
}

/** The learned forecaster's inputs on `date`: artefacts trained through it, the BTC series (cut by the estimate). */
function learnedInputs(replay: ReplayHistory, date: string): Pick<RiskFactorEstimateOptions, "ml"> {
  if (replay.volMethod !== "ml" && replay.volMethod !== "auto") return {};
  const btc = replay.history.get("BTC-USD")!;
  return { ml: { weights: weightsAsOf(replay.forecastWeights, date), market: { ...btc, symbol: "BTC" } } };
}

/** The replay's feeds whose series has a close on or after `date` (a series that has ended is no feed any more). */
function liveFeeds(history: History, date: string): DayQuoteFeed[] {
  return REPLAY_FEEDS.filter((f) => {
    const last = history.get(f.series)?.dates.at(-1);
    return last !== undefined && last >= date;
  });
}

/**
 * What the demo's option rolls read (src/service/demoBook.ts): spots of `template` (the market the demo books were
 * written against) and each underlying's close of a day from the history (the newest at or before it).
 */
export function rollInputsOf(replay: ReplayHistory, template: MarketSnapshot): RollInputs {
  const refSpotUsd = new Map<string, number>();
  for (const [symbol, u] of resolveMarket(template).underlyings) refSpotUsd.set(symbol, u.spotUsd);
  return {
    refSpotUsd,
    closeUsd: (underlying, daySec) => {
      const series = UNDERLYING_SERIES[underlying];
      const s = series === undefined ? undefined : replay.history.get(series);
      if (!s) return undefined;
      const k = lastIndexAtOrBefore(s.dates, secToIso(daySec).slice(0, 10));
      return k < 0 ? undefined : s.closes[k];
    },
  };
}

/**
 * The MarketSnapshot of one replayed day of the service's live feed: the backtest's snapshot of a day
 * (`buildDaySnapshot`: closes up to that day only, stale repeats for a missing close, flat EWMA vol-proxy surfaces)
 * with the example market's feeds (chainlink + pyth) whose history has not ended by `date` (DAI and MATIC end in
 * 2023-08: the demo market drops them rather than flag them stale forever; a gap in a live series still repeats its
 * last close as a stale quote), `estimateRiskFactors` up to the day as `xmargin risk`, and
 * rates, liquidity, chain overrides and bridges copied from `template` (the example market). Pure.
 */
export function buildReplaySnapshot(replay: ReplayHistory, date: string, template: MarketSnapshot): MarketSnapshot {
  const plan: DaySnapshotPlan = {
    feeds: liveFeeds(replay.history, date),
    volProxies: replay.volProxies,
    rates: template.rates,
    chains: template.chains,
    bridges: template.bridges,
  };
  const riskFactors = replayRiskFactors(replay, date);
  return buildDaySnapshot(replay.history, date, plan, {
    description:
      `xmargin replay of ${date}: daily closes from ${replay.dataDir} up to that day (SOURCES.md there). Vols are an ` +
      "EWMA(0.94) realised-vol proxy, not implied; rates, liquidity and bridges copied from the example market.",
    liquidity: template.liquidity,
    ...(riskFactors ? { riskFactors } : {}),
  }).snapshot;
}
