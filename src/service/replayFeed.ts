import { XmarginError } from "../core/errors.js";
import type { MarketSnapshot } from "../schema/marketSnapshot.js";
import { buildReplaySnapshot, type ReplayHistory } from "./replayHistory.js";

export interface ReplayFeedOptions {
  history: ReplayHistory;
  /** Static parts of every snapshot (rates, liquidity, bridges): the example market. */
  template: MarketSnapshot;
  from: string;
  to?: string;
  loop: boolean;
  /** Last day already replayed (from the store), to resume after a restart. */
  resumeAfter?: string;
}

export interface ReplayStatus {
  from: string;
  to: string;
  /** Last day replayed, null before the first tick. */
  lastDate: string | null;
  nextDate: string | null;
  daysTotal: number;
  daysDone: number;
  running: boolean;
  intervalMs: number;
}

/**
 * The live feed of the demo: the real daily history replayed one day per tick. Each tick is a new MarketSnapshot
 * built from that day's closes and everything before it (buildReplaySnapshot).
 */
export class ReplayFeed {
  private readonly dates: string[];
  private cursor: number;
  private timer: NodeJS.Timeout | undefined;
  private intervalMs = 0;
  private lastDate: string | null = null;

  constructor(private readonly options: ReplayFeedOptions) {
    const to = options.to ?? options.history.dates.at(-1)!;
    this.dates = options.history.dates.filter((d) => d >= options.from && d <= to);
    if (this.dates.length === 0) {
      throw new XmarginError(`no replayable day in ${options.from}..${to}`, {
        code: "MISSING_DATA",
        path: "$.feed.from",
        details: `history covers ${options.history.dates[0]}..${options.history.dates.at(-1)}`,
      });
    }
    const resume = options.resumeAfter;
    this.cursor = resume && resume >= this.dates[0]! ? this.dates.findIndex((d) => d > resume) : 0;
    if (resume && resume >= this.dates[0]!) this.lastDate = resume;
    if (this.cursor < 0) this.cursor = options.loop ? 0 : this.dates.length;
  }

  /** Builds the next day's snapshot and advances; undefined at the end (unless looping). */
  next(): { date: string; snapshot: MarketSnapshot } | undefined {
    if (this.cursor >= this.dates.length) {
      if (!this.options.loop) return undefined;
      this.cursor = 0;
    }
    const date = this.dates[this.cursor]!;
    const snapshot = buildReplaySnapshot(this.options.history, date, this.options.template);
    this.cursor++;
    this.lastDate = date;
    return { date, snapshot };
  }

  /** Calls `onTick` every `intervalMs` until stopped or the history ends. */
  start(intervalMs: number, onTick: () => void): void {
    this.stop();
    this.intervalMs = intervalMs;
    this.timer = setInterval(onTick, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  status(): ReplayStatus {
    return {
      from: this.dates[0]!,
      to: this.dates.at(-1)!,
      lastDate: this.lastDate,
      nextDate: this.cursor < this.dates.length ? this.dates[this.cursor]! : this.options.loop ? this.dates[0]! : null,
      daysTotal: this.dates.length,
      daysDone: this.cursor,
      running: this.timer !== undefined,
      intervalMs: this.intervalMs,
    };
  }
}
