import { getAddress, type PublicClient, parseAbiItem } from "viem";
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

const transferEvent = parseAbiItem("event Transfer(address indexed from, address indexed to, uint256 value)");

/** Smaller of two base-unit amounts, as a string. A side not read (absent) counts as nothing: less collateral, never more. */
function minRaw(a: string | undefined, b: string | undefined): string {
  const x = BigInt(a ?? "0");
  const y = BigInt(b ?? "0");
  return (x < y ? x : y).toString();
}

/**
 * Follows one EVM chain by new-block polling through viem: on every new head it reads every Chainlink feed
 * (`readChainlinkFeeds`, all checks kept) and the followed accounts' balances at the head and at the final block
 * (head - finality depth): native balances of every account, ERC-20 balances of the accounts that an ERC-20
 * `Transfer` log touched since the last final block. A balance counts at the smaller of the two until final, so a deposit that a reorg could
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
  /** Head and final block of the last complete balance read (the `Transfer` log range starts after its final block). */
  private lastRead: { head: bigint; finalBlock: bigint } | undefined;
  /** Accounts whose last read failed: read in full on the next head. */
  private readonly unread = new Set<string>();

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

    const changedHoldings = await this.readHoldings(head, finalBlock, change.reorgDepth > 0, failures);
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

  /**
   * ERC-20 `Transfer` logs of the followed tokens since the last final block, narrowed to the followed accounts: the
   * accounts whose ERC-20 balances (at the head or at the final block) can have changed. undefined = read everyone
   * (first read, after a reorg, or when the log query fails).
   */
  private async transferTouched(head: bigint, reorg: boolean): Promise<Set<string> | undefined> {
    const erc20 = this.options.tokens.flatMap((t) => (t.address ? [getAddress(t.address)] : []));
    if (!this.lastRead || reorg || erc20.length === 0) return undefined;
    try {
      const logs = await this.client.getLogs({
        address: erc20,
        event: transferEvent,
        fromBlock: this.lastRead.finalBlock + 1n,
        toBlock: head,
      });
      const followed = new Set(this.options.accounts.map((a) => getAddress(a)));
      const touched = new Set<string>();
      for (const log of logs) {
        for (const a of [log.args.from, log.args.to]) if (a && followed.has(getAddress(a))) touched.add(getAddress(a));
      }
      return touched;
    } catch {
      return undefined;
    }
  }

  /**
   * Balances at the head and at the final block; each token counts at the smaller amount. Native balances are read
   * for every followed account on every head (no log tells of them); ERC-20 balances only for the accounts a
   * `Transfer` touched since the last final block, the others keep what was counted.
   */
  private async readHoldings(head: bigint, finalBlock: bigint, reorg: boolean, failures: SourceFailure[]) {
    const changed = new Map<string, Holding[]>();
    const { accounts, tokens, chain } = this.options;
    if (accounts.length === 0 || tokens.length === 0) return changed;
    const touched = await this.transferTouched(head, reorg);
    const natives = tokens.filter((t) => t.address === undefined);
    const clients = new Map([[this.chain, this.client]]);
    const at = (blockNumber: bigint, account: string, list: readonly SourceToken[]) =>
      readAccountBalances({ chains: [chain], tokens: [...list] }, account, {
        clients,
        includeZero: true,
        blockNumber: new Map([[this.chain, blockNumber]]),
      });
    for (const account of accounts) {
      const key = getAddress(account);
      const before = this.holdings.get(key);
      const all = touched === undefined || touched.has(key) || !before || this.unread.has(key);
      const list = all ? tokens : natives;
      if (list.length === 0) continue;
      const [now, final] = await Promise.all([at(head, account, list), at(finalBlock, account, list)]);
      const outage = [...now.failures, ...final.failures];
      if (outage.length > 0 && outage.every(isOutage)) throw new Error(outage[0]!.message);
      if (outage.length > 0) {
        // A token that cannot be read keeps its last counted amount (a failure, flagged), never zero; the account is
        // read in full next time (the Transfer range moves on without it).
        failures.push(...outage);
        this.unread.add(key);
        continue;
      }
      this.unread.delete(key);
      const read = new Set(list.map((t) => t.symbol));
      const finalBy = new Map(final.holdings.map((h) => [h.token, h.amountRaw]));
      // What was not re-read (ERC-20s untouched by any Transfer) keeps its counted amount and provisional state.
      const counted: Holding[] = (before?.counted ?? []).filter((h) => !read.has(h.token));
      const provisional: string[] = (before?.provisional ?? []).filter((t) => !read.has(t));
      for (const h of now.holdings) {
        const amountRaw = minRaw(h.amountRaw, finalBy.get(h.token));
        if (h.amountRaw !== finalBy.get(h.token)) provisional.push(h.token);
        if (amountRaw !== "0") counted.push({ chain: this.chain, token: h.token, amountRaw });
      }
      counted.sort((x, y) => (x.token < y.token ? -1 : x.token > y.token ? 1 : 0));
      this.holdings.set(key, { counted, provisional });
      if (!before || holdingsKey(before.counted) !== holdingsKey(counted)) changed.set(key, counted);
    }
    this.lastRead = { head, finalBlock };
    return changed;
  }
}

function isOutage(f: SourceFailure): boolean {
  return f.reason === "RPC_ERROR" || f.reason === "TIMEOUT";
}
