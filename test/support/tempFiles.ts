import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A fresh temp folder and a function writing a JSON document into it, returning the file's path. */
export function jsonFileWriter(prefix: string): { dir: string; write: (name: string, doc: unknown) => string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    write: (name, doc) => {
      const file = join(dir, name);
      writeFileSync(file, JSON.stringify(doc));
      return file;
    },
  };
}
