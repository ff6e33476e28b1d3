import type { JsMsg } from "@nats-io/jetstream";
import { afterEach, describe, expect, it } from "vitest";
import { ShardWorker } from "../../../../src/service/scaleOut/shardWorker.js";
import type { TickMessage } from "../../../../src/store/bus/busMessages.js";
import type { MarginBus, ShardHandler } from "../../../../src/store/bus/marginBus.js";
import type { MarginStore } from "../../../../src/store/marginStore.js";
import { openStore } from "../../../../src/store/openStore.js";

/**
 * A bus that records the worker's shard handlers and holds `latestTick` until released, so a test can keep shard
 * ticks "running" and see what the worker does with one more.
 */
function heldBus() {
  const handlers: { tick?: ShardHandler<TickMessage> } = {};
  const waiting: Array<() => void> = [];
  const bus = {
    follow: async () => {},
    consumeShards: async (h: { tick: ShardHandler<TickMessage> }) => {
      handlers.tick = h.tick;
    },
    latestTick: () => new Promise<undefined>((resolve) => waiting.push(() => resolve(undefined))),
    // The shard is already at seq 9: once released, a tick at seq 5 is covered and writes nothing.
    shardDone: async () => 9,
    shards: 16,
    shardOf: () => 0,
    publishShardDone: async () => {},
    publishResults: async () => {},
  };
  return {
    bus: bus as unknown as MarginBus,
    handlers,
    release: () => {
      for (const w of waiting.splice(0)) w();
    },
  };
}

/** Lets the handlers' queued work start (it runs in later microtasks), so `release` finds it waiting. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

const tick: TickMessage = { seq: 5, asOf: "2023-07-01T00:00:00.000Z", source: "test", snapshot: {} };
const raw = { redelivered: false, working() {} } as unknown as JsMsg;

describe("ShardWorker: shard ticks beyond its concurrency are declined", () => {
  let store: MarginStore | undefined;
  afterEach(async () => store?.close());

  it("with 2 shard ticks running, a third is declined ('busy'); once they finish it is taken", async () => {
    store = await openStore(":memory:");
    const { bus, handlers, release } = heldBus();
    const worker = await ShardWorker.open({ store, bus, defaultModel: "grid", shardConcurrency: 2 });
    await worker.start();
    const first = handlers.tick!(tick, 1, raw);
    const second = handlers.tick!(tick, 2, raw);
    expect(await handlers.tick!(tick, 3, raw)).toBe("busy");
    expect(worker.stats.declined).toBe(1);
    await settle();
    release();
    expect(await first).toBe("done");
    expect(await second).toBe("done");
    // Room again: the declined shard's redelivery is taken.
    const third = handlers.tick!(tick, 3, raw);
    await settle();
    release();
    expect(await third).toBe("done");
    expect(worker.stats.declined).toBe(1);
    // Covered by the shard's progress (seq 9 >= 5): acknowledged without work.
    expect(worker.stats.coalesced).toBe(3);
  });
});
