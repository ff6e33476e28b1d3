import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { benchXchainReport } from "./xchainReport.bench.js";

/** `npm run bench`: every benchmark, one JSON line each. */
const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
benchXchainReport(join(root, "examples/market-2023-06-30.json"));
