/**
 * Shard hash of an account: FNV-1a (32-bit) of its id's UTF-16 code units. Stable across processes, machines and
 * restarts (no seed). Stored with each account (`accounts.shard_hash`) so a worker loads one shard's accounts by index.
 */
export function shardHash(accountId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < accountId.length; i++) {
    h ^= accountId.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * Shard of an account: its shard hash modulo the shard count, so every API node and worker routes an account's work
 * to the same subject.
 * @example
 * shardOf("acct-1", 16); // always the same number in 0..15
 */
export function shardOf(accountId: string, shardCount: number): number {
  return shardHash(accountId) % shardCount;
}

/** Shard count whose shard expression the stores index (`accounts_shard16`): the default of `--shards`. */
export const INDEXED_SHARD_COUNT = 16;
