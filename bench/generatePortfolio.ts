import { Prng } from "../src/risk/prng.js";
import type { PortfolioInput } from "../src/schema/portfolio.js";

/** Option expiries of the example market (examples/market-2023-06-30.json). */
const EXPIRIES = ["2023-07-31T08:00:00Z", "2023-09-29T08:00:00Z", "2023-12-28T08:00:00Z"];
const SPOT: Record<string, number> = { BTC: 30_477, ETH: 1_934, SOL: 18.8 };
const CHAINS = ["ethereum", "arbitrum", "solana"] as const;
const HOLDINGS: Record<(typeof CHAINS)[number], string[]> = {
  ethereum: ["USDC", "WETH", "stETH", "WBTC"],
  arbitrum: ["USDC", "WETH", "USDC.e"],
  solana: ["USDC", "SOL"],
};

/**
 * A realistic mixed book of `n` items over three chains: about 1/5 spot holdings, 2/5 perps, 2/5 options, sizes and
 * strikes drawn from a seeded PRNG so that every run benchmarks the same portfolio.
 */
export function generatePortfolio(n: number, seed: number, accountId = `bench-${seed}`): PortfolioInput {
  const rng = new Prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng.nextUniform() * xs.length)]!;
  const holdings: NonNullable<PortfolioInput["holdings"]> = [];
  const positions: NonNullable<PortfolioInput["positions"]> = [];
  for (let i = 0; i < n; i++) {
    const chain = pick(CHAINS);
    const u = rng.nextUniform();
    if (u < 0.2) {
      holdings.push({
        chain,
        token: pick(HOLDINGS[chain]),
        amount: (1 + Math.floor(rng.nextUniform() * 100)).toString(),
      });
      continue;
    }
    const underlying = pick(["BTC", "ETH", "SOL"]);
    const size = ((rng.nextUniform() < 0.5 ? -1 : 1) * (1 + Math.floor(rng.nextUniform() * 50))).toString();
    if (u < 0.6) {
      positions.push({ kind: "perp", chain, venue: "bench", underlying, size });
    } else {
      const spot = SPOT[underlying]!;
      const strike = spot * (0.8 + 0.4 * rng.nextUniform());
      positions.push({
        kind: "option",
        chain,
        venue: "bench",
        underlying,
        size,
        strike: strike.toFixed(underlying === "SOL" ? 2 : 0),
        expiry: pick(EXPIRIES),
        optionType: rng.nextUniform() < 0.5 ? "call" : "put",
      });
    }
  }
  return { accountId, holdings, positions };
}
