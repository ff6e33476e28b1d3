import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { planRebalance } from "../../../src/liquidation/rebalancePlan.js";
import { simulateWhatIf } from "../../../src/liquidation/whatIf.js";
import { computeMargin } from "../../../src/margin/computeMargin.js";

const MARKET = JSON.parse(readFileSync("examples/market-2023-06-30.json", "utf8"));
const example = (name: string) => JSON.parse(readFileSync(`examples/portfolios/${name}.json`, "utf8"));
const BTC = 30477.25;
const USDC = 1.000253;

describe("rebalancing", () => {
  it.each(["xchain", "cross"])("moves collateral from Ethereum toward the Arbitrum short (%s)", (model) => {
    const plan = planRebalance({ portfolio: example("lst-collateral-eth-short"), market: MARKET, config: { model } });
    expect(plan.moves.length).toBeGreaterThan(0);
    for (const m of plan.moves) {
      expect(m.fromChain).toBe("ethereum");
      expect(m.toChain).toBe("arbitrum");
      expect(m.gainPerUsd).toBeGreaterThan(0);
    }
    expect(plan.after.freeCollateralUsd).toBeGreaterThan(plan.before.freeCollateralUsd);
    expect(plan.after.initialMarginUsd).toBeLessThanOrEqual(plan.before.initialMarginUsd + 0.01);
  });

  it("evaluates the account while the funds are in transit and says when it is worse (issue 18, case 10)", () => {
    const start = example("lst-collateral-eth-short");
    const plan = planRebalance({ portfolio: start, market: MARKET });
    const first = plan.moves[0]!;
    // In transit: the units have left the source chain and not arrived: the same portfolio with them removed.
    const transit = structuredClone(start);
    const h = transit.holdings.find(
      (x: { chain: string; token: string }) => x.chain === first.fromChain && x.token === first.token,
    );
    h.amount = String(Number(h.amount) - first.units);
    const check = computeMargin({ portfolio: transit, market: MARKET, config: { model: "xchain" } });
    expect(first.inTransit.freeCollateralUsd).toBeCloseTo(check.freeCollateralUsd, 4);
    expect(first.inTransit.seconds).toBeGreaterThanOrEqual(first.route.latencySec);
    // Collateral that is nowhere for a while: free collateral falls below where it started, and the move says so.
    expect(first.inTransit.freeCollateralUsd).toBeLessThan(plan.before.freeCollateralUsd);
    expect(first.inTransit.worseInTransit).toBe(true);
  });

  it("lowers the cross-chain requirement under xchain", () => {
    const plan = planRebalance({ portfolio: example("lst-collateral-eth-short"), market: MARKET });
    expect(plan.model).toBe("xchain");
    expect(plan.initialMarginReductionUsd).toBeGreaterThan(0);
  });
});

describe("what-if", () => {
  it("changes nothing when nothing is simulated", () => {
    const r = simulateWhatIf({ portfolio: example("directional-perp"), market: MARKET, whatIf: {} });
    expect(r.diff.equityUsd).toBe(0);
    expect(r.diff.initialMarginUsd).toBe(0);
  });

  it("a price move changes equity by size x spot x move; a trade at the mark leaves equity unchanged", () => {
    const r = simulateWhatIf({
      portfolio: example("directional-perp"),
      market: MARKET,
      whatIf: { moves: [{ underlying: "BTC", spotShockRel: "-0.1" }] },
    });
    expect(r.diff.equityUsd).toBeCloseTo(10 * BTC * -0.1, 4);
    const t = simulateWhatIf({
      portfolio: example("directional-perp"),
      market: MARKET,
      whatIf: { trades: [{ kind: "perp", chain: "arbitrum", venue: "gmx", underlying: "BTC", size: "-10" }] },
    });
    expect(t.diff.equityUsd).toBeCloseTo(0, 6);
    // Fully hedged on one venue: the grid requirement of the BTC leg vanishes.
    expect(t.after.byUnderlying.find((g) => g.key === "BTC")!.initialMarginUsd).toBeCloseTo(0, 6);
  });

  it("deposits add and withdrawals remove equity at the token price; an overdraft is rejected with its path", () => {
    const r = simulateWhatIf({
      portfolio: example("directional-perp"),
      market: MARKET,
      whatIf: {
        deposits: [{ chain: "arbitrum", token: "USDC", amount: "1000" }],
        withdrawals: [{ chain: "arbitrum", token: "USDC", amount: "250" }],
      },
    });
    expect(r.diff.equityUsd).toBeCloseTo(750 * USDC, 6);
    expect(() =>
      simulateWhatIf({
        portfolio: example("directional-perp"),
        market: MARKET,
        whatIf: { withdrawals: [{ chain: "arbitrum", token: "USDC", amount: "70000" }] },
      }),
    ).toThrow(expect.objectContaining({ code: "INVALID_INPUT", path: "$.withdrawals[0].amount" }));
  });

  it("an option bought at the mark pays its premium in cash: equity unchanged, vol up raises its value", () => {
    const trade = {
      kind: "option",
      chain: "arbitrum",
      venue: "derive",
      underlying: "BTC",
      size: "2",
      expiry: "2023-07-31T08:00:00Z",
      strike: "30500",
      optionType: "call",
    };
    const r = simulateWhatIf({ portfolio: example("directional-perp"), market: MARKET, whatIf: { trades: [trade] } });
    expect(r.diff.equityUsd).toBeCloseTo(0, 4);
    const v = simulateWhatIf({
      portfolio: example("directional-perp"),
      market: MARKET,
      whatIf: { trades: [trade], moves: [{ underlying: "BTC", volShockRel: "0.2" }] },
    });
    expect(v.diff.equityUsd).toBeGreaterThan(0);
  });
});
