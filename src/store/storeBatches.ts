import { XmarginError } from "../core/errors.js";
import type { AccountWrite } from "./marginStore.js";

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
