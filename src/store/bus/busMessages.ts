import { z } from "zod";
import { XmarginError } from "../../core/errors.js";
import { parseDocument } from "../../schema/validate.js";
import { type MarginSnapshotRow, reportTextOf } from "../marginStore.js";

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

/** A figure as it travels: a finite number, or the name of a non-finite one (JSON has none). */
const figureSchema = z.union([z.number(), z.enum(["Infinity", "-Infinity", "NaN"])]);
const figureOf = (x: number | string): number => (typeof x === "number" ? x : Number(x));
const figureText = (x: number): number | string => (Number.isFinite(x) ? x : String(x));

/**
 * Figures mode: one shard batch's figures as arrays (one entry per account, same order), not report objects: ~150
 * bytes per account instead of ~6.6 KB. `status` is the ids of the policy rules that fired, joined by ",".
 */
export const figuresBatchSchema = z
  .object({
    figures: z
      .object({
        seq: z.number().int().min(1),
        asOf: z.string(),
        reason: z.enum(["tick", "position"]),
        model: z.string().min(1),
        accountId: z.array(z.string().min(1)).min(1),
        version: z.array(z.number().int().min(1)),
        equityUsd: z.array(figureSchema),
        initialMarginUsd: z.array(figureSchema),
        maintenanceMarginUsd: z.array(figureSchema),
        freeCollateralUsd: z.array(figureSchema),
        healthRatio: z.array(figureSchema.nullable()),
        status: z.array(z.string()),
      })
      .strict()
      .refine(
        (f) =>
          [
            f.version,
            f.equityUsd,
            f.initialMarginUsd,
            f.maintenanceMarginUsd,
            f.freeCollateralUsd,
            f.healthRatio,
            f.status,
          ].every((column) => column.length === f.accountId.length),
        { message: "every column has one entry per account", path: ["accountId"] },
      ),
  })
  .strict();
export type FiguresBatch = z.infer<typeof figuresBatchSchema>;

/** What the results stream carries: explained reports, or figures (figures mode). */
export const resultsMessageSchema = z.union([resultBatchSchema, figuresBatchSchema]);

/** Figure rows of one model, seq and reason as a batch message (rows in the order given). */
export function encodeFiguresBatch(rows: readonly MarginSnapshotRow[], status: readonly string[]): Uint8Array {
  const first = rows[0]!;
  const batch = {
    figures: {
      seq: first.seq,
      asOf: first.asOf,
      reason: first.reason,
      model: first.model,
      accountId: rows.map((r) => r.accountId),
      version: rows.map((r) => r.accountVersion),
      equityUsd: rows.map((r) => figureText(r.equityUsd)),
      initialMarginUsd: rows.map((r) => figureText(r.initialMarginUsd)),
      maintenanceMarginUsd: rows.map((r) => figureText(r.maintenanceMarginUsd)),
      freeCollateralUsd: rows.map((r) => figureText(r.freeCollateralUsd)),
      healthRatio: rows.map((r) => (r.healthRatio === null ? null : figureText(r.healthRatio))),
      status,
    },
  };
  return encodeMessage(batch);
}

/** The rows of a figures batch (what the worker stored) and each row's status. */
export function figureRowsOf(batch: FiguresBatch): Array<{ row: MarginSnapshotRow; status: string }> {
  const f = batch.figures;
  return f.accountId.map((accountId, i) => {
    const health = f.healthRatio[i]!;
    return {
      row: {
        accountId,
        seq: f.seq,
        asOf: f.asOf,
        model: f.model,
        accountVersion: f.version[i]!,
        equityUsd: figureOf(f.equityUsd[i]!),
        initialMarginUsd: figureOf(f.initialMarginUsd[i]!),
        maintenanceMarginUsd: figureOf(f.maintenanceMarginUsd[i]!),
        freeCollateralUsd: figureOf(f.freeCollateralUsd[i]!),
        healthRatio: health === null ? null : figureOf(health),
        reason: f.reason,
      },
      status: f.status[i]!,
    };
  });
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
