import { readFileSync } from "node:fs";
import { XmarginError } from "../core/errors.js";

/** Reads and parses a JSON file; unreadable files and bad JSON become one clear XmarginError naming the file. */
export function readJsonFile(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (cause) {
    const reason = cause instanceof Error && "code" in cause ? String(cause.code) : "unreadable";
    throw new XmarginError(`cannot read ${what} file ${file} (${reason})`, { code: "IO_ERROR", cause });
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new XmarginError(`${what} file ${file} is not valid JSON: ${(cause as Error).message}`, {
      code: "INVALID_INPUT",
      path: "$",
      cause,
    });
  }
}
