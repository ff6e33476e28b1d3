import { describe, expect, it } from "vitest";
import { XmarginError } from "../../../src/core/errors.js";
import {
  decodeMessage,
  encodeFiguresBatch,
  encodeMessage,
  encodeResultBatches,
  figureRowsOf,
  figuresBatchSchema,
  type OutgoingResult,
  resultBatchSchema,
  resultMessageSchema,
  resultsMessageSchema,
  tickMessageSchema,
} from "../../../src/store/bus/busMessages.js";
import { shardOf } from "../../../src/store/bus/shardOf.js";

describe("shardOf", () => {
  it("is FNV-1a 32-bit of the id (published test vectors) modulo the shard count", () => {
    // FNV-1a 32 offsets from the reference test suite: "" -> 0x811c9dc5, "a" -> 0xe40c292c, "foobar" -> 0xbf9cf968.
    expect(shardOf("", 2 ** 32)).toBe(0x811c9dc5);
    expect(shardOf("a", 2 ** 32)).toBe(0xe40c292c);
    expect(shardOf("foobar", 2 ** 32)).toBe(0xbf9cf968);
    expect(shardOf("foobar", 16)).toBe(0xbf9cf968 % 16);
  });

  it("spreads 16,000 account ids over 16 shards within 5 standard deviations of even", () => {
    const counts = new Array<number>(16).fill(0);
    for (let i = 0; i < 16_000; i++) counts[shardOf(`acct-${i}`, 16)]!++;
    // Binomial(16000, 1/16): mean 1000, sd sqrt(16000 * 1/16 * 15/16) = 30.6.
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(5 * 30.6);
  });
});

describe("bus messages", () => {
  it("round-trip a tick", () => {
    const tick = { seq: 7, asOf: "2023-07-01T00:00:00Z", source: "push", snapshot: { a: 1 } };
    expect(decodeMessage(tickMessageSchema, encodeMessage(tick), "TickMessage")).toEqual(tick);
  });

  it("reject a bad message with the field named", () => {
    const bad = encodeMessage({ accountId: "a", seq: 0, asOf: "x", version: 1, reason: "tick", report: null });
    expect(() => decodeMessage(resultMessageSchema, bad, "ResultMessage")).toThrow(XmarginError);
    try {
      decodeMessage(resultMessageSchema, bad, "ResultMessage");
    } catch (err) {
      expect((err as XmarginError).path).toBe("$.seq");
    }
    expect(() => decodeMessage(tickMessageSchema, new TextEncoder().encode("{"), "TickMessage")).toThrow(
      /not valid JSON/,
    );
  });
});

describe("result batches", () => {
  const result = (i: number): OutgoingResult => ({
    accountId: `acct-${i}`,
    seq: 3,
    asOf: "2023-07-01T00:00:00Z",
    version: 1,
    reason: "tick",
    report: { initialMarginUsd: String(1000 + i), items: [{ note: 'a \u001e"quoted" text' }] },
  });

  it("carry every result once, in order, each batch within the byte limit", () => {
    const results = Array.from({ length: 50 }, (_, i) => result(i));
    const one = new TextEncoder().encode(JSON.stringify(results[0])).length;
    // Room for about 7 results per batch: 50 results need ceil(50 / 7) = 8 batches at least.
    const limit = one * 7 + 20;
    const batches = encodeResultBatches(results, limit);
    expect(batches.length).toBeGreaterThanOrEqual(8);
    for (const b of batches) expect(b.length).toBeLessThanOrEqual(limit + 20);
    const decoded = batches.flatMap((b) => decodeMessage(resultBatchSchema, b, "ResultBatch").results);
    expect(decoded).toEqual(results);
  });

  it("use a report's given text as is, and serialise it when none is given", () => {
    const plain = result(1);
    const withText = { ...plain, reportText: JSON.stringify(plain.report) };
    const [a] = encodeResultBatches([plain]);
    const [b] = encodeResultBatches([withText]);
    expect(new TextDecoder().decode(b)).toBe(new TextDecoder().decode(a));
    // The text is what travels: a different text (same shape) arrives as that text says.
    const [c] = encodeResultBatches([{ ...plain, reportText: '{"initialMarginUsd":"7"}' }]);
    expect(decodeMessage(resultBatchSchema, c!, "ResultBatch").results[0]!.report).toEqual({ initialMarginUsd: "7" });
  });

  it("a result larger than the limit travels alone; an empty batch is refused", () => {
    const batches = encodeResultBatches([result(1), result(2)], 10);
    expect(batches).toHaveLength(2);
    expect(() => decodeMessage(resultBatchSchema, encodeMessage({ results: [] }), "ResultBatch")).toThrow(XmarginError);
  });
});

describe("figures batches (figures mode's compact results)", () => {
  const row = (accountId: string, im: number, health: number | null) => ({
    accountId,
    seq: 9,
    asOf: "2023-07-01T00:00:00.000Z",
    model: "grid",
    accountVersion: 2,
    equityUsd: 1000.125,
    initialMarginUsd: im,
    maintenanceMarginUsd: im / 2,
    freeCollateralUsd: 1000.125 - im,
    healthRatio: health,
    reason: "tick",
  });

  it("round-trip rows and statuses as columns, non-finite figures and null health included", () => {
    const rows = [row("a", 100, 20.0025), row("b", Number.POSITIVE_INFINITY, null)];
    const data = encodeFiguresBatch(rows, ["", "health-below-150"]);
    const text = new TextDecoder().decode(data);
    // Columns, not report objects: the ids appear once, in one array.
    expect(text).toContain('"accountId":["a","b"]');
    const batch = decodeMessage(resultsMessageSchema, data, "results");
    expect("figures" in batch).toBe(true);
    if (!("figures" in batch)) return;
    expect(figureRowsOf(batch)).toEqual([
      { row: rows[0], status: "" },
      { row: { ...rows[1], freeCollateralUsd: Number.NEGATIVE_INFINITY }, status: "health-below-150" },
    ]);
  });

  it("refuse columns of different lengths, naming the field", () => {
    const data = encodeFiguresBatch([row("a", 1, 2)], [""]);
    const doc = JSON.parse(new TextDecoder().decode(data)) as { figures: { version: number[] } };
    doc.figures.version.push(3);
    const bad = encodeMessage(doc);
    expect(() => decodeMessage(figuresBatchSchema, bad, "FiguresBatch")).toThrow(/accountId|one entry per account/);
  });
});
