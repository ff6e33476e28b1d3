import { describe, expect, it } from "vitest";
import { parseIsoToSec } from "../../../src/core/time.js";
import { portfolioSchema } from "../../../src/schema/portfolio.js";
import { listedStrikeUsd, nextMonthlyExpirySec, rolledDemoBook } from "../../../src/service/demoBook.js";
import { DemoBookKeeper } from "../../../src/service/demoBookKeeper.js";

const sec = (iso: string) => parseIsoToSec(iso);
const iso = (s: number) => new Date(s * 1000).toISOString().replace(".000Z", "Z");

describe("demo option rolls", () => {
  it("next monthly expiry: the last Friday of the month, 08:00 UTC, strictly after the time", () => {
    // July 2023 ends on a Monday: its last Friday is the 28th; August 2023's is the 25th; September's the 29th.
    expect(iso(nextMonthlyExpirySec(sec("2023-07-01T00:00:00Z")))).toBe("2023-07-28T08:00:00Z");
    expect(iso(nextMonthlyExpirySec(sec("2023-07-28T08:00:00Z")))).toBe("2023-08-25T08:00:00Z");
    expect(iso(nextMonthlyExpirySec(sec("2023-07-31T08:00:00Z")))).toBe("2023-08-25T08:00:00Z");
    expect(iso(nextMonthlyExpirySec(sec("2023-08-25T08:00:01Z")))).toBe("2023-09-29T08:00:00Z");
    // March 2024 ends on a Sunday: Friday the 29th.
    expect(iso(nextMonthlyExpirySec(sec("2024-03-20T00:00:00Z")))).toBe("2024-03-29T08:00:00Z");
  });

  it("listed strikes: steps of half a unit of spot's second significant digit", () => {
    expect(listedStrikeUsd(30_123, 30_000)).toBe(30_000); // step 500
    expect(listedStrikeUsd(33_260, 30_000)).toBe(33_500);
    expect(listedStrikeUsd(1_933, 1_933)).toBe(1_950); // step 50
    expect(listedStrikeUsd(0.663, 0.66)).toBe(0.665); // step 0.005
  });

  const book = portfolioSchema.parse({
    accountId: "demo",
    holdings: [{ chain: "ethereum", token: "USDC", amount: "100000" }],
    positions: [
      {
        id: "c",
        kind: "option",
        chain: "ethereum",
        venue: "deribit",
        underlying: "BTC",
        size: "-1",
        strike: "33000",
        expiry: "2023-07-31T08:00:00Z",
        optionType: "call",
      },
      { id: "p", kind: "perp", chain: "ethereum", venue: "x", underlying: "BTC", size: "1" },
    ],
  });
  // Reference spot 30000 (moneyness of the call 1.1); BTC closes at 20000 on the first roll day, 40000 later.
  const inputs = {
    refSpotUsd: new Map([["BTC", 30_000]]),
    closeUsd: (_u: string, daySec: number) => (daySec < sec("2023-08-01T00:00:00Z") ? 20_000 : 40_000),
  };

  it("rolls an option one day before expiry to the next monthly at the same moneyness, again and again", () => {
    expect(rolledDemoBook(book, sec("2023-07-30T07:59:59Z"), inputs)).toBe(book);
    const once = rolledDemoBook(book, sec("2023-07-30T08:00:00Z"), inputs);
    // 1.1 x 20000 = 22000 (step 500)
    expect(once.positions[0]).toMatchObject({
      id: "c-roll-2023-08-25",
      expiry: "2023-08-25T08:00:00Z",
      strike: "22000",
    });
    expect(once.positions[1]).toBe(book.positions[1]);
    expect(once.holdings).toBe(book.holdings);
    // Next roll at 2023-08-24 08:00 with the 40000 close: 44000, to 2023-09-29.
    const twice = rolledDemoBook(book, sec("2023-08-31T23:59:00Z"), inputs);
    expect(twice.positions[0]).toMatchObject({
      id: "c-roll-2023-09-29",
      expiry: "2023-09-29T08:00:00Z",
      strike: "44000",
    });
    expect(() => portfolioSchema.parse(twice)).not.toThrow();
  });

  it("leaves an option to expire when its roll day has no close", () => {
    const noClose = { ...inputs, closeUsd: () => undefined };
    expect(rolledDemoBook(book, sec("2023-08-31T00:00:00Z"), noClose)).toBe(book);
  });

  it("the keeper rolls demo books and leaves a book changed through the API alone", () => {
    const other = portfolioSchema.parse({ ...book, accountId: "mine" });
    const keeper = new DemoBookKeeper([book, other], inputs);
    const stored = new Map([
      ["demo", book],
      ["mine", { ...other, holdings: [] }],
    ]);
    const due = keeper.due(sec("2023-08-01T00:00:00Z"), (id) => stored.get(id));
    expect(due.map((b) => b.accountId)).toEqual(["demo"]);
    stored.set("demo", due[0]!);
    expect(keeper.due(sec("2023-08-02T00:00:00Z"), (id) => stored.get(id))).toEqual([]);
    // a rolled book restored from the store is still the demo's: the next roll applies
    const later = keeper.due(sec("2023-08-30T00:00:00Z"), (id) => stored.get(id));
    expect(later.map((b) => b.positions[0]!.id)).toEqual(["c-roll-2023-09-29"]);
    // "mine" was changed: never rolled, even once it is back to the original
    stored.set("mine", other);
    expect(keeper.due(sec("2023-08-30T00:00:00Z"), (id) => stored.get(id)).map((b) => b.accountId)).toEqual(["demo"]);
  });
});
