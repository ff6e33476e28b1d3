import { describe, expect, it } from "vitest";
import { tailExpectation } from "../../../src/risk/tailExpectation.js";

describe("tailExpectation", () => {
  it("averages the worst 2.5% with a fractional boundary scenario", () => {
    // losses 1..100 shuffled; 97.5% -> tail mass 2.5: 100 + 99 + 0.5 x 98 = 248 -> ES 99.2
    const losses = Float64Array.from({ length: 100 }, (_, k) => ((k * 37) % 100) + 1);
    const t = tailExpectation(losses, 0.975);
    expect(t.expectedShortfall).toBeCloseTo(99.2, 12);
    expect(Array.from(t.indices, (i) => losses[i])).toEqual([100, 99, 98]);
    expect(t.weights[0]).toBe(1);
    expect(t.weights[1]).toBe(1);
    expect(t.weights[2]).toBeCloseTo(0.5, 12);
    expect(t.valueAtRisk).toBe(98);
  });

  it("handles ties at the boundary and gives weights that sum to the tail mass", () => {
    const losses = Float64Array.of(5, 1, 5, 5, 0, 5);
    const t = tailExpectation(losses, 0.5); // mass 3 out of four 5s
    expect(t.expectedShortfall).toBe(5);
    expect(Array.from(t.indices)).toEqual([0, 2, 3]);
    expect(t.weights.reduce((a, b) => a + b, 0)).toBe(t.tailMass);
  });
});
