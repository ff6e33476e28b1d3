import { isDeepStrictEqual } from "node:util";
import type { Portfolio } from "../schema/portfolio.js";
import { type RollInputs, rolledDemoBook } from "./demoBook.js";

/**
 * True when `book` is `original` with some of its options rolled by the demo: the same holdings and other positions,
 * each option either the original or a roll of it (id `<original id>-roll-<expiry day>`).
 */
function isDemoBook(book: Portfolio, original: Portfolio): boolean {
  if (!isDeepStrictEqual(book.holdings, original.holdings)) return false;
  if (book.positions.length !== original.positions.length) return false;
  return book.positions.every((p, i) => {
    const o = original.positions[i]!;
    if (isDeepStrictEqual(p, o)) return true;
    return p.kind === "option" && o.kind === "option" && o.id !== undefined && !!p.id?.startsWith(`${o.id}-roll-`);
  });
}

/**
 * Keeps the demo books meaningful over a long replay: on each tick, a demo account whose book is still the demo's
 * (the original or a roll of it) gets its options rolled (`rolledDemoBook`). An account someone changed through the
 * API is theirs: the keeper leaves it alone from then on.
 */
export class DemoBookKeeper {
  private readonly originals = new Map<string, Portfolio>();

  constructor(
    originals: readonly Portfolio[],
    private readonly inputs: RollInputs,
  ) {
    for (const p of originals) this.originals.set(p.accountId, p);
  }

  /**
   * The books that change at `asOfSec`, to be put by the caller (in account order).
   * @param stored the account's current book in the service, undefined when it has none
   */
  due(asOfSec: number, stored: (accountId: string) => Portfolio | undefined): Portfolio[] {
    const out: Portfolio[] = [];
    for (const [accountId, original] of this.originals) {
      const now = stored(accountId);
      if (!now) continue;
      if (!isDemoBook(now, original)) {
        this.originals.delete(accountId); // changed through the API: no longer the demo's
        continue;
      }
      const next = rolledDemoBook(original, asOfSec, this.inputs);
      if (!isDeepStrictEqual(now, next)) out.push(next);
    }
    return out;
  }
}
