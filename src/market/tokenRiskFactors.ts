import type { TokenRepresentation } from "./tokenRegistry.js";

/**
 * Basis factor of a token: the log price ratio token/underlying whose daily history exists in the shared data
 * (STETH-ETH, WBTC-BTC ratio files; stablecoin closes against USD). wstETH shares stETH's basis (it wraps stETH);
 * USDC.e shares USDC's. Tokens without a history have no diffusive basis, only their jump.
 */
const BASIS_FACTOR: Readonly<Record<string, string>> = {
  stETH: "basis:stETH",
  wstETH: "basis:stETH",
  WBTC: "basis:WBTC",
  USDC: "basis:USDC",
  "USDC.e": "basis:USDC",
  USDT: "basis:USDT",
  DAI: "basis:DAI",
};

export function basisFactorOf(token: Readonly<TokenRepresentation>): string | undefined {
  if (token.kind === "native" || token.symbol === token.underlying) return undefined;
  return BASIS_FACTOR[token.symbol];
}

/**
 * The event a token's depeg/failure jump belongs to; tokens of one group fail together:
 * - stablecoins: their issuer (USDC on every chain depegs together, as in March 2023);
 * - liquid-staking tokens: the staking protocol (stETH and wstETH);
 * - bridged copies: the bridge into that chain (all canonical-bridge tokens of a chain at once);
 * - custodial wrappers (WBTC, cbBTC): their custodian.
 * Native tokens and contract wrappers (WETH) have no jump.
 */
export function jumpGroupOf(token: Readonly<TokenRepresentation>): string | undefined {
  if (token.depegJump.sizeRel === 0) return undefined;
  switch (token.kind) {
    case "stablecoin":
      return `issuer:${token.symbol}`;
    case "lst":
      return token.symbol === "wstETH" ? "lst:stETH" : `lst:${token.symbol}`;
    case "bridged":
      return `bridge:${token.chain}`;
    case "wrapped":
      return `custodian:${token.symbol}`;
    case "native":
      return undefined;
  }
}
