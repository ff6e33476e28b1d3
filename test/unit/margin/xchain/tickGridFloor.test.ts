import { describe, expect, it } from "vitest";
import { generateXchainVenue } from "../../../../bench/generateXchainVenue.js";
import { computeGridPm } from "../../../../src/margin/gridPm/computeGridPm.js";
import { resolvePortfolio } from "../../../../src/margin/resolve/resolvePortfolio.js";
import { resolveMarginConfig } from "../../../../src/margin/resolveConfig.js";
import type { XchainConfig } from "../../../../src/margin/xchain/config.js";
import { gridFloorParts } from "../../../../src/margin/xchain/offsetFloor.js";
import { tickGridFloorParts } from "../../../../src/margin/xchain/tickGridFloor.js";
import { portfolioSchema } from "../../../../src/schema/portfolio.js";
import { exampleMarket } from "../../../support/exampleMarket.js";

const market = exampleMarket();
const grid = (resolveMarginConfig({ model: "xchain" }) as XchainConfig).gridFloor.grid;
const accounts = generateXchainVenue(40, 21).map((d) => resolvePortfolio(portfolioSchema.parse(d), market));

const oneAccountParts = (p: (typeof accounts)[number]) => gridFloorParts(computeGridPm(p, market, grid));

describe("tickGridFloorParts", () => {
  it("an account margined again with other positions (same id) gets the parts of its new positions", () => {
    const changed = { ...accounts[3]!, accountId: accounts[0]!.accountId };
    tickGridFloorParts(accounts[0]!, market, grid);
    expect(tickGridFloorParts(changed, market, grid)).toStrictEqual(oneAccountParts(changed));
    // and the others on the engine are unchanged
    expect(tickGridFloorParts(accounts[5]!, market, grid)).toStrictEqual(oneAccountParts(accounts[5]!));
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
