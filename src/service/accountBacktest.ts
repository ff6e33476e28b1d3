import { existsSync } from "node:fs";
import { type BacktestDayJson, backtestDayJson } from "../backtest/backtestJson.js";
import { type History, historyUpTo } from "../backtest/history/history.js";
import { loadHistoryFolder } from "../backtest/history/loadHistoryFolder.js";
import { type ReplayResult, replayMargin, templateFor } from "../backtest/replay.js";
import { summarizeReplay } from "../backtest/summary.js";
import { buildMarketTimeline } from "../backtest/timeline.js";
import { missingData, XmarginError } from "../core/errors.js";
import type { AnyMarginConfig } from "../margin/resolveConfig.js";
import type { MarketSnapshot } from "../schema/marketSnapshot.js";
import type { LiveAccount } from "./liveAccount.js";

/** Days of history a backtest covers by default, and at most. */
export const BACKTEST_DEFAULT_DAYS = 180;
export const BACKTEST_MAX_DAYS = 730;
/** Monte Carlo paths per day when the account runs xchain (bounded cost; the live model keeps its own). */
export const BACKTEST_XCHAIN_PATHS = 1000;
/** Results kept in memory (oldest dropped first). */
const CACHE_SIZE = 64;

export interface BacktestJson {
  accountId: string;
  accountVersion: number;
  model: string;
  from: string;
  to: string;
  /** Monte Carlo paths per day (xchain only). */
  paths?: number;
  horizonDays: number;
  coverage: number;
  days: BacktestDayJson[];
  summary: { observations: number; exceptions: number; rate: number; zone: string; kupiecP: number };
}

export interface AccountBacktesterOptions {
  /** Folder of the daily CSVs (the replay's). */
  historyDir: string;
  /** Bridges and chain overrides copied into every replayed day (the replay's template market). */
  template?: Pick<MarketSnapshot, "bridges" | "chains">;
}

const DAY_MS = 86_400_000;
const addDays = (date: string, n: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);

/** The account's model with xchain's paths capped at BACKTEST_XCHAIN_PATHS. */
function boundedConfig(config: AnyMarginConfig): { config: AnyMarginConfig; paths?: number } {
  if (config.model !== "xchain") return { config };
  const paths = Math.min(config.simulation.paths, BACKTEST_XCHAIN_PATHS);
  return { config: { ...config, simulation: { ...config.simulation, paths } }, paths };
}

/** Windows a backtest is computed for; a request for `days` reads the smallest window >= days, cut to `days`. */
export const BACKTEST_WINDOWS_DAYS = [30, 90, 180, 365, BACKTEST_MAX_DAYS] as const;

function windowFor(days: number): number {
  return BACKTEST_WINDOWS_DAYS.find((w) => w >= days) ?? BACKTEST_MAX_DAYS;
}

interface CachedReplay {
  replay: ReplayResult;
  /** The replay date the window ends at. */
  end: string;
  paths: number | undefined;
}

/** Daily histories read so far, per folder (read once per thread: the service's and each compute worker's). */
const histories = new Map<string, History>();

function historyOf(historyDir: string): History {
  let h = histories.get(historyDir);
  if (!h) {
    if (!existsSync(historyDir)) {
      throw new XmarginError("the backtest needs the daily price history, which is not available", {
        code: "CONFLICT",
        details: "start the service with the daily history (feed.dataDir)",
      });
    }
    h = loadHistoryFolder(historyDir, "$.feed.dataDir");
    histories.set(historyDir, h);
  }
  return h;
}

/**
 * The replay of one window: the portfolio under `config` (xchain paths capped) over the `windowDays` days ending at
 * `end`, reading only the history up to `end`. Pure apart from reading the history once per thread.
 */
