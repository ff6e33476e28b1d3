import { afterAll, describe, expect, it } from "vitest";
import { startNatsServer } from "../../support/natsServer.js";
import { StreamClient } from "../service/streamClient.js";
import {
  API_KEY,
  figureMismatches,
  latestFigures,
  readStore,
  referenceReports,
  ScaleOutRun,
  scaleOutReady,
  seedDeployment,
  startApiNode,
  startWorker,
  stepFeed,
  waitAllFiguresAt,
} from "./scaleOutHarness.js";

const ACCOUNTS = 3000;
const TICKS = 20;
const FIGURES = { XMARGIN_WORKER_MODE: "figures" };

describe.skipIf(!scaleOutReady())("scale-out, figures mode: 2 API nodes + 3 workers", () => {
  const run = new ScaleOutRun();
  afterAll(() => run.stop());

  it(`${ACCOUNTS} accounts, ${TICKS} ticks: every account's figures are at the last tick and equal the single-process engine's; reports on request equal it too`, async () => {
    const nats = await startNatsServer();
    run.nats = nats;
    const deployment = await seedDeployment(ACCOUNTS, 17);
    run.deployment = deployment;
    const a = await startApiNode(deployment, nats.url, { feed: true });
    run.procs.push(a.proc);
    const b = await startApiNode(deployment, nats.url, { feed: false });
    run.procs.push(b.proc);
    const workers = await Promise.all([0, 1, 2].map(() => startWorker(deployment, nats.url, 1, FIGURES)));
    run.procs.push(...workers);
    // A WebSocket client on node B follows three accounts: it sees their figures, computed by workers.
    const watched = deployment.accounts.slice(0, 3).map((p) => p.accountId);
    const ws = await StreamClient.open(b.url, API_KEY);
    try {
      ws.send({ type: "subscribe", accounts: watched });
      await ws.next((m) => m.type === "subscribed");
      let seq = 0;
      for (let t = 1; t < TICKS; t++) {
        seq = await stepFeed(a.url);
        await new Promise((r) => setTimeout(r, 50));
      }
      await waitAllFiguresAt(deployment, seq, 120_000);
      // Figures, or the explained report for an account that needs one (near liquidation, its status changed).
      const seen = await Promise.all(
        watched.map((id) =>
          ws.next((m) => (m.type === "figures" || m.type === "report") && m.accountId === id && m.seq === seq, 30_000),
        ),
      );
      expect(seen.map((m) => m.version)).toEqual([1, 1, 1]);
      const figures = seen.filter((m) => m.type === "figures");
      for (const m of figures) expect(typeof m.initialMargin).toBe("string");

      const stored = await readStore(deployment);
      expect(stored.latestSeq).toBe(seq);
      expect(stored.duplicates).toEqual([]);
      const latest = await latestFigures(deployment);
      expect(figureMismatches(latest, deployment.accounts, stored.latestSnapshot, seq)).toEqual([]);
      // Coalescing, and compact: far fewer explained reports stored than accounts.
      expect(stored.rows).toBeLessThan(ACCOUNTS * TICKS);
      const reference = referenceReports(deployment.accounts, stored.latestSnapshot, seq);
      // Explained reports stored by workers (near liquidation, status changes) equal the single process's when they
      // are at the last tick.
      for (const [id, r] of stored.reports) if (r.seq === seq) expect(r.report).toEqual(reference.get(id));
      // Node A's account list shows every account's figures at the last tick (from the figures batches it followed),
      // the same decimals as the single process's reports.
      type Summary = {
        accountId: string;
        seq: number | null;
        initialMargin: string | null;
        healthRatio: string | null;
      };
      let summaries: Summary[] = [];
      for (let attempt = 0; attempt < 60; attempt++) {
        const res = await fetch(`${a.url}/v1/accounts`, { headers: { "x-api-key": API_KEY } });
        summaries = ((await res.json()) as { accounts: Summary[] }).accounts;
        if (summaries.filter((x) => x.seq === seq).length >= ACCOUNTS) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      const wrong = deployment.accounts.filter((p) => {
        const got = summaries.find((x) => x.accountId === p.accountId);
        const want = reference.get(p.accountId) as { initialMargin: string; healthRatio: string | null };
        return got?.seq !== seq || got.initialMargin !== want.initialMargin || got.healthRatio !== want.healthRatio;
      });
      expect(wrong.map((p) => p.accountId)).toEqual([]);
      // On request, an API node computes an account's report at its live market: the single process's report.
      for (const p of deployment.accounts.slice(0, 40)) {
        const res = await fetch(`${b.url}/v1/accounts/${p.accountId}/margin`, { headers: { "x-api-key": API_KEY } });
        const body = (await res.json()) as { seq: number; report: unknown };
        expect(res.status).toBe(200);
        expect(body.seq).toBe(seq);
        expect(body.report).toEqual(reference.get(p.accountId));
      }
    } finally {
      ws.close();
    }
  }, 240_000);
});
