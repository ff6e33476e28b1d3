import { chainProfiles } from "../../market/chainRegistry.js";
import type { SourceChain } from "../../oracles/sourcesConfig.js";

/**
 * Blocks after which an update on a chain is final: the config's `finalityBlocks`, else the registry's finality time
 * over its block time, rounded up (Ethereum: 768 s / 12 s = 64 blocks).
 */
export function finalityBlocksOf(chain: SourceChain): number {
  if (chain.finalityBlocks !== undefined) return chain.finalityBlocks;
  const profile = chainProfiles.get(chain.chain);
  if (!profile) throw new Error(`chain ${chain.chain} is not in the registry`);
  return Math.ceil(profile.finalitySec / (profile.blockTimeMs / 1000));
}
