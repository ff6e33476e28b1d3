import { describe, expect, it } from "vitest";
import { f64Column, i32Column } from "../../../src/margin/batch/growableColumn.js";

describe("GrowableColumn", () => {
  it("keeps every appended value across growth and doubles its capacity", () => {
    const c = f64Column(2);
    for (let i = 0; i < 100; i++) expect(c.push(i * 0.5)).toBe(i);
    expect(c.length).toBe(100);
    expect(c.data.length).toBe(128);
    expect([...c.data.subarray(0, 100)]).toEqual(Array.from({ length: 100 }, (_, i) => i * 0.5));
  });

  it("appends zeros over reused space and reserves without changing the length", () => {
    const c = i32Column(4);
    c.push(7);
    c.reserve(1000);
    expect(c.length).toBe(1);
    expect(c.data.length).toBeGreaterThanOrEqual(1000);
    c.data[1] = 99; // stale content beyond the length
    expect(c.pushZeros(3)).toBe(1);
    expect([...c.data.subarray(0, 4)]).toEqual([7, 0, 0, 0]);
  });
});
