import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { XmarginError } from "../../core/errors.js";
import type { ComputeJob, ComputeReply, ComputeResult } from "./computeProtocol.js";

interface Pending {
  resolve: (r: ComputeResult) => void;
  reject: (e: XmarginError) => void;
  timer: NodeJS.Timeout;
}

class PoolWorker {
  worker: Worker;
  readonly pending = new Map<number, Pending>();

  constructor(private readonly url: URL) {
    this.worker = this.spawn();
  }

  private spawn(): Worker {
    // A worker inherits the parent's node options; `--input-type` (a service started with `node -e`) breaks a file.
    const execArgv = process.execArgv.filter((a) => !a.startsWith("--input-type"));
    const w = new Worker(this.url, { execArgv });
    w.unref();
    w.on("message", (r: ComputeReply) => {
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      clearTimeout(p.timer);
      if (r.ok) p.resolve(r.result);
      else {
        const { code, message, path, details } = r.error;
        p.reject(new XmarginError(message, { code, ...(path ? { path } : {}), ...(details ? { details } : {}) }));
      }
    });
    w.on("error", (err) =>
      this.restart(new XmarginError("compute worker failed", { code: "INTERNAL", cause: err, details: err.message })),
    );
    return w;
  }

  /** Fails every job in flight and starts a fresh thread (a timed-out job cannot be interrupted any other way). */
  restart(err: XmarginError): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
    void this.worker.terminate();
    this.worker = this.spawn();
  }
}

/**
 * Worker threads for heavy calls, so a margin call or a backtest never blocks the service's event loop. A job that
 * runs longer than `timeoutMs` is abandoned (its thread is replaced) and answered UNAVAILABLE. Available only where
 * the compiled worker script exists (the built service); elsewhere the caller runs jobs on its own thread.
 */
export class WorkerPool {
  private readonly workers: PoolWorker[];
  private next = 0;
  private nextId = 0;

  private constructor(
    url: URL,
    size: number,
    private readonly timeoutMs: number,
  ) {
    this.workers = Array.from({ length: size }, () => new PoolWorker(url));
  }

  /** A pool of `size` threads, or undefined when the compiled worker script is not there (running from sources). */
  static create(size: number, timeoutMs: number): WorkerPool | undefined {
    const url = new URL("./computeWorker.js", import.meta.url);
    if (url.protocol !== "file:" || !existsSync(fileURLToPath(url))) return undefined;
    return new WorkerPool(url, Math.max(1, size), timeoutMs);
  }

  get size(): number {
    return this.workers.length;
  }

  run(job: ComputeJob): Promise<ComputeResult> {
    const w = this.workers[this.next++ % this.workers.length]!;
    const id = this.nextId++;
    return new Promise<ComputeResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        w.restart(
          new XmarginError(`the computation took longer than ${this.timeoutMs} ms`, {
            code: "UNAVAILABLE",
            retryAfterSec: Math.ceil(this.timeoutMs / 1000),
          }),
        );
      }, this.timeoutMs);
      timer.unref();
      w.pending.set(id, { resolve, reject, timer });
      w.worker.postMessage({ id, job });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}
