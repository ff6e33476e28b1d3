import { missingData } from "../core/errors.js";

/** A risk factor every token and derivative maps to. USD is the numeraire: its price is 1 by definition. */
export interface Underlying {
  symbol: string;
  name: string;
  /** True for the numeraire (USD): never shocked in price scenarios. */
  isNumeraire: boolean;
}

const list: Underlying[] = [
  { symbol: "USD", name: "US dollar", isNumeraire: true },
  { symbol: "BTC", name: "Bitcoin", isNumeraire: false },
  { symbol: "ETH", name: "Ether", isNumeraire: false },
  { symbol: "SOL", name: "Solana", isNumeraire: false },
  { symbol: "BNB", name: "BNB", isNumeraire: false },
  { symbol: "AVAX", name: "Avalanche", isNumeraire: false },
  { symbol: "MATIC", name: "Polygon (MATIC/POL)", isNumeraire: false },
  { symbol: "LINK", name: "Chainlink", isNumeraire: false },
];

export const underlyings: ReadonlyMap<string, Readonly<Underlying>> = new Map(list.map((u) => [u.symbol, u]));

export function getUnderlying(symbol: string, path = "$"): Readonly<Underlying> {
  const u = underlyings.get(symbol);
  if (!u) throw missingData(path, `unknown underlying "${symbol}"`, `known: ${[...underlyings.keys()].join(", ")}`);
  return u;
}
