/**
 * Numeric, already-resolved inputs of the pricing layer. Resolution (schema document + token registry + market
 * snapshot -> these records) happens once per report; pricing then works on plain numbers only.
 */
export type InstrumentKind = "spot" | "perp" | "future" | "option";

/** Numeric codes of the instrument kinds, for the `kind` columns of struct-of-arrays layouts. */
export const KIND_CODE = { spot: 0, perp: 1, future: 2, option: 3 } as const satisfies Record<InstrumentKind, number>;
export type KindCode = (typeof KIND_CODE)[InstrumentKind];

export interface PricedPosition {
  kind: InstrumentKind;
  /** Signed quantity in units of the underlying (spot: token units; derivatives: contracts x contract size). */
  size: number;
  /** Spot tokens only: token price / underlying spot price at the snapshot (1 for 1:1 representations). */
  priceRatio: number;
  /** Perp/future: entry price in USD. Resolution sets it to the current mark when the document has none. */
  entryPriceUsd: number;
  /** Option strike in USD. */
  strikeUsd: number;
  /** Future/option: Act/365 years from the snapshot time to expiry; 0 or less means expired. */
  expiryYears: number;
  /** Option: true for a call, false for a put. */
  isCall: boolean;
  /** Perp: funding accrued and not yet settled, USD, positive when received. */
  fundingAccruedUsd: number;
}

/** Market state of one underlying as pricing sees it. */
export interface UnderlyingState {
  spotUsd: number;
  /** Continuously compounded annual carry (basis) rate: forward = spot * exp(carry * years). */
  carryRateAnnual: number;
  /** Continuously compounded annual USD discount rate used for option premiums. */
  riskFreeRateAnnual: number;
}

/** Sensitivities of one position, all in USD and per the stated unit of the market move. */
export interface PositionGreeks {
  /** d value / d spot, in units of the underlying (USD per USD of spot move). */
  delta: number;
  /** d delta / d spot, per USD of spot move. */
  gamma: number;
  /** d value / d vol for a move of one vol point (0.01 absolute), USD. */
  vegaUsdPerVolPoint: number;
  /** Value change over one calendar day with spot and vol unchanged, USD (negative for long options). */
  thetaUsdPerDay: number;
}
