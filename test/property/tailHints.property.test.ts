import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type LevelHint, tailExpectation, weightedTailLevel } from "../../src/risk/tailExpectation.js";

/** A heavy-tailed sample (Cauchy quantiles of the draws), rounded to whole numbers when `tied`, and path weights. */
const sampleArb = fc
  .record({
    n: fc.constantFrom(50, 64, 700, 3000),
    confidence: fc.constantFrom(0.5, 0.9, 0.975, 0.99),
    tied: fc.boolean(),
    seed: fc.integer({ min: 1, max: 2 ** 30 }),
  })
  .map(({ n, confidence, tied, seed }) => {
    let x = seed;
    const next = () => {
      x = (x * 1103515245 + 12345) % 2147483648;
      return (x + 0.5) / 2147483648;
    };
    const losses = Float64Array.from({ length: n }, () => {
      const v = Math.tan(Math.PI * (next() - 0.5)) * 10;
      return tied ? Math.round(v) : v;
    });
    const weights = Float64Array.from({ length: n }, () => (next() < 0.3 ? 1 : 0.1 + next()));
    return { losses, weights, confidence };
  });

/** Any level: a loss of the sample (scaled), an extreme, or none. */
const levelArb = fc.oneof(
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e300, -1e300, 0),
  fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), scale: fc.double({ min: 0.5, max: 1.5, noNaN: true }) }),
);

describe("kept tail levels (property)", () => {
  it("whatever the level, kept from a moved sample or set at random, both tails are the screening's to the bit", () => {
    fc.assert(
      fc.property(sampleArb, levelArb, fc.double({ min: 0.95, max: 1.05, noNaN: true }), (s, l, move) => {
        const { losses, weights, confidence } = s;
        const level =
          typeof l === "number" ? l : losses[Math.min(losses.length - 1, Math.floor(l.at * losses.length))]! * l.scale;
        const want = tailExpectation(losses, confidence, undefined, weights);
        const wantLevel = weightedTailLevel(losses, confidence, weights);
        const moved = losses.map((x) => x * move);
        for (const prime of [false, true]) {
          const joint: LevelHint = { level };
          const control: LevelHint = { level };
          if (prime) {
            tailExpectation(moved, confidence, undefined, weights, undefined, joint);
            weightedTailLevel(moved, confidence, weights, undefined, undefined, control);
          }
          const got = tailExpectation(losses, confidence, undefined, weights, undefined, joint);
          expect(got.expectedShortfall).toBe(want.expectedShortfall);
          expect(got.valueAtRisk).toBe(want.valueAtRisk);
          expect(Array.from(got.indices)).toEqual(Array.from(want.indices));
          expect(Array.from(got.weights)).toEqual(Array.from(want.weights));
          const gotLevel = weightedTailLevel(losses, confidence, weights, undefined, undefined, control);
          expect(gotLevel.expectedShortfall).toBe(wantLevel.expectedShortfall);
          expect(gotLevel.valueAtRisk).toBe(wantLevel.valueAtRisk);
          expect(Array.from(gotLevel.indices)).toEqual(Array.from(wantLevel.indices));
          // a kept level is a level or none, never a wrong number
          expect(Number.isNaN(joint.level) || joint.level <= got.valueAtRisk).toBe(true);
        }
      }),
      { numRuns: 150, seed: 17 },
    );
  });
});
