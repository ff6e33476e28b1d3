import { defineChainProfile } from "../chainProfile.js";

/** Base (OP Stack): 2 s blocks; final once its batch is posted to Ethereum and that block is final (~20 min). */
export const base = defineChainProfile({
  id: "base",
  name: "Base",
  evmChainId: 8_453,
  blockTimeMs: 2_000,
  finalitySec: 1_200,
  nativeUnderlying: "ETH",
});
