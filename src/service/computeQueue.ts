import { XmarginError } from "../core/errors.js";

export interface ComputeQueueOptions {
  /** Jobs running at once. */
  concurrency: number;
  /** Jobs waiting; a job arriving when it is full is refused at once with 503 + retry-after. */
  queueLength: number;
  /** Longest a job may wait before it starts, ms; then it is dropped with 503 + retry-after. */
  timeoutMs: number;
}

interface Waiting {
  start: () => void;
  fail: (err: XmarginError) => void;
  timer: NodeJS.Timeout;
}

function busy(message: string, retryAfterSec: number): XmarginError {
  return new XmarginError(message, { code: "UNAVAILABLE", retryAfterSec, details: "heavy calls are queued" });
}

/**
 * Admission control for heavy calls (on-demand margin, what-if, backtests): at most `concurrency` run, at most
 * `queueLength` wait, none waits longer than `timeoutMs`. A refused call gets UNAVAILABLE (503) with a retry-after
 * hint instead of stalling the event loop behind a pile of work. Jobs start on a later turn of the event loop, so
 * liveness probes and ticks interleave with a burst of heavy calls.
 */
export class ComputeQueue {
  private running = 0;
  private readonly waiting: Waiting[] = [];
  readonly stats = { admitted: 0, refused: 0, timedOut: 0 };

  constructor(private readonly options: ComputeQueueOptions) {}

  get depth(): number {
    return this.waiting.length;
  }

  get active(): number {
    return this.running;
  }

  /** Runs `job` when a slot is free; rejects with UNAVAILABLE when the queue is full or the wait times out. */
  run<T>(job: () => T | Promise<T>): Promise<T> {
    if (this.waiting.length >= this.options.queueLength && this.running >= this.options.concurrency) {
      this.stats.refused++;
      return Promise.reject(busy("the service is busy: too many heavy calls queued", this.retryAfterSec()));
    }
    this.stats.admitted++;
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        this.running++;
        setImmediate(() => {
          Promise.resolve()
            .then(job)
            .then(resolve, reject)
            .finally(() => {
              this.running--;
              this.next();
            });
        });
      };
      if (this.running < this.options.concurrency) {
        start();
        return;
      }
      const entry: Waiting = {
        start,
        fail: reject,
        timer: setTimeout(() => {
          const i = this.waiting.indexOf(entry);
          if (i < 0) return;
          this.waiting.splice(i, 1);
          this.stats.timedOut++;
          reject(busy("the service is busy: the call waited too long", this.retryAfterSec()));
        }, this.options.timeoutMs),
      };
      entry.timer.unref();
      this.waiting.push(entry);
    });
  }

  private next(): void {
    while (this.running < this.options.concurrency) {
      const entry = this.waiting.shift();
      if (!entry) return;
      clearTimeout(entry.timer);
      entry.start();
    }
  }

  /** Seconds a refused client should wait: the queue's worst-case drain time, at least 1. */
  private retryAfterSec(): number {
    return Math.max(1, Math.ceil(this.options.timeoutMs / 1000));
  }
}
