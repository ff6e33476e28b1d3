/**
 * Steady ticks of one venue worker on this thread (BENCHMARKS.md, xchain venue tick phases):
 * `node dist/bench/profileXchainTicks.js [accounts] [ticks] [out.cpuprofile]` re-margins the generated accounts once on the base market,
 * then on ticks of ETH +0.1%, -0.2%, +0.3%... (every tick new prices) (as bench/xchainVenue.bench.ts), each account
 * keeping its tails' levels from tick to tick (as a venue worker does), and prints per tick the time of each phase:
 * snapshot parse and resolve, per-account compute, the scenario-set builds and shared-vector misses seen on the way,
 * and the kept tail levels that fell back to a screening. With
 * a file name, ticks 1 and later (steady: moved prices, options recomputed) are CPU-profiled into it.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { join } from "node:path";
import { portfolioStructure } from "../src/margin/resolve/portfolioStructure.js";
import { resolveMarket } from "../src/margin/resolve/resolveMarket.js";
import { resolveMarginConfig } from "../src/margin/resolveConfig.js";
import type { XchainConfig } from "../src/margin/xchain/config.js";
import { sharedScenarioStats } from "../src/margin/xchain/sharedScenarios.js";
import { newTailHints } from "../src/margin/xchain/tailHints.js";
import { remarginShard } from "../src/margin/xchain/venue/remarginShard.js";
import { marketSnapshotSchema } from "../src/schema/marketSnapshot.js";
import { portfolioSchema } from "../src/schema/portfolio.js";
import { parseDocument } from "../src/schema/validate.js";
import { generateXchainVenue, movedSnapshot } from "./generateXchainVenue.js";

const n = Number(process.argv[2] ?? 2_000);
const ticks = Number(process.argv[3] ?? 4);
const file = join(import.meta.dirname, "../../examples/market-2023-06-30.json");
const snapshot = JSON.parse(readFileSync(file, "utf8"));
// kept across ticks, as a venue worker keeps them
const docs = generateXchainVenue(n, 17).map((d) => portfolioStructure(portfolioSchema.parse(d)));
const config = resolveMarginConfig({ model: "xchain" }) as XchainConfig;
const out = process.argv[4];
const hints = docs.map(() => newTailHints(true));
const fallbacks = () => hints.reduce((a, h) => a + h.joint.fallbacks! + h.control.fallbacks!, 0);
const session = new Session();
session.connect();
for (let k = -1; k < ticks; k++) {
  if (k === 1 && out) {
    await session.post("Profiler.enable");
    await session.post("Profiler.start");
  }
  const doc = k < 0 ? snapshot : movedSnapshot(snapshot, "ETH/USD", (k % 2 === 0 ? 0.001 : -0.001) * (k + 1));
  const before = sharedScenarioStats();
  const fellBack = fallbacks();
  const t0 = performance.now();
  const market = resolveMarket(parseDocument(marketSnapshotSchema, doc, "MarketSnapshot"));
  const t1 = performance.now();
  const cpu = process.cpuUsage();
  const results = remarginShard(docs, market, config, false, hints);
  const t2 = performance.now();
  const cpuUs = process.cpuUsage(cpu).user;
  const after = sharedScenarioStats();
  console.log(
    `${k < 0 ? "first" : `tick ${k}`}: market ${(t1 - t0).toFixed(1)} ms, accounts ${(t2 - t1).toFixed(0)} ms ` +
      `(${((1000 * (t2 - t1)) / n).toFixed(0)} us wall, ${(cpuUs / n).toFixed(0)} us CPU per account), ` +
      `set builds ${after.builds - before.builds} (${(after.buildMs - before.buildMs).toFixed(0)} ms), ` +
      `vectors computed ${after.vectorsComputed - before.vectorsComputed} ` +
      `(not kept ${after.vectorsUnshared - before.vectorsUnshared}), failed ${results.filter((r) => r.error).length}, ` +
      `kept tail levels fallen back ${fallbacks() - fellBack} of ${2 * n}`,
  );
}
if (out && ticks > 1) {
  const { profile } = await session.post("Profiler.stop");
  writeFileSync(out, JSON.stringify(profile));
}
session.disconnect();
