import type { Flag } from "../../core/flags.js";
import type { BackoffPolicy } from "../../oracles/live/backoff.js";
import { HermesPriceStream } from "../../oracles/live/hermesStream.js";
import { failureToFlag, type SourceFailure, type SourceQuote } from "../../oracles/sources/sourceResult.js";
import { parseSourcesConfig, type SourcesConfig, type SourcesConfigInput } from "../../oracles/sourcesConfig.js";
import type { OracleQuote } from "../../schema/marketSnapshot.js";
import type { Holding } from "../../schema/portfolio.js";
import { ChainFollower, type ChainStatus, type ChainUpdate } from "./chainFollower.js";
import { finalityBlocksOf } from "./finalityBlocks.js";

/** One change of the live market or of followed balances. */
export interface LiveUpdate {
  /** "ethereum@1234" (a chain head) or "pyth" (a Hermes event). */
  origin: string;
  /** Epoch ms the update was read (for update-to-report latency). */
  receivedAtMs: number;
  /** Feeds ("ETH/USD") whose price or publication time changed. */
  changedFeeds: string[];
  /** Followed accounts whose counted holdings changed, with their holdings on every chain. */
  accounts: Map<string, Holding[]>;
  /** Reorg, provisional data, read failures, RPC outages. */
  flags: Flag[];
  reorg?: ChainUpdate["reorg"] & { chain: string };
}

export interface LiveFeedOptions {
  /** Clock, epoch seconds. Default the wall clock. */
  nowSec?: () => number;
  backoff?: BackoffPolicy;
}

const quoteId = (q: OracleQuote) => `${q.source}|${q.chain}|${q.feed}`;

/**
 * The live market of a SourcesConfig: one `ChainFollower` per chain (Chainlink rounds, balances of `accounts`,
 * finality, reorgs, failover and backoff) and a `HermesPriceStream` when `hermes` is configured. Holds the latest
 * good quote of every (source, chain, feed) and the counted holdings of every followed account, and calls the
 * listeners with what each update changed. Adapter (network I/O).
 * @example
 * const feed = new LiveFeed(config);
 * feed.onUpdate((u) => service.applyMarket(...));
 * feed.start();
 * @see docs/oracles.md#live-mode
 */
export class LiveFeed {
  readonly config: SourcesConfig;
  readonly followers: ChainFollower[];
  readonly hermes: HermesPriceStream | undefined;
  private readonly latest = new Map<string, SourceQuote>();
  private readonly holdingsByChain = new Map<string, Map<string, Holding[]>>();
  private readonly updateListeners = new Set<(u: LiveUpdate) => void>();
  private readonly statusListeners = new Set<(s: ChainStatus) => void>();
  private readonly nowSec: () => number;

  constructor(input: SourcesConfigInput, options: LiveFeedOptions = {}) {
    this.config = parseSourcesConfig(input);
    this.nowSec = options.nowSec ?? (() => Math.floor(Date.now() / 1000));
    const cfg = this.config;
    this.followers = cfg.chains.map(
      (chain) =>
        new ChainFollower({
          chain,
          feeds: cfg.feeds.flatMap((feed, i) => (feed.chain === chain.chain ? [{ feed, path: `$.feeds[${i}]` }] : [])),
          tokens: cfg.tokens.filter((t) => t.chain === chain.chain),
          accounts: cfg.accounts,
          finalityBlocks: finalityBlocksOf(chain),
          nowSec: this.nowSec,
          onUpdate: (u) => this.onChainUpdate(u),
          onStatus: (s) => this.onChainStatus(s),
          ...(options.backoff ? { backoff: options.backoff } : {}),
        }),
    );
    this.hermes = cfg.hermes
      ? new HermesPriceStream({
          config: cfg.hermes,
          nowSec: this.nowSec,
          onQuotes: (q, f) => this.onHermes(q, f),
          onStatus: (state, detail) => {
            if (state === "down") this.emitOutage("pyth", `Hermes stream down (${detail})`);
          },
          ...(options.backoff ? { backoff: options.backoff } : {}),
        })
      : undefined;
  }

  onUpdate(listener: (u: LiveUpdate) => void): () => void {
    this.updateListeners.add(listener);
    return () => this.updateListeners.delete(listener);
  }

