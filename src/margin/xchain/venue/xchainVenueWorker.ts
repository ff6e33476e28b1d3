/**
 * Worker-thread side of `XchainVenue`: keeps one shard of validated account documents and re-margins them on each
 * tick with the xchain model. Each worker holds its own shared scenario cache, built once per tick by its first report;
 * the instrument vectors a tick needs are computed once for all workers (vectorExchange.ts).
 */
import { parentPort } from "node:worker_threads";
import { XmarginError } from "../../../core/errors.js";
import { marketSnapshotSchema } from "../../../schema/marketSnapshot.js";
import { portfolioSchema } from "../../../schema/portfolio.js";
import { parseDocument } from "../../../schema/validate.js";
import { type PortfolioStructure, portfolioStructure } from "../../resolve/portfolioStructure.js";
import { resolveMarket } from "../../resolve/resolveMarket.js";
import type { XchainConfig } from "../config.js";
import { setVectorPeer, sharedScenarioStats } from "../sharedScenarios.js";
import { newTailHints, type XchainTailHints } from "../tailHints.js";
import { remarginShard } from "./remarginShard.js";
import { VectorExchange } from "./vectorExchange.js";
import { epochMs, type VenueReply, type VenueRequest, type WorkerTickPhases } from "./venueProtocol.js";

if (!parentPort) throw new XmarginError("xchainVenueWorker.js must run in a worker thread", { code: "UNSUPPORTED" });
const port = parentPort;
/** Each account's structure, kept across ticks (only prices are resolved on a tick). */
let accounts: PortfolioStructure[] = [];
/** Each account's tail levels from its previous tick (computeXchain's hints). */
let hints: XchainTailHints[] = [];
let config: XchainConfig | undefined;
let exchange: VectorExchange | undefined;

port.on("message", (msg: VenueRequest) => {
  try {
    if (msg.op === "load") {
      accounts = msg.documents.map((d, i) => {
        try {
          return portfolioStructure(parseDocument(portfolioSchema, d, "Portfolio"));
        } catch (e) {
          if (!(e instanceof XmarginError)) throw e;
          const path = `$[${msg.firstIndex + i}]${(e.path ?? "$").slice(1)}`;
          throw new XmarginError(e.shortMessage, { code: e.code, path, cause: e });
        }
      });
      hints = accounts.map(() => newTailHints());
      config = msg.config as XchainConfig;
      if (msg.exchange) {
        const { memory, self, ports } = msg.exchange;
        exchange = new VectorExchange(memory, self, ports);
        setVectorPeer(exchange);
      }
      reply({ id: msg.id, ok: true, accounts: accounts.length });
      return;
    }
    if (!config) throw new XmarginError("venue worker not loaded", { code: "INTERNAL" });
    const receivedAtMs = epochMs();
    exchange?.startTick();
    const before = sharedScenarioStats();
    const market = resolveMarket(parseDocument(marketSnapshotSchema, msg.snapshot, "MarketSnapshot"));
    const resolvedAtMs = epochMs();
    const results = remarginShard(accounts, market, config, msg.fullReports, hints);
    const doneAtMs = epochMs();
    const after = sharedScenarioStats();
    const phases: WorkerTickPhases = {
      receivedAtMs,
      marketMs: resolvedAtMs - receivedAtMs,
      accountsMs: doneAtMs - resolvedAtMs,
      setBuilds: after.builds - before.builds,
      setBuildMs: after.buildMs - before.buildMs,
      vectorsComputed: after.vectorsComputed - before.vectorsComputed,
      vectorsReceived: after.vectorsReceived - before.vectorsReceived,
      repliedAtMs: epochMs(),
    };
    reply({ id: msg.id, ok: true, results, phases });
  } catch (e) {
    const err = e instanceof XmarginError ? e : new XmarginError(String(e), { code: "INTERNAL" });
    reply({
      id: msg.id,
      ok: false,
      error: { code: err.code, message: err.message, ...(err.path ? { path: err.path } : {}) },
    });
  }
});

function reply(r: VenueReply): void {
  port.postMessage(r);
}
