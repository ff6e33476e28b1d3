import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { AccountState, Leg } from "../../../../src/liquidation/cascade/closeOut.js";
import { type CascadeBook, executeInstant } from "../../../../src/liquidation/cascade/executeInstant.js";
import { runCascade } from "../../../../src/liquidation/cascade/runCascade.js";
import { resolveMarket } from "../../../../src/margin/resolve/resolveMarket.js";
import { marketSnapshotSchema } from "../../../../src/schema/marketSnapshot.js";

const EXAMPLE = JSON.parse(readFileSync("examples/market-2023-06-30.json", "utf8"));
const BTC = 30477.25;
const ETH = 1933.189;
// The example snapshot's ETH risk-factor daily vol.
const ETH_VOL_DAILY = 0.03794411119;

const emptyBook = (accounts: number): CascadeBook => ({
  mult: {},
  states: new Map(
    Array.from({ length: accounts }, (_, i): [number, AccountState] => [
      i,
      { cashUsd: 0, proceedsUsd: 0, pendingLegs: 1, riskChain: "arbitrum", settled: false },
    ]),
  ),
  trades: [],
  volumeByChainUsd: {},
  badDebtByChainUsd: {},
  badDebtUsd: 0,
});

describe("cascade execution (issue 18, cases 2, 8 and 10)", () => {
  it("bad debt of one long never exceeds its largest possible loss, however thin the market", () => {
    // 30 BTC long perp entered at spot with 50,000 USDC: the most it can lose is 30 x 30,477.25 (price to 0), so bad
    // debt is at most 914,317.50 - 50,000 = 864,317.50. Before: a linear cost rate of k sigma sqrt(Q/V) on a thin
    // market charged many times the notional (millions of bad debt).
    const account = {
      accountId: "big-long",
      holdings: [{ chain: "arbitrum", token: "USDC", amount: "50000" }],
      positions: [
        { kind: "perp", chain: "arbitrum", venue: "gmx", underlying: "BTC", size: "30", entryPrice: String(BTC) },
      ],
    };
    for (const depthMultiplier of [1e-3, 1e-6, 1e-9]) {
      const r = runCascade({
        accounts: [account],
        market: EXAMPLE,
        params: { shocks: [{ underlying: "BTC", spotShockRel: -0.3 }], depthMultiplier, models: [{ model: "grid" }] },
      });
      const g = r.models[0]!;
      expect(g.failures).toEqual([]);
      expect(g.liquidatedAccounts).toBe(1);
      expect(g.badDebtUsd).toBeLessThanOrEqual(30 * BTC - 50_000 + 1e-6);
      expect(g.badDebtUsd).toBeGreaterThan(0);
    }
  });

  it("sells an LST against its own depth, not against WETH's", () => {
    // 212 wstETH (about 462k USD) against a 400,000 USDC borrow on ethereum: liquidated by -30% ETH.
    const account = {
      accountId: "lst",
      holdings: [
        { chain: "ethereum", token: "wstETH", amount: "212" },
        { chain: "ethereum", token: "USDC", amount: "-400000" },
      ],
      positions: [],
    };
    const r = runCascade({
      accounts: [account],
      market: EXAMPLE,
      params: { shocks: [{ underlying: "ETH", spotShockRel: -0.3 }], models: [{ model: "grid" }] },
    });
    const trade = r.models[0]!.trades.find((t) => t.asset === "wstETH")!;
    expect(trade).toBeDefined();
    // Its own market: 21,931,483 USD a day, k = 0.7 (WETH's would be 1,289,513,125: about 1/7.7 of the impact).
    const expected = 0.7 * ETH_VOL_DAILY * Math.sqrt(Math.abs(trade.netNotionalUsd) / 21_931_483);
    expect(trade.impactRel).toBeCloseTo(expected, 12);
    expect(trade.impactRel).toBeGreaterThan(
      5 * 0.7 * ETH_VOL_DAILY * Math.sqrt(Math.abs(trade.netNotionalUsd) / 1_289_513_125),
    );
  });

  it("offsetting legs move no price but each pays the half spread on its own volume", () => {
    const market = resolveMarket(marketSnapshotSchema.parse(EXAMPLE));
    const leg = (account: number, flowUnits: number): Leg => ({
      timeSec: 0,
      round: 1,
      account,
      chain: "arbitrum",
      underlying: "ETH",
      asset: "ETH",
      flowUnits,
      valueAt: () => 0,
    });
    const book = emptyBook(2);
    const params = {
      depthMultiplier: 1,
      missingDepth: { dailyVolumeUsd: 1e6, halfSpreadBps: 30, impactCoefficient: 1 },
      fallbackVolDaily: 0.05,
    };
    const out = executeInstant([leg(0, -127.15), leg(1, 127.15)], 0, market, book, params, () => ETH);
    expect(out.moved).toBe(false);
    expect(book.trades[0]!.netNotionalUsd).toBe(0);
    // arbitrum ETH: 5 bps half spread. Before: a net flow of 0 paid nothing on 2 x 127.15 x 1,933.189 of volume.
    const spread = 127.15 * ETH * 5e-4;
    expect(book.states.get(0)!.proceedsUsd).toBeCloseTo(-spread, 9);
    expect(book.states.get(1)!.proceedsUsd).toBeCloseTo(-spread, 9);
  });
});
