import { describe, expect, it } from "vitest";
import { fmtAge, fmtHealth, fmtPct, fmtTime, fmtUsd, humaniseSeconds, plural } from "../../../web/src/format.js";

/** The dashboard's number formatting: one rule per kind of figure. */
describe("dashboard formatting", () => {
  it("prints health sensibly: 2 decimals near 1, fewer far away, '> 100' beyond", () => {
    expect(fmtHealth("1.23456")).toBe("1.23");
    expect(fmtHealth("37.44")).toBe("37.4");
    expect(fmtHealth("5033.123")).toBe("> 100");
    expect(fmtHealth(null)).toBe("n/a");
  });

  it("prints USD with cents only below 1,000", () => {
    expect(fmtUsd("1234567.891")).toBe("1,234,568");
    expect(fmtUsd("594.6")).toBe("594.60");
    expect(fmtUsd(null)).toBe("—");
  });

  it("prints ages in human units", () => {
    expect(fmtAge(60)).toBe("60 s");
    expect(fmtAge(12 * 60)).toBe("12 min");
    expect(fmtAge(3 * 3600 + 5 * 60)).toBe("3 h 5 min");
    expect(fmtAge(4 * 86_400 + 2 * 3600)).toBe("4 d 2 h");
    expect(fmtAge(3 * 365 * 86_400)).toBe("3.0 y");
    expect(fmtAge(-120)).toBe("in 2 min");
    // The engine's stale-oracle message: seconds become days.
    expect(humaniseSeconds("DAI/USD: no quote newer than 86400s (newest is 9072000s old)")).toBe(
      "DAI/USD: no quote newer than 24 h (newest is 105 d old)",
    );
  });

  it("prints moves, dates and counts", () => {
    expect(fmtPct("-0.128")).toBe("-12.8%");
    expect(fmtPct("0.2")).toBe("+20.0%");
    expect(fmtTime("2023-07-07T00:00:00Z")).toBe("2023-07-07");
    expect(fmtTime("2023-07-06T23:59:00Z")).toBe("2023-07-06 23:59 UTC");
    expect(plural(1, "exception")).toBe("1 exception");
    expect(plural(0, "exception")).toBe("0 exceptions");
  });
});
