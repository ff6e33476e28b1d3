import { afterAll, describe, expect, it } from "vitest";
import { startNatsServer } from "../../support/natsServer.js";
import {
  figureMismatches,
  latestFigures,
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
  waitAllFiguresAt,
} from "./scaleOutHarness.js";

const ACCOUNTS = 3000;

describe.skipIf(!scaleOutReady()).each(["reports", "figures"] as const)(
  "scale-out (%s mode): kill -9 of a worker mid-tick",
  (mode) => {
    const run = new ScaleOutRun();
    afterAll(() => run.stop());

    it("its shards are taken over: every account reaches the last tick, no (account, seq) written twice", async () => {
      const nats = await startNatsServer();
      run.nats = nats;
      const deployment = await seedDeployment(ACCOUNTS, 21);
      run.deployment = deployment;
      const api = await startApiNode(deployment, nats.url, { feed: true });
      run.procs.push(api.proc);
      // A short ack wait so the dead worker's messages move within the test.
      const env = { XMARGIN_BUS_ACK_WAIT_MS: "3000", XMARGIN_WORKER_MODE: mode };
      // Reports mode: every account's latest stored report; figures mode: every account's latest figure row.
      const waitAll = mode === "reports" ? waitAllAt : waitAllFiguresAt;
      const workers = await Promise.all([0, 1].map(() => startWorker(deployment, nats.url, 1, env)));
      run.procs.push(...workers);
      let seq = await stepFeed(api.url);
      await waitAll(deployment, seq, 60_000);
      const rowsBefore = (await readStore(deployment)).rows;

      // Mid-tick: the victim is whichever worker starts on one of this tick's shards first; it dies while computing it
      // (SIGKILL: no ack, no goodbye).
      seq = await stepFeed(api.url);
      const started = new RegExp(`computing shard (\\d+) at seq ${seq}`);
      // A worker that never starts on this tick does not decide the race (its wait never settles).
      const [victimIndex, victimShard] = await Promise.race(
        workers.map((w, i) =>
          w.waitFor(started, 30_000).then(
            (m) => [i, Number(m[1])] as const,
            () => new Promise<never>(() => {}),
          ),
        ),
      );
      const diedAt = seq;
      const victim = workers[victimIndex]!;
      const survivor = workers[1 - victimIndex]!;
      await victim.kill9();
      for (let t = 0; t < 3; t++) seq = await stepFeed(api.url);
      await waitAll(deployment, seq, 90_000);

      const stored = await readStore(deployment);
      expect(stored.duplicates).toEqual([]);
      expect(stored.rows).toBeGreaterThan(rowsBefore);
      if (mode === "reports") {
        const reference = referenceReports(deployment.accounts, stored.latestSnapshot, seq);
        expect(mismatches(stored, reference, seq)).toEqual([]);
      } else {
        const latest = await latestFigures(deployment);
        expect(figureMismatches(latest, deployment.accounts, stored.latestSnapshot, seq)).toEqual([]);
        // The survivor held the victim's shard: loaded from the store when it first took one of its messages.
        expect(survivor.output()).toContain(`loaded shard ${victimShard}:`);
      }
      // The survivor computed the shard the victim died on, at that tick (taken over once the victim's ack wait ran out:
      // the shard's consumer holds one message in flight) or a later one: the shard moved to the survivor.
      const survivorSeqs = [
        ...survivor.output().matchAll(new RegExp(`computing shard ${victimShard} at seq (\\d+)`, "g")),
      ];
      expect(survivorSeqs.some((m) => Number(m[1]) >= diedAt)).toBe(true);
    }, 200_000);
  },
);
