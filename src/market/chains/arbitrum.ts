import { defineChainProfile } from "../chainProfile.js";

/** Arbitrum One: ~250 ms blocks; final once its batch is posted to Ethereum and that block is final (~20 min). */
export const arbitrum = defineChainProfile({
  id: "arbitrum",
  name: "Arbitrum One",
  evmChainId: 42_161,
  blockTimeMs: 250,
  finalitySec: 1_200,
  nativeUnderlying: "ETH",
});
