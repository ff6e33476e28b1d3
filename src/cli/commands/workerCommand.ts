import { XmarginError } from "../../core/errors.js";
import { ShardWorker, type ShardWorkerMode } from "../../service/scaleOut/shardWorker.js";
import { MarginBus } from "../../store/bus/marginBus.js";
import { openStore } from "../../store/openStore.js";
import { untilSignal } from "../untilSignal.js";

export interface WorkerArgs {
  /** Store URL (or XMARGIN_STORE). */
  store?: string;
  /** Bus URL(s), nats://host:port[,...] (or XMARGIN_BUS). */
  bus?: string;
  /** Shards (default 16, or XMARGIN_SHARDS); every process of a deployment must agree. */
  shards?: string;
  /** Stream replicas (default 1, or XMARGIN_BUS_REPLICAS). */
  replicas?: string;
  /** MarginConfig model of accounts stored without one (default grid). */
  model?: string;
  /** `figures` (default) or `reports` (or XMARGIN_WORKER_MODE): see ShardWorkerMode. */
  mode?: string;
  print?: (line: string) => void;
  until?: Promise<unknown>;
}

/** A whole number option (from an argument or the environment), or its default; errors name the option. */
export function wholeNumberOption(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) {
    throw new XmarginError(`--${name} must be a whole number`, { code: "INVALID_INPUT", path: `--${name}` });
  }
  return Number(value);
}

function workerMode(value: string | undefined): ShardWorkerMode {
  if (value === undefined || value === "figures" || value === "reports") return value ?? "figures";
  throw new XmarginError(`--mode must be figures or reports, not "${value}"`, {
    code: "INVALID_INPUT",
    path: "--mode",
  });
}

/**
 * `xmargin worker --store URL --bus URL`: a re-margining worker of the scale-out service. Runs until SIGINT/SIGTERM.
 * @see docs/scale-out.md
 */
export async function workerCommand(args: WorkerArgs): Promise<string> {
  const print = args.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const storeUrl = args.store ?? process.env.XMARGIN_STORE;
  const busUrl = args.bus ?? process.env.XMARGIN_BUS;
  if (!storeUrl) throw new XmarginError("required (or set XMARGIN_STORE)", { code: "INVALID_INPUT", path: "--store" });
  if (!busUrl) throw new XmarginError("required (or set XMARGIN_BUS)", { code: "INVALID_INPUT", path: "--bus" });
  const shards = wholeNumberOption(args.shards ?? process.env.XMARGIN_SHARDS, "shards", 16);
  const replicas = wholeNumberOption(args.replicas ?? process.env.XMARGIN_BUS_REPLICAS, "replicas", 1);
  const mode = workerMode(args.mode ?? process.env.XMARGIN_WORKER_MODE);
  const log = (line: string) => print(`xmargin worker: ${line}`);
  const store = await openStore(storeUrl, { log });
  try {
    const ackWaitMs = wholeNumberOption(process.env.XMARGIN_BUS_ACK_WAIT_MS, "XMARGIN_BUS_ACK_WAIT_MS", 30_000);
    const bus = await MarginBus.connect({
      url: busUrl,
      shards,
      replicas,
      ackWaitMs,
      name: `worker ${process.pid}`,
      log,
    });
    const worker = await ShardWorker.open({ store, bus, defaultModel: args.model ?? "grid", mode, log });
    await worker.start();
    print(
      `xmargin worker: ready (pid ${process.pid}, ${mode} mode, ${worker.accountCount} account(s) held, ${shards} shards)`,
    );
    const reason = await (args.until ?? untilSignal());
    await bus.close();
    const s = worker.stats;
    return `xmargin worker: stopped (${String(reason)}): ${s.shardTicks} shard ticks, ${s.accountsComputed} accounts computed, ${s.rowsWritten} rows written (${s.figureRows} compact, ${s.fullReports} explained reports), ${s.coalesced} coalesced, ${s.declined} declined while busy`;
  } finally {
    await store.close();
  }
}
