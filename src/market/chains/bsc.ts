import { defineChainProfile } from "../chainProfile.js";

/** BNB Smart Chain: 3 s blocks (2024 parameters); fast finality after about two blocks plus votes (~7.5 s). */
export const bsc = defineChainProfile({
  id: "bsc",
  name: "BNB Smart Chain",
  evmChainId: 56,
  blockTimeMs: 3_000,
  finalitySec: 7.5,
  nativeUnderlying: "BNB",
});
