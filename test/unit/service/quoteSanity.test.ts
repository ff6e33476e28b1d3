import { describe, expect, it } from "vitest";
import { marketSnapshotSchema } from "../../../src/schema/marketSnapshot.js";
import { checkQuotesPush } from "../../../src/service/quoteSanity.js";
import { errorOf } from "../../support/errors.js";
import { market } from "../../support/fixtures.js";

const current = marketSnapshotSchema.parse(market());
const quote = (over: Record<string, string> = {}) => ({
  source: "pyth",
  chain: "solana",
  feed: "ETH/USD",
  price: "2001",
  publishedAt: "2024-01-01T00:00:00Z",
  ...over,
});

describe("quote pushes are sanity-checked before they touch the market (issue 14 item 9)", () => {
  it("accepts a fresh quote at or after the market time", () => {
    expect(() => checkQuotesPush(current, { quotes: [quote()] })).not.toThrow();
    expect(() => checkQuotesPush(current, { quotes: [quote()], asOf: "2024-01-01T00:01:00Z" })).not.toThrow();
  });
  it("the market clock never goes back", () => {
    const e = errorOf(() => checkQuotesPush(current, { quotes: [quote()], asOf: "2023-12-31T00:00:00Z" }));
    expect(e).toMatchObject({ code: "INVALID_INPUT", path: "$.asOf" });
  });
  it("a future-dated quote is rejected at its own path in the push", () => {
    const e = errorOf(() =>
      checkQuotesPush(current, { quotes: [quote(), quote({ source: "x", publishedAt: "2024-01-01T00:05:00Z" })] }),
    );
    expect(e).toMatchObject({ code: "INVALID_INPUT", path: "$.quotes[1].publishedAt" });
  });
  it("a quote cannot replace a newer quote of its own source", () => {
    const e = errorOf(() => checkQuotesPush(current, { quotes: [quote({ publishedAt: "2023-12-31T23:00:00Z" })] }));
    expect(e).toMatchObject({ path: "$.quotes[0].publishedAt" });
  });
  it("a quote's own heartbeat is capped: maxAgeSec 1e9 is refused", () => {
    const e = errorOf(() => checkQuotesPush(current, { quotes: [quote({ maxAgeSec: "1000000000" })] }));
    expect(e).toMatchObject({ code: "INVALID_INPUT", path: "$.quotes[0].maxAgeSec" });
  });
});
