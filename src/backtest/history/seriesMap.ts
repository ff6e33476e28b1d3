import { RISK_FACTOR_SERIES } from "../../risk/riskFactorSeries.js";

// Which series of the history feeds each part of a replayed day (the names are the files of ../shared/data).

/** USD price series of each underlying. */
export const UNDERLYING_SERIES: Readonly<Record<string, string>> = {
  BTC: "BTC-USD",
  ETH: "ETH-USD",
  SOL: "SOL-USD",
  BNB: "BNB-USD",
  AVAX: "AVAX-USD",
  MATIC: "MATIC-USD",
  LINK: "LINK-USD",
};

/**
 * Token feeds published in the daily snapshot (`<token>/USD`), from the token's own USD series. Tokens pegged 1:1 to
 * their underlying (WETH, USDC.e, native SOL) are priced from the underlying by the engine; tokens whose rate drifts
 * and that have no series (cbETH, mSOL, jitoSOL) get no price, as in the example market.
 */
export const TOKEN_FEED_SERIES: Readonly<Record<string, string>> = {
  stETH: "STETH-USD",
  wstETH: "WSTETH-USD",
  WBTC: "WBTC-USD",
  USDC: "USDC-USD",
  USDT: "USDT-USD",
  DAI: "DAI-USD",
};

/** Risk factor -> series (src/risk/riskFactorSeries.ts, as `xmargin risk` and the service use it). */
export const RISK_FACTOR_SERIES_BY_FACTOR: Readonly<Record<string, string>> = Object.fromEntries(
  RISK_FACTOR_SERIES.map(({ factor, series }) => [factor, series]),
);

/** Series whose volume column measures the market of each asset (token symbol or underlying), as the example market. */
export const VOLUME_SERIES: Readonly<Record<string, string>> = {
  BTC: "BTC-USD",
  WBTC: "WBTC-USD",
  ETH: "ETH-USD",
  WETH: "ETH-USD",
  stETH: "STETH-USD",
  wstETH: "WSTETH-USD",
  SOL: "SOL-USD",
  USDC: "USDC-USD",
  "USDC.e": "USDC-USD",
  USDT: "USDT-USD",
  DAI: "DAI-USD",
  LINK: "LINK-USD",
  BNB: "BNB-USD",
  AVAX: "AVAX-USD",
  MATIC: "MATIC-USD",
};

/**
 * Share of a file's (all-venue, mostly CEX) daily USD volume assumed executable on each chain: the assumptions of
 * scripts/build-example-market.py, so that the replayed depth matches the example market's on 2023-06-30.
 */
export const CHAIN_VOLUME_SHARE: Readonly<Record<string, number>> = {
  ethereum: 0.1,
  arbitrum: 0.05,
  optimism: 0.02,
  base: 0.02,
  solana: 0.05,
  polygon: 0.02,
  avalanche: 0.02,
  bsc: 0.05,
};
/** The wrapper/LST files carry the token's own (mostly on-chain DEX) volume: 60% on ethereum, 10% elsewhere. */
export const TOKEN_FILE_VOLUME_SHARE: Readonly<Record<string, number>> = { ethereum: 0.6 };
export const TOKEN_FILE_VOLUME_SHARE_OTHER = 0.1;
const TOKEN_FILES = new Set(["STETH-USD", "WSTETH-USD", "WBTC-USD"]);

/** Share of `series`'s volume executable on `chain`. */
export function volumeShare(series: string, chain: string): number {
  if (TOKEN_FILES.has(series)) return TOKEN_FILE_VOLUME_SHARE[chain] ?? TOKEN_FILE_VOLUME_SHARE_OTHER;
  return CHAIN_VOLUME_SHARE[chain] ?? 0.02;
}
