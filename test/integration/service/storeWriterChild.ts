/**
 * Child process of the kill -9 durability test: writes to a SQLite store in a loop and prints one line per commit
 * (`committed <n>`) only after the store call has returned. The parent SIGKILLs it mid-loop.
 * Usage: vite-node storeWriterChild.ts <db file>
 */
import { openSqliteStore } from "../../../src/store/sqliteStore.js";

const file = process.argv[2];
if (!file) throw new Error("usage: storeWriterChild.ts <db file>");
const store = openSqliteStore({ file });
for (let n = 1; ; n++) {
  await store.putAccount({
    accountId: `acct-${n}`,
    portfolio: { accountId: `acct-${n}`, holdings: [], positions: [] },
    config: { model: "grid" },
    policy: null,
    updatedAt: new Date().toISOString(),
  });
  await store.recordTick({
    seq: n,
    asOf: new Date(Date.UTC(2023, 0, 1) + n * 86_400_000).toISOString(),
    source: "child",
    snapshot: { n },
    prices: [{ symbol: "ETH", priceUsd: 1000 + n, uncertaintyUsd: 0, flags: [] }],
  });
  await store.recordMargins([
    {
      accountId: `acct-${n}`,
      seq: n,
      asOf: "2023-01-01T00:00:00Z",
      model: "grid",
      accountVersion: 1,
      equityUsd: n,
      initialMarginUsd: n / 2,
      maintenanceMarginUsd: n / 4,
      freeCollateralUsd: n / 2,
      healthRatio: 4,
      reason: "tick",
      report: { n },
    },
  ]);
  process.stdout.write(`committed ${n}\n`);
  // Yield so stdout reaches the parent while the loop keeps writing.
  await new Promise((resolve) => setImmediate(resolve));
}
