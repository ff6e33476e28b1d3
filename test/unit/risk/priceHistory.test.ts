import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { XmarginError } from "../../../src/core/errors.js";
import { alignSeries, logReturns, parsePriceCsv } from "../../../src/risk/priceHistory.js";

const HEADER = "date,open,high,low,close,volume";
// The shared daily data sits next to the repository (/work/shared/data); skip when it is not there.
const BTC_FILE = new URL("../../../../shared/data/BTC-USD.csv", import.meta.url);

describe("parsePriceCsv", () => {
  it("reads closes, tolerating a BOM, CRLF, empty optional fields and blank lines", () => {
    const text = `\uFEFF${HEADER}\r\n2023-03-10,1,1.01,0.99,1.0001,5\r\n2023-03-11,,,,0.9715,\r\n\r\n2023-03-12,,,,0.992069,7\r\n`;
    const s = parsePriceCsv(text, "USDC-USD");
    expect(s.symbol).toBe("USDC-USD");
    expect(s.dates).toEqual(["2023-03-10", "2023-03-11", "2023-03-12"]);
    expect([...s.closes]).toEqual([1.0001, 0.9715, 0.992069]);
  });

  it.skipIf(!existsSync(BTC_FILE))("reads the shared BTC file and agrees with the spot checks of SOURCES.md", () => {
    const text = readFileSync(BTC_FILE, "utf8");
    const s = parsePriceCsv(text, "BTC-USD");
    expect(s.dates.length).toBe(4083);
    expect(s.dates[0]).toBe("2014-09-17");
    expect(s.dates.at(-1)).toBe("2025-11-20");
    expect(s.closes[s.dates.indexOf("2020-03-12")]).toBe(4970.788);
    expect(s.closes[s.dates.indexOf("2022-11-21")]).toBe(15787.28);
  });

  it("reports bad rows with their 1-based line number", () => {
    const bad = (row: string): string => `${HEADER}\n2021-01-01,,,,10,\n${row}\n`;
    const cases: Array<[string, RegExp]> = [
      ["2021-01-02,,,,10", /line 3: expected 6 fields/],
      ["2021-02-30,,,,10,", /line 3: bad date/],
      ["2021-01-01,,,,10,", /line 3: date 2021-01-01 not after/],
      ["2021-01-02,,,,,", /line 3: close must be a positive number/],
      ["2021-01-02,,,,-1,", /line 3: close must be a positive number/],
      ["2021-01-02,abc,,,10,", /line 3: field open is not a number/],
    ];
    for (const [row, message] of cases) {
      let err: unknown;
      try {
        parsePriceCsv(bad(row), "X");
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(XmarginError);
      expect((err as XmarginError).path).toBe("$.line[3]");
      expect((err as XmarginError).message).toMatch(message);
    }
    expect(() => parsePriceCsv("date,close\n2021-01-01,1", "X")).toThrow(/header/);
    expect(() => parsePriceCsv(`${HEADER}\n`, "X")).toThrow(/no data rows/);
  });
});

describe("alignSeries and logReturns", () => {
  const a = parsePriceCsv(
    `${HEADER}\n2021-01-01,,,,100,\n2021-01-02,,,,110,\n2021-01-03,,,,99,\n2021-01-04,,,,121,\n`,
    "A",
  );
  const b = parsePriceCsv(`${HEADER}\n2021-01-02,,,,2,\n2021-01-04,,,,3,\n2021-01-05,,,,4,\n`, "B");

  it("keeps only the common dates, row-major [date][symbol]", () => {
    const al = alignSeries([a, b]);
    expect(al.symbols).toEqual(["A", "B"]);
    expect(al.dates).toEqual(["2021-01-02", "2021-01-04"]);
    expect([...al.closes]).toEqual([110, 2, 121, 3]);
  });

  it("computes ln(P_{t+1} / P_t) per factor, dated at the later close", () => {
    const r = logReturns(alignSeries([a]));
    expect(r.nObs).toBe(3);
    expect(r.dates).toEqual(["2021-01-02", "2021-01-03", "2021-01-04"]);
    // ln(1.1), ln(0.9), ln(121/99) = ln(11/9)
    expect(r.data[0]).toBeCloseTo(0.0953101798043249, 14);
    expect(r.data[1]).toBeCloseTo(-0.1053605156578263, 14);
    expect(r.data[2]).toBeCloseTo(0.2006706954621511, 14);
    const joint = logReturns(alignSeries([a, b]));
    expect(joint.nObs).toBe(1);
    expect(joint.data[0]).toBeCloseTo(Math.log(1.1), 14);
    expect(joint.data[1]).toBeCloseTo(Math.log(1.5), 14);
  });

  it("rejects duplicate symbols, disjoint dates and a single date", () => {
    expect(() => alignSeries([a, a])).toThrow(/distinct/);
    const c = parsePriceCsv(`${HEADER}\n2022-01-01,,,,1,\n`, "C");
    expect(() => alignSeries([a, c])).toThrow(/no common date/);
    expect(() => logReturns(alignSeries([c]))).toThrow(/at least 2/);
  });
});
