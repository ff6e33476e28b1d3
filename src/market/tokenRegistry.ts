import { missingData } from "../core/errors.js";
import type { TokenKind } from "./tokenKind.js";

/** One token representation of an underlying on one chain. */
export interface TokenRepresentation {
  chain: string;
  symbol: string;
  underlying: string;
  kind: TokenKind;
  decimals: number;
  /**
   * Units of underlying one token is meant to be worth when nothing is wrong: 1 for pegged tokens (WETH, stETH,
   * USDC). Undefined for tokens whose exchange rate drifts (wstETH, mSOL): they need a price feed of their own.
   */
  pegUnits?: number;
}

type Row = [chain: string, symbol: string, underlying: string, kind: TokenKind, decimals: number, pegged: boolean];

const rows: Row[] = [
  ["ethereum", "ETH", "ETH", "native", 18, true],
  ["ethereum", "WETH", "ETH", "wrapped", 18, true],
  ["ethereum", "stETH", "ETH", "lst", 18, true],
  ["ethereum", "wstETH", "ETH", "lst", 18, false],
  ["ethereum", "WBTC", "BTC", "wrapped", 8, true],
  ["ethereum", "USDC", "USD", "stablecoin", 6, true],
  ["ethereum", "USDT", "USD", "stablecoin", 6, true],
  ["ethereum", "DAI", "USD", "stablecoin", 18, true],
  ["ethereum", "LINK", "LINK", "native", 18, true],
  ["arbitrum", "ETH", "ETH", "native", 18, true],
  ["arbitrum", "WETH", "ETH", "wrapped", 18, true],
  ["arbitrum", "USDC", "USD", "stablecoin", 6, true],
  ["arbitrum", "USDC.e", "USD", "bridged", 6, true],
  ["arbitrum", "USDT", "USD", "stablecoin", 6, true],
  ["arbitrum", "WBTC", "BTC", "bridged", 8, true],
  ["arbitrum", "wstETH", "ETH", "bridged", 18, false],
  ["arbitrum", "LINK", "LINK", "bridged", 18, true],
  ["optimism", "ETH", "ETH", "native", 18, true],
  ["optimism", "WETH", "ETH", "wrapped", 18, true],
  ["optimism", "USDC", "USD", "stablecoin", 6, true],
  ["optimism", "USDC.e", "USD", "bridged", 6, true],
  ["optimism", "wstETH", "ETH", "bridged", 18, false],
  ["base", "ETH", "ETH", "native", 18, true],
  ["base", "WETH", "ETH", "wrapped", 18, true],
  ["base", "USDC", "USD", "stablecoin", 6, true],
  ["base", "cbBTC", "BTC", "wrapped", 8, true],
  ["base", "cbETH", "ETH", "lst", 18, false],
  ["base", "wstETH", "ETH", "bridged", 18, false],
  ["polygon", "MATIC", "MATIC", "native", 18, true],
  ["polygon", "WETH", "ETH", "bridged", 18, true],
  ["polygon", "USDC", "USD", "stablecoin", 6, true],
  ["polygon", "USDC.e", "USD", "bridged", 6, true],
  ["polygon", "WBTC", "BTC", "bridged", 8, true],
  ["avalanche", "AVAX", "AVAX", "native", 18, true],
  ["avalanche", "WAVAX", "AVAX", "wrapped", 18, true],
  ["avalanche", "USDC", "USD", "stablecoin", 6, true],
  ["avalanche", "WETH.e", "ETH", "bridged", 18, true],
  ["avalanche", "BTC.b", "BTC", "bridged", 8, true],
  ["bsc", "BNB", "BNB", "native", 18, true],
  ["bsc", "WBNB", "BNB", "wrapped", 18, true],
  ["bsc", "USDT", "USD", "stablecoin", 18, true],
  ["bsc", "ETH", "ETH", "bridged", 18, true],
  ["bsc", "BTCB", "BTC", "bridged", 18, true],
  ["solana", "SOL", "SOL", "native", 9, true],
  ["solana", "mSOL", "SOL", "lst", 9, false],
  ["solana", "jitoSOL", "SOL", "lst", 9, false],
  ["solana", "USDC", "USD", "stablecoin", 6, true],
  ["solana", "USDT", "USD", "stablecoin", 6, true],
  ["solana", "WETH", "ETH", "bridged", 8, true],
  ["solana", "WBTC", "BTC", "bridged", 8, true],
];

function toRepresentation([chain, symbol, underlying, kind, decimals, pegged]: Row): TokenRepresentation {
  return { chain, symbol, underlying, kind, decimals, ...(pegged ? { pegUnits: 1 } : {}) };
}

const byKey = new Map<string, Readonly<TokenRepresentation>>(
  rows.map((r) => [`${r[0]}:${r[1]}`, Object.freeze(toRepresentation(r))]),
);

/** All known token representations. */
export const tokenRepresentations: ReadonlyArray<Readonly<TokenRepresentation>> = [...byKey.values()];

export function findToken(chain: string, symbol: string): Readonly<TokenRepresentation> | undefined {
  return byKey.get(`${chain}:${symbol}`);
}

export function getToken(chain: string, symbol: string, path = "$"): Readonly<TokenRepresentation> {
  const token = findToken(chain, symbol);
  if (!token && !tokenRepresentations.some((t) => t.chain === chain)) {
    // A misspelt chain is named as the culprit (on the chain field), not as an unknown token.
    const chains = [...new Set(tokenRepresentations.map((t) => t.chain))];
    throw missingData(
      path.replace(/\.token$/, ".chain"),
      `unknown chain "${chain}"`,
      `known chains: ${chains.join(", ")}`,
    );
  }
  if (!token) {
    const known = tokenRepresentations.filter((t) => t.chain === chain).map((t) => t.symbol);
    throw missingData(
      path,
      `unknown token "${symbol}" on ${chain}`,
      known.length ? `known on ${chain}: ${known.join(", ")}` : "no tokens known on that chain",
    );
  }
  return token;
}
