import type { Abi, PublicClient } from "viem";
import type { SourceChain } from "../sourcesConfig.js";

/** One read-only contract call. */
export interface EvmCall {
  address: `0x${string}`;
  abi: Abi;
  functionName: string;
  args?: readonly unknown[];
}

/** The outcome of one call: its decoded value, or the error (revert, no data, timeout...). */
export type EvmCallOutcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Runs read-only calls on one chain. With a configured Multicall3 they travel as one `aggregate3` eth_call (each call
 * may fail on its own); without one, each is its own eth_call, sent together as one JSON-RPC batch by the client's
 * transport. Either way every call gets an outcome and nothing throws. With `blockNumber` all calls read that block.
 */
export async function callAll(
  client: PublicClient,
  chain: SourceChain,
  calls: readonly EvmCall[],
  blockNumber?: bigint,
): Promise<EvmCallOutcome[]> {
  const at = blockNumber === undefined ? {} : { blockNumber };
  if (calls.length === 0) return [];
  if (chain.multicall3) {
    try {
      const results = await client.multicall({
        contracts: calls.map((c) => ({ ...c, args: c.args ?? [] })),
        allowFailure: true,
        multicallAddress: chain.multicall3 as `0x${string}`,
        ...at,
      });
      return results.map(
        (r): EvmCallOutcome => (r.status === "success" ? { ok: true, value: r.result } : { ok: false, error: r.error }),
      );
    } catch (error) {
      return calls.map((): EvmCallOutcome => ({ ok: false, error }));
    }
  }
  return Promise.all(
    calls.map(async (c): Promise<EvmCallOutcome> => {
      try {
        const value: unknown = await client.readContract({
          address: c.address,
          abi: c.abi,
          functionName: c.functionName,
          args: c.args ?? [],
          ...at,
        });
        return { ok: true, value };
      } catch (error) {
        return { ok: false, error };
      }
    }),
  );
}
