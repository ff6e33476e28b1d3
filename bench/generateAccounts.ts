import { Prng } from "../src/risk/prng.js";
import type { PortfolioInput } from "../src/schema/portfolio.js";

/** Expiries of the example market's vol surfaces (examples/market-2023-06-30.json): a weekly and three monthlies. */
const EXPIRIES = ["2023-07-08T08:00:00Z", "2023-07-31T08:00:00Z", "2023-09-29T08:00:00Z", "2023-12-28T08:00:00Z"];

/** Listed strikes per underlying, as a venue lists them: a fixed ladder around the spot of the example market. */
const LISTED: Record<string, { from: number; to: number; step: number; entry: number; decimals: number }> = {
  BTC: { from: 22_000, to: 40_000, step: 1_000, entry: 30_477, decimals: 0 },
  ETH: { from: 1_400, to: 2_500, step: 50, entry: 1_934, decimals: 0 },
  SOL: { from: 14, to: 24, step: 0.5, entry: 18.8, decimals: 1 },
};
/** How often an account trades each underlying (first pick; later picks are uniform). */
const UNDERLYING_WEIGHTS: Array<[string, number]> = [
  ["BTC", 0.45],
  ["ETH", 0.4],
  ["SOL", 0.15],
];
const CHAINS = ["ethereum", "arbitrum", "solana"] as const;
const HOLDINGS: Record<(typeof CHAINS)[number], string[]> = {
  ethereum: ["USDC", "WETH", "stETH", "WBTC"],
  arbitrum: ["USDC", "WETH", "USDC.e"],
  solana: ["USDC", "SOL"],
};

export interface AccountMix {
  /** Mean number of holdings + positions per account (geometric-like, capped at 60). */
  meanItems: number;
}

/**
 * `n` venue accounts of realistic mixes, reproducible from `seed`: account sizes are heavy-tailed (most accounts hold
 * a handful of items, a few hold dozens), each account trades one to three underlyings, and its items are about 20%
 * spot holdings (mostly collateral), 35% perps, 5% dated futures and 40% options on the listed strike ladder and
 * expiries (so accounts share option instruments, as on a venue).
 */
export function generateAccounts(n: number, seed: number, mix: AccountMix = { meanItems: 8 }): PortfolioInput[] {
  const rng = new Prng(seed);
  const u01 = () => rng.nextUniform();
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(u01() * xs.length)]!;
  const pickUnderlying = (): string => {
    let x = u01();
    for (const [sym, w] of UNDERLYING_WEIGHTS) {
      if (x < w) return sym;
      x -= w;
    }
    return "BTC";
  };
  const out: PortfolioInput[] = [];
  for (let a = 0; a < n; a++) {
    const nItems = Math.min(60, 1 + Math.floor(-Math.log(u01()) * (mix.meanItems - 1)));
    const nUnderlyings = 1 + Math.floor(u01() * u01() * 3);
    const traded = [pickUnderlying()];
    for (let k = 1; k < nUnderlyings; k++) traded.push(pick(["BTC", "ETH", "SOL"]));
    const holdings: NonNullable<PortfolioInput["holdings"]> = [];
    const positions: NonNullable<PortfolioInput["positions"]> = [];
    for (let i = 0; i < nItems; i++) {
      const chain = pick(CHAINS);
      const x = u01();
      if (x < 0.2) {
        holdings.push({ chain, token: pick(HOLDINGS[chain]), amount: (1 + Math.floor(u01() * 100)).toString() });
        continue;
      }
      const underlying = pick(traded);
      const ladder = LISTED[underlying]!;
      const size = ((u01() < 0.5 ? -1 : 1) * (1 + Math.floor(u01() * 20))).toString();
      if (x < 0.55) {
        const entry = (ladder.entry * (0.9 + 0.2 * u01())).toFixed(ladder.decimals + 1);
        positions.push({ kind: "perp", chain, venue: "bench", underlying, size, entryPrice: entry });
      } else if (x < 0.6) {
        positions.push({ kind: "future", chain, venue: "bench", underlying, size, expiry: pick(EXPIRIES.slice(1)) });
      } else {
        const nStrikes = Math.round((ladder.to - ladder.from) / ladder.step) + 1;
        const strike = ladder.from + ladder.step * Math.floor(u01() * nStrikes);
        positions.push({
          kind: "option",
          chain,
          venue: "bench",
          underlying,
          size,
          strike: strike.toFixed(ladder.decimals),
          expiry: pick(EXPIRIES),
          optionType: u01() < 0.5 ? "call" : "put",
        });
      }
    }
    out.push({ accountId: `acct-${seed}-${a}`, holdings, positions });
  }
  return out;
}
