import { defineChainProfile } from "../chainProfile.js";

/** Ethereum mainnet: 12 s slots; finality after two epochs (2 x 32 slots x 12 s = 768 s). */
export const ethereum = defineChainProfile({
  id: "ethereum",
  name: "Ethereum",
  evmChainId: 1,
  blockTimeMs: 12_000,
  finalitySec: 768,
  nativeUnderlying: "ETH",
});
