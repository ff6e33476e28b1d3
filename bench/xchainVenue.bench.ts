import { readFileSync } from "node:fs";
import { resolveMarket } from "../src/margin/resolve/resolveMarket.js";
import { resolveMarginConfig } from "../src/margin/resolveConfig.js";
import type { XchainConfig } from "../src/margin/xchain/config.js";
import { clearSharedScenarios } from "../src/margin/xchain/sharedScenarios.js";
import { remarginShard } from "../src/margin/xchain/venue/remarginShard.js";
import { type VenueTickPhases, XchainVenue } from "../src/margin/xchain/venue/xchainVenue.js";
import { marketSnapshotSchema } from "../src/schema/marketSnapshot.js";
import { portfolioSchema } from "../src/schema/portfolio.js";
import { generateXchainVenue, movedSnapshot } from "./generateXchainVenue.js";
import { emit, measureOnce, summarize } from "./measure.js";

/**
 * One tick's phases, ms: total; per worker w: snapshot to it, market parse+resolve, accounts (of which scenario-set
 * builds, instrument vectors computed and received from the other worker), results back; collection on the main thread.
 */
function phaseLine(p: VenueTickPhases | undefined): string {
  if (!p) return "no phases";
  const w = p.workers.map(
    (x, k) =>
      `w${k}: to ${x.toWorkerMs.toFixed(1)}, market ${x.marketMs.toFixed(1)}, accounts ${x.accountsMs.toFixed(0)} ` +
      `(set ${x.setBuildMs.toFixed(0)} x${x.setBuilds}, ${x.vectorsComputed} vectors, ${x.vectorsReceived} received), back ${x.backMs.toFixed(1)}`,
  );
  return `total ${p.totalMs.toFixed(0)}; ${w.join("; ")}; collect ${p.collectMs.toFixed(1)}`;
}

/**
 * `xchain-venue`: 10,000 generated xchain accounts (bench/generateXchainVenue.ts, seed 17) re-margined after one tick on
 * two worker threads (XchainVenue), five ticks of ETH +0.1%, -0.2%, +0.3%... (every tick new prices) after a first cold one. Reference in the same run: the
 * per-account path before sharing (pseudo-random sampler, scenario set rebuilt for every account), timed on 100
 * accounts of the same population and scaled to 10,000.
 */
export async function benchXchainVenue(marketFile: string, nAccounts = 10_000): Promise<void> {
  const snapshot = JSON.parse(readFileSync(marketFile, "utf8"));
  const documents = generateXchainVenue(nAccounts, 17);
  const config = resolveMarginConfig({ model: "xchain" }) as XchainConfig;
  const venue = await XchainVenue.start(documents, config, { workers: 2 });
  try {
    const t0 = process.hrtime.bigint();
    const first = await venue.tick(snapshot);
    const coldMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const phases = [phaseLine(venue.lastTickPhases)];
    const ms: number[] = [];
    // CPU of the whole process (workers included) per tick: the figure to compare on a shared, loaded machine
    const cpuMs: number[] = [];
    for (let k = 0; k < 5; k++) {
      const tick = movedSnapshot(snapshot, "ETH/USD", (k % 2 === 0 ? 0.001 : -0.001) * (k + 1));
      const t = process.hrtime.bigint();
      const cpu = process.cpuUsage();
      const results = await venue.tick(tick);
      ms.push(Number(process.hrtime.bigint() - t) / 1e6);
      const used = process.cpuUsage(cpu);
      cpuMs.push(Math.round((used.user + used.system) / 1000));
      phases.push(phaseLine(venue.lastTickPhases));
      if (results.length !== nAccounts) throw new Error(`venue returned ${results.length} of ${nAccounts}`);
    }
    const failed = first.filter((r) => r.error).length;
    const market = resolveMarket(marketSnapshotSchema.parse(snapshot));
    const sample = documents.slice(0, 100).map((d) => portfolioSchema.parse(d));
    const refConfig = { ...config, simulation: { ...config.simulation, sampler: "pseudoRandom" as const } };
    const ref = measureOnce(() =>
      sample.forEach((doc) => {
        clearSharedScenarios();
        remarginShard([doc], market, refConfig, false);
      }),
    );
    emit({
      bench: "xchain-venue",
      accounts: nAccounts,
      workers: 2,
      positionsPerAccount: "5-20",
      ...summarize({ ms, gcMs: 0 }),
      firstTickMs: Math.round(coldMs),
      cpuMsPerTick: cpuMs,
      failedAccounts: failed,
      targetMs: 3_000,
      refUnsharedMsPer10k: Math.round(ref.summary.medianMs * (nAccounts / sample.length)),
      phases,
      note: "ticks of ETH +0.1%, -0.2%, +0.3%... (every tick new prices); first tick builds each worker's scenario set and draws; gcShare not seen in workers",
    });
  } finally {
    await venue.close();
  }
}
