import { describe, expect, it } from "vitest";
import { linearCombination } from "../../../src/risk/linearCombination.js";

describe("linearCombination", () => {
  it("is bit for bit the sum built one column at a time, for 0 to 9 columns", () => {
    const n = 257;
    const columns = Array.from({ length: 9 }, (_, c) =>
      Float64Array.from({ length: n }, (_, s) => Math.sin(s * (c + 1.3)) * 10 ** (c % 4)),
    );
    const scales = [0.1, -3, 7e5, 1 / 3, -2.5, 1e-7, 13, -0.7, 4];
    for (let k = 0; k <= 9; k++) {
      const expected = new Float64Array(n);
      for (let c = 0; c < k; c++) for (let s = 0; s < n; s++) expected[s] = expected[s]! + scales[c]! * columns[c]![s]!;
      const out = new Float64Array(n).fill(Number.NaN);
      linearCombination(out, columns.slice(0, k), scales.slice(0, k));
      expect(out).toEqual(expected);
    }
  });
});
