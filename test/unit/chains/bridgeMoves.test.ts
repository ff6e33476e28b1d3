import { describe, expect, it } from "vitest";
import { transferIdOf } from "../../../src/chains/bridge/bridgeExecutor.js";
import { movesOfPlanSteps } from "../../../src/chains/bridge/bridgeMoves.js";
import { errorOf } from "../../support/errors.js";

describe("movesOfPlanSteps", () => {
  it("turns plan steps into base units of the source token, never more than the plan says", () => {
    const moves = movesOfPlanSteps([
      { token: "USDC", fromChain: "ethereum", toChain: "arbitrum", units: 1500.25 },
      { token: "USDC", fromChain: "ethereum", toChain: "arbitrum", units: "0.1234567" },
      { token: "USDC", fromChain: "arbitrum", toChain: "arbitrum", units: 5 },
      // 1/3 to 6 decimals rounds to 0.333333 (down): exact
      { token: "USDC", fromChain: "ethereum", toChain: "arbitrum", units: 1 / 3 },
      // 2/3 to 6 decimals would round up to 0.666667: cut to 0.666666
      { token: "USDC", fromChain: "ethereum", toChain: "arbitrum", units: 2 / 3 },
    ]);
    expect(moves.map((m) => m.amountRaw)).toEqual([1_500_250_000n, 123_456n, 333_333n, 666_666n]);
  });

  it("names the step of a bad amount", () => {
    const err = errorOf(() => movesOfPlanSteps([{ token: "USDC", fromChain: "ethereum", toChain: "arbitrum" }]));
    expect(err).toMatchObject({ code: "INVALID_INPUT", path: "$.steps[0].units" });
  });

  it("gives each (plan, step) one transfer id, the same on every run", () => {
    expect(transferIdOf("7", 0)).toBe(transferIdOf("7", 0));
    expect(new Set([transferIdOf("7", 0), transferIdOf("7", 1), transferIdOf("8", 0)]).size).toBe(3);
  });
});
