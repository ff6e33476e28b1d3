import { describe, expect, it } from "vitest";
import { backoffDelayMs } from "../../../../src/oracles/live/backoff.js";

describe("backoffDelayMs", () => {
  it("is 0 when healthy, doubles from minMs per failure and stops at maxMs", () => {
    const p = { minMs: 250, maxMs: 10_000 };
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((f) => backoffDelayMs(f, p))).toEqual([
      0, 250, 500, 1000, 2000, 4000, 8000, 10_000,
    ]);
    expect(backoffDelayMs(10_000, p)).toBe(10_000);
  });
});
