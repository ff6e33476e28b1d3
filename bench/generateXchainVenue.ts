import { Prng } from "../src/risk/prng.js";
import type { PortfolioInput } from "../src/schema/portfolio.js";

/** Option expiries and listed strike ladders of the example market (examples/market-2023-06-30.json). */
const EXPIRIES = ["2023-07-08T08:00:00Z", "2023-07-31T08:00:00Z", "2023-09-29T08:00:00Z", "2023-12-28T08:00:00Z"];
const LISTED: Record<string, { from: number; step: number; count: number }> = {
  BTC: { from: 22_000, step: 1_000, count: 19 },
  ETH: { from: 1_400, step: 50, count: 23 },
  SOL: { from: 14, step: 0.5, count: 21 },
};
const CHAINS = ["ethereum", "arbitrum", "solana"] as const;
const COLLATERAL: Record<(typeof CHAINS)[number], string[]> = {
  ethereum: ["USDC", "WETH", "stETH", "WBTC"],
  arbitrum: ["USDC", "WETH", "USDC.e"],
  solana: ["USDC", "SOL"],
};

/**
 * `n` xchain venue accounts, reproducible from `seed` (issue 17 item 2): each has 5 to 20 positions (perps, dated
 * futures and listed options, about 45/10/45) on one to three chains, on one to three of BTC/ETH/SOL, plus one or two
 * collateral holdings on its chains. Options sit on the listed strike ladder and expiries, so accounts share
 * instruments as on a venue.
 */
export function generateXchainVenue(n: number, seed: number): PortfolioInput[] {
  const rng = new Prng(seed);
  const u = () => rng.nextUniform();
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(u() * xs.length)]!;
  const out: PortfolioInput[] = [];
  for (let a = 0; a < n; a++) {
    const chains = [...CHAINS].sort(() => u() - 0.5).slice(0, 1 + Math.floor(u() * 3));
    const underlyings = ["BTC", "ETH", "SOL"].sort(() => u() - 0.5).slice(0, 1 + Math.floor(u() * 3));
    const holdings: NonNullable<PortfolioInput["holdings"]> = [];
    const nHoldings = 1 + Math.floor(u() * 2);
    for (let h = 0; h < nHoldings; h++) {
      const chain = pick(chains);
      const token = pick(COLLATERAL[chain]);
      const amount =
        token === "WBTC" ? 1 + u() * 5 : token === "WETH" || token === "stETH" ? 10 + u() * 90 : 10_000 + u() * 490_000;
      holdings.push({ chain, token, amount: amount.toFixed(2) });
    }
    const positions: NonNullable<PortfolioInput["positions"]> = [];
    const nPositions = 5 + Math.floor(u() * 16);
    for (let p = 0; p < nPositions; p++) {
      const chain = pick(chains);
      const underlying = pick(underlyings);
      const size = (
        (u() < 0.5 ? -1 : 1) *
        (1 + Math.floor(u() * (underlying === "BTC" ? 5 : underlying === "ETH" ? 50 : 500)))
      ).toString();
      const x = u();
      if (x < 0.45) positions.push({ kind: "perp", chain, venue: "venue", underlying, size });
      else if (x < 0.55)
        positions.push({ kind: "future", chain, venue: "venue", underlying, size, expiry: pick(EXPIRIES.slice(1)) });
      else {
        const l = LISTED[underlying]!;
        const strike = l.from + l.step * Math.floor(u() * l.count);
        positions.push({
          kind: "option",
          chain,
          venue: "venue",
          underlying,
          size,
          strike: strike.toString(),
          expiry: pick(EXPIRIES),
          optionType: u() < 0.5 ? "call" : "put",
        });
      }
    }
    out.push({ accountId: `xv-${seed}-${a}`, holdings, positions });
  }
  return out;
}

/** The snapshot with every quote of `feed` moved by `rel` (a tick of one underlying). */
export function movedSnapshot(
  snapshot: { quotes: Array<{ feed: string; price: string }> },
  feed: string,
  rel: number,
): unknown {
  return {
    ...snapshot,
    quotes: snapshot.quotes.map((q) =>
      q.feed === feed ? { ...q, price: (Number(q.price) * (1 + rel)).toPrecision(10) } : q,
    ),
  };
}
