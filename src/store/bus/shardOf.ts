/**
 * Shard of an account: FNV-1a (32-bit) of its id's UTF-16 code units, modulo the shard count. Stable across processes,
 * machines and restarts (no seed), so every API node and worker routes an account's work to the same subject.
 * @example
 * shardOf("acct-1", 16); // always the same number in 0..15
 */
export function shardOf(accountId: string, shardCount: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < accountId.length; i++) {
    h ^= accountId.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % shardCount;
}
