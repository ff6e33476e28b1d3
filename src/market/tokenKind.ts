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
