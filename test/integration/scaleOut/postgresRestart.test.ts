import { afterAll, describe, expect, it } from "vitest";
import { startNatsServer } from "../../support/natsServer.js";
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

const ACCOUNTS = 1000;

/** Steps the feed, retrying while the store is down (the node answers 503 until it reconnects). */
async function stepUntilStored(url: string, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await stepFeed(url);
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

describe.skipIf(!scaleOutReady())("scale-out: PostgreSQL restarted mid-run", () => {
  const run = new ScaleOutRun();
  afterAll(() => run.stop());

  it("workers and the API node reconnect by themselves and catch up to the last tick", async () => {
    const nats = await startNatsServer();
    run.nats = nats;
    const deployment = await seedDeployment(ACCOUNTS, 44);
    run.deployment = deployment;
    const api = await startApiNode(deployment, nats.url, { feed: true });
    run.procs.push(api.proc);
    run.procs.push(...(await Promise.all([0, 1].map(() => startWorker(deployment, nats.url)))));
    let seq = await stepFeed(api.url);
    await waitAllAt(deployment, seq, 60_000);

    // The database dies without warning (immediate shutdown) while ticks keep coming, then comes back.
    deployment.postgres.stopImmediately();
    const whileDown = stepFeed(api.url).then(
      () => "stored",
      () => "refused",
    );
    await new Promise((r) => setTimeout(r, 3000));
    deployment.postgres.start();
    expect(["stored", "refused"]).toContain(await whileDown);
    for (let t = 0; t < 3; t++) seq = await stepUntilStored(api.url, 60_000);
    await waitAllAt(deployment, seq, 90_000);

    const stored = await readStore(deployment);
    expect(stored.duplicates).toEqual([]);
    expect(mismatches(stored, referenceReports(deployment.accounts, stored.latestSnapshot, seq), seq)).toEqual([]);
    // The API node writes again: an account PUT through it is stored.
    const id = deployment.accounts[0]!.accountId;
    const put = await fetch(`${api.url}/v1/accounts/${id}`, {
      method: "PUT",
      headers: { "x-api-key": API_KEY, "content-type": "application/json" },
      body: JSON.stringify({ portfolio: deployment.accounts[0] }),
    });
    expect(put.status).toBe(200);
  }, 200_000);
});
