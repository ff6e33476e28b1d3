import { describe, expect, it } from "vitest";
import { whatIfSchema } from "../../../src/liquidation/whatIf.js";
import { type WhatIfForm, whatIfOf } from "../../../web/src/whatIfDoc.js";

const blank: WhatIfForm = {
  underlying: "BTC",
  spotPct: "",
  volPct: "",
  tradeKind: "none",
  tradeChain: "arbitrum",
  tradeVenue: "derive",
  tradeSize: "1",
  tradeExpiry: "",
  tradeStrike: "",
  tradeType: "put",
  cashAction: "none",
  cashChain: "arbitrum",
  cashToChain: "ethereum",
  cashToken: "USDC",
  cashAmount: "10000",
};

/** The dashboard's what-if form -> the document `POST /v1/whatif` takes, checked against the engine's own schema. */
describe("what-if document of the dashboard's form", () => {
  it("turns percentages into relative moves", () => {
    const doc = whatIfOf({ ...blank, spotPct: "-20", volPct: "15" });
    expect(doc.moves).toEqual([{ underlying: "BTC", spotShockRel: "-0.2", volShockRel: "0.15" }]);
    expect(whatIfSchema.parse(doc).moves[0]!.spotShockRel).toBe("-0.2");
    expect(whatIfOf(blank)).toEqual({ trades: [], deposits: [], withdrawals: [], moves: [] });
  });

  it("moves collateral across chains as a withdrawal on one chain and a deposit of the same amount on the other", () => {
    const doc = whatIfOf({ ...blank, cashAction: "move" });
    expect(doc.withdrawals).toEqual([{ chain: "arbitrum", token: "USDC", amount: "10000" }]);
    expect(doc.deposits).toEqual([{ chain: "ethereum", token: "USDC", amount: "10000" }]);
    whatIfSchema.parse(doc);
  });

  it("writes an option trade the Portfolio schema accepts, expiring 08:00 UTC on the chosen day", () => {
    const doc = whatIfOf({
      ...blank,
      tradeKind: "option",
      tradeSize: "-2",
      tradeExpiry: "2023-07-28",
      tradeStrike: "28000",
      tradeType: "put",
    });
    const parsed = whatIfSchema.parse(doc);
    expect(parsed.trades[0]).toMatchObject({
      kind: "option",
      size: "-2",
      expiry: "2023-07-28T08:00:00Z",
      strike: "28000",
      optionType: "put",
    });
  });
});
