/**
 * How a token represents its underlying on a chain:
 * - native: the chain's own asset or the issuer's canonical token (ETH on Ethereum, USDC issued by Circle is a
 *   `stablecoin` instead);
 * - wrapped: a 1:1 contract or custodial wrapper (WETH, WBTC, cbBTC);
 * - bridged: a lock-and-mint copy from another chain (USDC.e, Wormhole WETH): can go to zero if the bridge fails;
 * - lst: a liquid-staking token (stETH, wstETH, mSOL): can trade at a discount when redemptions queue;
 * - stablecoin: a USD token redeemable with an issuer (USDC, USDT, DAI): can depeg.
 */
export type TokenKind = "native" | "wrapped" | "bridged" | "lst" | "stablecoin";

export const TOKEN_KINDS: readonly TokenKind[] = ["native", "wrapped", "bridged", "lst", "stablecoin"];

/** A depeg / failure jump of the token against its underlying, used by jump scenarios. */
export interface DepegJump {
  /** Relative price move of the token against its underlying in the jump (-0.13 = falls 13%). */
  sizeRel: number;
  /** Probability of such a jump per year (documented guess; only used to weight, never to net a hedge). */
  probabilityAnnual: number;
}

/**
 * Default jumps per kind, from history in ../shared/data (see docs/tokens.md):
 * - stablecoin: USDC's daily low 0.8774 on 2023-03-11 (SVB) -> -13%.
 * - lst: stETH/ETH close 0.93674 on 2022-06-15 (Celsius/3AC) -> -7%.
 * - bridged and custodial wrapped: a bridge hack or custodian failure leaves the copy worthless -> -100%.
 * - contract wrappers such as WETH and native tokens: none.
 */
export const defaultDepegJumps: Readonly<Record<TokenKind, DepegJump>> = {
  native: { sizeRel: 0, probabilityAnnual: 0 },
  wrapped: { sizeRel: 0, probabilityAnnual: 0 },
  bridged: { sizeRel: -1, probabilityAnnual: 0.02 },
  lst: { sizeRel: -0.07, probabilityAnnual: 0.05 },
  stablecoin: { sizeRel: -0.13, probabilityAnnual: 0.03 },
};
