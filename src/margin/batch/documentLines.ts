/**
 * Portfolio documents as JSON lines (one document per line, as a store export or a streamed request body carries
 * them), cut into shards at line ends without being parsed: each worker of the sharded engine parses its own lines.
 */
import { invalidInput } from "../../core/errors.js";

/** A run of whole lines: `count` documents (a line each, empty ones included). */
export interface LineShard {
  text: string;
  count: number;
}

/**
 * Cuts JSON lines into `shards` runs of whole lines of about equal length, in order (some may be empty). One final
 * line end is allowed; every other line is a document, an empty one a bad document.
 * @param text documents, one per line ("\n" or "\r\n")
 */
export function cutLines(text: string, shards: number): LineShard[] {
  const end = text.endsWith("\n") ? text.length - 1 : text.length;
  const out: LineShard[] = [];
  // `prev` is the index of the line end before the next shard (-1 at the start, `end` once all is given out).
  let prev = end === 0 ? 0 : -1;
  for (let w = 0; w < shards; w++) {
    if (prev >= end) {
      out.push({ text: "", count: 0 });
      continue;
    }
    const start = prev + 1;
    const target = w === shards - 1 ? end : Math.max(start, Math.floor(((w + 1) * end) / shards));
    const found = text.indexOf("\n", target);
    const cut = found < 0 || found > end ? end : found;
    out.push({ text: text.slice(start, cut), count: 1 + countLineEnds(text, start, cut) });
    prev = cut;
  }
  return out;
}

function countLineEnds(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf("\n", from); i >= 0 && i < to; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

/**
 * The documents of one shard, parsed.
 * @param firstIndex the shard's first line's index in the whole text (error paths `$[i]`)
 * @throws XmarginError `INVALID_INPUT` at `$[i]` for a line that is not JSON, or empty
 */
export function parseLines(shard: LineShard, firstIndex: number): unknown[] {
  if (shard.count === 0) return [];
  const lines = shard.text.split("\n");
  return lines.map((line, i) => {
    if (line.trim() === "") throw invalidInput(`$[${firstIndex + i}]`, "empty line: expected a portfolio document");
    try {
      return JSON.parse(line) as unknown;
    } catch (e) {
      throw invalidInput(`$[${firstIndex + i}]`, "not valid JSON", e instanceof Error ? e.message : String(e));
    }
  });
}
