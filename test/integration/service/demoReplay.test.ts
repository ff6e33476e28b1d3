/**
 * The demo stays meaningful over a long replay (issue 19, item 5): demo options roll before they expire, and feeds
 * whose history has ended (DAI and MATIC end on 2023-08-27 in the data) leave the market instead of flagging every
 * account stale.
 */
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseIsoToSec } from "../../../src/core/time.js";
import { type Harness, startHarness } from "./serviceHarness.js";

const DATA = new URL("../../../../shared/data", import.meta.url).pathname;

describe.skipIf(!existsSync(`${DATA}/DAI-USD.csv`))("demo over the replay", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ feed: { from: "2023-08-20", dataDir: DATA } });
  }, 60_000);
  afterAll(async () => h?.stop());

  it("rolls expiring options, keeps every report free of expired options, drops ended feeds", async () => {
    const svc = h.svc;
    const seen = new Set<string>();
    for (let day = 0; day < 12; day++) {
      const tick = svc.service.market.current!;
      const asOfSec = parseIsoToSec(tick.asOf);
      for (const acc of svc.service.accounts.values()) {
        for (const p of acc.portfolio.positions) {
          if (p.kind !== "option") continue;
          seen.add(p.expiry);
          // rolled one day before expiry: never within a day of it, never past it
          expect(parseIsoToSec(p.expiry) - asOfSec, `${acc.accountId} ${p.id} on ${tick.asOf}`).toBeGreaterThan(86_400);
        }
        expect(acc.error, acc.accountId).toBeUndefined();
        expect(acc.report!.flags.filter((f) => f.code === "OPTION_EXPIRED")).toEqual([]);
        // flags are scoped to the account's own exposure: only DAI holders hear about DAI
        if (!acc.deps.has("DAI")) expect(acc.report!.flags.filter((f) => f.feed === "DAI")).toEqual([]);
      }
      const feeds = new Set(tick.snapshot.quotes.map((q) => q.feed));
      // the replayed day ("replay 2023-08-27"; its close time is the next midnight)
      if (tick.source.slice(-10) > "2023-08-27") {
        expect(feeds.has("DAI/USD"), tick.source).toBe(false);
        expect(feeds.has("MATIC/USD")).toBe(false);
        for (const acc of svc.service.accounts.values()) {
          const ended = acc.report!.flags.filter((f) => /\b(DAI|MATIC)\b/.test(f.message));
          // the DAI holder is told its DAI is now priced at its 1 USD peg (info); nobody gets a stale flag
          const expected = acc.deps.has("DAI") ? ["PRICE_FROM_UNDERLYING:info"] : [];
          expect(
            ended.map((f) => `${f.code}:${f.severity}`),
            acc.accountId,
          ).toEqual(expected);
        }
      } else {
        expect(feeds.has("DAI/USD")).toBe(true);
      }
      await svc.feed.step();
    }
    // the strangle's 2023-07-31 options were rolled to the August monthly at start, then to September's
    expect(seen.has("2023-08-25T08:00:00Z")).toBe(true);
    expect(seen.has("2023-09-29T08:00:00Z")).toBe(true);
  }, 120_000);
});
