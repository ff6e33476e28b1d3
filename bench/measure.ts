/** Runs `fn` `warmup` times, then `iterations` times, and returns per-call timings in milliseconds. */
export function measure(fn: () => unknown, iterations: number, warmup = Math.min(5, iterations)): number[] {
  for (let i = 0; i < warmup; i++) fn();
  const out: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    out.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return out;
}

export function summarize(ms: number[]): { medianMs: number; p90Ms: number; minMs: number } {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { medianMs: at(0.5), p90Ms: at(0.9), minMs: s[0]! };
}

/** One benchmark result as a JSON line. */
export function emit(record: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(record)}\n`);
}

/** `measure` for asynchronous work: per-call timings in milliseconds. */
export async function measureAsync(
  fn: () => Promise<unknown>,
  iterations: number,
  warmup = Math.min(5, iterations),
): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    out.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return out;
}
