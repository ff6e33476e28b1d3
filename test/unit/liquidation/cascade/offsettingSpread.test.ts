import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runCascade } from "../../../../src/liquidation/cascade/runCascade.js";

const EXAMPLE = JSON.parse(readFileSync("examples/market-2023-06-30.json", "utf8"));
const ETH = 1933.189;
// The example snapshot's USDC/USD.
const USDC = 1.000253;

const underwater = (accountId: string, size: string, entryPrice: string) => ({
  accountId,
  holdings: [{ chain: "arbitrum", token: "USDC", amount: "10000" }],
  positions: [{ kind: "perp", chain: "arbitrum", venue: "gmx", underlying: "ETH", size, entryPrice }],
});

describe("cascade: offsetting legs pay the half spread on their gross volume (issue 18, case 10)", () => {
  it("two underwater accounts closing +127.15 / -127.15 ETH at one instant each pay 5 bps of their own notional", () => {
    // Both are below water before any move (a BTC shock of -0.01% only starts the cascade): their ETH legs net to 0,
    // so no price moves, but each side still crosses the arbitrum ETH spread (5 bps). Old code: net 0 -> no cost,
    // bad debt exactly the two negative equities (9,699.98 instead of 9,945.78).
    const long = underwater("long", "127.15", "2050");
    const short = underwater("short", "-127.15", String(2 * ETH - 2050));
    const r = runCascade({
      accounts: [long, short],
      market: EXAMPLE,
      params: {
        shocks: [{ underlying: "BTC", spotShockRel: -0.0001 }],
        depthMultiplier: 1,
        models: [{ model: "grid" }],
      },
    });
    const g = r.models[0]!;
    expect(g.liquidatedAccounts).toBe(2);
    expect(g.finalPricesUsd.ETH).toBeCloseTo(ETH, 9);
    const equityEach = 10_000 * USDC + 127.15 * (ETH - 2050);
    const spreadEach = 127.15 * ETH * 5e-4;
    expect(g.badDebtUsd).toBeCloseTo(2 * (-equityEach + spreadEach), 6);
  });
});