  onStatus(listener: (s: ChainStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** The latest good quote of every (source, chain, feed), with its heartbeat as `maxAgeSec`. */
  quotes(): OracleQuote[] {
    return [...this.latest.values()].map((q) => ({ ...q.quote, maxAgeSec: String(q.maxAgeSec) }));
  }

  /** Counted holdings of a followed account on every chain read so far. */
  holdingsOf(account: string): Holding[] {
    return [...this.holdingsByChain.values()].flatMap((m) => m.get(account) ?? []);
  }

  /** Chains whose RPC is down now. */
  statuses(): ChainStatus[] {
    return this.followers.map((f) => f.currentStatus);
  }

  /** Reads every chain once (in parallel) before `start`, so the first market is complete. */
  async readAll(): Promise<void> {
    await Promise.all(this.followers.map((f) => f.pollSafely()));
  }

  start(): void {
    for (const f of this.followers) f.start();
    this.hermes?.start();
  }

  async stop(): Promise<void> {
    await Promise.all([...this.followers.map((f) => f.stop()), this.hermes?.stop()]);
  }

  private emit(u: LiveUpdate): void {
    for (const l of this.updateListeners) l(u);
  }

  private onChainUpdate(u: ChainUpdate): void {
    for (const q of u.quotes) this.latest.set(quoteId(q.quote), q);
    let perChain = this.holdingsByChain.get(u.chain);
    if (!perChain) {
      perChain = new Map();
      this.holdingsByChain.set(u.chain, perChain);
    }
    for (const [account, hs] of u.holdings) perChain.set(account, hs);
    const accounts = new Map([...u.holdings.keys()].map((a) => [a, this.holdingsOf(a)]));
    const flags: Flag[] = u.failures.map(failureToFlag);
    if (u.provisional.length > 0) {
      flags.push({
        code: "CHAIN_PROVISIONAL",
        severity: "info",
        message: `${u.chain}: not final yet (head ${u.head}, final ${u.finalBlock}): ${u.provisional.join(", ")}`,
      });
    }
    if (u.reorg) {
      flags.push({
        code: "CHAIN_REORG",
        severity: "warning",
        message: `${u.chain}: reorg of ${u.reorg.depth} block(s) after ${u.reorg.forkBlock}; reverted: ${
          u.reorg.reverted.join(", ") || "nothing followed"
        }`,
      });
    }
    if (u.changedFeeds.length === 0 && accounts.size === 0 && !u.reorg && flags.length === 0) return;
    this.emit({
      origin: `${u.chain}@${u.head}`,
      receivedAtMs: Date.now(),
      changedFeeds: u.changedFeeds,
      accounts,
      flags,
      ...(u.reorg ? { reorg: { ...u.reorg, chain: u.chain } } : {}),
    });
  }

  private onChainStatus(s: ChainStatus): void {
    for (const l of this.statusListeners) l(s);
    if (s.state === "down" && s.consecutiveFailures === 1) {
      this.emitOutage(s.chain, `RPC not answering (${s.lastError ?? "?"})`);
    }
  }

  private emitOutage(origin: string, what: string): void {
    this.emit({
      origin,
      receivedAtMs: Date.now(),
      changedFeeds: [],
      accounts: new Map(),
      flags: [
        {
          code: "CHAIN_RPC_DOWN",
          severity: "warning",
          message: `${origin}: ${what}; its feeds go stale after their heartbeat unless it recovers`,
        },
      ],
    });
  }

  private onHermes(quotes: SourceQuote[], failures: SourceFailure[]): void {
    const changedFeeds: string[] = [];
    for (const q of quotes) {
      const before = this.latest.get(quoteId(q.quote));
      if (before && before.quote.price === q.quote.price && before.quote.publishedAt === q.quote.publishedAt) continue;
      this.latest.set(quoteId(q.quote), q);
      changedFeeds.push(q.quote.feed);
    }
    if (changedFeeds.length === 0 && failures.length === 0) return;
    this.emit({
      origin: "pyth",
      receivedAtMs: Date.now(),
      changedFeeds,
      accounts: new Map(),
      flags: failures.map(failureToFlag),
    });
  }
}
