import { describe, expect, it } from "vitest";
import { computeMargin } from "../../../../src/margin/computeMargin.js";
import { MARGIN_MODEL_NAMES } from "../../../../src/margin/modelNames.js";
import { market, portfolio } from "../../../support/fixtures.js";

describe("market flags are scoped to the feeds an account reads", () => {
  // DAI's only quote is two days old: a critical stale flag about DAI.
  const m = market();
  m.quotes.push({
    source: "chainlink",
    chain: "ethereum",
    feed: "DAI/USD",
    price: "1",
    publishedAt: "2023-12-30T00:00:00Z",
  });
  const btcOnly = portfolio({
    holdings: [{ chain: "ethereum", token: "USDC", amount: "10000" }],
    positions: [{ kind: "perp", chain: "ethereum", venue: "x", underlying: "BTC", size: "0.1" }],
  });
  const daiHolder = portfolio({ holdings: [{ chain: "ethereum", token: "DAI", amount: "10000" }] });

  it("a book without DAI gets no DAI flag; a DAI holder gets it, tagged with its feed, under every model", () => {
    for (const model of MARGIN_MODEL_NAMES) {
      const r = computeMargin({ portfolio: btcOnly, market: m, config: { model } });
      expect(
        r.flags.filter((f) => f.message.includes("DAI")),
        model,
      ).toEqual([]);
      const d = computeMargin({ portfolio: daiHolder, market: m, config: { model } });
      const stale = d.flags.filter((f) => f.code === "ORACLE_STALE" && f.feed === "DAI");
      expect(
        stale.map((f) => f.severity),
        model,
      ).toEqual(["critical"]);
    }
  });
});
