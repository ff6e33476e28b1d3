import { describe, expect, it } from "vitest";
import { resolvePortfolio } from "../../../../src/margin/resolve/resolvePortfolio.js";
import { resolveMarginConfig } from "../../../../src/margin/resolveConfig.js";
import type { XchainConfig } from "../../../../src/margin/xchain/config.js";
import { liquidationHorizons, riskChainOf } from "../../../../src/margin/xchain/horizons.js";
import { portfolioSchema } from "../../../../src/schema/portfolio.js";
import { exampleMarket } from "../../../support/exampleMarket.js";

const market = exampleMarket();
const option = (chain: string, size: string, strike: string, expiry = "2023-09-29T08:00:00Z") => ({
  kind: "option" as const,
  chain,
  venue: "derive",
  underlying: "ETH",
  size,
  expiry,
  strike,
  optionType: "call" as const,
});
const riskChain = (positions: unknown[]) =>
  riskChainOf(
    resolvePortfolio(portfolioSchema.parse({ accountId: "a", holdings: [], positions }), market).items,
    market,
  );

describe("riskChainOf", () => {
  it("nets legs of one contract (same expiry and strike) and not of two", () => {
    // 10 long and 10 short of one call on arbitrum net to nothing: a single call on base carries the risk
    const flat = [option("arbitrum", "10", "2000"), option("arbitrum", "-10", "2000"), option("base", "1", "2000")];
    expect(riskChain(flat)).toBe("base");
    // the same sizes at two strikes (or two expiries) are two contracts: 20 contracts of notional on arbitrum
    const strikes = [option("arbitrum", "10", "2000"), option("arbitrum", "-10", "2100"), option("base", "1", "2000")];
    expect(riskChain(strikes)).toBe("arbitrum");
    const expiries = [
      option("arbitrum", "10", "2000"),
      option("arbitrum", "-10", "2000", "2023-12-29T08:00:00Z"),
      option("base", "1", "2000"),
    ];
    expect(riskChain(expiries)).toBe("arbitrum");
  });

  it("writes one expiry two ways as one contract (the same instant, so the same years)", () => {
    const legs = [
      option("arbitrum", "10", "2000", "2023-09-29T08:00:00Z"),
      option("arbitrum", "-10", "2000.0", "2023-09-29T10:00:00+02:00"),
      option("base", "1", "2000"),
    ];
    expect(riskChain(legs)).toBe("base");
  });

  it("liquidationHorizons: the chains' own horizons kept per market give what a fresh market gives", () => {
    const config = resolveMarginConfig({ model: "xchain" }) as XchainConfig;
    const doc = portfolioSchema.parse({
      accountId: "a",
      holdings: [
        { chain: "ethereum", token: "USDC", amount: "1000" },
        { chain: "solana", token: "USDC", amount: "1000" },
      ],
      positions: [option("arbitrum", "1", "2000")],
    });
    const items = resolvePortfolio(doc, market).items;
    liquidationHorizons(items.slice(2), market, config); // another account first, on the same market
    const h = liquidationHorizons(items, market, config);
    const fresh = exampleMarket();
    expect(h).toStrictEqual(liquidationHorizons(resolvePortfolio(doc, fresh).items, fresh, config));
    // base period + own finality, plus the bridge to the risk chain for collateral elsewhere: never shorter
    const own = (chain: string) => config.horizon.baseDays + market.chains.get(chain)!.finalitySec / 86_400;
    expect(h.itemDays[2]).toBeGreaterThanOrEqual(own("arbitrum"));
    expect(h.itemDays[0]).toBeGreaterThan(own("ethereum"));
    for (const d of h.itemDays) expect(h.timesDays[h.itemTime[h.itemDays.indexOf(d)]!]).toBeCloseTo(d, 9);
    // an item on a chain the market does not know is an error at its chain, not a horizon of 0
    const lost = { ...items[2]!, chain: "nowhere" };
    expect(() => liquidationHorizons([...items, lost], market, config)).toThrow(
      expect.objectContaining({ code: "MISSING_DATA", path: "$.positions[0].chain" }),
    );
  });
});
