import { describe, expect, it } from "vitest";
import { closeOutAccount } from "../../../../src/liquidation/cascade/closeOut.js";
import { runCascade } from "../../../../src/liquidation/cascade/runCascade.js";
import { resolveMarket } from "../../../../src/margin/resolve/resolveMarket.js";
import { resolvePortfolio } from "../../../../src/margin/resolve/resolvePortfolio.js";
import { xchainDefaults } from "../../../../src/margin/xchain/config.js";
import { liquidationHorizons, riskChainOf } from "../../../../src/margin/xchain/horizons.js";
import { marketSnapshotSchema } from "../../../../src/schema/marketSnapshot.js";
import { portfolioSchema } from "../../../../src/schema/portfolio.js";
import { market, portfolio } from "../../../support/fixtures.js";

const perp = (id: string, chain: string, venue: string, size: string) => ({
  id,
  kind: "perp" as const,
  chain,
  venue,
  underlying: "ETH",
  size,
  entryPrice: "2000",
});

/**
 * Issue 18, case 4: 5 ETH long on solana (10,000 USD net) and a flat +10/-10 pair on arbitrum (40,000 USD gross,
 * 0 net), with a 50,000 USDC borrow on ethereum. The model's risk chain is solana (net per contract); the old cascade
 * rule (gross |size| x spot plus borrows) put it on ethereum (borrow) or arbitrum (gross).
 */
const account = portfolio({
  accountId: "split",
  holdings: [{ chain: "ethereum", token: "USDC", amount: "-50000" }],
  positions: [
    perp("sol", "solana", "drift", "5"),
    perp("a", "arbitrum", "gmx", "10"),
    perp("b", "arbitrum", "gmx", "-10"),
  ],
});

describe("cascade: the model's risk chain and bad debt booked once", () => {
  const m = resolveMarket(marketSnapshotSchema.parse(market()));
  const items = resolvePortfolio(portfolioSchema.parse(account), m).items;

  it("closes out on the chain the xchain model puts the account's risk on", () => {
    const model = liquidationHorizons(items, m, xchainDefaults).riskChain;
    expect(model).toBe("solana");
    expect(riskChainOf(items, m)).toBe(model);
    expect(closeOutAccount(items, m, 0, 0, 1, xchainDefaults.horizon).state.riskChain).toBe(model);
  });

  it("books the bad debt on that chain", () => {
    const r = runCascade({
      accounts: [account],
      market: market(),
      params: {
        shocks: [{ underlying: "ETH", spotShockRel: -0.1 }],
        depthMultiplier: null,
        models: [{ model: "grid" }],
      },
    });
    const g = r.models[0]!;
    // Equity after the shock: -50,000 + 5 x (1,800 - 2,000) = -51,000, all of it bad debt, on solana.
    expect(g.badDebtUsd).toBeCloseTo(51_000, 6);
    expect(Object.keys(g.badDebtByChainUsd)).toEqual(["solana"]);
  });

  it("counts the bad debt of an account whose legs realise exactly 0 once (issue 18, case 3)", () => {
    // A 1,000.25 USDC borrow and a 1 ETH perp entered at 1,800: after the -10% shock (2,000 -> 1,800) its leg
    // realises exactly 0 at unlimited depth.
    const broke = portfolio({
      accountId: "broke",
      holdings: [{ chain: "arbitrum", token: "USDC", amount: "-1000.25" }],
      positions: [perp("p", "arbitrum", "gmx", "1")].map((x) => ({ ...x, entryPrice: "1800" })),
    });
    const r = runCascade({
      accounts: [broke],
      market: market(),
      params: {
        shocks: [{ underlying: "ETH", spotShockRel: -0.1 }],
        depthMultiplier: null,
        models: [{ model: "grid" }],
      },
    });
    expect(r.models[0]!.liquidatedAccounts).toBe(1);
    // Before: 2,000.50 (booked when the last leg executed and again by the cash-only settlement).
    expect(r.models[0]!.badDebtUsd).toBeCloseTo(1000.25, 9);
  });
});
