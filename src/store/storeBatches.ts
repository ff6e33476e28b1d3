import { XmarginError } from "../core/errors.js";
import type { AccountWrite, MarginSnapshotWrite } from "./marginStore.js";

/** A bulk account write names each account once (`$[i].accountId` of the second occurrence otherwise). */
export function checkUniqueAccountIds(accounts: readonly AccountWrite[]): void {
  const seen = new Set<string>();
  accounts.forEach((a, i) => {
    if (seen.has(a.accountId)) {
      throw new XmarginError(`account "${a.accountId}" appears twice in one batch`, {
        code: "INVALID_INPUT",
        path: `$[${i}].accountId`,
      });
    }
    seen.add(a.accountId);
  });
}

/** The newest row (highest seq, then account version) of each account in a batch, first-seen order. */
export function latestPerAccount(rows: readonly MarginSnapshotWrite[]): MarginSnapshotWrite[] {
  const latest = new Map<string, MarginSnapshotWrite>();
  for (const r of rows) {
    const prev = latest.get(r.accountId);
    if (!prev || r.seq > prev.seq || (r.seq === prev.seq && r.accountVersion >= prev.accountVersion)) {
      latest.set(r.accountId, r);
    }
  }
  return [...latest.values()];
}
