import { describe, expect, it } from "vitest";
import { historyOf } from "../../../src/backtest/history/history.js";
import { renderValidationMarkdown, validateXchain } from "../../../src/backtest/xchainValidation.js";
import { portfolioSchema } from "../../../src/schema/portfolio.js";
import { market } from "../../support/fixtures.js";
import { isoDates, randomWalk } from "./synthetic.js";

describe("xchain validation", () => {
  const dates = isoDates("2022-01-01", 110);
  const history = historyOf([
    randomWalk("ETH-USD", dates, 2_000, 0.04, 5),
    randomWalk("USDC-USD", dates, 1, 0.0005, 6),
  ]);
  const portfolio = portfolioSchema.parse({
    accountId: "p",
    holdings: [{ chain: "arbitrum", token: "USDC", amount: "20000" }],
    positions: [{ kind: "perp", chain: "arbitrum", venue: "gmx", underlying: "ETH", size: "10" }],
  });
  const [r] = validateXchain(history, [{ name: "perp", portfolio }], market(), { warmupDays: 40, paths: 500 });

  it("tests total IM and the simulated component on the same days, the component never above the IM", () => {
    expect(r!.total.observations).toBe(r!.simulated.observations);
    expect(r!.total.observations).toBeGreaterThan(60);
    // the simulated component is a part of IM, so it has at least as many exceptions
    expect(r!.simulated.exceptions).toBeGreaterThanOrEqual(r!.total.exceptions);
    // PFMI rows cover every observed day, and coverage achieved = 1 - breaches / days
    expect(r!.pfmi.reduce((s, p) => s + p.days, 0)).toBe(r!.total.observations);
    for (const p of r!.pfmi) expect(p.coverageAchieved).toBeCloseTo(1 - p.breaches / p.days, 12);
    expect(r!.imToRealised99).toBeCloseTo(r!.averageInitialMarginUsd / r!.realised99LossUsd, 12);
    // the reference requirement is equity - free collateral of each model on the reference market
    expect(r!.requirementOnReference.xchainUsd).toBeGreaterThan(0);
    expect(r!.badDebt.every((b) => !b.covered && b.badDebtUsd === null)).toBe(true);
  });

  it("renders every section", () => {
    const md = renderValidationMarkdown([r!], ["note"]);
    for (const h of [
      "Coverage at 99%",
      "Capital efficiency",
      "Bad debt per crisis window",
      "Historical token events",
      "PFMI",
    ]) {
      expect(md).toContain(h);
    }
    expect(md).toContain("| perp |");
  });
});
