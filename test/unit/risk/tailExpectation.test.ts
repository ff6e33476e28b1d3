import { describe, expect, it } from "vitest";
import { tailExpectation, weightedTailLevel } from "../../../src/risk/tailExpectation.js";

/** The same tail to the bit: ES, VaR, the paths worst first and their weights. */
function same(a: ReturnType<typeof tailExpectation>, b: ReturnType<typeof tailExpectation>): void {
  expect(a.expectedShortfall).toBe(b.expectedShortfall);
  expect(a.valueAtRisk).toBe(b.valueAtRisk);
  expect(Array.from(a.indices)).toEqual(Array.from(b.indices));
  expect(Array.from(a.weights)).toEqual(Array.from(b.weights));
}

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

  it("no level yet: screens, keeps the screened level, same tail as without a hint", () => {
    const losses = sample(1);
    const hint = { level: Number.NaN };
    const t = tailExpectation(losses, confidence, undefined, weights, undefined, hint);
    same(t, tailExpectation(losses, confidence, undefined, weights));
    expect(Number.isFinite(hint.level)).toBe(true);
    expect(hint.level).toBeLessThan(t.valueAtRisk);
    expect(t.expectedShortfall).toBeCloseTo(bySorting(losses), 9);
  });

  it("the right level (previous sample's) is used as it is, the tail is the same to the bit, and a tighter one kept", () => {
    const hint = { level: Number.NaN, fallbacks: 0 };
    const first = tailExpectation(sample(1), confidence, undefined, weights, undefined, hint);
    const kept = hint.level;
    // the kept level lies below the tail and gathers it with a slack, not the screening's ~1.25 x 4.5 x 2.5% of paths
    expect(kept).toBeLessThan(first.valueAtRisk);
    const gathered = (losses: Float64Array, level: number) => losses.filter((l) => l >= level).length;
    expect(gathered(sample(1), kept)).toBeGreaterThan(first.indices.length);
    expect(gathered(sample(1), kept)).toBeLessThan(1.6 * first.indices.length);
    for (const scale of [1.002, 0.998, 1.01]) {
      const moved = sample(scale);
      const t = tailExpectation(moved, confidence, undefined, weights, undefined, hint);
      same(t, tailExpectation(moved, confidence, undefined, weights));
      expect(t.expectedShortfall).toBeCloseTo(bySorting(moved), 9);
      expect(hint.level).toBeLessThan(t.valueAtRisk);
    }
    // not screened again: every kept level held its tail
    expect(hint.fallbacks).toBe(0);
  });

  it("a wrong level falls back to the screening: too high (too few candidates) and too low (far too many)", () => {
    const moved = sample(0.97);
    const want = tailExpectation(moved, confidence, undefined, weights);
    const fresh = { level: Number.NaN, fallbacks: 0 };
    tailExpectation(moved, confidence, undefined, weights, undefined, fresh);
    expect(fresh.fallbacks).toBe(0);
    for (const wrong of [Number.MAX_VALUE, 1e6, want.valueAtRisk * 1.01, -1e300]) {
      const hint = { level: wrong, fallbacks: 0 };
      same(tailExpectation(moved, confidence, undefined, weights, undefined, hint), want);
      expect(hint.fallbacks).toBe(1);
      // replaced by the level this sample's tail leaves (the same whichever way it was found)
      expect(hint.level).toBe(fresh.level);
    }
    // minus infinity and NaN are no level: screened from the start, not counted as a fallback
    for (const none of [Number.NEGATIVE_INFINITY, Number.NaN]) {
      const hint = { level: none, fallbacks: 0 };
      same(tailExpectation(moved, confidence, undefined, weights, undefined, hint), want);
      expect(hint.fallbacks).toBe(0);
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

describe("kept levels on tied losses, equal and unequal weights", () => {
  const n = 10_000;
  const confidence = 0.975;
  // losses 0..200, 50 paths each (25 at the ends): the tail (250 paths of equal weight) ends inside a group of ties
  const tied = (shift: number) => Float64Array.from({ length: n }, (_, s) => Math.round(((s * 7919) % n) / 50) + shift);
  const ones = new Float64Array(n).fill(1);
  const uneven = Float64Array.from({ length: n }, (_, s) => 0.5 + ((s * 104729) % 89) / 89);

  it("any level, at the tied VaR, just above or below it, gives the screened tail to the bit (ties by lower path)", () => {
    for (const weights of [ones, uneven]) {
      const losses = tied(0);
      const want = tailExpectation(losses, confidence, undefined, weights);
      const v = want.valueAtRisk;
      const hints = [Number.NaN, v, v - 1e-9, v - 0.5, v + 0.5, v + 1e-9, Number.MAX_VALUE, -1e300];
      const fellBack = hints.map((level) => {
        const hint = { level, fallbacks: 0 };
        same(tailExpectation(losses, confidence, undefined, weights, undefined, hint), want);
        return hint.fallbacks;
      });
      // above the VaR the tied group is missed (too few candidates); far below, far too many
      expect(fellBack).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
      // tied paths in the tail: the lower ones first, the boundary's group taken in path order
      const inTail = Array.from(want.indices).filter((s) => losses[s] === v);
      expect(inTail).toEqual([...inTail].sort((a, b) => a - b));
      expect(inTail.length).toBeGreaterThan(0);
    }
  });

  it("equal weights: the kept level's tail is the unweighted tail (same paths, ES to rounding)", () => {
    const hint = { level: Number.NaN, fallbacks: 0 };
    for (const shift of [0, 0.1, -0.1, 0.25]) {
      const losses = tied(shift);
      const weighted = tailExpectation(losses, confidence, undefined, ones, undefined, hint);
      const plain = tailExpectation(losses, confidence);
      expect(Array.from(weighted.indices)).toEqual(Array.from(plain.indices));
      expect(weighted.valueAtRisk).toBe(plain.valueAtRisk);
      // by hand: 250 paths = 200 (25 paths: the rounding's top half-group), 199..196 (50 each), 25 of the 50 at 195:
      // (200 x 25 + 50 x (199 + 198 + 197 + 196) + 195 x 25) / 250 = 197.5, plus the shift
      expect(plain.expectedShortfall).toBeCloseTo(197.5 + shift, 9);
      expect(weighted.expectedShortfall).toBeCloseTo(plain.expectedShortfall, 12);
    }
    expect(hint.fallbacks).toBe(0);
  });
});

describe("weightedTailLevel from a kept level (LevelHint)", () => {
  const n = 10_000;
  const confidence = 0.975;
  const sample = (scale: number) =>
    Float64Array.from(
      { length: n },
      (_, s) => scale * Math.round(Math.tan(Math.PI * ((((s * 7919) % n) + 0.5) / n - 0.5)) * 40),
    );
  const weights = Float64Array.from({ length: n }, (_, s) => 0.5 + ((s * 104729) % 97) / 97);
  const same = (a: ReturnType<typeof weightedTailLevel>, b: ReturnType<typeof weightedTailLevel>) => {
    expect(a.expectedShortfall).toBe(b.expectedShortfall);
    expect(a.valueAtRisk).toBe(b.valueAtRisk);
    // the same candidates in the same order: even the tail's order and its sums' rounding agree
    expect(Array.from(a.indices)).toEqual(Array.from(b.indices));
  };

  it("the previous sample's level screens among fewer losses and gives the figures of a screening, to the bit", () => {
    const hint = { level: Number.NaN, fallbacks: 0 };
    const first = weightedTailLevel(sample(1), confidence, weights, undefined, undefined, hint);
    same(first, weightedTailLevel(sample(1), confidence, weights));
    expect(Number.isFinite(hint.level)).toBe(true);
    expect(hint.level).toBeLessThan(first.valueAtRisk);
    for (const scale of [1.002, 0.997, 1.01]) {
      const t = weightedTailLevel(sample(scale), confidence, weights, undefined, undefined, hint);
      same(t, weightedTailLevel(sample(scale), confidence, weights));
      // and the ordered tail's figures (ties at the VaR: the same level; ES to rounding)
      const ordered = tailExpectation(sample(scale), confidence, undefined, weights);
      expect(t.valueAtRisk).toBe(ordered.valueAtRisk);
      expect(t.expectedShortfall).toBeCloseTo(ordered.expectedShortfall, 9);
    }
    expect(hint.fallbacks).toBe(0);
  });

  it("a wrong level: too high falls back to the full screening, too low screens them all; NaN is none", () => {
    const losses = sample(1);
    const want = weightedTailLevel(losses, confidence, weights);
    const cases: [number, number][] = [
      [Number.MAX_VALUE, 1],
      [want.valueAtRisk, 1],
      [-1e300, 0],
      [Number.NEGATIVE_INFINITY, 0],
      [Number.NaN, 0],
    ];
    for (const [level, fallbacks] of cases) {
      const hint = { level, fallbacks: 0 };
      same(weightedTailLevel(losses, confidence, weights, undefined, undefined, hint), want);
      expect(hint.fallbacks).toBe(fallbacks);
      expect(hint.level).toBeLessThan(want.valueAtRisk);
    }
  });
});
