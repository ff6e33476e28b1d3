import { BaseError, ContractFunctionRevertedError, TimeoutError } from "viem";
import { describe, expect, it } from "vitest";
import { checkChainlinkAnswer } from "../../../../src/oracles/sources/chainlinkSource.js";
import type { EvmCallOutcome } from "../../../../src/oracles/sources/evmCalls.js";
import { classifyRpcError } from "../../../../src/oracles/sources/evmClient.js";
import { type ChainlinkFeed, chainlinkFeedSchema } from "../../../../src/oracles/sourcesConfig.js";

const NOW = 1_700_000_000;
const feed = (over: Partial<ChainlinkFeed> = {}): ChainlinkFeed =>
  chainlinkFeedSchema.parse({
    chain: "ethereum",
    feed: "ETH/USD",
    address: "0x5f4ec3df9cbd43714fe2740f5e3616155c5b8419",
    ...over,
  });
const ok = (value: unknown): EvmCallOutcome => ({ ok: true, value });
const round = (roundId: bigint, answer: bigint, updatedAt: bigint, answeredInRound = roundId) =>
  ok([roundId, answer, updatedAt, updatedAt, answeredInRound]);

describe("checkChainlinkAnswer", () => {
  it("turns the integer answer into an exact decimal string with the feed's decimals", () => {
    const r = checkChainlinkAnswer(feed({ decimals: 8 }), ok(8), round(5n, 200_012_345_678n, BigInt(NOW - 30)), NOW);
    expect(r).toEqual({ ok: true, price: "2000.12345678", updatedAtSec: NOW - 30, roundId: 5n });
    // 18-decimal feeds (e.g. ETH-denominated) keep every digit
    const e18 = checkChainlinkAnswer(feed(), ok(18), round(1n, 1_000_000_000_000_000_001n, BigInt(NOW)), NOW);
    expect(e18.ok && e18.price).toBe("1.000000000000000001");
  });

  it("keeps a stale answer (staleness is the aggregator's rule) but rejects one from the future", () => {
    expect(checkChainlinkAnswer(feed(), ok(8), round(1n, 1n, BigInt(NOW - 999_999)), NOW).ok).toBe(true);
    expect(checkChainlinkAnswer(feed(), ok(8), round(1n, 1n, BigInt(NOW + 60)), NOW).ok).toBe(true);
    expect(checkChainlinkAnswer(feed(), ok(8), round(1n, 1n, BigInt(NOW + 61)), NOW)).toMatchObject({
      ok: false,
      reason: "FUTURE_TIMESTAMP",
    });
  });

  it.each([
    ["zero answer", ok(8), round(1n, 0n, BigInt(NOW)), "NON_POSITIVE_PRICE"],
    ["negative answer", ok(8), round(1n, -1n, BigInt(NOW)), "NON_POSITIVE_PRICE"],
    ["updatedAt 0", ok(8), round(1n, 5n, 0n), "INCOMPLETE_ROUND"],
    ["answeredInRound < roundId", ok(8), round(9n, 5n, BigInt(NOW), 8n), "STALE_ROUND"],
    ["decimals other than configured", ok(18), round(1n, 5n, BigInt(NOW)), "WRONG_DECIMALS"],
    ["absurd decimals", ok(77), round(1n, 5n, BigInt(NOW)), "WRONG_DECIMALS"],
    ["decimals not a number", ok("8"), round(1n, 5n, BigInt(NOW)), "WRONG_DECIMALS"],
    ["round not five integers", ok(8), ok([1n, 2n]), "BAD_RESPONSE"],
  ] as const)("%s -> %s", (_name, decimals, r, reason) => {
    expect(checkChainlinkAnswer(feed({ decimals: 8 }), decimals, r, NOW)).toMatchObject({ ok: false, reason });
  });

  it("applies the configured circuit-breaker bounds inclusively", () => {
    const bounded = feed({ minPriceUsd: "100", maxPriceUsd: "5000" });
    expect(checkChainlinkAnswer(bounded, ok(8), round(1n, 100n * 10n ** 8n, BigInt(NOW)), NOW).ok).toBe(true);
    expect(checkChainlinkAnswer(bounded, ok(8), round(1n, 5_000n * 10n ** 8n, BigInt(NOW)), NOW).ok).toBe(true);
    expect(checkChainlinkAnswer(bounded, ok(8), round(1n, 99_99999999n, BigInt(NOW)), NOW)).toMatchObject({
      reason: "OUT_OF_BOUNDS",
    });
    expect(checkChainlinkAnswer(bounded, ok(8), round(1n, 5_000_00000001n, BigInt(NOW)), NOW)).toMatchObject({
      reason: "OUT_OF_BOUNDS",
    });
  });

  it("reports failed calls with their reason", () => {
    const reverted = new ContractFunctionRevertedError({
      abi: [],
      functionName: "latestRoundData",
      message: "feed paused",
    });
    expect(checkChainlinkAnswer(feed(), ok(8), { ok: false, error: reverted }, NOW)).toMatchObject({
      ok: false,
      reason: "REVERTED",
    });
    const timeout = new TimeoutError({ body: {}, url: "http://127.0.0.1:1" });
    expect(checkChainlinkAnswer(feed(), { ok: false, error: timeout }, round(1n, 5n, BigInt(NOW)), NOW)).toMatchObject({
      ok: false,
      reason: "TIMEOUT",
    });
  });
});

describe("classifyRpcError", () => {
  it("sorts viem errors, including wrapped ones, and plain errors", () => {
    const wrapped = new BaseError("call failed", { cause: new TimeoutError({ body: {}, url: "http://x" }) });
    expect(classifyRpcError(wrapped).reason).toBe("TIMEOUT");
    expect(classifyRpcError(new Error("socket hang up"))).toEqual({ reason: "RPC_ERROR", message: "socket hang up" });
  });
});
