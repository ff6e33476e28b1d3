import { z } from "zod";
import { XmarginError } from "../../core/errors.js";
import { parseDocument } from "../../schema/validate.js";
import { reportTextOf } from "../marginStore.js";

/**
 * Messages on the bus (JSON). Each has a zod schema: a process reading the bus treats it as a boundary, so a bad
 * message is an error naming the field, never a silent wrong number.
 */

/** A market tick: the snapshot every node and worker applies, with its market sequence number. */
export const tickMessageSchema = z
  .object({
    seq: z.number().int().min(1),
    asOf: z.string().min(1),
    source: z.string(),
    /** The MarketSnapshot document; validated again by whoever applies it. */
    snapshot: z.unknown(),
  })
  .strict();
export type TickMessage = z.infer<typeof tickMessageSchema>;

/** An account was written (the store holds the document; this says which version to load). */
export const accountMessageSchema = z
  .object({
    accountId: z.string().min(1),
    version: z.number().int().min(1),
  })
  .strict();
export type AccountMessage = z.infer<typeof accountMessageSchema>;

/** A report a worker computed and stored. */
export const resultMessageSchema = z
  .object({
    accountId: z.string().min(1),
    seq: z.number().int().min(1),
    asOf: z.string(),
    version: z.number().int().min(1),
    reason: z.enum(["tick", "position"]),
    /** MarginReportJson, or null when the account could not be margined (then `error` says why). */
    report: z.unknown(),
    error: z.unknown().optional(),
  })
  .strict();
export type ResultMessage = z.infer<typeof resultMessageSchema>;

/**
 * Results travel in batches (one bus message holds many accounts' results of one shard): a publish acknowledged per
 * report cost the worker ~0.1 ms per account in round trips and nats-server time, a fifth of its whole cost.
 */
export const resultBatchSchema = z.object({ results: z.array(resultMessageSchema).min(1) }).strict();
export type ResultBatch = z.infer<typeof resultBatchSchema>;

/** Largest encoded result batch (NATS refuses payloads over its max_payload, 1 MiB by default). */
export const RESULT_BATCH_MAX_BYTES = 512 * 1024;

/** A result to publish, with its report already serialised when the publisher has the text (then used as is). */
export type OutgoingResult = ResultMessage & { reportText?: string };

/** JSON text of one result; the report is serialised only when no `reportText` (= JSON.stringify(report)) is given. */
export function resultText(r: OutgoingResult): string {
  const { report: _report, reportText: _text, ...about } = r;
  const reportJson = reportTextOf(r) ?? "null";
  return `${JSON.stringify(about).slice(0, -1)},"report":${reportJson}}`;
}

/**
 * Encodes results as batch messages of at most `maxBytes` each (a single result larger than that travels alone, as
 * before).
 */
export function encodeResultBatches(
  results: readonly OutgoingResult[],
  maxBytes = RESULT_BATCH_MAX_BYTES,
): Uint8Array[] {
  const out: Uint8Array[] = [];
  let parts: string[] = [];
  let size = 0;
  const flush = () => {
    if (parts.length === 0) return;
    out.push(encoder.encode(`{"results":[${parts.join(",")}]}`));
    parts = [];
    size = 0;
  };
  for (const r of results) {
    const text = resultText(r);
    if (size > 0 && size + text.length + 1 > maxBytes) flush();
    parts.push(text);
    size += text.length + 1;
  }
  flush();
  return out;
}

/** A shard's progress: the newest market sequence all its accounts were stored at. */
export const shardDoneSchema = z.object({ seq: z.number().int().min(0) }).strict();
export type ShardDone = z.infer<typeof shardDoneSchema>;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeMessage(message: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(message));
}

/** Parses and validates a bus message; errors name the message kind and the field. */
export function decodeMessage<T extends z.ZodType>(schema: T, data: Uint8Array, kind: string): z.output<T> {
  let json: unknown;
  try {
    json = JSON.parse(decoder.decode(data));
  } catch {
    throw new XmarginError(`${kind}: not valid JSON`, { code: "INVALID_INPUT", path: "$" });
  }
  return parseDocument(schema, json, kind);
}
