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

describe("weighted tail from a kept candidate level (LevelHint)", () => {
  // A heavy-tailed sample with importance weights that shrink in the tail (as the Student-t mixing's do).
  const n = 20_000;
  const sample = (scale: number) =>
    Float64Array.from({ length: n }, (_, s) => {
      const u = (((s * 7919 + 13) % n) + 0.5) / n;
      return scale * Math.tan(Math.PI * (u - 0.5)) * 0.1;
    });
  const weights = Float64Array.from({ length: n }, (_, s) => 0.5 + ((s * 104729) % 97) / 97);
  const confidence = 0.975;
  /** The weighted ES by sorting every path worst first (ties: lower index) and walking the weights: independent. */
  const bySorting = (losses: Float64Array) => {
    const order = Array.from({ length: n }, (_, s) => s).sort((a, b) => losses[b]! - losses[a]! || a - b);
    const total = weights.reduce((a, b) => a + b, 0);
    const mass = (1 - confidence) * total;
    let left = mass;
    let sum = 0;
    for (const s of order) {
      if (left <= 0) break;
      const w = Math.min(weights[s]!, left);
      sum += w * losses[s]!;
      left -= w;
    }
    return sum / mass;
  };
  const same = (a: ReturnType<typeof tailExpectation>, b: ReturnType<typeof tailExpectation>) => {
    expect(a.expectedShortfall).toBe(b.expectedShortfall);
    expect(a.valueAtRisk).toBe(b.valueAtRisk);
    expect(Array.from(a.indices)).toEqual(Array.from(b.indices));
    expect(Array.from(a.weights)).toEqual(Array.from(b.weights));
  };

  it("no level yet: screens, keeps the screened level, same tail as without a hint", () => {
    const losses = sample(1);
    const hint = { level: Number.NaN };
    const t = tailExpectation(losses, confidence, undefined, weights, undefined, hint);
    same(t, tailExpectation(losses, confidence, undefined, weights));
    expect(Number.isFinite(hint.level)).toBe(true);
    expect(hint.level).toBeLessThan(t.valueAtRisk);
    expect(t.expectedShortfall).toBeCloseTo(bySorting(losses), 9);
  });

  it("the right level (previous sample's) is used as it is, and the tail is the same to the bit", () => {
    const hint = { level: Number.NaN };
    tailExpectation(sample(1), confidence, undefined, weights, undefined, hint);
    const kept = hint.level;
    const moved = sample(1.002);
    const t = tailExpectation(moved, confidence, undefined, weights, undefined, hint);
    same(t, tailExpectation(moved, confidence, undefined, weights));
    // not screened again: the kept level stands
    expect(hint.level).toBe(kept);
    expect(t.expectedShortfall).toBeCloseTo(bySorting(moved), 9);
  });

  it("a wrong level falls back to the screening: too high (too few candidates) and too low (far too many)", () => {
    const moved = sample(0.97);
    const want = tailExpectation(moved, confidence, undefined, weights);
    const fresh = { level: Number.NaN };
    tailExpectation(moved, confidence, undefined, weights, undefined, fresh);
    for (const wrong of [Number.MAX_VALUE, 1e6, want.valueAtRisk * 1.01, -1e300, Number.NEGATIVE_INFINITY]) {
      const hint = { level: wrong };
      same(tailExpectation(moved, confidence, undefined, weights, undefined, hint), want);
      // replaced by this sample's screened level (minus infinity is no level: screened from the start)
      expect(hint.level).toBe(fresh.level);
    }
    expect(want.expectedShortfall).toBeCloseTo(bySorting(moved), 9);
  });

  it("a slightly high level whose candidates miss only the tail's last paths falls back too", () => {
    const losses = sample(1);
    const want = tailExpectation(losses, confidence, undefined, weights);
    // the second-worst tail path's loss: one path short of the tail (and its boundary)
    const hint = { level: losses[want.indices[want.indices.length - 2]!]! };
    same(tailExpectation(losses, confidence, undefined, weights, undefined, hint), want);
    expect(hint.level).toBeLessThan(want.valueAtRisk);
  });
});
