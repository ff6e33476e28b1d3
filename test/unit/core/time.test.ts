import { describe, expect, it } from "vitest";
import { utcDayNumber } from "../../../src/core/time.js";

describe("utcDayNumber", () => {
  it("counts days since 1970-01-01 (hand count: 53 years with 13 leap days, then 151 + 29 days)", () => {
    expect(utcDayNumber("1970-01-01")).toBe(0);
    expect(utcDayNumber("2023-06-30")).toBe(53 * 365 + 13 + 151 + 29);
    // memoised: a second call gives the same number
    expect(utcDayNumber("2023-06-30")).toBe(19538);
    expect(utcDayNumber("1969-12-31")).toBe(-1);
  });

  it("gives NaN for a string that is not a date, as Date.parse does, also when asked again", () => {
    expect(utcDayNumber("2023-13-01")).toBeNaN();
    expect(utcDayNumber("not a date")).toBeNaN();
    expect(utcDayNumber("not a date")).toBeNaN();
  });
});
