import type { PortfolioInput } from "../src/schema/portfolio.js";
import { type AccountMix, generateAccounts } from "./generateAccounts.js";

/** Spots of the example market (examples/market-2023-06-30.json), rounded: notional of the generated positions. */
const SPOT_USD: Record<string, number> = { BTC: 30_477, ETH: 1_934, SOL: 18.8 };

/**
 * `generateAccounts` with each account's collateral topped up by a USDC deposit of `collateralRel` x its positions'
 * gross notional. The generated mix alone leaves most accounts below maintenance (nothing sizes their collateral to
 * their risk), which no venue's book looks like; a venue's accounts are mostly healthy, a few near liquidation.
 */
export function fundedAccounts(n: number, seed: number, collateralRel = 0.5, mix?: AccountMix): PortfolioInput[] {
  return generateAccounts(n, seed, mix ?? { meanItems: 3 }).map((p) => {
    let grossUsd = 0;
    for (const pos of p.positions ?? []) grossUsd += Math.abs(Number(pos.size)) * (SPOT_USD[pos.underlying] ?? 0);
    const deposit = { chain: "ethereum", token: "USDC", amount: (collateralRel * grossUsd).toFixed(2) };
    return { ...p, holdings: [...(p.holdings ?? []), deposit] };
  });
}
