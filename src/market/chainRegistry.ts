import { missingData } from "../core/errors.js";
import type { ChainProfile } from "./chainProfile.js";
import { arbitrum } from "./chains/arbitrum.js";
import { avalanche } from "./chains/avalanche.js";
import { base } from "./chains/base.js";
import { bsc } from "./chains/bsc.js";
import { ethereum } from "./chains/ethereum.js";
import { optimism } from "./chains/optimism.js";
import { polygon } from "./chains/polygon.js";
import { solana } from "./chains/solana.js";

/** Every chain the engine knows, by id. */
export const chainProfiles: ReadonlyMap<string, Readonly<ChainProfile>> = new Map(
  [ethereum, arbitrum, optimism, base, polygon, avalanche, bsc, solana].map((c) => [c.id, c]),
);

export function getChainProfile(chain: string, path = "$"): Readonly<ChainProfile> {
  const profile = chainProfiles.get(chain);
  if (!profile)
    throw missingData(path, `unknown chain "${chain}"`, `known chains: ${[...chainProfiles.keys()].join(", ")}`);
  return profile;
}
