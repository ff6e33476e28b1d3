import { MessageChannel } from "node:worker_threads";
import { afterEach, describe, expect, it } from "vitest";
import {
  peerVector,
  type SharedScenarios,
  setVectorPeer,
  sharedScenarioStats,
} from "../../../../src/margin/xchain/sharedScenarios.js";
import { clearClaims, exchangeMemory, VectorExchange } from "../../../../src/margin/xchain/venue/vectorExchange.js";
import type { ScenarioSet } from "../../../../src/risk/scenarios/scenarioSet.js";

const set = (inputsText?: string): SharedScenarios => ({
  set: {} as ScenarioSet,
  ...(inputsText !== undefined ? { inputsText } : {}),
  vectors: new Map(),
  seen: new Set(),
  vectorBytesLeft: 1 << 20,
});

/** Two workers' exchanges on one thread: shared claims, a channel between them. */
function pair(waitMs = 5_000) {
  const memory = exchangeMemory();
  const { port1, port2 } = new MessageChannel();
  const a = new VectorExchange(memory, 0, [port1], waitMs);
  const b = new VectorExchange(memory, 1, [port2], waitMs);
  const close = () => {
    port1.close();
    port2.close();
  };
  return { memory, a, b, close };
}

afterEach(() => setVectorPeer(undefined));

describe("VectorExchange", () => {
  it("a vector computed by one worker is read by the other bit for bit, and computed once", () => {
    const { a, b, close } = pair();
    // each worker has its own SharedScenarios object for the same set (same inputs)
    const sa = set("inputs");
    const sb = set("inputs");
    expect(a.take(sa, "O1")).toBeUndefined(); // a claims it
    const v = a.alloc(1000);
    for (let s = 0; s < v.length; s++) v[s] = Math.sin(s * 0.37) * 1e3 + s / 7;
    a.give(sa, "O1", v);
    const got = b.take(sb, "O1")!;
    expect(got).toBeInstanceOf(Float64Array);
    expect(got.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(got).toEqual(v);
    expect(new Uint8Array(got.buffer)).toEqual(new Uint8Array(v.buffer));
    // a key of another set is not the same vector: b claims it and computes it
    expect(b.take(set("other inputs"), "O1")).toBeUndefined();
    close();
  });

  it("a failed report's claims are released: the other worker computes the vector itself", () => {
    const { a, b, close } = pair();
    expect(a.take(set("inputs"), "O3")).toBeUndefined();
    a.abandon();
    const t = performance.now();
    expect(b.take(set("inputs"), "O3")).toBeUndefined();
    expect(performance.now() - t).toBeLessThan(1_000);
    close();
  });

  it("a claim never posted (a worker gone) costs the wait, then the vector is computed here", () => {
    const { a, b, close } = pair(50);
    expect(a.take(set("inputs"), "O4")).toBeUndefined();
    const t = performance.now();
    expect(b.take(set("inputs"), "O4")).toBeUndefined();
    expect(performance.now() - t).toBeGreaterThanOrEqual(45);
    close();
  });

  it("claims are cleared between ticks", () => {
    const { memory, a, b, close } = pair(50);
    expect(a.take(set("inputs"), "O5")).toBeUndefined();
    a.abandon();
    clearClaims(memory);
    b.startTick();
    expect(b.take(set("inputs"), "O5")).toBeUndefined(); // b claims it now
    a.startTick();
    const v = b.alloc(4).fill(1);
    b.give(set("inputs"), "O5", v);
    expect(a.take(set("inputs"), "O5")).toEqual(v);
    close();
  });

  it("a private set (no inputs text) is never exchanged", () => {
    const { a, close } = pair();
    setVectorPeer(a);
    const before = sharedScenarioStats().vectorsReceived;
    expect(peerVector(set(), "O6", {})).toBeUndefined();
    expect(sharedScenarioStats().vectorsReceived).toBe(before);
    close();
  });
});
