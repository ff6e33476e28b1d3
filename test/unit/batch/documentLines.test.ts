import { describe, expect, it } from "vitest";
import { cutLines, parseLines } from "../../../src/margin/batch/documentLines.js";

/** Every document of every shard, in order, with each shard's first index as the engine gives it. */
function allDocuments(text: string, shards: number): unknown[] {
  let first = 0;
  return cutLines(text, shards).flatMap((s) => {
    const docs = parseLines(s, first);
    expect(docs.length).toBe(s.count);
    first += s.count;
    return docs;
  });
}

describe("JSON lines cut into shards at line ends", () => {
  const docs = Array.from({ length: 23 }, (_, i) => ({ accountId: `a-${i}`, pad: "x".repeat((i * 7) % 13) }));
  const text = docs.map((d) => JSON.stringify(d)).join("\n");

  it("gives every document once, in order, for any number of shards, with or without a final line end", () => {
    for (const shards of [1, 2, 3, 5, 23, 30]) {
      expect(allDocuments(text, shards), `${shards} shards`).toEqual(docs);
      expect(allDocuments(`${text}\n`, shards), `${shards} shards, final line end`).toEqual(docs);
      expect(allDocuments(text.replaceAll("\n", "\r\n"), shards), `${shards} shards, CRLF`).toEqual(docs);
    }
  });

  it("cuts into runs of about equal length", () => {
    const shards = cutLines(text, 2);
    expect(shards.reduce((n, s) => n + s.count, 0)).toBe(23);
    // Each half is within one line of half the text.
    const longest = Math.max(...text.split("\n").map((l) => l.length));
    expect(Math.abs(shards[0]!.text.length - text.length / 2)).toBeLessThanOrEqual(longest + 1);
  });

  it("reads no document in an empty text, and names an empty or broken line by its index", () => {
    expect(cutLines("", 2)).toEqual([
      { text: "", count: 0 },
      { text: "", count: 0 },
    ]);
    expect(cutLines("\n", 3).every((s) => s.count === 0)).toBe(true);
    const lines = text.split("\n");
    const withEmpty = [...lines.slice(0, 9), "", ...lines.slice(9)].join("\n");
    expect(() => allDocuments(withEmpty, 2)).toThrow(/^\$\[9\]: empty line/);
    const broken = [...lines.slice(0, 17), '{"accountId": ', ...lines.slice(18)].join("\n");
    expect(() => allDocuments(broken, 2)).toThrow(/^\$\[17\]: not valid JSON/);
  });
});
