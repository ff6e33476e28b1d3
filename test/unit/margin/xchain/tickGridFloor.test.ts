import { describe, expect, it } from "vitest";
import { generateXchainVenue } from "../../../../bench/generateXchainVenue.js";
import { computeGridPm } from "../../../../src/margin/gridPm/computeGridPm.js";
import { resolvePortfolio } from "../../../../src/margin/resolve/resolvePortfolio.js";
import { resolveMarginConfig } from "../../../../src/margin/resolveConfig.js";
import type { XchainConfig } from "../../../../src/margin/xchain/config.js";
import { gridFloorParts } from "../../../../src/margin/xchain/offsetFloor.js";
import { tickGridFloorParts, tickGridReport } from "../../../../src/margin/xchain/tickGridFloor.js";
import { portfolioSchema } from "../../../../src/schema/portfolio.js";
import { exampleMarket } from "../../../support/exampleMarket.js";

const market = exampleMarket();
const grid = (resolveMarginConfig({ model: "xchain" }) as XchainConfig).gridFloor.grid;
const accounts = generateXchainVenue(40, 21).map((d) => resolvePortfolio(portfolioSchema.parse(d), market));

describe("tickGridReport", () => {
  it("gives every account on the tick's engine its one-account grid report, to the bit", () => {
    for (const p of accounts)
      expect(JSON.stringify(tickGridReport(p, market, grid))).toBe(JSON.stringify(computeGridPm(p, market, grid)));
  });

  it("an account margined again with other positions (same id) gets the report of its new positions", () => {
    const changed = { ...accounts[3]!, accountId: accounts[0]!.accountId };
    tickGridReport(accounts[0]!, market, grid);
    expect(JSON.stringify(tickGridReport(changed, market, grid))).toBe(
      JSON.stringify(computeGridPm(changed, market, grid)),
    );
    // and the others on the engine are unchanged
    expect(JSON.stringify(tickGridReport(accounts[5]!, market, grid))).toBe(
      JSON.stringify(computeGridPm(accounts[5]!, market, grid)),
    );
  });

  it("gives the floor the parts of the one-account grid report, to the bit, without building the report", () => {
    let withOptions = 0;
    for (const p of accounts) {
      const parts = tickGridFloorParts(p, market, grid);
      const report = computeGridPm(p, market, grid);
      // the report's worst scenario found by its id there, by its index here
      expect(parts).toStrictEqual(gridFloorParts(report));
      expect(parts.itemInitialUsd).toHaveLength(p.items.length);
      if (parts.contingencyUsd > 0) withOptions++;
    }
    expect(withOptions).toBeGreaterThan(0);
  });
});
