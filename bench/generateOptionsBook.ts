import { Prng } from "../src/risk/prng.js";
import type { PortfolioInput } from "../src/schema/portfolio.js";

/** The example market's four ETH expiries (examples/market-2023-06-30.json), one of them 8 days out. */
const EXPIRIES = ["2023-07-08T08:00:00Z", "2023-07-31T08:00:00Z", "2023-09-29T08:00:00Z", "2023-12-28T08:00:00Z"];
const ETH_SPOT_USD = 1_934;

/**
 * An options-heavy book: `nOptions` ETH options on the four expiries (strikes 70-130% of spot, calls and puts, long
 * and short) on Arbitrum, a delta hedge in perps and USDC collateral on Ethereum, reproducible from `seed`: many
 * options per (underlying, chain, expiry), the case summed option grids are for.
 */
export function generateOptionsBook(nOptions: number, seed: number, accountId = `options-${seed}`): PortfolioInput {
  const rng = new Prng(seed);
  const positions: NonNullable<PortfolioInput["positions"]> = [];
  for (let i = 0; i < nOptions; i++) {
    const size = ((rng.nextUniform() < 0.5 ? -1 : 1) * (1 + Math.floor(rng.nextUniform() * 20))).toString();
    positions.push({
      kind: "option",
      chain: "arbitrum",
      venue: "bench",
      underlying: "ETH",
      size,
      strike: (ETH_SPOT_USD * (0.7 + 0.6 * rng.nextUniform())).toFixed(0),
      expiry: EXPIRIES[i % EXPIRIES.length]!,
      optionType: rng.nextUniform() < 0.5 ? "call" : "put",
    });
  }
  positions.push({ kind: "perp", chain: "arbitrum", venue: "bench", underlying: "ETH", size: "-25" });
  return { accountId, holdings: [{ chain: "ethereum", token: "USDC", amount: "2000000" }], positions };
}
