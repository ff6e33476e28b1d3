import { afterAll, describe, expect, it } from "vitest";
import { portfolioSchema } from "../../../src/schema/portfolio.js";
import { startNatsServer } from "../../support/natsServer.js";
import { StreamClient } from "../service/streamClient.js";
import {
  API_KEY,
  mismatches,
  readStore,
  referenceReports,
  ScaleOutRun,
  scaleOutReady,
  seedDeployment,
  startApiNode,
  startWorker,
  stepFeed,
  waitAllAt,
} from "./scaleOutHarness.js";

const ACCOUNTS = Number(process.env.XM_DEBUG_ACCOUNTS ?? 10_000);
const TICKS = 50;

describe.skipIf(!scaleOutReady())("scale-out: 2 API nodes + 3 workers on one bus", () => {
  const run = new ScaleOutRun();
  let nodeA = "";
  let nodeB = "";
  afterAll(() => run.stop());

  it(`${ACCOUNTS} accounts, ${TICKS} ticks: every stored report is at the last tick and equals the single-process engine's`, async () => {
    const t0 = Date.now();
    const phase = (name: string) => console.log(`${name}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const nats = await startNatsServer();
    run.nats = nats;
    const deployment = await seedDeployment(ACCOUNTS, 16);
    run.deployment = deployment;
    const a = await startApiNode(deployment, nats.url, { feed: true });
    run.procs.push(a.proc);
    const b = await startApiNode(deployment, nats.url, { feed: false });
    run.procs.push(b.proc);
    nodeA = a.url;
    nodeB = b.url;
    run.procs.push(...(await Promise.all([0, 1, 2].map(() => startWorker(deployment, nats.url)))));
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

    const stored = await readStore(deployment);
    if (stored.duplicates.length) for (const p of run.procs) console.log(p.output().slice(-2000));
    console.log(`rows ${stored.rows}, duplicates ${stored.duplicates.length}`);
    expect(stored.latestSeq).toBe(seq);
    expect(stored.duplicates).toEqual([]);
    const reference = referenceReports(deployment.accounts, stored.latestSnapshot, seq);
    phase("reference computed");
    expect(mismatches(stored, reference, seq)).toEqual([]);
    expect(stored.reports.size).toBe(ACCOUNTS);
    // Coalescing: far fewer rows than accounts x ticks, and at least one full round.
    expect(stored.rows).toBeGreaterThanOrEqual(ACCOUNTS);
    expect(stored.rows).toBeLessThan(ACCOUNTS * TICKS);
  }, 240_000);

  it("a WebSocket client on node A sees the reports of an account written through node B", async () => {
    expect(nodeA && nodeB).toBeTruthy();
    const ws = await StreamClient.open(nodeA, API_KEY);
    try {
      ws.send({ type: "subscribe", accounts: ["ws-account"] });
      await ws.next((m) => m.type === "subscribed");
      const portfolio = {
        accountId: "ws-account",
        holdings: [{ chain: "arbitrum", token: "USDC", amountRaw: "25000000000" }],
        positions: [{ kind: "perp", chain: "arbitrum", venue: "gmx", underlying: "ETH", size: "3" }],
      };
      const put = await fetch(`${nodeB}/v1/accounts/ws-account`, {
        method: "PUT",
        headers: { "x-api-key": API_KEY, "content-type": "application/json" },
        body: JSON.stringify({ portfolio }),
      });
      expect(put.status).toBe(200);
      // Node B's own report of the write, relayed through the bus.
      const first = await ws.next((m) => m.type === "report" && m.accountId === "ws-account", 30_000);
      // Then a tick through node A: a worker re-margins the account and node A's client sees it.
      const seq = await stepFeed(nodeA);
      const fromWorker = await ws.next(
        (m) => m.type === "report" && m.accountId === "ws-account" && m.seq === seq,
        60_000,
      );
      expect(fromWorker.seq).toBeGreaterThan(first.seq as number);
      // What node A's client saw is what the single-process engine computes for this portfolio at that tick.
      const stored = await readStore(run.deployment!);
      const reference = referenceReports([portfolioSchema.parse(portfolio)], stored.latestSnapshot, seq);
      expect(fromWorker.report).toEqual(reference.get("ws-account"));
    } finally {
      ws.close();
    }
  }, 120_000);
});
