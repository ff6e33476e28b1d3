import { describe, expect, it } from "vitest";
import { compareRecords } from "../../../bench/compareRef.js";

describe("bench --compare", () => {
  it("pairs figures by name, kernel and threads and gives now / ref for timing and rate fields only", () => {
    const ref = [
      { bench: "tick", medianMs: 80, minMs: 40, targetMs: 100, instruments: 152 },
      { bench: "tick", threads: 2, medianMs: 60 },
      { bench: "roofline", multiplyAddsPerSec: 8e8 },
      { bench: "gone", medianMs: 1 },
    ];
    const now = [
      { bench: "tick", threads: 1, medianMs: 60, minMs: 50, targetMs: 100, instruments: 160 },
      { bench: "tick", threads: 2, medianMs: 90 },
      { bench: "roofline", kernel: "js", multiplyAddsPerSec: 3e9 },
      { bench: "roofline", kernel: "wasm simd f64x2", multiplyAddsPerSec: 5e9 },
      { bench: "new", medianMs: 1 },
    ];
    const lines = compareRecords(ref, now);
    const ratio = (figure: string, field: string) => lines.find((l) => l.figure === figure && l.field === field)?.ratio;
    expect(ratio("tick|js|1", "medianMs")).toBe(0.75);
    expect(ratio("tick|js|1", "minMs")).toBe(1.25);
    expect(ratio("tick|js|2", "medianMs")).toBe(1.5);
    expect(ratio("roofline|js|1", "multiplyAddsPerSec")).toBe(3.75);
    // Targets and counts are not figures; unmatched names have no ratio.
    expect(lines.some((l) => l.field === "targetMs" || l.field === "instruments")).toBe(false);
    expect(lines.some((l) => String(l.figure).startsWith("roofline|wasm") || l.figure === "new|js|1")).toBe(false);
    expect(lines).toHaveLength(4);
  });
});
