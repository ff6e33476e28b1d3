import { describe, expect, it } from "vitest";
import { compareModels, renderComparisonMarkdown } from "../../../src/backtest/compare.js";
import { coverageVerdict } from "../../../src/backtest/coverageVerdict.js";
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
    expect(html).toContain('name="viewport"');
    expect(html).not.toMatch(/\b1 exceptions\b|\b1 days\b|day\(s\)/);
    // every model of the report is named and drawn; table headers and chart points carry tooltips
    for (const r of results) expect(html).toContain(`<code>${r.replay.model}</code>`);
    expect(html).toMatch(/<th title="[^"]+">verdict<\/th>/);
    expect(html).toMatch(/<title>\d{4}-\d{2}-\d{2}: margin \$[\d,]+, realised loss/);
  });

  it("says in words what the Kupiec test and the traffic light mean", () => {
    const s = results[0]!.summary;
    const expected = (1 - s.coverage) * s.observations;
    const v = coverageVerdict(s);
    if (s.kupiec.pValue >= 0.05) expect(v.kind).toBe("about-right");
    else expect(v.kind).toBe(s.exceptions > expected ? "too-many-exceptions" : "too-conservative");
    // A constructed case on each side: 0 of 1,000 at 99% (10 expected) is too conservative; 30 of 1,000 too many.
    const base = { ...s, observations: 1000, coverage: 0.99 };
    const few = coverageVerdict({ ...base, exceptions: 0, kupiec: { lr: 20.1, pValue: 7e-6, dof: 1 } });
    expect(few.kind).toBe("too-conservative");
    expect(few.text).toMatch(/^Too conservative: 0 exceptions in 1000 days against 10\.0 expected/);
    const many = coverageVerdict({ ...base, exceptions: 30, kupiec: { lr: 26.3, pValue: 3e-7, dof: 1 } });
    expect(many.kind).toBe("too-many-exceptions");
    const one = coverageVerdict({ ...base, exceptions: 1, observations: 100, kupiec: { lr: 0, pValue: 1, dof: 1 } });
    expect(one.text).toMatch(/^About right: 1 exception in 100 days against 1\.0 expected/);
  });
});
