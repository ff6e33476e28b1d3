import type { TokenRepresentation } from "./tokenRegistry.js";

/**
 * Basis factor of a token: the log price ratio token/underlying whose daily history exists in the shared data
 * (STETH-ETH, WBTC-BTC ratio files, WSTETH-ETH derived from the USD closes; stablecoin closes against USD).
 * wstETH has its own basis: its USD closes lag ETH's by up to a day, noise stETH/ETH does not contain.
 * USDC.e shares USDC's. Tokens without a history have no diffusive basis, only their jump.
 */
const BASIS_FACTOR: Readonly<Record<string, string>> = {
  stETH: "basis:stETH",
  wstETH: "basis:wstETH",
  WBTC: "basis:WBTC",
  USDC: "basis:USDC",
  "USDC.e": "basis:USDC",
  USDT: "basis:USDT",
  DAI: "basis:DAI",
};

/**
 * The basis a token falls back to when a snapshot lacks its own factor (one written before the factor existed):
 * wstETH wraps stETH, so stETH's basis is the nearest modelled risk, and never dropping to "jump only" keeps margin
 * from falling.
 */
const FALLBACK_BASIS_FACTOR: Readonly<Record<string, string>> = {
  wstETH: "basis:stETH",
};

export function basisFactorOf(token: Readonly<TokenRepresentation>): string | undefined {
  if (token.kind === "native" || token.symbol === token.underlying) return undefined;
  return BASIS_FACTOR[token.symbol];
}

/** The basis factor to use when `basisFactorOf(token)` is absent from a snapshot, if any. */
export function fallbackBasisFactorOf(token: Readonly<TokenRepresentation>): string | undefined {
  if (basisFactorOf(token) === undefined) return undefined;
  return FALLBACK_BASIS_FACTOR[token.symbol];
}
