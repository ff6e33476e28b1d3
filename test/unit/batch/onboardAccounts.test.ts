import { describe, expect, it } from "vitest";
import { generateAccounts } from "../../../bench/generateAccounts.js";
import { BatchGridEngine } from "../../../src/margin/batch/batchGridEngine.js";
import { onboardAccounts } from "../../../src/margin/batch/onboardAccounts.js";
import { computeGridPm } from "../../../src/margin/gridPm/computeGridPm.js";
import type { GridPmConfig } from "../../../src/margin/gridPm/config.js";
import { resolvePortfolio } from "../../../src/margin/resolve/resolvePortfolio.js";
import { resolveMarginConfig } from "../../../src/margin/resolveConfig.js";
import { portfolioSchema } from "../../../src/schema/portfolio.js";
import { errorOf } from "../../support/errors.js";
import { exampleMarket } from "../../support/exampleMarket.js";

const MARKET = exampleMarket();

describe("onboardAccounts", () => {
  const docs = generateAccounts(40, 21);

  it("resolves every document as resolvePortfolio does, in order", () => {
    const got = onboardAccounts(docs, MARKET);
    expect(got).toEqual(docs.map((d) => resolvePortfolio(portfolioSchema.parse(d), MARKET)));
  });

  it("names the bad account and field in the whole batch", () => {
    const bad = docs.map((d, i) => (i === 12 ? { ...d, holdings: [{ chain: "ethereum", token: "USDC" }] } : d));
    const e = errorOf(() => onboardAccounts(bad, MARKET, 1000));
    expect(e.code).toBe("INVALID_INPUT");
    expect(e.path?.startsWith("$[1012].holdings[0]")).toBe(true);
    const unknownToken = docs.map((d, i) =>
      i === 3 ? { ...d, holdings: [{ chain: "ethereum", token: "NOPE", amount: "1" }] } : d,
    );
    expect(errorOf(() => onboardAccounts(unknownToken, MARKET)).path).toBe("$[3].holdings[0].token");
  });
});

describe("BatchGridEngine.fromDocuments (documents straight into the columns)", () => {
  const docs = generateAccounts(60, 33);
  const config = resolveMarginConfig({ model: "grid" }) as GridPmConfig;

  it("gives every account the IM, MM and collateral of the two-step onboarding, bit for bit", () => {
    const twoStep = new BatchGridEngine(onboardAccounts(docs, MARKET), MARKET, config);
    const streamed = BatchGridEngine.fromDocuments(docs, MARKET, config);
    twoStep.computeAll();
    streamed.computeAll();
    expect(streamed.accountIds).toEqual(docs.map((d) => d.accountId));
    expect([...streamed.initialMarginUsd]).toEqual([...twoStep.initialMarginUsd]);
    expect([...streamed.maintenanceMarginUsd]).toEqual([...twoStep.maintenanceMarginUsd]);
    expect([...streamed.collateralValueUsd]).toEqual([...twoStep.collateralValueUsd]);
    // and each equals the one-account report
    const one = computeGridPm(onboardAccounts([docs[7]], MARKET)[0]!, MARKET, config);
    expect(streamed.initialMarginUsd[7]).toBe(one.initialMarginUsd);
  });

  it("names the bad account and field, offset by firstIndex", () => {
    const bad = docs.map((d, i) => (i === 5 ? { ...d, positions: [{ kind: "perp" }] } : d));
    const e = errorOf(() => BatchGridEngine.fromDocuments(bad, MARKET, config, {}, 200));
    expect(e.code).toBe("INVALID_INPUT");
    expect(e.path?.startsWith("$[205].positions[0]")).toBe(true);
  });
});
