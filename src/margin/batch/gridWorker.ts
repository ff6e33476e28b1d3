/**
 * Worker-thread side of `ShardedBatchGridEngine`: owns a `BatchGridEngine` over its shard of accounts and writes
 * their results straight into the shared result columns, each account at the slot the main thread gave it.
 */

import { parentPort } from "node:worker_threads";
import { XmarginError } from "../../core/errors.js";
import type { GridPmConfig } from "../gridPm/config.js";
import type { ResolvedMarket } from "../resolve/resolvedMarket.js";
import type { ResolvedPortfolio } from "../resolve/resolvedPortfolio.js";
import { BatchGridEngine } from "./batchGridEngine.js";
import { parseLines } from "./documentLines.js";
import { type ShardDocuments, sharedResultColumns, type WorkerReply, type WorkerRequest } from "./workerProtocol.js";

if (!parentPort) throw new XmarginError("gridWorker.js must run in a worker thread", { code: "UNSUPPORTED" });
const port = parentPort;
let engine: BatchGridEngine | undefined;

port.on("message", (msg: WorkerRequest) => {
  try {
    if (msg.op === "init" || msg.op === "initDocuments") {
      const { shared, capacity, firstSlot } = msg;
      const market = msg.market as ResolvedMarket;
      const config = msg.config as GridPmConfig;
      const options = { out: sharedResultColumns(shared, capacity), firstSlot };
      // Documents go straight into the columns (validated and resolved one at a time, see fromDocuments).
      engine =
        msg.op === "init"
          ? new BatchGridEngine(msg.portfolios as ResolvedPortfolio[], market, config, options)
          : BatchGridEngine.fromDocuments(documentsOf(msg.documents, firstSlot), market, config, options, firstSlot);
      const accountIds = msg.op === "initDocuments" ? [...engine.accountIds] : undefined;
      reply({ id: msg.id, ok: true, stateBytes: engine.stateBytes(), ...(accountIds ? { accountIds } : {}) });
      return;
    }
    if (!engine) throw new XmarginError("worker not initialised", { code: "INTERNAL" });
    if (msg.op === "computeAll") {
      engine.computeAll();
      reply({ id: msg.id, ok: true });
    } else if (msg.op === "add") {
      engine.addAccount(msg.portfolio as ResolvedPortfolio, msg.slot);
      reply({ id: msg.id, ok: true, stateBytes: engine.stateBytes() });
    } else if (msg.op === "replace") {
      engine.replaceAccount(msg.portfolio as ResolvedPortfolio);
      reply({ id: msg.id, ok: true });
    } else if (msg.op === "remove") {
      engine.removeAccount(msg.accountId);
      reply({ id: msg.id, ok: true });
    } else if (msg.op === "attach") {
      engine.attachOut(sharedResultColumns(msg.shared, msg.capacity));
      reply({ id: msg.id, ok: true });
    } else {
      reply({ id: msg.id, ok: true, stats: engine.tick(msg.symbol, msg.state) });
    }
  } catch (e) {
    reply({ id: msg.id, ok: false, ...failureOf(e) });
  }
});

/** A shard's documents, parsed here when they came as text (JSON text the main thread wrote is an array). */
function documentsOf(documents: ShardDocuments, firstIndex: number): unknown[] {
  if ("objects" in documents) return documents.objects;
  if ("json" in documents) return JSON.parse(documents.json) as unknown[];
  return parseLines(documents.lines, firstIndex);
}

/** A thrown value as the main thread rebuilds it: an `XmarginError`'s reason, path and details kept. */
function failureOf(e: unknown): Omit<Extract<WorkerReply, { ok: false }>, "id" | "ok"> {
  if (!(e instanceof XmarginError)) return { error: e instanceof Error ? e.message : String(e) };
  return {
    error: e.shortMessage,
    code: e.code,
    ...(e.path ? { path: e.path } : {}),
    ...(e.details ? { details: e.details } : {}),
  };
}

function reply(r: WorkerReply): void {
  port.postMessage(r);
}
