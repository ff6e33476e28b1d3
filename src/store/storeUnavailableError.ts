import { XmarginError } from "../core/errors.js";

/**
 * The store's server could not be reached (PostgreSQL restarting, connection reset, refused, timed out). Retryable:
 * the connection pool reconnects by itself, so the same call succeeds once the server is back. A write that failed
 * with it may or may not have committed; retrying is safe for the write-once rows (margins, ticks, rulebook
 * versions) and re-applies the others (an account write gets one more version).
 */
export class StoreUnavailableError extends XmarginError {
  readonly retryable = true;
}

/** Error codes of a lost or refused connection: Node socket errors and PostgreSQL's SQLSTATE classes 08 and 57P. */
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now (starting up, shutting down)
  "08000",
  "08001",
  "08003",
  "08004",
  "08006",
]);

/** Messages node-postgres gives a connection that died without a code. */
const CONNECTION_MESSAGES = [
  "Connection terminated",
  "connection error",
  "timeout exceeded when trying to connect",
  "Client was closed",
  "Connection ended",
];

/** Whether an error from the database client means "the server is unreachable now", not "the query is wrong". */
export function isConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string" && CONNECTION_CODES.has(code)) return true;
  if (err instanceof AggregateError) return err.errors.some(isConnectionError);
  return CONNECTION_MESSAGES.some((m) => err.message.includes(m));
}
