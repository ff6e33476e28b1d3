import type { PublicClient } from "viem";
import { type BackoffPolicy, backoffDelayMs, defaultBackoff } from "../../oracles/live/backoff.js";
import { BlockTracker } from "../../oracles/live/blockTracker.js";
import { readChainlinkFeeds } from "../../oracles/sources/chainlinkSource.js";
import { classifyRpcError, createEvmClient } from "../../oracles/sources/evmClient.js";
import type { SourceFailure, SourceQuote } from "../../oracles/sources/sourceResult.js";
import type { ChainlinkFeed, SourceChain, SourceToken } from "../../oracles/sourcesConfig.js";
import type { Holding } from "../../schema/portfolio.js";
import { readAccountBalances } from "../readAccountPortfolio.js";

/** What one new head of a chain changed. Values are read at the head; balances count at their final-safe amount. */
export interface ChainUpdate {
  chain: string;
  head: bigint;
  /** Highest block older than the finality depth: what is at or below it cannot be reorganised away. */
  finalBlock: bigint;
  /** The latest good quote of every feed of the chain (a feed that failed keeps its last good quote: it ages). */
  quotes: SourceQuote[];
  /** Feeds ("ETH/USD") whose price or round time changed with this head. */
  changedFeeds: string[];
  /** Accounts (checksummed) whose counted holdings changed, with their holdings on this chain. */
  holdings: Map<string, Holding[]>;
  /** Feeds and `account token` pairs whose latest value is newer than the final block (may still be reorganised). */
  provisional: string[];
  /** Set when blocks seen before were replaced: what changed back as a result. */
  reorg?: { depth: number; forkBlock: bigint; reverted: string[] };
  failures: SourceFailure[];
}

/** Health of the chain's RPC as the follower sees it. */
export interface ChainStatus {
  chain: string;
  state: "up" | "down";
  consecutiveFailures: number;
  /** Epoch ms of the last successful poll. */
  lastOkAtMs?: number;
  /** Epoch ms of the first failure of the current outage. */
  downSinceMs?: number;
  lastError?: string;
}

export interface ChainFollowerOptions {
  chain: SourceChain;
  feeds: ReadonlyArray<{ feed: ChainlinkFeed; path: string }>;
  tokens: readonly SourceToken[];
  /** On-chain accounts whose balances are followed. */
  accounts: readonly string[];
  /** Blocks after which an update is final. */
  finalityBlocks: number;
  /** Clock, epoch seconds (the snapshot time of the feed checks). */
  nowSec: () => number;
  onUpdate: (update: ChainUpdate) => void;
  onStatus?: (status: ChainStatus) => void;
  backoff?: BackoffPolicy;
  client?: PublicClient;
}

const quoteKey = (q: SourceQuote) => `${q.quote.price}@${q.quote.publishedAt}`;
const holdingsKey = (hs: readonly Holding[]) => hs.map((h) => `${h.token}:${h.amountRaw ?? h.amount}`).join(",");

/** Smaller of two base-unit amounts, as a string. A side not read (absent) counts as nothing: less collateral, never more. */
function minRaw(a: string | undefined, b: string | undefined): string {
  const x = BigInt(a ?? "0");
  const y = BigInt(b ?? "0");
  return (x < y ? x : y).toString();
}

/**
 * Follows one EVM chain by new-block polling through viem: on every new head it reads every Chainlink feed
 * (`readChainlinkFeeds`, all checks kept) and every followed account's balances at the head and at the final block
 * (head - finality depth). A balance counts at the smaller of the two until final, so a deposit that a reorg could
 * still remove never adds collateral, and a withdrawal counts at once. A head that replaces blocks seen before is a
 * reorg: the state is re-read at the new head (which reverts what the removed blocks did) and the update names what
 * changed back. An RPC that fails puts the chain "down" and retries with exponential backoff; the feeds keep their
 * last good quote, which goes stale after its heartbeat. Adapter (network I/O).
 * @see docs/oracles.md#live-mode
 */
export class ChainFollower {
  readonly client: PublicClient;
  private readonly tracker = new BlockTracker();
  private readonly quotes = new Map<string, { quote: SourceQuote; firstSeenBlock: bigint }>();
  private readonly holdings = new Map<string, { counted: Holding[]; provisional: string[] }>();
  private status: ChainStatus;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(private readonly options: ChainFollowerOptions) {
    this.client = options.client ?? createEvmClient(options.chain);
    this.status = { chain: options.chain.chain, state: "up", consecutiveFailures: 0 };
  }

  get chain(): string {
    return this.options.chain.chain;
  }

  get currentStatus(): ChainStatus {
    return { ...this.status };
  }

  /** Starts polling every `pollIntervalMs` (plus the backoff delay while the RPC is down). */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const loop = async () => {
      if (this.stopped) return;
      this.running = this.pollSafely();
      await this.running;
      if (this.stopped) return;
      const delay = this.options.chain.pollIntervalMs + backoffDelayMs(this.status.consecutiveFailures, this.backoff);
      this.timer = setTimeout(() => void loop(), delay);
    };
    void loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private get backoff(): BackoffPolicy {
    return this.options.backoff ?? defaultBackoff;
  }

