import type { PricedPosition } from "../../src/pricing/types.js";

const BLANK: PricedPosition = {
  kind: "spot",
  size: 0,
  priceRatio: 1,
  entryPriceUsd: 0,
  strikeUsd: 0,
  expiryYears: 0,
  isCall: false,
  fundingAccruedUsd: 0,
};

/** A PricedPosition with every field not given at its neutral value. */
export const pos = (patch: Partial<PricedPosition>): PricedPosition => ({ ...BLANK, ...patch });
