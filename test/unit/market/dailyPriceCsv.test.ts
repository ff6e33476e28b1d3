import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseDailyPriceCsv } from "../../../src/market/dailyPriceCsv.js";
import { errorOf } from "../../support/errors.js";

const HEADER = "date,open,high,low,close,volume";
// The shared daily data sits next to the repository (/work/shared/data); skip when it is not there.
const BTC_FILE = new URL("../../../../shared/data/BTC-USD.csv", import.meta.url);

describe("parseDailyPriceCsv: the one set of parsing rules", () => {
  it("reads closes and volumes, tolerating a BOM, CRLF, empty optional fields and blank lines", () => {
    const text = `\uFEFF${HEADER}\r\n2023-03-10,1,1.01,0.99,1.0001,5\r\n2023-03-11,,,,0.9715,\r\n\r\n2023-03-12,,,,0.992069,7\r\n`;
    const s = parseDailyPriceCsv(text, "USDC-USD");
    expect(s.symbol).toBe("USDC-USD");
    expect(s.dates).toEqual(["2023-03-10", "2023-03-11", "2023-03-12"]);
    expect([...s.closes]).toEqual([1.0001, 0.9715, 0.992069]);
    expect(s.volumes[0]).toBe(5);
    expect(Number.isNaN(s.volumes[1])).toBe(true);
    expect(s.volumes[2]).toBe(7);
  });

  it("needs only date and close, in any column order; volume is optional (NaN when absent)", () => {
    const s = parseDailyPriceCsv("Close,Date\n2.5,2024-01-01\n3,2024-01-02\n", "X");
    expect(s.dates).toEqual(["2024-01-01", "2024-01-02"]);
    expect([...s.closes]).toEqual([2.5, 3]);
    expect([...s.volumes].every(Number.isNaN)).toBe(true);
  });

  it("keeps a gap of missing days as a gap (no day is filled in)", () => {
    const s = parseDailyPriceCsv(`${HEADER}\n2020-07-14,,,,4.1,\n2020-09-22,,,,4.3,\n2020-09-23,,,,4.4,\n`, "AVAX-USD");
    expect(s.dates).toEqual(["2020-07-14", "2020-09-22", "2020-09-23"]);
    expect(s.closes.length).toBe(3);
  });

  it("rejects bad rows naming file:line (1-based) and the reason", () => {
    const bad = (row: string): string => `${HEADER}\n2021-01-01,,,,10,\n${row}\n`;
    const cases: Array<[string, RegExp]> = [
      ["2021-01-02,,,,10", /expected 6 fields, got 5/],
      ["2021-02-30,,,,10,", /bad date "2021-02-30"/],
      ["2021-01-01,,,,10,", /date 2021-01-01 is not after the previous date 2021-01-01/],
      ["2020-12-31,,,,10,", /strictly ascending/],
      ["2021-01-02,,,,,", /close must be a positive number/],
      ["2021-01-02,,,,0,", /close must be a positive number/],
      ["2021-01-02,,,,-1,", /close must be a positive number/],
      ["2021-01-02,,,,abc,", /close must be a positive number/],
      ["2021-01-02,,,,10,-5", /volume must be empty or a number >= 0/],
      ["2021-01-02,,,0,10,", /low must be empty or a positive number/],
      ["2021-01-02,,x,,10,", /high must be empty or a positive number/],
      ["2021-01-02,9,12,10.5,10,", /low must be <= open and close/],
      ["2021-01-02,11,10.5,9,10,", /high must be >= open, close and low/],
    ];
    for (const [row, message] of cases) {
      const err = errorOf(() => parseDailyPriceCsv(bad(row), "X", "data/X.csv"));
      expect(err.code).toBe("INVALID_INPUT");
      expect(err.path).toBe("data/X.csv:3");
      expect(err.message).toMatch(message);
    }
  });

  it("reads the day's open, high and low where the header names them (NaN for an empty cell)", () => {
    const s = parseDailyPriceCsv(
      `${HEADER}\n2020-03-12,7913.616,7929.116,4860.354,4970.788,1\n2020-03-13,,,,5563.707,\n`,
      "B",
    );
    expect([...s.opens!.slice(0, 1), ...s.highs!.slice(0, 1), ...s.lows!.slice(0, 1)]).toEqual([
      7913.616, 7929.116, 4860.354,
    ]);
    expect([s.opens![1], s.highs![1], s.lows![1]].every(Number.isNaN)).toBe(true);
    const closesOnly = parseDailyPriceCsv("date,close\n2024-01-01,1\n", "X");
    expect(closesOnly.highs).toBeUndefined();
    expect(closesOnly.lows).toBeUndefined();
  });

  it("rejects a header without date or close, and a file without rows", () => {
    expect(errorOf(() => parseDailyPriceCsv("day,price\n2021-01-01,1", "X")).path).toBe("X.csv:1");
    expect(() => parseDailyPriceCsv(`${HEADER}\n`, "X")).toThrow(/no data rows/);
  });

  it.skipIf(!existsSync(BTC_FILE))("reads the shared BTC file and agrees with the spot checks of SOURCES.md", () => {
    const s = parseDailyPriceCsv(readFileSync(BTC_FILE, "utf8"), "BTC-USD");
    expect(s.dates.length).toBe(4083);
    expect(s.dates[0]).toBe("2014-09-17");
    expect(s.dates.at(-1)).toBe("2025-11-20");
    expect(s.closes[s.dates.indexOf("2020-03-12")]).toBe(4970.788);
    expect(s.closes[s.dates.indexOf("2022-11-21")]).toBe(15787.28);
    expect(s.volumes[0]).toBe(21056800);
  });
});
