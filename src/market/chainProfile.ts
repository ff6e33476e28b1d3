import { invalidInput } from "../core/errors.js";
/**
 * Timing facts of one chain that decide how fast a position there can be liquidated. Values are approximate public
 * figures (see docs/chains.md); a MarketSnapshot may override them per chain.
 */
export interface ChainProfile {
  /** Lower-case chain name used in documents ("arbitrum"). */
  id: string;
  name: string;
  /** EVM chain id where one exists (for RPC readers). */
  evmChainId?: number;
  /** Average block (slot) time in milliseconds. */
  blockTimeMs: number;
  /** Seconds until a transaction on this chain cannot be reverted (economic finality used for settlement). */
  finalitySec: number;
  /** Underlying symbol of the gas token. */
  nativeUnderlying: string;
}

/** Identity helper that validates a chain profile's numbers when the module loads. */
export function defineChainProfile(profile: ChainProfile): Readonly<ChainProfile> {
  if (!/^[a-z][a-z0-9-]{1,31}$/.test(profile.id))
    throw invalidInput("$.id", `chain id ${profile.id} is not a lower-case name`);
  if (!(profile.blockTimeMs > 0)) throw invalidInput("$.blockTimeMs", `chain ${profile.id}: blockTimeMs must be > 0`);
  if (!(profile.finalitySec >= 0)) throw invalidInput("$.finalitySec", `chain ${profile.id}: finalitySec must be >= 0`);
  return Object.freeze({ ...profile });
}
