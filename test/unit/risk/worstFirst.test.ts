import { describe, expect, it } from "vitest";
import { Prng } from "../../../src/risk/prng.js";
import { tailExpectation, weightedTailLevel } from "../../../src/risk/tailExpectation.js";
import { selectLargestByMass, sortIndicesWorstFirst, sortWorstFirst } from "../../../src/risk/worstFirst.js";

/** Losses with many exact ties (rounded to a coarse step) and weights like an importance sampler's. */
function sample(n: number, seed: number): { losses: Float64Array; weights: Float64Array } {
  const rng = new Prng(seed);
  const losses = Float64Array.from({ length: n }, () => Math.round((rng.nextUniform() - 0.3) ** 3 * 400) / 4);
  const weights = Float64Array.from({ length: n }, () => 0.2 + rng.nextUniform());
  return { losses, weights };
}

/** The order by definition: larger loss first, ties by lower index, from a plain comparator sort. */
const reference = (losses: Float64Array, idx: number[]) => [...idx].sort((a, b) => losses[b]! - losses[a]! || a - b);

describe("sortWorstFirst", () => {
  it("orders like the comparator sort (loss descending, ties by index), for every size up to past the insertion cut", () => {
    for (const n of [0, 1, 2, 17, 18, 100, 3000]) {
      const { losses } = sample(n, n + 1);
      const idx = Int32Array.from({ length: n }, (_, k) => (k * 7919) % n);
      const values = new Float64Array(n + 3);
      sortIndicesWorstFirst(idx, n, losses, values);
      expect(Array.from(idx)).toEqual(reference(losses, [...Array(n).keys()]));
      // the copied losses moved with their paths
      expect(Array.from(values.subarray(0, n))).toEqual(Array.from(idx, (s) => losses[s]!));
    }
  });

  it("sorts (loss, path) pairs in place, leaving the pairs past `count` alone", () => {
    const { losses } = sample(500, 9);
    const idx = Int32Array.from({ length: 500 }, (_, k) => 499 - k);
    const values = Float64Array.from(idx, (s) => losses[s]!);
    sortWorstFirst(values, idx, 400);
    expect(Array.from(idx.subarray(0, 400))).toEqual(
      reference(
        losses,
        [...Array(400).keys()].map((k) => 499 - k),
      ),
    );
    expect(Array.from(values.subarray(0, 400))).toEqual(Array.from(idx.subarray(0, 400), (s) => losses[s]!));
    expect(Array.from(idx.subarray(400))).toEqual([...Array(100).keys()].map((k) => 99 - k));
  });
});

describe("selectLargestByMass", () => {
  it("puts p largest first, p the shortest largest-first prefix holding the mass (ties interchangeable)", () => {
    const { losses, weights } = sample(2000, 5);
    const order = reference(losses, [...Array(2000).keys()]);
    for (const mass of [0.5, 13, 250.3, 700]) {
      const values = losses.slice();
      const w = weights.slice();
      const idx = Int32Array.from({ length: 2000 }, (_, k) => k);
      const p = selectLargestByMass(values, w, idx, 2000, mass);
      const least = Math.min(...values.subarray(0, p));
      // every value above the least inside is inside, none inside is below any outside
      expect(new Set([...idx.subarray(0, p)].filter((s) => losses[s]! > least))).toEqual(
        new Set(order.filter((s) => losses[s]! > least)),
      );
      expect(Math.max(...values.subarray(p))).toBeLessThanOrEqual(least);
      // values and weights moved with their paths
      for (let k = 0; k < 2000; k++) {
        expect(values[k]).toBe(losses[idx[k]!]);
        expect(w[k]).toBe(weights[idx[k]!]);
      }
      // p is minimal up to ties: the inside holds the mass, the paths strictly above its least do not
      let held = 0;
      for (let k = 0; k < p; k++) held += w[k]!;
      expect(held).toBeGreaterThanOrEqual(mass);
      let beyond = 0;
      for (let k = 0; k < p; k++) if (values[k]! > least) beyond += w[k]!;
      expect(beyond).toBeLessThan(mass);
    }
  });

  it("returns every candidate when together they hold less than the mass", () => {
    const { losses, weights } = sample(50, 2);
    const idx = Int32Array.from({ length: 50 }, (_, k) => k);
    expect(selectLargestByMass(losses.slice(), weights.slice(), idx, 50, 1e9)).toBe(50);
  });
});

