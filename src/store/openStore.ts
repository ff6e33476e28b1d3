import { XmarginError } from "../core/errors.js";
import type { MarginStore } from "./marginStore.js";
import { openPostgresStore } from "./postgresStore.js";
import { openSqliteStore } from "./sqliteStore.js";

/** Where a store URL points: an SQLite file or a PostgreSQL server. */
export type StoreLocation = { kind: "sqlite"; file: string } | { kind: "postgres"; url: string };

/**
 * Reads a store URL: `postgres://...` or `postgresql://...` (PostgreSQL), `sqlite:FILE` or a plain file path
 * (SQLite; `sqlite::memory:` or `:memory:` for a throw-away store). Any other `scheme://` is an error naming `path`.
 */
export function parseStoreUrl(url: string, path = "$.store"): StoreLocation {
  const trimmed = url.trim();
  if (trimmed === "") throw new XmarginError("the store URL is empty", { code: "INVALID_INPUT", path });
  if (/^postgres(ql)?:\/\//i.test(trimmed)) return { kind: "postgres", url: trimmed };
  if (/^sqlite:/i.test(trimmed)) {
    const file = trimmed.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "");
    if (file === "")
      throw new XmarginError("sqlite: needs a file, e.g. sqlite:data/xmargin.db", { code: "INVALID_INPUT", path });
    return { kind: "sqlite", file };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(trimmed);
  if (scheme) {
    throw new XmarginError(`unknown store "${scheme[1]}://": use postgres://..., sqlite:FILE or a file path`, {
      code: "INVALID_INPUT",
      path,
    });
  }
  return { kind: "sqlite", file: trimmed };
}

/**
 * Opens the store a URL names (see `parseStoreUrl`) and applies its migrations. The one place that chooses between
 * the embedded SQLite store and PostgreSQL; the service takes the URL from `--store`, `XMARGIN_STORE` or `dbFile`.
 * @example
 * const store = await openStore(process.env.XMARGIN_STORE ?? "data/xmargin.db");
 * @see docs/service.md#store
 */
export async function openStore(url: string, options: { log?: (line: string) => void } = {}): Promise<MarginStore> {
  const where = parseStoreUrl(url);
  if (where.kind === "postgres") return openPostgresStore({ url: where.url, ...options });
  return openSqliteStore({ file: where.file });
}
