import { GCProfiler } from "node:v8";

/** Timings of the measured calls (milliseconds) and the garbage-collection time that fell among them. */
export interface Sample {
  ms: number[];
  /** Main-thread GC pauses during the measured calls (not the warm-up), ms; worker threads' GC is not seen. */
  gcMs: number;
}

export interface Summary {
  minMs: number;
  medianMs: number;
  p90Ms: number;
  /** Share of the measured time spent in main-thread garbage collection. */
  gcShare: number;
  iterations: number;
}

/** Warm-up: at least `minCalls` calls and at least `warmupMs` of them (V8 tiers up after many calls, not a few). */
export interface Warmup {
  minCalls?: number;
  warmupMs?: number;
}

const DEFAULT_WARMUP_MS = 1_000;

function gcMsOf(profiler: GCProfiler): number {
  const stats = profiler.stop()?.statistics ?? [];
  let us = 0;
  for (const s of stats) us += s.cost;
  return us / 1e3;
}

/** Runs `fn` through a long warm-up, then `iterations` times; per-call timings and GC time. */
export function measure(fn: () => unknown, iterations: number, warmup: Warmup = {}): Sample {
  const minCalls = warmup.minCalls ?? 5;
  const until = performance.now() + (warmup.warmupMs ?? DEFAULT_WARMUP_MS);
  for (let i = 0; i < minCalls || performance.now() < until; i++) fn();
  const profiler = new GCProfiler();
  profiler.start();
  const ms: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return { ms, gcMs: gcMsOf(profiler) };
}

/** `measure` for asynchronous work (e.g. worker threads): per-call timings and main-thread GC time. */
export async function measureAsync(
  fn: () => Promise<unknown>,
  iterations: number,
  warmup: Warmup = {},
): Promise<Sample> {
  const minCalls = warmup.minCalls ?? 5;
  const until = performance.now() + (warmup.warmupMs ?? DEFAULT_WARMUP_MS);
  for (let i = 0; i < minCalls || performance.now() < until; i++) await fn();
  const profiler = new GCProfiler();
  profiler.start();
  const ms: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return { ms, gcMs: gcMsOf(profiler) };
}

/** Timing of one call that cannot be repeated (a build, a load), with its GC share. */
export function measureOnce<T>(fn: () => T): { value: T; summary: Summary } {
  const profiler = new GCProfiler();
  profiler.start();
  const t0 = process.hrtime.bigint();
  const value = fn();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { value, summary: summarize({ ms: [ms], gcMs: gcMsOf(profiler) }) };
}

/** Min, median, p90 and GC share of a sample. */
export function summarize(sample: Sample): Summary {
  const s = [...sample.ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  const total = s.reduce((a, b) => a + b, 0);
  return {
    minMs: round(s[0]!),
    medianMs: round(at(0.5)),
    p90Ms: round(at(0.9)),
    gcShare: total > 0 ? Number((sample.gcMs / total).toFixed(3)) : 0,
    iterations: s.length,
  };
}

const round = (x: number) => Number(x.toPrecision(4));

/** Records printed so far (for `--compare`). */
export const emitted: Array<Record<string, unknown>> = [];

/** One benchmark result as a JSON line. */
export function emit(record: Record<string, unknown>): void {
  emitted.push(record);
  process.stdout.write(`${JSON.stringify(record)}\n`);
}
