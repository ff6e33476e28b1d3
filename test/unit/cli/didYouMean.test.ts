import { describe, expect, it } from "vitest";
import { closestName, suggestion } from "../../../src/cli/didYouMean.js";

describe("did you mean", () => {
  const commands = ["value", "margin", "compare", "health", "backtest", "backtest-compare", "serve"];
  it("finds typos: a swap, a missing or an extra letter, a prefix", () => {
    expect(closestName("marign", commands)).toBe("margin");
    expect(closestName("gird", ["isolated", "cross", "grid", "xchain"])).toBe("grid");
    expect(closestName("helth", commands)).toBe("health");
    expect(closestName("backtests", commands)).toBe("backtest");
    expect(closestName("comp", commands)).toBe("compare");
    expect(closestName("MARGIN", commands)).toBe("margin");
  });
  it("suggests nothing for an unrelated word, and short words need to be near", () => {
    expect(closestName("liquidity", commands)).toBeUndefined();
    expect(closestName("db", ["to", "port"])).toBeUndefined();
  });
  it("always lists the known names", () => {
    expect(suggestion("xx", ["a", "b"], (c) => `--${c}`)).toBe("known: --a, --b");
    expect(suggestion("portfoli", ["portfolio", "market"], (c) => `--${c}`)).toBe(
      "did you mean --portfolio? known: --portfolio, --market",
    );
  });
});
