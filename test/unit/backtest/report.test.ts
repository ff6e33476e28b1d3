import { describe, expect, it } from "vitest";
import { compareModels, renderComparisonMarkdown } from "../../../src/backtest/compare.js";
import { historyOf } from "../../../src/backtest/history/history.js";
import { renderBacktestHtml } from "../../../src/backtest/htmlReport.js";
import { portfolioSchema } from "../../../src/schema/portfolio.js";
import { isoDates, randomWalk } from "./synthetic.js";

describe("comparison table and HTML report", () => {
  const dates = isoDates("2022-01-01", 120);
  const history = historyOf([
    randomWalk("BTC-USD", dates, 40_000, 0.03, 5),
    randomWalk("USDC-USD", dates, 1, 0.0005, 6),
  ]);
  const portfolio = portfolioSchema.parse({
    accountId: "p",
    holdings: [{ chain: "arbitrum", token: "USDC", amount: "20000" }],
    positions: [{ kind: "perp", chain: "arbitrum", venue: "gmx", underlying: "BTC", size: "1" }],
  });
  const results = compareModels(history, [{ name: "perp", portfolio }], { warmupDays: 40 }, ["isolated", "grid"]);

  it("has one row per portfolio and model, and says which crisis windows the data cannot cover", () => {
    const md = renderComparisonMarkdown(results);
    expect(md).toMatch(/^\| portfolio \| model \|/);
    expect(md).toContain("| perp | isolated | 79 (2022-02-10..2022-04-30) | 1 |");
    expect(md).toContain("| perp | grid |");
    expect(md).toContain("2020-03: replay starts 2022-02-10");
  });

  it("renders a self-contained HTML page with inline SVG charts", async () => {
    const html = await renderBacktestHtml(results[0]!, results, ["note"]);
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html.match(/<svg/g)?.length).toBe(2);
    expect(html).not.toMatch(/<script|<link/);
  });
});
