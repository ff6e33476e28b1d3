import { describe, expect, it } from "vitest";
import { impliedVolMove } from "../../../../src/margin/xchain/impliedVolMove.js";

describe("impliedVolMove: implied vol answers the size of the move", () => {
  it("adds k (z^2 - 1) to the vol factor's own move, z the price move in its sd over the horizon", () => {
    const sd = 0.04 * Math.sqrt(2); // 4%/day over 2 days
    const out = impliedVolMove(Float64Array.of(0.01, 0, -0.02), Float64Array.of(0, 3 * sd, -3 * sd), sd * sd, 0.015);
    // no move: vol eases by k; a 3-sd move up or down raises it by 8k, the same either way
    expect(out[0]).toBeCloseTo(0.01 - 0.015, 15);
    expect(out[1]).toBeCloseTo(8 * 0.015, 15);
    expect(out[2]).toBeCloseTo(-0.02 + 8 * 0.015, 15);
  });

  it("is the vol factor's move unchanged when k = 0", () => {
    const vol = Float64Array.of(0.1, -0.1);
    expect(impliedVolMove(vol, Float64Array.of(0.5, -0.5), 0.01, 0)).toBe(vol);
  });
});