export function replayWindow(
  options: AccountBacktesterOptions,
  portfolio: LiveAccount["portfolio"],
  accountConfig: AnyMarginConfig,
  end: string,
  windowDays: number,
): ReplayResult {
  const full = historyOf(options.historyDir);
  const history = historyUpTo(full, end);
  const { config } = boundedConfig(accountConfig);
  const timeline = buildMarketTimeline(history, portfolio, {
    from: addDays(end, -(windowDays - 1)),
    to: end,
    ...(options.template?.bridges ? { bridges: options.template.bridges } : {}),
    ...(options.template?.chains ? { chains: options.template.chains } : {}),
  });
  // The book template only fixes the options' moneyness against the portfolio's reference date (how the book is
  // defined, as in the CLI); every margin and loss reads the cut history.
  return replayMargin(timeline, templateFor(full, portfolio), config);
}

/** Where a window's replay is computed: on this thread by default, or handed to the compute pool. */
export type ReplayRunner = (acc: LiveAccount, end: string, windowDays: number) => Promise<ReplayResult>;

/**
 * Backtests stored accounts on the real daily history for the service (`GET /v1/accounts/:id/backtest`): the
 * account's portfolio under its model over the `days` days ending at the replay date (src/backtest: timeline,
 * replayMargin, summarizeReplay). Replays are cached per (account, version, end date, window) where the window is
 * one of BACKTEST_WINDOWS_DAYS: every day's margin reads only data up to that day, so the answer for `days` is the
 * window's last `days` days, and varying `days` cannot defeat the cache (at most five computations per account
 * version and day).
 */
export class AccountBacktester {
  private readonly cache = new Map<string, CachedReplay>();

  constructor(readonly options: AccountBacktesterOptions) {}

  /** Cached replays (for tests and /healthz-like inspection). */
  get cacheSize(): number {
    return this.cache.size;
  }

  private static key(acc: LiveAccount, end: string, window: number): string {
    return `${acc.accountId}|${acc.version}|${end}|${window}`;
  }

  /** The answer when its window is cached (no computation), else undefined. */
  cached(acc: LiveAccount, end: string, days: number): BacktestJson | undefined {
    const key = AccountBacktester.key(acc, end, windowFor(days));
    const hit = this.cache.get(key);
    if (!hit) return undefined;
    this.cache.delete(key);
    this.cache.set(key, hit);
    return answerOf(acc, hit, days);
  }

  /** Backtest of `acc` over the `days` days ending at `end` (YYYY-MM-DD, the replay's current day). */
  async run(acc: LiveAccount, end: string, days: number, runner?: ReplayRunner): Promise<BacktestJson> {
    const hit = this.cached(acc, end, days);
    if (hit) return hit;
    const window = windowFor(days);
    const replay = runner
      ? await runner(acc, end, window)
      : replayWindow(this.options, acc.portfolio, acc.config, end, window);
    const entry: CachedReplay = { replay, end, paths: boundedConfig(acc.config).paths };
    this.cache.set(AccountBacktester.key(acc, end, window), entry);
    while (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
    return answerOf(acc, entry, days);
  }
}

/** The JSON answer for the last `days` calendar days of a cached window. */
function answerOf(acc: LiveAccount, entry: CachedReplay, days: number): BacktestJson {
  const firstDate = addDays(entry.end, -(days - 1));
  const replay: ReplayResult = { ...entry.replay, days: entry.replay.days.filter((d) => d.date >= firstDate) };
  if (replay.days.length === 0) throw missingData("$.days", `no replayable day in ${firstDate}..${entry.end}`);
  const s = summarizeReplay(replay);
  return {
    accountId: acc.accountId,
    accountVersion: acc.version,
    model: replay.model,
    from: s.firstDate,
    to: s.lastDate,
    ...(entry.paths !== undefined ? { paths: entry.paths } : {}),
    horizonDays: replay.horizonDays,
    coverage: s.coverage,
    days: replay.days.map(backtestDayJson),
    summary: {
      observations: s.observations,
      exceptions: s.exceptions,
      rate: s.exceptionRate,
      zone: s.trafficLight.zone,
      kupiecP: s.kupiec.pValue,
    },
  };
}
