import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { benchBatchRemargin } from "./batchRemargin.bench.js";
import { benchLiquidationPlan } from "./liquidationPlan.bench.js";
import { emit } from "./measure.js";
import { benchRevaluation } from "./revalue.bench.js";
import { benchRoofline } from "./roofline.bench.js";
import { benchXchainReport } from "./xchainReport.bench.js";

/** `npm run bench`: every benchmark, one JSON line each (fixed seeds; medians of repeated runs). */
const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const market = join(root, "examples/market-2023-06-30.json");
const t0 = Date.now();
const roofline = benchRoofline();
benchRevaluation(roofline);
benchXchainReport(market);
benchLiquidationPlan(root, market);
await benchBatchRemargin(market);
emit({ bench: "total", seconds: Number(((Date.now() - t0) / 1e3).toFixed(1)) });
