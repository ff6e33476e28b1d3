import type { ChainStatus } from "../chains/live/chainFollower.js";
import { LiveFeed, type LiveUpdate } from "../chains/live/liveFeed.js";
import { liveMarketSnapshot } from "../chains/live/liveSnapshot.js";
import type { BackoffPolicy } from "../oracles/live/backoff.js";
import type { SourcesConfigInput } from "../oracles/sourcesConfig.js";
import type { MarketSnapshot } from "../schema/marketSnapshot.js";
import type { Holding } from "../schema/portfolio.js";
import type { MarginService } from "./marginService.js";

export interface LiveChainsOptions {
  service: MarginService;
  sources: SourcesConfigInput;
  /** Static parts of the market (vol surfaces, rates, liquidity, bridges, risk factors) and quotes not followed live. */
  template: MarketSnapshot;
  /** How often the market clock moves (staleness and time decay; every account is recomputed then), milliseconds. */
  clockTickMs: number;
  backoff?: BackoffPolicy;
  log?: (line: string) => void;
}

/** Update-to-report timing of one live update (for the latency benchmark and `GET /healthz`). */
export interface LiveTiming {
  origin: string;
  /** Milliseconds from reading the update to the end of re-margining (reports announced). */
  applyMs: number;
  recomputed: number;
}

/**
 * Live mode of the service (`xmargin serve --sources S.json`): a `LiveFeed` over the configured chains and Hermes
 * stream drives the market. A changed feed re-margins only the accounts that depend on it (the snapshot time stays at
 * the last clock step); a changed balance of a followed on-chain account updates its holdings and re-margins that
 * account alone; the clock steps every `clockTickMs` so that a feed whose RPC died goes stale after its heartbeat.
 * Reorgs, RPC outages and provisional data are announced as `chain` events on the WebSocket.
 * @see docs/service.md#live-mode
 */
export class LiveChains {
  readonly feed: LiveFeed;
  readonly timings: LiveTiming[] = [];
  private asOfSec = Math.floor(Date.now() / 1000);
  private clock: NodeJS.Timeout | undefined;
  private readonly log: (line: string) => void;

  constructor(private readonly options: LiveChainsOptions) {
    this.feed = new LiveFeed(options.sources, options.backoff ? { backoff: options.backoff } : {});
    this.log = options.log ?? (() => {});
  }

  /** Reads every chain once, registers the followed accounts, makes the first live market and starts following. */
  async start(): Promise<void> {
    await this.feed.readAll();
    for (const account of this.feed.config.accounts) {
      await this.setHoldings(account, this.feedHoldings(account), "start");
    }
    await this.applyMarket("live start");
    this.feed.onUpdate((u) => void this.onUpdate(u));
    this.feed.onStatus((s) => this.onStatus(s));
    this.feed.start();
    this.clock = setInterval(() => {
      this.asOfSec = Math.floor(Date.now() / 1000);
      this.applyMarket("live clock").catch((err: unknown) => {
        this.log(`live clock tick failed: ${err instanceof Error ? err.message : String(err)}`);
      });
    }, this.options.clockTickMs);
    this.clock.unref();
  }

  async stop(): Promise<void> {
    if (this.clock) clearInterval(this.clock);
    await this.feed.stop();
  }

  statuses(): ChainStatus[] {
    return this.feed.statuses();
  }

  private feedHoldings(account: string): Holding[] {
    return this.feed.holdingsOf(account);
  }

  private applyMarket(source: string) {
    const snapshot = liveMarketSnapshot(this.options.template, this.feed.quotes(), this.asOfSec);
    return this.options.service.applyMarket(snapshot, source);
  }

  private async setHoldings(account: string, holdings: Holding[], reason: "start" | "position"): Promise<void> {
    const { service } = this.options;
    const existing = service.accounts.get(account);
    const portfolio = { ...(existing?.portfolio ?? { accountId: account, positions: [] }), holdings };
    await service.putAccount(account, { portfolio }, reason);
  }

  private async onUpdate(u: LiveUpdate): Promise<void> {
    const { service } = this.options;
    let recomputed = 0;
    try {
      if (u.changedFeeds.length > 0) {
        const before = service.stats.recomputations;
        await this.applyMarket(`live ${u.origin}`);
        recomputed += service.stats.recomputations - before;
      }
      for (const [account, holdings] of u.accounts) {
        await this.setHoldings(account, holdings, "position");
        recomputed++;
      }
    } catch (err) {
      this.log(`live update ${u.origin} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (u.flags.length > 0 || u.reorg) {
      service.emit({
        type: "chain",
        origin: u.origin,
        flags: u.flags,
        ...(u.reorg ? { reorg: { ...u.reorg, forkBlock: u.reorg.forkBlock.toString() } } : {}),
        accounts: [...u.accounts.keys()],
      });
    }
    this.timings.push({ origin: u.origin, applyMs: Date.now() - u.receivedAtMs, recomputed });
    if (this.timings.length > 10_000) this.timings.splice(0, this.timings.length - 10_000);
  }

  private onStatus(s: ChainStatus): void {
    this.log(`chain ${s.chain}: RPC ${s.state}${s.lastError ? ` (${s.lastError})` : ""}`);
    if (s.state === "up") {
      this.options.service.emit({ type: "chain", origin: s.chain, flags: [], accounts: [], status: "up" });
    }
  }
}
