import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseDailyCloseCsv, readReplayQuotes, replayCloseAt } from "../../../../src/oracles/sources/replaySource.js";
import { replaySourceSchema } from "../../../../src/oracles/sourcesConfig.js";

const DAY = 86_400;
const D1 = Date.parse("2022-06-17T00:00:00Z") / 1000;
const CSV =
  "date,open,high,low,close,volume\n2022-06-17,,,,1086.519,5\n2022-06-18,,,,993.6368,5\n2022-06-20,,,,1127.2,5\n";

describe("daily close replay", () => {
  it("parses closes and rejects malformed or unordered rows with file:line", () => {
    expect(parseDailyCloseCsv(CSV, "ETH-USD.csv")).toEqual([
      { dateSec: D1, close: "1086.519" },
      { dateSec: D1 + DAY, close: "993.6368" },
      { dateSec: D1 + 3 * DAY, close: "1127.2" },
    ]);
    expect(parseDailyCloseCsv("date,close\n2020-01-02,1e-5\n")).toEqual([
      { dateSec: Date.parse("2020-01-02T00:00:00Z") / 1000, close: "0.00001" },
    ]);
    // One rule set with the backtest (src/market/dailyPriceCsv.ts): an empty or zero close is an error, not a gap.
    expect(() => parseDailyCloseCsv("date,close\n2020-01-01,\n", "f.csv")).toThrow(/f\.csv:2.*positive/);
    expect(() => parseDailyCloseCsv("date,close\n2020-01-02,1\n2020-01-01,1\n", "f.csv")).toThrow(/f\.csv:3/);
    expect(() => parseDailyCloseCsv("date,close\n2020-01-02,abc\n", "f.csv")).toThrow(
      /f\.csv:2.*close must be a positive number/,
    );
    expect(() => parseDailyCloseCsv("day,price\n", "f.csv")).toThrow(/header/);
  });

  it("is a timed feed: a bar's close is published at the end of its day, not before", () => {
    const rows = parseDailyCloseCsv(CSV);
    expect(replayCloseAt(rows, D1 + DAY - 1)).toBeUndefined();
    expect(replayCloseAt(rows, D1 + DAY)).toEqual({ dateSec: D1, close: "1086.519", publishedAtSec: D1 + DAY });
    expect(replayCloseAt(rows, D1 + 2 * DAY + 5)?.close).toBe("993.6368");
    // 2022-06-19 has no row: at the end of that day the newest published close is still 06-18's
    expect(replayCloseAt(rows, D1 + 3 * DAY)?.publishedAtSec).toBe(D1 + 2 * DAY);
    expect(replayCloseAt(rows, D1 + 40 * DAY)?.close).toBe("1127.2");
  });

  it("reads the configured feeds from a directory; missing files, dates and bad files (a close <= 0) are failures", async () => {
    const dir = mkdtempSync(join(tmpdir(), "xmargin-replay-"));
    writeFileSync(join(dir, "ETH-USD.csv"), CSV);
    writeFileSync(join(dir, "STETH-USD.csv"), "date,close\n2022-06-18,0\n");
    const config = replaySourceSchema.parse({ dir, date: "2022-06-19", chain: "ethereum" });
    const all = await readReplayQuotes(config, dir);
    // default feeds come from the file names, spelled as the token registry spells them (STETH -> stETH)
    expect(all.quotes.map((q) => [q.quote.feed, q.quote.price, q.quote.publishedAt, q.maxAgeSec])).toEqual([
      ["ETH/USD", "993.6368", "2022-06-19T00:00:00.000Z", 86_400],
    ]);
    expect(all.failures.map((f) => `${f.feed} ${f.reason}`)).toEqual(["stETH/USD BAD_RESPONSE"]);
    expect(all.failures[0]!.message).toMatch(/STETH-USD\.csv:2: close must be a positive number/);
    const named = replaySourceSchema.parse({
      dir,
      date: "2022-06-16",
      chain: "ethereum",
      feeds: ["ETH/USD", "BTC/USD"],
    });
    const r = await readReplayQuotes(named, dir);
    expect(r.quotes).toEqual([]);
    expect(r.failures.map((f) => `${f.path} ${f.reason}`)).toEqual([
      "$.replay.feeds[0] NOT_FOUND",
      "$.replay.feeds[1] NOT_FOUND",
    ]);
  });

  const shared = fileURLToPath(new URL("../../../../../shared/data/", import.meta.url));
  it.runIf(existsSync(join(shared, "ETH-USD.csv")))(
    "replays ../shared/data: ETH and stETH closes of 2022-06-18",
    async () => {
      const config = replaySourceSchema.parse({
        dir: shared,
        date: "2022-06-18",
        chain: "ethereum",
        feeds: ["ETH/USD", "stETH/USD"],
      });
      const r = await readReplayQuotes(config, shared);
      // ETH-USD.csv and STETH-USD.csv, rows 2022-06-18 (Yahoo Finance daily bars, see ../shared/data/SOURCES.md)
      expect(r.quotes.map((q) => `${q.quote.feed} ${q.quote.price} ${q.quote.publishedAt}`)).toEqual([
        "ETH/USD 993.6368 2022-06-19T00:00:00.000Z",
        "stETH/USD 931.3877 2022-06-19T00:00:00.000Z",
      ]);
    },
  );
});
