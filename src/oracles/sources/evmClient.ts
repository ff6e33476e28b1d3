import { BaseError, createPublicClient, defineChain, fallback, http, type PublicClient } from "viem";
import type { SourceChain } from "../sourcesConfig.js";
import type { SourceFailureReason } from "./sourceResult.js";

/**
 * A viem public client for one configured chain: HTTP transport with the chain's timeout, no retries (a failing RPC
 * is reported, not hammered; further `rpcUrls` are failover endpoints), and JSON-RPC batching so that calls sent together without Multicall3 still travel in
 * one HTTP request. The chain's Multicall3 address, when configured, is registered for `multicall`.
 */
export function createEvmClient(chain: SourceChain): PublicClient {
  const definition = defineChain({
    id: chain.evmChainId,
    name: chain.chain,
    nativeCurrency: { name: "native", symbol: "NATIVE", decimals: 18 },
    rpcUrls: { default: { http: [chain.rpcUrl] } },
    ...(chain.multicall3 ? { contracts: { multicall3: { address: chain.multicall3 as `0x${string}` } } } : {}),
  });
  const endpoint = (url: string) => http(url, { timeout: chain.timeoutMs, retryCount: 0, batch: { wait: 0 } });
  const more = chain.rpcUrls ?? [];
  // Failover: viem's fallback transport tries the endpoints in order and moves on when one fails to answer.
  const transport =
    more.length === 0 ? endpoint(chain.rpcUrl) : fallback([chain.rpcUrl, ...more].map(endpoint), { retryCount: 0 });
  return createPublicClient({ chain: definition, transport });
}

/** Sorts an error from viem into a failure reason and a one-line message (viem's short message, not its stack). */
export function classifyRpcError(err: unknown): { reason: SourceFailureReason; message: string } {
  if (err instanceof BaseError) {
    const names = new Set<string>();
    err.walk((e) => {
      if (e instanceof Error) names.add(e.name);
      return false;
    });
    names.add(err.name);
    const message = err.shortMessage.split("\n")[0] ?? err.shortMessage;
    if (names.has("TimeoutError")) return { reason: "TIMEOUT", message };
    if (names.has("ContractFunctionZeroDataError") || names.has("AbiDecodingZeroDataError")) {
      return { reason: "BAD_RESPONSE", message: `${message} (no contract at the address, or it lacks the function)` };
    }
    if (names.has("ContractFunctionRevertedError") || names.has("RawContractError")) {
      return { reason: "REVERTED", message };
    }
    if (
      names.has("AbiDecodingDataSizeTooSmallError") ||
      names.has("AbiDecodingOffsetOutOfBoundsError") ||
      names.has("PositionOutOfBoundsError")
    ) {
      return { reason: "BAD_RESPONSE", message };
    }
    if (names.has("ExecutionRevertedError") || names.has("CallExecutionError")) return { reason: "REVERTED", message };
    return { reason: "RPC_ERROR", message };
  }
  return { reason: "RPC_ERROR", message: err instanceof Error ? err.message : String(err) };
}

/**
 * Asks the RPC for its chain id. Returns undefined when it matches, else the failure (unreachable, timeout, or a
 * different chain: reading the wrong chain's contracts must never look like a success).
 */
export async function checkChainId(
  client: PublicClient,
  chain: SourceChain,
): Promise<{ reason: SourceFailureReason; message: string } | undefined> {
  try {
    const id = await client.getChainId();
    if (id !== chain.evmChainId) {
      return {
        reason: "CHAIN_ID_MISMATCH",
        message: `${chain.rpcUrl} reports chain id ${id}, the config expects ${chain.evmChainId}`,
      };
    }
    return undefined;
  } catch (err) {
    return classifyRpcError(err);
  }
}
