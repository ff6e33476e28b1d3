import { createHash } from "node:crypto";
import { type MessagePort, receiveMessageOnPort } from "node:worker_threads";
import { XmarginError } from "../../../core/errors.js";
import type { SharedScenarios, VectorPeer } from "../sharedScenarios.js";

/**
 * Claim table slots: two Int32 each, the key's 32-bit hash (0 = free) and its state (0 while the claimer has not said
 * who it is, else owner + 1, plus READY once the vector was posted). A tick claims a few thousand keys.
 */
const SLOTS = 1 << 15;
const READY = 1 << 16;
/** Slots tried from the key's own before giving up on a crowded table (the vector is then computed here). */
const MAX_PROBES = 64;

/** Shared memory of a venue's vector exchange (one per venue, given to every worker; cleared between ticks). */
export function exchangeMemory(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(8 * SLOTS));
}

/** Clears the claims of the last tick (by the venue, while no worker is on a tick). */
export function clearClaims(memory: Int32Array): void {
  memory.fill(0);
}

/** What a worker posts to the others: a vector it computed (storage in a SharedArrayBuffer), or null: it will not come. */
interface VectorMessage {
  key: string;
  vector: Float64Array | null;
}

/**
 * The venue workers' `VectorPeer`: the instrument vectors of a tick (the moved underlying's options) are computed once
 * for all workers instead of once by each. A worker that misses a vector claims its key in shared memory: the first
 * claim computes it into a SharedArrayBuffer and posts it to the others; a worker that finds the key claimed by another
 * waits until it is posted (READY) and reads it off its port (`receiveMessageOnPort`: the waiting report is
 * synchronous). A claimer computes what it claimed at once, never waiting in between, so no two workers wait on each
 * other; a failed report posts null for its open claims (`abandon`), and a wait longer than `waitMs` (a worker gone)
 * or a hash shared by two keys falls back to computing the vector here. Every path computes the same bits, so which
 * worker computed a vector never shows in a figure.
 */
export class VectorExchange implements VectorPeer {
  private readonly setIds = new WeakMap<SharedScenarios, string>();
  /** Vectors posted by the others and not yet asked for on this tick. */
  private readonly stash = new Map<string, Float64Array | null>();
  /** Keys claimed here and not yet given, with their slot. */
  private readonly open = new Map<string, number>();

  constructor(
    private readonly memory: Int32Array,
    private readonly self: number,
    private readonly ports: readonly MessagePort[],
    private readonly waitMs = 10_000,
  ) {}

  /** At a tick's start: what the others posted on the last tick is dropped. */
  startTick(): void {
    this.drain();
    this.stash.clear();
    this.open.clear();
  }

  take(shared: SharedScenarios, key: string): Float64Array | undefined {
    const full = this.fullKey(shared, key);
    this.drain();
    const posted = this.takeStashed(full);
    if (posted !== undefined) return posted ?? undefined;
    const h = hash32(full);
    const m = this.memory;
    for (let probe = 0; probe < MAX_PROBES; probe++) {
      const slot = (h + probe) & (SLOTS - 1);
      const seen = Atomics.compareExchange(m, 2 * slot, 0, h);
      if (seen === 0) {
        Atomics.store(m, 2 * slot + 1, this.self + 1);
        Atomics.notify(m, 2 * slot + 1);
        this.open.set(full, slot);
        return undefined;
      }
      if (seen !== h) continue;
      const owner = this.ownerOf(slot);
      if (owner === this.self) return undefined; // computed here earlier on this tick, not kept: again
      if (!this.waitReady(slot)) return undefined;
      this.drain();
      return this.takeStashed(full) ?? undefined; // absent: another key with this hash, computed here
    }
    return undefined; // table crowded: computed here
  }

  alloc(nPaths: number): Float64Array {
    return new Float64Array(new SharedArrayBuffer(8 * nPaths));
  }

  give(shared: SharedScenarios, key: string, vector: Float64Array): void {
    this.post(this.fullKey(shared, key), vector);
  }

  abandon(): void {
    for (const full of [...this.open.keys()]) this.post(full, null);
  }

  private post(full: string, vector: Float64Array | null): void {
    const slot = this.open.get(full);
    if (slot === undefined) return;
    this.open.delete(full);
    const message: VectorMessage = { key: full, vector };
    for (const port of this.ports) port.postMessage(message);
    // the message is in the others' queues before READY is seen
    Atomics.or(this.memory, 2 * slot + 1, READY);
    Atomics.notify(this.memory, 2 * slot + 1);
  }

  /** The owner of a claimed slot, waiting the instant between its claim and its name. */
  private ownerOf(slot: number): number {
    let state = Atomics.load(this.memory, 2 * slot + 1);
    while (state === 0) {
      Atomics.wait(this.memory, 2 * slot + 1, 0, this.waitMs);
      state = Atomics.load(this.memory, 2 * slot + 1);
      if (state === 0) return this.self;
    }
    return (state & (READY - 1)) - 1;
  }

  /** Waits until the slot's vector was posted; false after `waitMs`. */
  private waitReady(slot: number): boolean {
    const deadline = performance.now() + this.waitMs;
    for (;;) {
      const state = Atomics.load(this.memory, 2 * slot + 1);
      if (state & READY) return true;
      const left = deadline - performance.now();
      if (left <= 0) return false;
      Atomics.wait(this.memory, 2 * slot + 1, state, left);
    }
  }

  private takeStashed(full: string): Float64Array | null | undefined {
    const v = this.stash.get(full);
    if (v !== undefined) this.stash.delete(full);
    return v;
  }

  private drain(): void {
    for (const port of this.ports) {
      for (let r = receiveMessageOnPort(port); r; r = receiveMessageOnPort(port)) {
        const { key, vector } = r.message as VectorMessage;
        this.stash.set(key, vector);
      }
    }
  }

  /** The key across threads: the set by a digest of its inputs, then the vector's own key. */
  private fullKey(shared: SharedScenarios, key: string): string {
    let id = this.setIds.get(shared);
    if (id === undefined) {
      if (shared.inputsText === undefined)
        throw new XmarginError("a private scenario set has no vectors to exchange", { code: "INTERNAL" });
      id = createHash("sha256").update(shared.inputsText).digest("base64");
      this.setIds.set(shared, id);
    }
    return `${id}|${key}`;
  }
}

/** FNV-1a of a key, never 0 (0 marks a free slot). */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h === 0 ? 1 : h;
}
