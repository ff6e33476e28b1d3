import { describe, expect, it } from "vitest";
import { XmarginError } from "../../../src/core/errors.js";
import { ComputeQueue } from "../../../src/service/computeQueue.js";

const later = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("ComputeQueue: bounded admission of heavy calls", () => {
  it("runs at most `concurrency` jobs, queues `queueLength`, refuses the rest with UNAVAILABLE + retry-after", async () => {
    const q = new ComputeQueue({ concurrency: 1, queueLength: 2, timeoutMs: 5_000 });
    let running = 0;
    let peak = 0;
    const job = async () => {
      running++;
      peak = Math.max(peak, running);
      await later(20);
      running--;
      return "done";
    };
    const admitted = [q.run(job), q.run(job), q.run(job)];
    const refused = q.run(job);
    await expect(refused).rejects.toMatchObject({ code: "UNAVAILABLE", retryAfterSec: 5 });
    expect(await Promise.all(admitted)).toEqual(["done", "done", "done"]);
    expect(peak).toBe(1);
    expect(q.stats).toEqual({ admitted: 3, refused: 1, timedOut: 0 });
  });

  it("a job that waits longer than the timeout is dropped with UNAVAILABLE; a job's own error passes through", async () => {
    const q = new ComputeQueue({ concurrency: 1, queueLength: 5, timeoutMs: 100 });
    const slow = q.run(() => later(300));
    const waiting = q.run(() => "never");
    const err = await waiting.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(XmarginError);
    expect((err as XmarginError).code).toBe("UNAVAILABLE");
    await slow;
    await expect(
      q.run(() => {
        throw new XmarginError("bad", { code: "INVALID_INPUT", path: "$.x" });
      }),
    ).rejects.toMatchObject({ code: "INVALID_INPUT", path: "$.x" });
  });
});
