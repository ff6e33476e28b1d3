import { describe, expect, it } from "vitest";
import { resolveMarginConfig } from "../../../src/margin/resolveConfig.js";
import { portfolioSchema } from "../../../src/schema/portfolio.js";
import { checkBudget } from "../../../src/service/computeBudget.js";
import { computeBudgetSchema } from "../../../src/service/serviceConfig.js";
import { errorOf } from "../../support/errors.js";

const budget = computeBudgetSchema.parse({ maxItems: 3, maxPaths: 20_000, maxPathItems: 30_000 });
const perp = (i: number) => ({ kind: "perp", chain: "arbitrum", venue: "gmx", underlying: "ETH", size: `${i + 1}` });
const book = (n: number) =>
  portfolioSchema.parse({ accountId: "a", positions: Array.from({ length: n }, (_, i) => perp(i)) });
const paths = { portfolio: "$.portfolio", config: "$.config" };

describe("compute budget: a 400 naming the field and the limit", () => {
  it("counts holdings + positions", () => {
    expect(() => checkBudget(book(3), resolveMarginConfig({ model: "grid" }), budget, paths)).not.toThrow();
    const e = errorOf(() => checkBudget(book(4), resolveMarginConfig({ model: "grid" }), budget, paths));
    expect(e).toMatchObject({ code: "LIMIT_EXCEEDED", path: "$.portfolio.positions" });
    expect(e.shortMessage).toContain("is 4; this service allows at most 3");
  });

  it("bounds xchain paths and paths x items (1,000,000 paths froze the service, issue 14 item 1)", () => {
    const xchain = (n: number) => resolveMarginConfig({ model: "xchain", simulation: { paths: n } });
    expect(errorOf(() => checkBudget(book(1), xchain(1_000_000), budget, paths))).toMatchObject({
      code: "LIMIT_EXCEEDED",
      path: "$.config.simulation.paths",
    });
    // 10,000 paths x 3 items = 30,000: at the limit; 4 items would be over maxItems first, so use 15,000 x 3
    expect(() => checkBudget(book(3), xchain(10_000), budget, paths)).not.toThrow();
    const e = errorOf(() => checkBudget(book(3), xchain(15_000), budget, paths));
    expect(e.shortMessage).toBe("paths x (holdings + positions) is 45000; this service allows at most 30000");
  });

  it("refuses a maintenance ratio so small the health ratio overflows (issue 14 item 7)", () => {
    const tiny = resolveMarginConfig({ model: "grid", maintenanceRatio: 1e-308 });
    expect(errorOf(() => checkBudget(book(1), tiny, budget, paths))).toMatchObject({
      code: "LIMIT_EXCEEDED",
      path: "$.config.maintenanceRatio",
    });
  });
});
