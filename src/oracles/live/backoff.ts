/** Retry delays of a source that stopped answering: doubling from `minMs` up to `maxMs`, milliseconds. */
export interface BackoffPolicy {
  minMs: number;
  maxMs: number;
}

export const defaultBackoff: BackoffPolicy = { minMs: 250, maxMs: 10_000 };

/**
 * Delay before the next attempt after `failures` consecutive failures (0 = healthy: no extra delay).
 * @example
 * backoffDelayMs(3, { minMs: 250, maxMs: 10_000 }); // 1000
 */
export function backoffDelayMs(failures: number, policy: BackoffPolicy = defaultBackoff): number {
  if (failures <= 0) return 0;
  return Math.min(policy.maxMs, policy.minMs * 2 ** Math.min(failures - 1, 30));
}
