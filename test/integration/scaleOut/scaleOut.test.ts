import { afterAll, describe, expect, it } from "vitest";
import { type NatsCluster, natsServerBinary, startNatsServer } from "../../support/natsServer.js";
import {
  type Deployment,
  type Proc,
  readStore,
  referenceReports,
  removeDeployment,
  scaleOutReady,
  seedDeployment,
  startApiNode,
  startWorker,
  stepFeed,
  waitAllAt,
} from "./scaleOutHarness.js";

const ACCOUNTS = Number(process.env.XM_DEBUG_ACCOUNTS ?? 10_000);
const TICKS = 50;

describe.skipIf(!scaleOutReady() || !natsServerBinary())("scale-out: 2 API nodes + 3 workers on one bus", () => {
  let nats: NatsCluster | undefined;
  let deployment: Deployment | undefined;
  const procs: Proc[] = [];
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    await nats?.stop();
    removeDeployment(deployment);
  });

  it(`${ACCOUNTS} accounts, ${TICKS} ticks: every stored report is at the last tick and equals the single-process engine's`, async () => {
    const t0 = Date.now();
    const phase = (name: string) => console.log(`${name}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    nats = await startNatsServer();
    deployment = seedDeployment(ACCOUNTS, 16);
    const a = await startApiNode(deployment, nats.url, { feed: true });
    procs.push(a.proc);
    const b = await startApiNode(deployment, nats.url, { feed: false });
    procs.push(b.proc);
    for (let i = 0; i < 3; i++) procs.push(await startWorker(deployment, nats.url));
    phase("started");
    // The first tick was published by node A at start; 49 more through its feed.
    let seq = 0;
    for (let t = 1; t < TICKS; t++) {
      seq = await stepFeed(a.url);
      await new Promise((r) => setTimeout(r, 50));
    }
    phase("ticks stepped");
    await waitAllAt(deployment, seq, 150_000);
    phase("converged");

    const stored = readStore(deployment);
    if (stored.duplicates.length) for (const p of procs) console.log(p.output().slice(-2000));
    console.log(`rows ${stored.rows}, duplicates ${stored.duplicates.length}`);
    expect(stored.latestSeq).toBe(seq);
    expect(stored.duplicates).toEqual([]);
    const reference = referenceReports(deployment.accounts, stored.latestSnapshot, seq);
    phase("reference computed");
    let mismatches = 0;
    for (const [id, json] of reference) {
      const got = stored.reports.get(id);
      if (!got || got.seq !== seq || got.json !== json) mismatches++;
    }
    expect(mismatches).toBe(0);
    expect(stored.reports.size).toBe(ACCOUNTS);
    // Coalescing: far fewer rows than accounts x ticks, and at least one full round.
    expect(stored.rows).toBeGreaterThanOrEqual(ACCOUNTS);
    expect(stored.rows).toBeLessThan(ACCOUNTS * TICKS);
  }, 240_000);
});
