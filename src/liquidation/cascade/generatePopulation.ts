import { missingData } from "../../core/errors.js";
import { Prng } from "../../risk/prng.js";
import type { PortfolioInput } from "../../schema/portfolio.js";

export interface PopulationOptions {
  /** PRNG seed: the same seed gives the same accounts. */
  seed: number;
  /** Number of accounts. */
  count: number;
  /** Spot prices the sizes and entry prices are drawn around, USD (needs ETH, BTC, SOL). */
  spotsUsd: Readonly<Record<string, number>>;
}

/** Where a perp on each underlying may trade: chain, venue, and the weight of that venue. */
const VENUES: Record<string, Array<[chain: string, venue: string, weight: number]>> = {
  ETH: [
    ["arbitrum", "gmx", 0.55],
    ["base", "synthetix", 0.25],
    ["ethereum", "dydx-v3", 0.2],
  ],
  BTC: [
    ["arbitrum", "gmx", 0.7],
    ["ethereum", "dydx-v3", 0.3],
  ],
  SOL: [["solana", "drift", 1]],
};

const round = (x: number, decimals: number) => {
  const s = x.toFixed(decimals);
  return s.includes(".") ? s.replace(/\.?0+$/, "") : s;
};

/**
 * A seeded population of perp accounts spread over chains, for the cascade stress test. Archetypes:
 * - 55% same-chain traders: USDC on the venue's chain;
 * - 25% cross-chain traders: collateral (USDC, WETH or wstETH) on Ethereum, the perp on an L2 or Solana;
 * - 20% carry / basis: long WETH, stETH or wstETH on Ethereum hedged by a short ETH perp on Arbitrum.
 * Underlying ETH 50%, BTC 35%, SOL 15%; 65% of directional traders are long. Notional is lognormal (median
 * 250,000 USD, log-sd 1.2, clipped to 5,000-20,000,000); leverage is lognormal (median 4x, log-sd 0.5, clipped to
 * 1.5x-8x); entry prices are spot x (1 + N(0, 3%)). These are assumptions chosen to look like a perp venue's book,
 * not data.
 */
export function generatePopulation(options: PopulationOptions): PortfolioInput[] {
  const rng = new Prng(options.seed);
  const spot = (u: string) => {
    const s = options.spotsUsd[u];
    if (s === undefined) throw missingData(`$.spotUsd.${u}`, `generatePopulation needs a spot price for ${u}`);
    return s;
  };
  const pick = <T>(choices: Array<[T, number]>): T => {
    let x = rng.nextUniform() * choices.reduce((s, c) => s + c[1], 0);
    for (const [v, w] of choices) {
      x -= w;
      if (x <= 0) return v;
    }
    return choices[choices.length - 1]![0];
  };
  const out: PortfolioInput[] = [];
  for (let n = 0; n < options.count; n++) {
    const accountId = `pop-${String(n).padStart(3, "0")}`;
    const notionalUsd = Math.min(20_000_000, Math.max(5_000, 250_000 * Math.exp(1.2 * rng.nextNormal())));
    const leverage = Math.min(8, Math.max(1.5, 4 * Math.exp(0.5 * rng.nextNormal())));
    const archetype = pick<"same-chain" | "cross-chain" | "carry">([
      ["same-chain", 0.55],
      ["cross-chain", 0.25],
      ["carry", 0.2],
    ]);
    const entry = (u: string) => round(spot(u) * (1 + 0.03 * rng.nextNormal()), 2);
    if (archetype === "carry") {
      const token = pick<string>([
        ["WETH", 0.4],
        ["stETH", 0.3],
        ["wstETH", 0.3],
      ]);
      const ethUnits = notionalUsd / spot("ETH");
      const tokenUnits = token === "wstETH" ? ethUnits / 1.128 : ethUnits;
      const hedge = ethUnits * (0.9 + 0.1 * rng.nextUniform());
      out.push({
        accountId,
        description: `carry: ${token} on ethereum hedged by a short ETH perp on arbitrum`,
        holdings: [
          { chain: "ethereum", token, amount: round(tokenUnits, 4) },
          { chain: "arbitrum", token: "USDC", amount: round(notionalUsd / (4 * leverage), 2) },
        ],
        positions: [
          {
            id: "eth-perp",
            kind: "perp",
            chain: "arbitrum",
            venue: "gmx",
            underlying: "ETH",
            size: `-${round(hedge, 4)}`,
            entryPrice: entry("ETH"),
          },
        ],
      });
      continue;
    }
    const underlying = pick<string>([
      ["ETH", 0.5],
      ["BTC", 0.35],
      ["SOL", 0.15],
    ]);
    const [chain, venue] = pick(VENUES[underlying]!.map(([c, v, w]): [[string, string], number] => [[c, v], w]));
    const long = rng.nextUniform() < 0.65;
    const size = round(((long ? 1 : -1) * notionalUsd) / spot(underlying), 4);
    const collateralUsd = notionalUsd / leverage;
    const position = {
      id: `${underlying.toLowerCase()}-perp`,
      kind: "perp" as const,
      chain,
      venue,
      underlying,
      size,
      entryPrice: entry(underlying),
    };
    if (archetype === "same-chain" || chain === "ethereum") {
      out.push({
        accountId,
        description: `${long ? "long" : "short"} ${underlying} perp on ${chain}, USDC on the same chain`,
        holdings: [{ chain, token: "USDC", amount: round(collateralUsd, 2) }],
        positions: [position],
      });
      continue;
    }
    const token = pick<string>([
      ["USDC", 0.5],
      ["WETH", 0.3],
      ["wstETH", 0.2],
    ]);
    const units = token === "USDC" ? collateralUsd : collateralUsd / (spot("ETH") * (token === "wstETH" ? 1.128 : 1));
    out.push({
      accountId,
      description: `${long ? "long" : "short"} ${underlying} perp on ${chain}, ${token} collateral on ethereum`,
      holdings: [{ chain: "ethereum", token, amount: round(units, token === "USDC" ? 2 : 6) }],
      positions: [position],
    });
  }
  return out;
}
