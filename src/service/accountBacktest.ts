import { existsSync } from "node:fs";
import { type BacktestDayJson, backtestDayJson } from "../backtest/backtestJson.js";
import { type History, historyUpTo } from "../backtest/history/history.js";
import { loadHistoryFolder } from "../backtest/history/loadHistoryFolder.js";
import { replayMargin, templateFor } from "../backtest/replay.js";
import { summarizeReplay } from "../backtest/summary.js";
import { buildMarketTimeline } from "../backtest/timeline.js";
import type { AnyMarginConfig } from "../margin/resolveConfig.js";
import type { MarketSnapshot } from "../schema/marketSnapshot.js";
import type { LiveAccount } from "./marginService.js";
import { HttpError } from "./serviceErrors.js";

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

/**
 * Backtests stored accounts on the real daily history for the service (`GET /v1/accounts/:id/backtest`): the
 * account's portfolio under its model over the `days` days ending at the replay date (src/backtest: timeline,
 * replayMargin, summarizeReplay). The history is read once, lazily; answers are cached per (account, version,
 * end date, days), so a page reload or a second client costs nothing.
 */
export class AccountBacktester {
  private history: History | undefined;
  private readonly cache = new Map<string, BacktestJson>();

  constructor(private readonly options: AccountBacktesterOptions) {}

  /** Cached answers (for tests and /healthz-like inspection). */
  get cacheSize(): number {
    return this.cache.size;
  }

  private loadHistory(): History {
    if (!this.history) {
      if (!existsSync(this.options.historyDir)) {
        throw new HttpError(409, "MISSING_DATA", "the backtest needs the daily price history, which is not available");
      }
      this.history = loadHistoryFolder(this.options.historyDir, "$.feed.dataDir");
    }
    return this.history;
  }

  /** Backtest of `acc` over the `days` days ending at `end` (YYYY-MM-DD, the replay's current day). */
  run(acc: LiveAccount, end: string, days: number): BacktestJson {
    const key = `${acc.accountId}|${acc.version}|${end}|${days}`;
    const hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const full = this.loadHistory();
    const history = historyUpTo(full, end);
    const { config, paths } = boundedConfig(acc.config);
    const timeline = buildMarketTimeline(history, acc.portfolio, {
      from: addDays(end, -(days - 1)),
      to: end,
      ...(this.options.template?.bridges ? { bridges: this.options.template.bridges } : {}),
      ...(this.options.template?.chains ? { chains: this.options.template.chains } : {}),
    });
    // The book template only fixes the options' moneyness against the portfolio's reference date (how the book is
    // defined, as in the CLI); every margin and loss reads the cut history.
    const replay = replayMargin(timeline, templateFor(full, acc.portfolio), config);
    const s = summarizeReplay(replay);
    const out: BacktestJson = {
      accountId: acc.accountId,
      accountVersion: acc.version,
      model: replay.model,
      from: s.firstDate,
      to: s.lastDate,
      ...(paths !== undefined ? { paths } : {}),
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
    this.cache.set(key, out);
    while (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
    return out;
  }
}
