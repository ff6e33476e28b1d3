import { describe, expect, it } from "vitest";
import { generateAccounts } from "../../../bench/generateAccounts.js";
import { onboardAccounts } from "../../../src/margin/batch/onboardAccounts.js";
import { resolvePortfolio } from "../../../src/margin/resolve/resolvePortfolio.js";
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