  /** One poll; RPC trouble becomes a status change, never an exception. */
  async pollSafely(): Promise<void> {
    try {
      await this.poll();
      if (this.status.state === "down" || this.status.consecutiveFailures > 0 || this.status.lastOkAtMs === undefined) {
        this.setStatus({ chain: this.chain, state: "up", consecutiveFailures: 0, lastOkAtMs: Date.now() });
      } else this.status.lastOkAtMs = Date.now();
    } catch (err) {
      const { message } = classifyRpcError(err);
      const now = Date.now();
      this.setStatus({
        chain: this.chain,
        state: "down",
        consecutiveFailures: this.status.consecutiveFailures + 1,
        ...(this.status.lastOkAtMs !== undefined ? { lastOkAtMs: this.status.lastOkAtMs } : {}),
        downSinceMs: this.status.downSinceMs ?? now,
        lastError: message,
      });
    }
  }

  private setStatus(status: ChainStatus): void {
    const changed =
      status.state !== this.status.state || status.consecutiveFailures !== this.status.consecutiveFailures;
    this.status = status;
    if (changed) this.options.onStatus?.({ ...status });
  }

  /** Reads the chain once if the head moved. Throws when the RPC does not answer (the caller backs off). */
  async poll(): Promise<ChainUpdate | undefined> {
    const block = await this.client.getBlock({ blockTag: "latest" });
    if (block.hash === null || block.number === null) throw new Error("latest block has no hash");
    const change = await this.tracker.observe(
      { number: block.number, hash: block.hash, parentHash: block.parentHash },
      async (n) => (await this.client.getBlock({ blockNumber: n })).hash ?? undefined,
    );
    if (!change.advanced) return undefined;
    const head = block.number;
    const depth = BigInt(this.options.finalityBlocks);
    const finalBlock = head > depth ? head - depth : 0n;
    const failures: SourceFailure[] = [];

    const read = await readChainlinkFeeds({
      chain: this.options.chain,
      feeds: this.options.feeds,
      nowSec: this.options.nowSec(),
      client: this.client,
    });
    // The whole chain unreachable: an outage, not a per-feed problem.
    if (read.quotes.length === 0 && read.failures.length > 0 && read.failures.every((f) => isOutage(f))) {
      throw new Error(read.failures[0]!.message);
    }
    failures.push(...read.failures);
    const changedFeeds: string[] = [];
    for (const q of read.quotes) {
      const before = this.quotes.get(q.quote.feed);
      if (before && quoteKey(before.quote) === quoteKey(q)) continue;
      this.quotes.set(q.quote.feed, { quote: q, firstSeenBlock: head });
      changedFeeds.push(q.quote.feed);
    }

    const changedHoldings = await this.readHoldings(head, finalBlock, failures);
    const provisional = [
      ...[...this.quotes.values()].filter((q) => q.firstSeenBlock > finalBlock).map((q) => q.quote.quote.feed),
      ...[...this.holdings].flatMap(([account, h]) => h.provisional.map((t) => `${account} ${t}`)),
    ];
    const update: ChainUpdate = {
      chain: this.chain,
      head,
      finalBlock,
      quotes: [...this.quotes.values()].map((q) => q.quote),
      changedFeeds,
      holdings: changedHoldings,
      provisional,
      failures,
    };
    if (change.reorgDepth > 0) {
      update.reorg = {
        depth: change.reorgDepth,
        forkBlock: change.forkBlock ?? head,
        reverted: [...changedFeeds, ...[...changedHoldings.keys()].map((a) => `holdings of ${a}`)],
      };
    }
    this.options.onUpdate(update);
    return update;
  }

  /** Balances at the head and at the final block; each token counts at the smaller amount. */
  private async readHoldings(head: bigint, finalBlock: bigint, failures: SourceFailure[]) {
    const changed = new Map<string, Holding[]>();
    const { accounts, tokens, chain } = this.options;
    if (accounts.length === 0 || tokens.length === 0) return changed;
    const config = { chains: [chain], tokens: [...tokens] };
    const clients = new Map([[this.chain, this.client]]);
    const at = (blockNumber: bigint, account: string) =>
      readAccountBalances(config, account, {
        clients,
        includeZero: true,
        blockNumber: new Map([[this.chain, blockNumber]]),
      });
    for (const account of accounts) {
      const [now, final] = await Promise.all([at(head, account), at(finalBlock, account)]);
      const outage = [...now.failures, ...final.failures];
      if (outage.length > 0 && outage.every(isOutage)) throw new Error(outage[0]!.message);
      if (outage.length > 0) {
        // A token that cannot be read keeps its last counted amount (a failure, flagged), never zero.
        failures.push(...outage);
        continue;
      }
      const finalBy = new Map(final.holdings.map((h) => [h.token, h.amountRaw]));
      const counted: Holding[] = [];
      const provisional: string[] = [];
      for (const h of now.holdings) {
        const amountRaw = minRaw(h.amountRaw, finalBy.get(h.token));
        if (h.amountRaw !== finalBy.get(h.token)) provisional.push(h.token);
        if (amountRaw !== "0") counted.push({ chain: this.chain, token: h.token, amountRaw });
      }
      const before = this.holdings.get(now.account);
      this.holdings.set(now.account, { counted, provisional });
      if (!before || holdingsKey(before.counted) !== holdingsKey(counted)) changed.set(now.account, counted);
    }
    return changed;
  }
}

function isOutage(f: SourceFailure): boolean {
  return f.reason === "RPC_ERROR" || f.reason === "TIMEOUT";
}
