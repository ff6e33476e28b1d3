import type { PublicClient } from "viem";
import { formatUnits, parseUnits } from "../../core/decimal.js";
import { secToIso } from "../../core/time.js";
import type { ChainlinkFeed, SourceChain } from "../sourcesConfig.js";
import { callAll, type EvmCall, type EvmCallOutcome } from "./evmCalls.js";
import { checkChainId, classifyRpcError, createEvmClient } from "./evmClient.js";
import type { SourceFailure, SourceFailureReason, SourceResult } from "./sourceResult.js";

/** The part of Chainlink's AggregatorV3Interface the reader uses. */
export const aggregatorV3Abi = [
  { type: "function", name: "decimals", stateMutability: "view", inputs: [], outputs: [{ name: "", type: "uint8" }] },
  {
    type: "function",
    name: "latestRoundData",
    stateMutability: "view",
    inputs: [],
    outputs: [
      { name: "roundId", type: "uint80" },
      { name: "answer", type: "int256" },
      { name: "startedAt", type: "uint256" },
      { name: "updatedAt", type: "uint256" },
      { name: "answeredInRound", type: "uint80" },
    ],
  },
] as const;

/** Most decimals a feed may report before its answer is treated as malformed (no real feed exceeds 18). */
const MAX_FEED_DECIMALS = 36;

export interface ReadChainlinkFeedsArgs {
  chain: SourceChain;
  /** Feeds on that chain with their JSON path in the SourcesConfig (for failures). */
  feeds: ReadonlyArray<{ feed: ChainlinkFeed; path: string }>;
  /** Snapshot time, epoch seconds: answers published more than `maxFutureSec` after it are rejected. */
  nowSec: number;
  /** Clock skew tolerated between the chain and `nowSec`, seconds. Default 60. */
  maxFutureSec?: number;
  /** A ready client (tests, connection reuse); default one from `createEvmClient(chain)`. */
  client?: PublicClient;
}

type Round = readonly [bigint, bigint, bigint, bigint, bigint];

function isRound(v: unknown): v is Round {
  return Array.isArray(v) && v.length === 5 && v.every((x) => typeof x === "bigint");
}

/**
 * Checks one feed's `decimals()` and `latestRoundData()` answers. Returns the quote's price string and time, or the
 * reason it is unusable. Pure; exported for tests. Checks, in order (docs/oracles.md, "Chainlink"):
 * decimals readable and <= 36 and equal to the configured `decimals`; round readable; answer > 0; updatedAt > 0
 * (complete round); answeredInRound >= roundId; updatedAt not after `nowSec + maxFutureSec`; answer inside
 * [minPriceUsd, maxPriceUsd] when configured.
 */