describe("tailExpectation with path weights, screened candidates", () => {
  it("equals the weighted tail walked over a full sort of every path (indices, weights, ES, VaR)", () => {
    for (const seed of [1, 2, 3]) {
      const { losses, weights } = sample(10_000, seed);
      const t = tailExpectation(losses, 0.975, undefined, weights);
      const order = reference(losses, [...Array(10_000).keys()]);
      let total = 0;
      for (const w of weights) total += w;
      const mass = 0.025 * total;
      let held = 0;
      let count = 0;
      while (held < mass * (1 - 1e-12)) held += weights[order[count++]!]!;
      expect(Array.from(t.indices)).toEqual(order.slice(0, count));
      let left = mass;
      let sum = 0;
      for (const s of order.slice(0, count)) {
        const w = Math.min(weights[s]!, left);
        left -= w;
        sum += w * losses[s]!;
      }
      expect(t.expectedShortfall).toBe(sum / mass);
      expect(t.valueAtRisk).toBe(losses[order[count - 1]!]);
      expect(t.totalWeight).toBe(total);
    }
  });

  it("rejects a NaN loss with its path, weighted or not", () => {
    const losses = Float64Array.from({ length: 1000 }, (_, k) => k);
    losses[17] = Number.NaN;
    expect(() => tailExpectation(losses, 0.975)).toThrow(/losses\[17\]/);
    expect(() => tailExpectation(losses, 0.975, undefined, new Float64Array(1000).fill(1))).toThrow(/losses\[17\]/);
  });
});

describe("weightedTailLevel (the tail unordered)", () => {
  it("gives the ordered tail's path set, VaR and ES (to rounding) on tied, weighted losses", () => {
    for (const [n, seed] of [
      [10_000, 4],
      [10_000, 5],
      [300, 6],
      [40, 7],
    ] as const) {
      const { losses, weights } = sample(n, seed);
      const ordered = tailExpectation(losses, 0.975, undefined, weights);
      const level = weightedTailLevel(losses, 0.975, weights);
      // Paths tied at the VaR level are interchangeable (their number depends on their weights); those above it agree.
      const above = (ix: Uint32Array) => new Set([...ix].filter((s) => losses[s]! > ordered.valueAtRisk));
      expect(above(level.indices)).toEqual(above(ordered.indices));
      expect(level.valueAtRisk).toBe(ordered.valueAtRisk);
      expect(level.totalWeight).toBe(ordered.totalWeight);
      expect(Math.abs(level.expectedShortfall - ordered.expectedShortfall)).toBeLessThanOrEqual(
        1e-12 * Math.abs(ordered.expectedShortfall),
      );
    }
  });

  it("drops a boundary path the others already cover: equal weights, mass a whole number of paths", () => {
    // 1000 paths of weight 1 at 0.975: the tail is exactly the 25 worst; the 26th must not be the boundary.
    const losses = Float64Array.from({ length: 1000 }, (_, k) => (k * 389) % 1000);
    const level = weightedTailLevel(losses, 0.975, new Float64Array(1000).fill(1));
    expect(level.indices.length).toBe(25);
    expect(level.valueAtRisk).toBe(975);
    // mean of 975..999 by hand (the tail mass 0.025 x 1000 is not exact in binary)
    expect(level.expectedShortfall).toBeCloseTo(987, 10);
  });

  it("names a NaN loss", () => {
    const { losses, weights } = sample(1000, 8);
    losses[17] = Number.NaN;
    expect(() => weightedTailLevel(losses, 0.975, weights)).toThrow(/losses\[17\]/);
  });
});
