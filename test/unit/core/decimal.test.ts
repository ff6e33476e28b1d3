import { describe, expect, it } from "vitest";
import { formatDecimal, formatUnits, formatUsd, parseDecimal, parseUnits } from "../../../src/core/decimal.js";

describe("decimal and base-unit conversion", () => {
  it("round-trips base units exactly, including amounts beyond 2^53", () => {
    const raw = 123456789012345678901234567n;
    expect(formatUnits(raw, 18)).toBe("123456789.012345678901234567");
    expect(parseUnits("123456789.012345678901234567", 18)).toBe(raw);
    expect(formatUnits(-1500000n, 6)).toBe("-1.5");
    expect(parseUnits("-1.5", 6)).toBe(-1500000n);
    expect(formatUnits(0n, 6)).toBe("0");
  });

  it("refuses more fractional digits than the token has instead of truncating", () => {
    expect(() => parseUnits("1.0000001", 6, "$.amount")).toThrow(/\$\.amount: more than 6 fractional digits/);
  });

  it("parses only plain decimal strings", () => {
    expect(parseDecimal("-12.50")).toBe(-12.5);
    for (const bad of ["1e3", "0x10", " 1", "1.", ".5", "01", "NaN", ""]) {
      expect(() => parseDecimal(bad, "$.x")).toThrow(/\$\.x/);
    }
  });

  it("formats money and ratios without exponents", () => {
    expect(formatUsd(1234.5)).toBe("1234.50");
    expect(formatUsd(-0.001)).toBe("0.00");
    expect(formatDecimal(1e-7, 6)).toBe("0.0000001");
    expect(formatDecimal(123456.789, 6)).toBe("123457");
    expect(() => formatUsd(Number.NaN)).toThrow();
  });
});
