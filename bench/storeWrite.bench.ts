import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { computeMargin } from "../src/margin/computeMargin.js";
import { reportToJson } from "../src/margin/reportJson.js";
import type { MarginSnapshotWrite, MarginStore } from "../src/store/marginStore.js";
import { openStore } from "../src/store/openStore.js";
import { postgresSkipReason, startPostgres } from "../test/support/postgresServer.js";
import { emit, measureAsync, summarize } from "./measure.js";

const BATCH_ROWS = 10_000;
const ITERATIONS = 5;

/** One tick's rows for `BATCH_ROWS` accounts, each carrying a real grid report of an example portfolio. */
function tickRows(report: unknown, seq: number): MarginSnapshotWrite[] {
  return Array.from({ length: BATCH_ROWS }, (_, i) => ({
    accountId: `acct-${i}`,
    seq,
    asOf: new Date(Date.UTC(2023, 6, 1) + seq * 60_000).toISOString(),
    model: "grid",
    accountVersion: 1,
    equityUsd: 100_000 + i,
    initialMarginUsd: 20_000 + i,
    maintenanceMarginUsd: 10_000 + i,
    freeCollateralUsd: 80_000,
    healthRatio: 10,
    reason: "tick",
    report,
  }));
}

async function benchOne(name: string, store: MarginStore, report: unknown, reportBytes: number): Promise<void> {
  // Each figure starts its sequence numbers where the previous left off: every measured batch is new rows.
  let seq = (await store.latestReportSeqs(["acct-0"])).get("acct-0") ?? 0;
  const sample = await measureAsync(() => store.recordMargins(tickRows(report, ++seq)), ITERATIONS, {
    minCalls: 2,
    warmupMs: 0,
  });
  const s = summarize(sample);
  // The same batch again: every row is already there (a redelivered tick), so nothing is written.
  const again = tickRows(report, seq);
  const rewrite = summarize(await measureAsync(() => store.recordMargins(again), 3, { minCalls: 1, warmupMs: 0 }));
  emit({
    bench: `store.recordMargins.${name}`,
    store: store.description,
    rowsPerBatch: BATCH_ROWS,
    reportBytes,
    ...s,
    rowsPerSecMedian: Math.round(BATCH_ROWS / (s.medianMs / 1e3)),
    rowsPerSecAtP90: Math.round(BATCH_ROWS / (s.p90Ms / 1e3)),
    rowsPerSecAtMin: Math.round(BATCH_ROWS / (s.minMs / 1e3)),
    rewriteSameBatchMedianMs: rewrite.medianMs,
  });
}

/**
 * Write rate of a tick's margin rows (`recordMargins`, one batch of 10,000 accounts per call) on the embedded SQLite
 * store (the reference) and on a private PostgreSQL server started for the run, in the same process. Each batch is a
 * new market sequence, so every row is new; the rewrite figure is the same batch written again (write-once no-op).
 */
export async function benchStoreWrite(root: string): Promise<void> {
  const read = (file: string) => JSON.parse(readFileSync(join(root, file), "utf8")) as unknown;
  const report = reportToJson(
    computeMargin({
      portfolio: read("examples/portfolios/multichain-fund.json"),
      market: read("examples/market-2023-06-30.json"),
      config: { model: "grid" },
    }),
  );
  // The full report (what the service stores) and a headline-only one: the row cost without the document.
  const payloads = [
    { name: "fullReport", report, bytes: JSON.stringify(report).length },
    { name: "headline", report: { im: report.initialMargin, mm: report.maintenanceMargin }, bytes: 0 },
  ];
  for (const p of payloads) p.bytes = JSON.stringify(p.report).length;

  const dir = mkdtempSync(join(tmpdir(), "xmargin-bench-store-"));
  try {
    const sqlite = await openStore(`sqlite:${join(dir, "bench.db")}`);
    try {
      for (const p of payloads) await benchOne(`sqlite.${p.name}`, sqlite, p.report, p.bytes);
    } finally {
      await sqlite.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const skip = postgresSkipReason();
  if (skip) {
    emit({ bench: "store.recordMargins.postgres", skipped: skip });
    return;
  }
  const server = await startPostgres();
  try {
    const pg = await openStore(await server.createDatabase("bench"));
    try {
      for (const p of payloads) await benchOne(`postgres.${p.name}`, pg, p.report, p.bytes);
    } finally {
      await pg.close();
    }
  } finally {
    await server.stop();
  }
}
