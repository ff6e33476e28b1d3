/**
 * Worker-thread side of `ShardedBatchGridEngine`: owns a `BatchGridEngine` over one contiguous shard of accounts and
 * writes its results straight into the shared result columns.
 */

import { parentPort } from "node:worker_threads";
import { XmarginError } from "../../core/errors.js";
import type { GridPmConfig } from "../gridPm/config.js";
import type { ResolvedMarket } from "../resolve/resolvedMarket.js";
import type { ResolvedPortfolio } from "../resolve/resolvedPortfolio.js";
import { BatchGridEngine } from "./batchGridEngine.js";
import type { WorkerReply, WorkerRequest } from "./workerProtocol.js";

if (!parentPort) throw new XmarginError("gridWorker.js must run in a worker thread", { code: "UNSUPPORTED" });
const port = parentPort;
let engine: BatchGridEngine | undefined;

port.on("message", (msg: WorkerRequest) => {
  try {
    if (msg.op === "init" || msg.op === "initDocuments") {
      const { shared, offset, nTotal } = msg;
      const market = msg.market as ResolvedMarket;
      const n = msg.op === "init" ? (msg.portfolios as ResolvedPortfolio[]).length : msg.documents.length;
      const column = (k: number) => new Float64Array(shared, (k * nTotal + offset) * 8, n);
      const config = msg.config as GridPmConfig;
      const out = { initialMarginUsd: column(0), maintenanceMarginUsd: column(1), collateralValueUsd: column(2) };
      // Documents go straight into the columns (validated and resolved one at a time, see fromDocuments).
      engine =
        msg.op === "init"
          ? new BatchGridEngine(msg.portfolios as ResolvedPortfolio[], market, config, { out })
          : BatchGridEngine.fromDocuments(msg.documents, market, config, { out }, offset);
      const accountIds = msg.op === "initDocuments" ? [...engine.accountIds] : undefined;
      reply({ id: msg.id, ok: true, stateBytes: engine.stateBytes(), ...(accountIds ? { accountIds } : {}) });
      return;
    }
    if (!engine) throw new XmarginError("worker not initialised", { code: "INTERNAL" });
    if (msg.op === "computeAll") {
      engine.computeAll();
      reply({ id: msg.id, ok: true });
    } else if (msg.op === "replace") {
      engine.replaceAccount(msg.portfolio as ResolvedPortfolio);
      reply({ id: msg.id, ok: true });
    } else if (msg.op === "remove") {
      engine.removeAccount(msg.accountId);
      reply({ id: msg.id, ok: true });
    } else {
      reply({ id: msg.id, ok: true, stats: engine.tick(msg.symbol, msg.state) });
    }
  } catch (e) {
    const path = e instanceof XmarginError ? e.path : undefined;
    reply({ id: msg.id, ok: false, error: e instanceof Error ? e.message : String(e), ...(path ? { path } : {}) });
  }
});

function reply(r: WorkerReply): void {
  port.postMessage(r);
}
