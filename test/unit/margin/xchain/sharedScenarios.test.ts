import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolvePortfolio } from "../../../../src/margin/resolve/resolvePortfolio.js";
import { resolveMarginConfig } from "../../../../src/margin/resolveConfig.js";
import type { XchainConfig } from "../../../../src/margin/xchain/config.js";
import { liquidationHorizons } from "../../../../src/margin/xchain/horizons.js";
import { buildFactorModel, type FactorModel } from "../../../../src/margin/xchain/riskFactorModel.js";
import { clearSharedScenarios, sharedScenarios } from "../../../../src/margin/xchain/sharedScenarios.js";
import { pathWeightTotal } from "../../../../src/risk/tailExpectation.js";
import { portfolioSchema } from "../../../../src/schema/portfolio.js";
import { exampleMarket } from "../../../support/exampleMarket.js";

const market = exampleMarket();
const raw = JSON.parse(
  readFileSync(join(import.meta.dirname, "../../../../examples/portfolios/multichain-fund.json"), "utf8"),
);
const portfolio = resolvePortfolio(portfolioSchema.parse(raw), market);
const config = resolveMarginConfig({ model: "xchain", simulation: { paths: 500 } }) as XchainConfig;
const factors = buildFactorModel(portfolio.items, market, config);
const times = liquidationHorizons(portfolio.items, market, config).timesDays;
/** A copy of the factor model in new arrays: same content, no shared object. */
const copyOf = (f: FactorModel): FactorModel => ({
  ...f,
  names: [...f.names],
  covarianceDaily: f.covarianceDaily.slice(),
  residualQuantiles: f.residualQuantiles.map((q) => q?.slice()),
});

describe("sharedScenarios cache", () => {
  it("finds the set by content (new arrays, a new config object) and builds another when any input changes", () => {
    clearSharedScenarios();
    expect(config.simulation.innovations.kind).toBe("filteredHistorical");
    expect(factors.residualQuantiles.some((q) => q !== undefined)).toBe(true);
    const first = sharedScenarios(factors, times, config.simulation);
    expect(sharedScenarios(copyOf(factors), times.slice(), structuredClone(config.simulation))).toBe(first);

    const changedTable = copyOf(factors);
    const f = changedTable.residualQuantiles.findIndex((q) => q !== undefined);
    changedTable.residualQuantiles[f]![3]! *= 1.0000001;
    expect(sharedScenarios(changedTable, times, config.simulation)).not.toBe(first);

    const changedCov = copyOf(factors);
    changedCov.covarianceDaily[0]! *= 1.01;
    expect(sharedScenarios(changedCov, times, config.simulation)).not.toBe(first);

    const laterTimes = times.slice();
    laterTimes[laterTimes.length - 1]! += 1 / 96;
    expect(sharedScenarios(factors, laterTimes, config.simulation)).not.toBe(first);

    expect(sharedScenarios(factors, times, { ...config.simulation, seed: 2 })).not.toBe(first);
    // four sets kept: the first was used least recently and is gone
    expect(sharedScenarios(factors, times, config.simulation)).not.toBe(first);
    clearSharedScenarios();
  });

  it("keeps the set's total path weight, summed in path order", () => {
    clearSharedScenarios();
    const shared = sharedScenarios(factors, times, config.simulation);
    const w = shared.set.weights!;
    let total = 0;
    for (const x of w) total += x;
    expect(shared.weightTotal).toBe(total);
    expect(pathWeightTotal(w)).toBe(total);
    clearSharedScenarios();
  });
});
