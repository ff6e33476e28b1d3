import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadHistoryFolder } from "../../../src/backtest/history/loadHistoryFolder.js";
import { templateFor } from "../../../src/backtest/replay.js";
import { buildMarketTimeline } from "../../../src/backtest/timeline.js";
import { backtestCommand } from "../../../src/cli/commands/backtestCommand.js";
import { portfolioSchema } from "../../../src/schema/portfolio.js";

// The real daily data sits next to the repository (/work/shared/data); skip when it is not there.
const DATA = new URL("../../../../shared/data", import.meta.url).pathname;
const ROOT = new URL("../../../", import.meta.url).pathname;
const hasData = existsSync(join(DATA, "BTC-USD.csv"));

describe.skipIf(!hasData)("backtest on the real history", () => {
  it("builds the 2023-06-30 snapshot with the example market's closes and EWMA vol proxy", () => {
    const history = loadHistoryFolder(DATA);
    const example = JSON.parse(readFileSync(join(ROOT, "examples/market-2023-06-30.json"), "utf8")) as {
      asOf: string;
      quotes: Array<{ feed: string; price: string }>;
      volSurfaces: Array<{ underlying: string; expiries: Array<{ vols: string[] }> }>;
    };
    const portfolio = portfolioSchema.parse(
      JSON.parse(readFileSync(join(ROOT, "examples/portfolios/short-strangle.json"), "utf8")),
    );
    const timeline = buildMarketTimeline(history, portfolio, { from: "2023-06-30", to: "2023-06-30" });
    const day = timeline.days[0]!;
    expect(day.snapshot.asOf).toBe(example.asOf);
    const btc = example.quotes.find((q) => q.feed === "BTC/USD")!;
    expect(day.snapshot.quotes.find((q) => q.feed === "BTC/USD")!.price).toBe(btc.price);
    const vol = Number(example.volSurfaces.find((s) => s.underlying === "BTC")!.expiries[0]!.vols[0]);
    expect(day.volProxyAnnual.get("BTC")!).toBeCloseTo(vol, 4);
    // The example strangle is struck at about 0.8x and 1.2x spot with 30.33 days to expiry.
    const template = templateFor(history, portfolio);
    const put = template.positions[0]!;
    expect(put.kind === "option" && put.tenorSec).toBe((30 * 24 + 8) * 3600);
  });

  it("replays a month with the CLI command (JSON and HTML report)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "xmargin-bt-"));
    const report = join(dir, "bt.html");
    const out = await backtestCommand({
      portfolio: join(ROOT, "examples/portfolios/directional-perp.json"),
      model: "grid,cross",
      from: "2022-11-01",
      to: "2022-11-30",
      json: true,
      report,
      paths: "500",
      quiet: true,
    });
    // --model grid,cross replays exactly these two models (JSON: one document each, in that order)
    const docs = JSON.parse(out) as Array<{
      model: string;
      observations: number;
      firstDate: string;
      crises: Array<{ window: string; covered: boolean }>;
    }>;
    expect(docs.map((d) => d.model)).toEqual(["grid", "cross"]);
    const doc = docs[0]!;
    expect(doc.firstDate).toBe("2022-11-01");
    expect(doc.observations).toBe(29);
    expect(doc.crises.find((c) => c.window === "2022-11")?.covered).toBe(true);
    expect(doc.crises.find((c) => c.window === "2020-03")?.covered).toBe(false);
    const html = readFileSync(report, "utf8");
    expect(html.match(/<svg/g)?.length).toBe(2);
    expect(html).not.toContain("<code>xchain</code>");
  });
});
