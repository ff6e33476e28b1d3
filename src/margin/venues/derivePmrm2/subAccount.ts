/**
 * One PMRM_2 sub-account as the margin maths sees it (spec section 2): cash, options on one underlying grouped by
 * expiry, at most one perp, collateral tokens, and the feeds read for them. All amounts are in the cash unit (a USD
 * stable coin) except collateral prices, which are USD and are divided by the stable-coin price.
 */

/** One option holding: at most one per (expiry, strike, call/put), as on chain. */
export interface Pmrm2Option {
  strike: number;
  isCall: boolean;
  /** Signed number of contracts. */
  amount: number;
  /** Implied vol from the vol feed, annualised. */
  volAnnual: number;
}

export interface Pmrm2Expiry {
  /** Seconds from the evaluation time to expiry; negative values count as 0 (expired, unsettled). */
  secondsToExpiry: number;
  /** Part of the forward already fixed by the settlement average; does not move with spot. */
  forwardFixed: number;
  /** Part of the forward that still moves with spot. */
  forwardVariable: number;
  forwardConfidence: number;
  /** Continuously compounded annual rate from the feed (negative values are clamped to 0). */
  rateAnnual: number;
  rateConfidence: number;
  /** Confidence of the expiry's vol feed; counts only when the expiry holds an option. */
  volConfidence: number;
  options: Pmrm2Option[];
}

export interface Pmrm2Collateral {
  label: string;
  amount: number;
  /** Spot price from the collateral's feed, USD per token. */
  priceUsd: number;
  confidence: number;
  /** Moves with the underlying's spot in scenarios (the underlying itself, or its liquid-staking token). */
  isRiskCancelling: boolean;
  mmHaircut: number;
  imHaircut: number;
}

export interface Pmrm2SubAccount {
  /** Spot of the underlying, cash units. */
  spot: number;
  spotConfidence: number;
  /** Signed perp position, contracts; 0 when none (then the perp feed is not read). */
  perpAmount: number;
  perpPrice: number;
  perpConfidence: number;
  /** Unrealised perp P&L plus unrealised funding, cash units. */
  perpUnsettledCash: number;
  /** Cash balance (may be negative). */
  cash: number;
  /** Stable-coin price, USD per cash unit. */
  stablePrice: number;
  /**
   * Stable-coin price the peg-loss test reads (spec 8.3). Derive reads one feed for both; xmargin's mapping passes
   * the low edge of the feed's band here and the high edge above, so that oracle uncertainty never lowers margin.
   */
  pegStablePrice: number;
  expiries: Pmrm2Expiry[];
  collaterals: Pmrm2Collateral[];
}
