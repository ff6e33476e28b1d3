import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { historyUpTo } from "../../../../src/backtest/history/history.js";
import { loadHistoryFolder } from "../../../../src/backtest/history/loadHistoryFolder.js";
import { lastIndexAtOrBefore } from "../../../../src/core/time.js";
import { errorOf } from "../../../support/errors.js";

const HEADER = "date,open,high,low,close,volume";

describe("loadHistoryFolder", () => {
  it("reads every *.csv as a series named by its stem", () => {
    const dir = mkdtempSync(join(tmpdir(), "xmargin-hist-"));
    writeFileSync(join(dir, "BTC-USD.csv"), `${HEADER}\n2024-01-01,,,,100,5\n2024-01-03,,,,102,\n`);
    writeFileSync(join(dir, "ETH-USD.csv"), "date,close\n2024-01-01,10\n");
    writeFileSync(join(dir, "SOURCES.md"), "not a series");
    const h = loadHistoryFolder(dir);
    expect([...h.keys()]).toEqual(["BTC-USD", "ETH-USD"]);
    expect(h.get("BTC-USD")!.dates).toEqual(["2024-01-01", "2024-01-03"]);
  });

  it("names the bad file and line (a close <= 0 is rejected, not kept)", () => {
    const dir = mkdtempSync(join(tmpdir(), "xmargin-hist-"));
    writeFileSync(join(dir, "LUNA-USD.csv"), `${HEADER}\n2022-05-12,,,,0.01,\n2022-05-13,,,,0,\n`);
    const e = errorOf(() => loadHistoryFolder(dir));
    expect(e.code).toBe("INVALID_INPUT");
    expect(e.path).toBe(`${join(dir, "LUNA-USD.csv")}:3`);
    expect(e.message).toMatch(/close must be a positive number/);
  });

  it("says which folder is missing and how to point at one", () => {
    const e = errorOf(() => loadHistoryFolder("/nonexistent/xmargin-history", "--history"));
    expect(e.code).toBe("IO_ERROR");
    expect(e.path).toBe("--history");
    expect(e.message).toMatch(/no history folder \/nonexistent\/xmargin-history.*XMARGIN_HISTORY_DIR/);
  });
});

describe("history helpers", () => {
  it("finds the last date at or before a day", () => {
    const d = ["2024-01-01", "2024-01-03", "2024-01-04"];
    expect(lastIndexAtOrBefore(d, "2023-12-31")).toBe(-1);
    expect(lastIndexAtOrBefore(d, "2024-01-02")).toBe(0);
    expect(lastIndexAtOrBefore(d, "2024-01-04")).toBe(2);
    expect(lastIndexAtOrBefore(d, "2025-01-01")).toBe(2);
  });

  it("cuts every series after the end day (no look-ahead), keeping untouched series as they are", () => {
    const a = {
      symbol: "A",
      dates: ["2024-01-01", "2024-01-02"],
      closes: Float64Array.of(1, 2),
      volumes: Float64Array.of(3, 4),
    };
    const b = { symbol: "B", dates: ["2023-12-30"], closes: Float64Array.of(5), volumes: Float64Array.of(6) };
    const cut = historyUpTo(
      new Map([
        ["A", a],
        ["B", b],
      ]),
      "2024-01-01",
    );
    expect(cut.get("A")!.dates).toEqual(["2024-01-01"]);
    expect([...cut.get("A")!.closes]).toEqual([1]);
    expect([...cut.get("A")!.volumes]).toEqual([3]);
    expect(cut.get("B")).toBe(b);
  });
});
