import { MessageChannel, type MessagePort, Worker } from "node:worker_threads";
import { XmarginError } from "../../../core/errors.js";
import type { XchainConfig } from "../config.js";
import type { XchainAccountResult } from "./remarginShard.js";
import { clearClaims, exchangeMemory } from "./vectorExchange.js";
import { epochMs, type VenueReply, type VenueRequest, type WorkerTickPhases } from "./venueProtocol.js";

/**
 * A young generation of 192 MB (V8's default semi-spaces are 16 MB): every account's report allocates its P&L columns
 * and tails, which die with the report, and small semi-spaces promote them by the thousand per tick. Measured on 10,000
 * accounts, quiet, back to back: 3,208 / 3,309 ms (min / median) per tick with the default, 3,027 / 3,099 with 192 MB.
 */
const VENUE_WORKER_LIMITS = { maxYoungGenerationSizeMb: 192 };

type Command = VenueRequest extends infer R ? (R extends { id: number } ? Omit<R, "id"> : never) : never;

class VenueWorker {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (r: VenueReply) => void; reject: (e: unknown) => void }>();
  constructor(readonly worker: Worker) {
    worker.on("message", (r: VenueReply) => {
      const p = this.pending.get(r.id);
      if (!p) return;
      this.lastReplyAtMs = epochMs();
      this.pending.delete(r.id);
      if (r.ok) p.resolve(r);
      else {
        const { code, message, path } = r.error;
        p.reject(new XmarginError(message, { code: code as XmarginError["code"], ...(path ? { path } : {}) }));
      }
    });
    worker.on("error", (e) => {
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    });
  }

  /** Epoch ms at which the last reply arrived on this thread. */
  lastReplyAtMs = 0;

  request(cmd: Command, transfer: MessagePort[] = []): Promise<VenueReply> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...cmd, id }, transfer);
    });
  }
}

/** A tick's wall time split by phase (benchmarks: BENCHMARKS.md, xchain venue tick phases). */
export interface VenueTickPhases {
  totalMs: number;
  /** Per worker: its own phases, the snapshot's trip to it and its results' trip back. */
  workers: Array<WorkerTickPhases & { toWorkerMs: number; backMs: number }>;
  /** From the last reply's arrival to the merged results. */
  collectMs: number;
}

export interface XchainVenueOptions {
  /** Worker threads (default 2, one per core of the reference machine). */
  workers?: number;
  /** URL of the compiled worker module (default: xchainVenueWorker.js beside this module). */
  workerUrl?: URL;
}

/**
 * xchain margin for a whole venue: the accounts are split into contiguous shards, one per worker thread, validated
 * once at load; each tick sends the market snapshot to every worker, which re-margins its shard (sharing one scenario
 * set per tick, src/margin/xchain/sharedScenarios.ts) and returns per-account results in the input order. Input =
 * market snapshot + account documents, output = results: the same call serves a scale-out worker process.
 */
export class XchainVenue {
  private constructor(
    private readonly workers: VenueWorker[],
    readonly nAccounts: number,
    private readonly claims: Int32Array | undefined,
  ) {}

  static async start(
    documents: readonly unknown[],
    config: XchainConfig,
    options: XchainVenueOptions = {},
  ): Promise<XchainVenue> {
    const n = Math.max(1, Math.floor(options.workers ?? 2));
    const url = options.workerUrl ?? new URL("./xchainVenueWorker.js", import.meta.url);
    const workers: VenueWorker[] = [];
    // the vector exchange: shared claims and a port between every two workers
    const memory = n > 1 ? exchangeMemory() : undefined;
    const ports: MessagePort[][] = Array.from({ length: n }, () => []);
    for (let a = 0; a < n; a++) {
      for (let b = a + 1; b < n; b++) {
        const { port1, port2 } = new MessageChannel();
        ports[a]!.push(port1);
        ports[b]!.push(port2);
      }
    }
    try {
      const loads: Array<Promise<VenueReply>> = [];
      for (let w = 0; w < n; w++) {
        const from = Math.floor((w * documents.length) / n);
        const to = Math.floor(((w + 1) * documents.length) / n);
        const handle = new VenueWorker(new Worker(url, { resourceLimits: VENUE_WORKER_LIMITS }));
        workers.push(handle);
        const exchange = memory ? { exchange: { memory, self: w, ports: ports[w]! } } : {};
        const load = {
          op: "load" as const,
          documents: documents.slice(from, to),
          firstIndex: from,
          config,
          ...exchange,
        };
        loads.push(handle.request(load, ports[w]!));
      }
      await Promise.all(loads);
      return new XchainVenue(workers, documents.length, memory);
    } catch (e) {
      await Promise.all(workers.map((h) => h.worker.terminate()));
      throw e;
    }
  }

  /** Where the last tick's wall time went, or undefined before the first tick. */
  lastTickPhases: VenueTickPhases | undefined;

  /** Re-margins every account against the tick's market snapshot (untrusted document); results in account order. */
  tick(snapshot: unknown, fullReports = false): Promise<XchainAccountResult[]> {
    // one tick at a time: the vector exchange's claims are cleared between ticks
    const run = this.lastTick.then(() => this.runTick(snapshot, fullReports));
    this.lastTick = run.catch(() => undefined);
    return run;
  }

  private lastTick: Promise<unknown> = Promise.resolve();

  private async runTick(snapshot: unknown, fullReports: boolean): Promise<XchainAccountResult[]> {
    const startMs = epochMs();
    if (this.claims) clearClaims(this.claims);
    const replies = await Promise.all(this.workers.map((h) => h.request({ op: "tick", snapshot, fullReports })));
    const results = replies.flatMap((r) => (r.ok ? (r.results ?? []) : []));
    const endMs = epochMs();
    const workers: VenueTickPhases["workers"] = [];
    replies.forEach((r, w) => {
      if (!r.ok || !r.phases) return;
      const p = r.phases;
      const toWorkerMs = p.receivedAtMs - startMs;
      workers.push({ ...p, toWorkerMs, backMs: this.workers[w]!.lastReplyAtMs - p.repliedAtMs });
    });
    const lastReplyMs = Math.max(...this.workers.map((h) => h.lastReplyAtMs));
    this.lastTickPhases = { totalMs: endMs - startMs, workers, collectMs: endMs - lastReplyMs };
    return results;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((h) => h.worker.terminate()));
  }
}
