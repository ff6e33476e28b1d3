import { defineChainProfile } from "../chainProfile.js";

/** Polygon PoS: 2 s blocks; deterministic finality through Heimdall milestones (taken as ~2 min, conservative). */
export const polygon = defineChainProfile({
  id: "polygon",
  name: "Polygon PoS",
  evmChainId: 137,
  blockTimeMs: 2_000,
  finalitySec: 120,
  nativeUnderlying: "MATIC",
});