export function checkChainlinkAnswer(
  feed: ChainlinkFeed,
  decimalsOutcome: EvmCallOutcome,
  roundOutcome: EvmCallOutcome,
  nowSec: number,
  maxFutureSec = 60,
):
  | { ok: true; price: string; updatedAtSec: number; roundId: bigint }
  | { ok: false; reason: SourceFailureReason; message: string } {
  if (!decimalsOutcome.ok) {
    const c = classifyRpcError(decimalsOutcome.error);
    return { ok: false, reason: c.reason, message: `decimals(): ${c.message}` };
  }
  const decimals = decimalsOutcome.value;
  if (typeof decimals !== "number" || !Number.isInteger(decimals) || decimals < 0 || decimals > MAX_FEED_DECIMALS) {
    return { ok: false, reason: "WRONG_DECIMALS", message: `decimals() returned ${String(decimals)}` };
  }
  if (feed.decimals !== undefined && decimals !== feed.decimals) {
    return {
      ok: false,
      reason: "WRONG_DECIMALS",
      message: `decimals() returned ${decimals}, the config expects ${feed.decimals}`,
    };
  }
  if (!roundOutcome.ok) {
    const c = classifyRpcError(roundOutcome.error);
    return { ok: false, reason: c.reason, message: `latestRoundData(): ${c.message}` };
  }
  if (!isRound(roundOutcome.value)) {
    return { ok: false, reason: "BAD_RESPONSE", message: "latestRoundData() did not return five integers" };
  }
  const [roundId, answer, , updatedAt, answeredInRound] = roundOutcome.value;
  if (answer <= 0n) {
    return { ok: false, reason: "NON_POSITIVE_PRICE", message: `answer ${answer} (round ${roundId}) is not > 0` };
  }
  if (updatedAt === 0n) {
    return { ok: false, reason: "INCOMPLETE_ROUND", message: `round ${roundId} has updatedAt 0` };
  }
  if (answeredInRound < roundId) {
    return {
      ok: false,
      reason: "STALE_ROUND",
      message: `answeredInRound ${answeredInRound} < roundId ${roundId}: the answer was carried over`,
    };
  }
  const updatedAtSec = Number(updatedAt);
  if (updatedAtSec > nowSec + maxFutureSec) {
    return {
      ok: false,
      reason: "FUTURE_TIMESTAMP",
      message: `updatedAt ${secToIso(Math.min(updatedAtSec, 8.64e12))} is ${Math.round(updatedAtSec - nowSec)}s after the snapshot time`,
    };
  }
  if (feed.minPriceUsd !== undefined && answer < parseUnits(feed.minPriceUsd, decimals, "$.minPriceUsd")) {
    return {
      ok: false,
      reason: "OUT_OF_BOUNDS",
      message: `answer ${formatUnits(answer, decimals)} < minPriceUsd ${feed.minPriceUsd}`,
    };
  }
  if (feed.maxPriceUsd !== undefined && answer > parseUnits(feed.maxPriceUsd, decimals, "$.maxPriceUsd")) {
    return {
      ok: false,
      reason: "OUT_OF_BOUNDS",
      message: `answer ${formatUnits(answer, decimals)} > maxPriceUsd ${feed.maxPriceUsd}`,
    };
  }
  return { ok: true, price: formatUnits(answer, decimals), updatedAtSec, roundId };
}

/**
 * Reads Chainlink AggregatorV3 feeds on one chain: `decimals()` and `latestRoundData()` of every feed, in one
 * Multicall3 `aggregate3` call when the chain config names a Multicall3, else as one JSON-RPC batch of eth_calls.
 * The RPC's chain id is checked first. Each feed yields a quote (price exact from the integer answer, published at
 * `updatedAt`, with the feed's heartbeat as `maxAgeSec`) or a failure; a stale answer is still a quote (the aggregator
 * flags it, docs/oracles.md R2-R3).
 * @example
 * const { quotes, failures } = await readChainlinkFeeds({ chain, feeds: [{ feed, path: "$.feeds[0]" }], nowSec });
 * @see docs/oracles.md
 */
export async function readChainlinkFeeds(args: ReadChainlinkFeedsArgs): Promise<SourceResult> {
  const { chain, feeds, nowSec } = args;
  const result: SourceResult = { quotes: [], failures: [] };
  if (feeds.length === 0) return result;
  const fail = (
    f: { feed: ChainlinkFeed; path: string },
    reason: SourceFailureReason,
    message: string,
  ): SourceFailure => ({
    source: f.feed.source,
    chain: chain.chain,
    feed: f.feed.feed,
    reason,
    message,
    path: f.path,
  });
  const client = args.client ?? createEvmClient(chain);
  const chainFailure = await checkChainId(client, chain);
  if (chainFailure) {
    result.failures.push(...feeds.map((f) => fail(f, chainFailure.reason, chainFailure.message)));
    return result;
  }
  const calls: EvmCall[] = feeds.flatMap(({ feed }) => [
    { address: feed.address as `0x${string}`, abi: aggregatorV3Abi, functionName: "decimals" },
    { address: feed.address as `0x${string}`, abi: aggregatorV3Abi, functionName: "latestRoundData" },
  ]);
  const outcomes = await callAll(client, chain, calls);
  feeds.forEach((f, i) => {
    const checked = checkChainlinkAnswer(f.feed, outcomes[2 * i]!, outcomes[2 * i + 1]!, nowSec, args.maxFutureSec);
    if (!checked.ok) {
      result.failures.push(fail(f, checked.reason, checked.message));
      return;
    }
    result.quotes.push({
      quote: {
        source: f.feed.source,
        chain: chain.chain,
        feed: f.feed.feed,
        price: checked.price,
        publishedAt: secToIso(checked.updatedAtSec),
      },
      maxAgeSec: f.feed.maxAgeSec,
      path: f.path,
    });
  });
  return result;
}
