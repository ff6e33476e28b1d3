import { defineChainProfile } from "../chainProfile.js";

/** Avalanche C-Chain: ~2 s blocks; Snowman consensus finalises in about 1-2 s. */
export const avalanche = defineChainProfile({
  id: "avalanche",
  name: "Avalanche C-Chain",
  evmChainId: 43_114,
  blockTimeMs: 2_000,
  finalitySec: 2,
  nativeUnderlying: "AVAX",
});
