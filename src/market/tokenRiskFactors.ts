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
