/**
 * Which daily price series measures each risk factor, by the series' name in ../shared/data (`<name>.csv`):
 * underlyings by their USD closes, token bases by the token/underlying ratio (STETH-ETH, WBTC-BTC) or, for
 * stablecoins, their USD price. The one mapping used by `xmargin risk`, the backtest and the service's replay feed.
 */
export const RISK_FACTOR_SERIES: ReadonlyArray<{ factor: string; series: string }> = [
  { factor: "BTC", series: "BTC-USD" },
  { factor: "ETH", series: "ETH-USD" },
  { factor: "SOL", series: "SOL-USD" },
  { factor: "BNB", series: "BNB-USD" },
  { factor: "AVAX", series: "AVAX-USD" },
  { factor: "MATIC", series: "MATIC-USD" },
  { factor: "LINK", series: "LINK-USD" },
  { factor: "basis:stETH", series: "STETH-ETH" },
  // No file: WSTETH-USD / ETH-USD, derived by the history loader (src/backtest/history/ratioSeries.ts).
  { factor: "basis:wstETH", series: "WSTETH-ETH" },
  { factor: "basis:WBTC", series: "WBTC-BTC" },
  { factor: "basis:USDC", series: "USDC-USD" },
  { factor: "basis:USDT", series: "USDT-USD" },
  { factor: "basis:DAI", series: "DAI-USD" },
];
