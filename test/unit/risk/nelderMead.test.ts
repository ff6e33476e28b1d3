import { describe, expect, it } from "vitest";
import { nelderMead } from "../../../src/risk/nelderMead.js";

describe("nelderMead", () => {
  it("finds the Rosenbrock minimum (1, 1) from the classic start (-1.2, 1)", () => {
    // f(x, y) = (1 - x)^2 + 100 (y - x^2)^2, minimum 0 at (1, 1).
    const rosenbrock = (x: Float64Array): number =>
      (1 - (x[0] ?? 0)) ** 2 + 100 * ((x[1] ?? 0) - (x[0] ?? 0) ** 2) ** 2;
    const res = nelderMead(rosenbrock, [-1.2, 1], { maxIterations: 5000 });
    expect(res.converged).toBe(true);
    expect(res.x[0]).toBeCloseTo(1, 5);
    expect(res.x[1]).toBeCloseTo(1, 5);
    expect(res.fx).toBeLessThan(1e-10);
  });

  it("minimises a shifted quadratic in 4 dimensions", () => {
    const c = [3, -1, 0.5, 10];
    const f = (x: Float64Array): number => c.reduce((s, ci, i) => s + (i + 1) * ((x[i] ?? 0) - ci) ** 2, 0);
    const res = nelderMead(f, [0, 0, 0, 0], { maxIterations: 10_000 });
    for (const [i, ci] of c.entries()) expect(res.x[i]).toBeCloseTo(ci, 4);
  });
});
