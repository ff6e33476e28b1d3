import { defineChainProfile } from "../chainProfile.js";

/** Solana: 400 ms slots; a block is finalized (rooted) after 32 confirmed slots, ~12.8 s. */
export const solana = defineChainProfile({
  id: "solana",
  name: "Solana",
  blockTimeMs: 400,
  finalitySec: 12.8,
  nativeUnderlying: "SOL",
});
