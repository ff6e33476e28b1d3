import { describe, expect, it } from "vitest";
import { sameValues } from "../../../src/core/sameValues.js";

describe("sameValues", () => {
  it("is true for the same numbers in the same order, NaN included", () => {
    expect(sameValues(Float64Array.of(1, Number.NaN, -2.5), Float64Array.of(1, Number.NaN, -2.5))).toBe(true);
    expect(sameValues(new Float64Array(0), new Float64Array(0))).toBe(true);
  });

  it("is false for another length, order, value or the sign of a zero", () => {
    expect(sameValues(Float64Array.of(1, 2), Float64Array.of(1, 2, 3))).toBe(false);
    expect(sameValues(Float64Array.of(1, 2), Float64Array.of(2, 1))).toBe(false);
    expect(sameValues(Float64Array.of(1, 2), Float64Array.of(1, 2 + 2 ** -51))).toBe(false);
    expect(sameValues(Float64Array.of(0), Float64Array.of(-0))).toBe(false);
  });
});
