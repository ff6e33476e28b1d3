/**
 * Connection handling of the PostgreSQL store: type parsers, error translation (a lost connection becomes the
 * retryable StoreUnavailableError), pooled connections that are dropped when broken, transactions, and migrations
 * under an advisory lock.
 */
import pg from "pg";
import { XmarginError } from "../core/errors.js";
import type { Migration } from "./migrations.js";
import { isConnectionError, StoreUnavailableError } from "./storeUnavailableError.js";

const INT8_OID = 20;
const JSON_OID = 114;

/**
 * 64-bit integers as numbers (sequence numbers and ids stay far below 2^53) and `json` columns as their text, so
 * that both stores read the same rows through storeRows.ts.
 */
export const typeParsers = {
  getTypeParser: ((oid: number, format?: "text" | "binary") => {
    if (oid === INT8_OID) return (v: string) => Number(v);
    if (oid === JSON_OID) return (v: string) => v;
    return format === "binary" ? pg.types.getTypeParser(oid, "binary") : pg.types.getTypeParser(oid);
  }) as typeof pg.types.getTypeParser,
};

/** SQLSTATE of a duplicate key: two writers stored the same rulebook version, say. */
const UNIQUE_VIOLATION = "23505";

/** Fixed key of the advisory lock that lets one process at a time migrate (several nodes may start together). */
const MIGRATION_LOCK_KEY = 7_316_402_118;

/** `postgres host:port/database` of a URL, without its credentials (for logs and /healthz). */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `postgres ${u.hostname}:${u.port || "5432"}${u.pathname}`;
  } catch {
    return "postgres";
  }
}

/** Runs a database call; a lost or refused connection becomes a retryable StoreUnavailableError. */
export async function guarded<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (cause) {
    if (isConnectionError(cause)) {
      throw new StoreUnavailableError(`the PostgreSQL store is unreachable (${what}); retry`, {
        code: "UNAVAILABLE",
        retryAfterSec: 1,
        cause,
      });
    }
    if (cause instanceof XmarginError) throw cause;
    if ((cause as { code?: unknown }).code === UNIQUE_VIOLATION) {
      throw new XmarginError(`already stored (${what})`, {
        code: "CONFLICT",
        details: cause instanceof Error ? cause.message : String(cause),
        cause,
      });
    }
    throw new XmarginError(`the PostgreSQL store failed (${what})`, {
      code: "IO_ERROR",
      details: cause instanceof Error ? cause.message : String(cause),
      cause,
    });
  }
}

/**
 * Runs `run` on one pooled connection. The connection is dropped instead of reused when it broke or when `run` asks
 * for it (`discard`), e.g. when it may still hold a lock or an open transaction.
 */
async function withConnection<T>(
  pool: pg.Pool,
  run: (client: pg.PoolClient, discard: (why: Error) => void) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const discard = (why: Error) => {
    broken ??= why;
  };
  // A checked-out connection that dies emits "error"; unheard, that would be an uncaught exception.
  client.on("error", discard);
  try {
    return await run(client, discard);
  } catch (err) {
    if (isConnectionError(err)) discard(err as Error);
    throw err;
  } finally {
    client.off("error", discard);
    client.release(broken);
  }
}

/** BEGIN ... COMMIT on one pooled connection; ROLLBACK on any error (the connection is dropped if that fails too). */
export function inTransaction<T>(pool: pg.Pool, run: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return withConnection(pool, async (client, discard) => {
    await client.query("BEGIN");
    try {
      const out = await run(client);
      await client.query("COMMIT");
      return out;
    } catch (err) {
      await client.query("ROLLBACK").catch(discard);
      throw err;
    }
  });
}

/** Applies the migrations newer than the highest row of `schema_version`, each in its own transaction. */
export function migrate(pool: pg.Pool, migrations: readonly Migration[]): Promise<number> {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  return withConnection(pool, async (client, discard) => {
    try {
      await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
      await client.query(
        `CREATE TABLE IF NOT EXISTS schema_version (
           version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`,
      );
      const res = await client.query<{ v: number | null }>("SELECT max(version) AS v FROM schema_version");
      let current = res.rows[0]?.v ?? 0;
      for (const m of sorted) {
        if (m.version <= current) continue;
        await client.query("BEGIN");
        try {
          await client.query(m.sql);
          await client.query("INSERT INTO schema_version (version, name) VALUES ($1, $2)", [m.version, m.name]);
          await client.query("COMMIT");
        } catch (err) {
          await client.query("ROLLBACK").catch(discard);
          throw new XmarginError(`migration ${m.version} (${m.name}) failed`, {
            code: "IO_ERROR",
            details: err instanceof Error ? err.message : String(err),
            cause: err,
          });
        }
        current = m.version;
      }
      await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]);
      return current;
    } catch (err) {
      // Never hand back a connection that may still hold the lock: the next migrating process would wait forever.
      discard(err instanceof Error ? err : new Error(String(err)));
      throw err;
    }
  });
}
