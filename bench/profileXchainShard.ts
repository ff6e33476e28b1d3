/**
 * One venue worker's steady state on this thread (BENCHMARKS.md, xchain venue profile):
 * `node dist/bench/profileXchainShard.js [accounts] [out.cpuprofile]` re-margins the generated accounts once to build
 * the tick's scenario set and instrument vectors, then once more, timed and CPU-profiled alone; prints the time per
 * account of each pass and the profile's top functions by self time.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { join } from "node:path";
import { resolveMarket } from "../src/margin/resolve/resolveMarket.js";
import { resolveMarginConfig } from "../src/margin/resolveConfig.js";
import type { XchainConfig } from "../src/margin/xchain/config.js";
import { remarginShard } from "../src/margin/xchain/venue/remarginShard.js";
import { marketSnapshotSchema } from "../src/schema/marketSnapshot.js";
import { portfolioSchema } from "../src/schema/portfolio.js";
import { generateXchainVenue } from "./generateXchainVenue.js";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time per function (name, file, line), share of all samples, largest first. */
function selfTimes(profile: Profile, top: number): string[] {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const us = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, k) => {
    const f = byNode.get(id)!.callFrame;
    const name = `${f.functionName || "(anonymous)"} ${f.url.split("/").slice(-2).join("/")}:${f.lineNumber + 1}`;
    const dt = profile.timeDeltas[k] ?? 0;
    us.set(name, (us.get(name) ?? 0) + dt);
    total += dt;
  });
  return [...us.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, t]) => `${((100 * t) / total).toFixed(1).padStart(5)}%  ${name}`);
}

const n = Number(process.argv[2] ?? 2_000);
const out = process.argv[3];
const file = join(import.meta.dirname, "../../examples/market-2023-06-30.json");
const market = resolveMarket(marketSnapshotSchema.parse(JSON.parse(readFileSync(file, "utf8"))));
const docs = generateXchainVenue(n, 17).map((d) => portfolioSchema.parse(d));
const config = resolveMarginConfig({ model: "xchain" }) as XchainConfig;
const session = new Session();
session.connect();
for (const pass of ["cold", "steady"]) {
  if (pass === "steady" && out) {
    await session.post("Profiler.enable");
    await session.post("Profiler.start");
  }
  const t = performance.now();
  const cpu = process.cpuUsage();
  const results = remarginShard(docs, market, config, false);
  const ms = performance.now() - t;
  const cpuUs = process.cpuUsage(cpu).user;
  const failed = results.filter((r) => r.error).length;
  console.log(
    `${pass}: ${n} accounts ${ms.toFixed(0)} ms, ${((ms * 1000) / n).toFixed(0)} us/account wall, ` +
      `${(cpuUs / n).toFixed(0)} us/account CPU, ${failed} failed`,
  );
}
if (out) {
  const { profile } = await session.post("Profiler.stop");
  writeFileSync(out, JSON.stringify(profile));
  console.log(selfTimes(profile as unknown as Profile, 30).join("\n"));
}
session.disconnect();
