import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { afterAll, describe, expect, it } from "vitest";
import { decodeMessage, tickMessageSchema } from "../../../src/store/bus/busMessages.js";
import { STREAMS } from "../../../src/store/bus/busStreams.js";
import { startNatsCluster } from "../../support/natsServer.js";
import {
  readStore,
  ScaleOutRun,
  scaleOutReady,
  seedDeployment,
  startApiNode,
  startWorker,
  stepFeed,
  waitAllAt,
} from "./scaleOutHarness.js";

const ACCOUNTS = 1000;

/** Market sequences of every tick the (surviving) cluster holds. */
async function ticksOnCluster(urls: string[]): Promise<number[]> {
  const nc = await connect({ servers: urls, timeout: 10_000 });
  try {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(STREAMS.ticks.name);
    const seqs: number[] = [];
    for (let s = info.state.first_seq; s <= info.state.last_seq; s++) {
      const m = await jsm.streams.getMessage(STREAMS.ticks.name, { seq: s });
      if (m) seqs.push(decodeMessage(tickMessageSchema, m.data, "TickMessage").seq);
    }
    return seqs;
  } finally {
    await nc.close();
  }
}

describe.skipIf(!scaleOutReady())("scale-out on a 3-node NATS cluster, streams replicated 3x", () => {
  const run = new ScaleOutRun();
  afterAll(() => run.stop());

  it("kill -9 of one node mid-run loses no acknowledged tick, and re-margining carries on", async () => {
    const nats = await startNatsCluster(3);
    run.nats = nats;
    const deployment = await seedDeployment(ACCOUNTS, 33);
    run.deployment = deployment;
    const api = await startApiNode(deployment, nats.url, { feed: true, replicas: 3 });
    run.procs.push(api.proc);
    run.procs.push(await startWorker(deployment, nats.url, 3));
    run.procs.push(await startWorker(deployment, nats.url, 3));
    const published: number[] = [];
    for (let t = 0; t < 5; t++) published.push(await stepFeed(api.url));
    await waitAllAt(deployment, published.at(-1)!, 60_000);
    // Ticks 1..now are acknowledged by the cluster (the workers computed from them); one node dies without a word.
    const acknowledged = await ticksOnCluster(nats.nodes.map((n) => n.url));
    await nats.nodes[0]!.kill9();
    for (let t = 0; t < 5; t++) published.push(await stepFeed(api.url));
    const last = published.at(-1)!;
    await waitAllAt(deployment, last, 90_000);

    const survivors = nats.nodes.filter((n) => n.running).map((n) => n.url);
    const held = new Set(await ticksOnCluster(survivors));
    for (const seq of acknowledged) expect(held.has(seq)).toBe(true);
    // Every tick of the run, before and after the kill, is on the surviving nodes.
    for (const seq of published) expect(held.has(seq)).toBe(true);
    expect((await readStore(deployment)).duplicates).toEqual([]);
  }, 200_000);
});
