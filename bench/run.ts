import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { benchBacktestCompare } from "./backtestCompare.bench.js";
import { benchBatchRemargin } from "./batchRemargin.bench.js";
import { benchBlack76Kernel } from "./black76Kernel.bench.js";
import { compareRecords, runRefBenchmarks } from "./compareRef.js";
import { benchDerivePmrm2 } from "./derivePmrm2.bench.js";
import { benchLiquidationPlan } from "./liquidationPlan.bench.js";
import { emit, emitted } from "./measure.js";
import { benchRevaluation } from "./revalue.bench.js";
import { benchRoofline } from "./roofline.bench.js";
import { benchScaleOut } from "./scaleOut.bench.js";
import { benchStoreWrite } from "./storeWrite.bench.js";
import { benchXchainPrecision } from "./xchainPrecision.bench.js";
import { benchXchainReport } from "./xchainReport.bench.js";
import { benchXchainVenue } from "./xchainVenue.bench.js";

/**
 * `npm run bench [-- --only a,b] [--accounts N] [--compare REF]`: benchmarks as JSON lines (fixed seeds; min, median,
 * p90 and GC share of repeated runs after long warm-ups). Sections: roofline, revalue, black76, xchain, venue, precision, derive,
 * liquidation, onboarding, straightforward, batch, options, backtest, store (margin rows written per second, SQLite
 * beside a private PostgreSQL), scaleout (workers over NATS + PostgreSQL). `--compare REF` first runs git ref REF's
 * benchmarks (built in a temporary worktree,
 * as a child process), then these, and prints the ratio of each figure to the ref's.
 */
const SECTIONS = [
  "roofline",
  "revalue",
  "black76",
  "xchain",
  "venue",
  "precision",
  "derive",
  "liquidation",
  "onboarding",
  "straightforward",
  "batch",
  "options",
  "backtest",
  "store",
  "scaleout",
];
const { values } = parseArgs({
  options: { only: { type: "string" }, accounts: { type: "string" }, compare: { type: "string" } },
});
const sections = new Set(values.only ? values.only.split(",") : SECTIONS);
for (const s of sections) if (!SECTIONS.includes(s)) throw new Error(`--only: unknown section ${s}; use ${SECTIONS}`);
const accounts = values.accounts === undefined ? 100_000 : Number(values.accounts);
if (!Number.isInteger(accounts) || accounts < 1)
  throw new Error(`--accounts: a positive integer, got ${values.accounts}`);

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const ref = values.compare
  ? await runRefBenchmarks(
      root,
      values.compare,
      process.argv.slice(2).filter((a, i, all) => a !== "--compare" && all[i - 1] !== "--compare"),
    )
  : undefined;

const market = join(root, "examples/market-2023-06-30.json");
const t0 = Date.now();
const roofline = await benchRoofline();
if (sections.has("revalue")) benchRevaluation(roofline);
if (sections.has("black76")) benchBlack76Kernel();
if (sections.has("xchain")) benchXchainReport(market);
if (sections.has("venue")) await benchXchainVenue(market);
if (sections.has("precision")) benchXchainPrecision(root, market);
if (sections.has("derive")) benchDerivePmrm2(root, market);
if (sections.has("liquidation")) benchLiquidationPlan(root, market);
if (["onboarding", "straightforward", "batch", "options"].some((s) => sections.has(s))) {
  await benchBatchRemargin(market, { accounts, sections });
}
if (sections.has("backtest")) await benchBacktestCompare(root);
if (sections.has("store")) await benchStoreWrite(root);
// Stored accounts re-margined by worker processes; `--accounts` when given, else 5,000 (see BENCHMARKS.md).
if (sections.has("scaleout")) await benchScaleOut(root, values.accounts === undefined ? 5_000 : accounts);
emit({ bench: "total", seconds: Number(((Date.now() - t0) / 1e3).toFixed(1)) });
if (ref) for (const line of compareRecords(ref, emitted)) emit(line);
