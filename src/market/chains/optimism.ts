import { defineChainProfile } from "../chainProfile.js";

/** OP Mainnet: 2 s blocks; final once its batch is posted to Ethereum and that block is final (~20 min). */
export const optimism = defineChainProfile({
  id: "optimism",
  name: "OP Mainnet",
  evmChainId: 10,
  blockTimeMs: 2_000,
  finalitySec: 1_200,
  nativeUnderlying: "ETH",
});
