import { describe, expect, it } from "vitest";
import { computeMargin } from "../../../src/margin/computeMargin.js";
import { errorOf } from "../../support/errors.js";
import { market, portfolio } from "../../support/fixtures.js";

const option = {
  kind: "option",
  chain: "arbitrum",
  venue: "derive",
  underlying: "ETH",
  size: "-1",
  strike: "2000",
  expiry: "2024-01-31T08:00:00Z",
  optionType: "put",
};

describe("schema errors name the field and the reason", () => {
  it("rejects a non-positive strike with its JSON path", () => {
    const p = portfolio({ positions: [option, { ...option, strike: "0" }] as never });
    const err = errorOf(() => computeMargin({ portfolio: p, market: market() }));
    expect(err.code).toBe("INVALID_INPUT");
    expect(err.path).toBe("$.positions[1].strike");
    expect(err.message).toContain("greater than 0");
  });

  it("rejects numbers where decimal strings are required", () => {
    const p = { accountId: "a", holdings: [{ chain: "ethereum", token: "USDC", amount: 100 }] };
    const err = errorOf(() => computeMargin({ portfolio: p, market: market() }));
    expect(err.path).toBe("$.holdings[0].amount");
  });

  it("rejects exponent notation and unknown fields", () => {
    const bad = { accountId: "a", holdings: [{ chain: "ethereum", token: "USDC", amount: "1e5" }] };
    expect(errorOf(() => computeMargin({ portfolio: bad, market: market() })).path).toBe("$.holdings[0].amount");
    const extra = { accountId: "a", holdings: [], leverage: 10 };
    expect(errorOf(() => computeMargin({ portfolio: extra, market: market() })).message).toContain("leverage");
  });

  it("requires exactly one of amount and amountRaw", () => {
    const both = {
      accountId: "a",
      holdings: [{ chain: "ethereum", token: "USDC", amount: "1", amountRaw: "1000000" }],
    };
    expect(errorOf(() => computeMargin({ portfolio: both, market: market() })).path).toBe("$.holdings[0].amount");
  });

  it("rejects unknown tokens, chains and underlyings with what is known", () => {
    const token = portfolio({ holdings: [{ chain: "ethereum", token: "FOO", amount: "1" }] });
    const e1 = errorOf(() => computeMargin({ portfolio: token, market: market() }));
    expect(e1.path).toBe("$.holdings[0].token");
    expect(e1.message).toContain("USDC");
    const chain = portfolio({ holdings: [{ chain: "tron", token: "USDT", amount: "1" }] });
    // a chain with no known token is named as the culprit, on the chain field
    const e2 = errorOf(() => computeMargin({ portfolio: chain, market: market() }));
    expect(e2.path).toBe("$.holdings[0].chain");
    expect(e2.message).toContain('unknown chain "tron"');
    const und = portfolio({
      positions: [{ kind: "perp", chain: "arbitrum", venue: "x", underlying: "DOGE", size: "1" }],
    });
    expect(errorOf(() => computeMargin({ portfolio: und, market: market() })).path).toBe("$.positions[0].underlying");
  });

  it("rejects a bad config field with its path and an unknown model with the list", () => {
    const p = portfolio();
    const e1 = errorOf(() =>
      computeMargin({ portfolio: p, market: market(), config: { model: "grid", priceShocks: [0.1] } }),
    );
    expect(e1.path).toBe("$.priceShocks");
    expect(e1.message).toContain("include 0");
    const e2 = errorOf(() => computeMargin({ portfolio: p, market: market(), config: { model: "magic" } }));
    expect(e2.path).toBe("$.model");
    expect(e2.message).toContain("isolated, cross, grid");
    const e3 = errorOf(() =>
      computeMargin({ portfolio: p, market: market(), config: { model: "grid", maintenanceRatio: 2 } }),
    );
    expect(e3.path).toBe("$.maintenanceRatio");
  });

  it("rejects a vol surface whose strikes and vols differ in length", () => {
    const m = market({
      volSurfaces: [
        { underlying: "ETH", expiries: [{ expiry: "2024-02-01T00:00:00Z", strikes: ["1", "2"], vols: ["0.5"] }] },
      ],
    });
    expect(errorOf(() => computeMargin({ portfolio: portfolio(), market: m })).path).toBe(
      "$.volSurfaces[0].expiries[0].vols",
    );
  });

  it("fails with MISSING_DATA when an option has no surface or a position's underlying has no price", () => {
    const p = portfolio({ positions: [{ ...option, underlying: "BTC" }] as never });
    const e = errorOf(() => computeMargin({ portfolio: p, market: market() }));
    expect(e.code).toBe("MISSING_DATA");
    expect(e.path).toBe("$.positions[0].underlying");
    const sol = portfolio({
      positions: [{ kind: "perp", chain: "solana", venue: "drift", underlying: "SOL", size: "1" }],
    });
    expect(errorOf(() => computeMargin({ portfolio: sol, market: market() })).message).toContain("SOL/USD");
  });
});
