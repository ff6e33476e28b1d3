import { XmarginError } from "../core/errors.js";
import type { MarginStore } from "./marginStore.js";
import { openSqliteStore } from "./sqliteStore.js";

/**
 * Opens the store a URL names: `sqlite:FILE` (or a bare file path) is the embedded SQLite store. Several processes
 * on one machine may share one SQLite file (WAL); across machines the store of record is PostgreSQL.
 */
export function openStoreUrl(url: string): MarginStore {
  if (/^postgres(ql)?:\/\//.test(url)) {
    throw new XmarginError("PostgreSQL store not available in this build", { code: "UNSUPPORTED", path: "--store" });
  }
  const file = url.startsWith("sqlite:") ? url.slice("sqlite:".length) : url;
  if (file.length === 0 || /^[a-z]+:\/\//i.test(file)) {
    throw new XmarginError("must be sqlite:FILE, a file path or postgres://...", {
      code: "INVALID_INPUT",
      path: "--store",
    });
  }
  return openSqliteStore({ file });
}
