import { existsSync } from "node:fs";
import { join } from "node:path";
import { XmarginError } from "../../core/errors.js";
import { serviceConfigFromEnv } from "../../service/serviceConfig.js";
import { type RunningService, startService } from "../../service/startService.js";
import { readJsonFile } from "../readJsonFile.js";
import { untilSignal } from "../untilSignal.js";

export interface ServeArgs {
  /** TCP port (default 8080, or XMARGIN_PORT). */
  port?: string;
  /** SQLite file (default data/xmargin.db, or XMARGIN_DB). */
  db?: string;
  /** Demo accounts from examples/portfolios (and a generated API key when none is configured). */
  demo?: boolean;
  /** Interface (default 127.0.0.1, or XMARGIN_HOST). */
  host?: string;
  /** Milliseconds per replayed day (default 2000, or XMARGIN_REPLAY_INTERVAL_MS). */
  interval?: string;
  /** First replayed day, YYYY-MM-DD (default 2023-06-30, or XMARGIN_REPLAY_FROM). */
  from?: string;
  /** Folder of the daily history (default ../shared/data, or XMARGIN_HISTORY_DIR). */
  history?: string;
  /** Live mode: a SourcesConfig file of the chains to follow (replaces the replay). */
  sources?: string;
  /** Live mode: plans on chain: dry-run (default), approval, automatic. */
  execute?: string;
  /** Scale-out: store URL, sqlite:FILE or postgres://... (or XMARGIN_STORE). */
  store?: string;
  /** Scale-out: NATS JetStream URL(s) (or XMARGIN_BUS); re-margining is left to `xmargin worker` processes. */
  bus?: string;
  /** Scale-out: shards (default 16, or XMARGIN_SHARDS) and stream replicas (default 1, or XMARGIN_BUS_REPLICAS). */
  shards?: string;
  replicas?: string;
  /** Receives the start-up lines (default: stdout). */
  print?: (line: string) => void;
  /** Resolves when the service should stop (default: SIGINT or SIGTERM). */
  until?: Promise<unknown>;
  /** Called once the service listens (tests). */
  onStarted?: (svc: RunningService) => void;
}

function intArg(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v))
    throw new XmarginError(`--${name} must be a whole number`, { code: "INVALID_INPUT", path: `--${name}` });
  return Number(v);
}

/**
 * `xmargin serve [--port N] [--db FILE] [--demo]`: runs the margin service until SIGINT/SIGTERM, then closes the
 * store and returns a one-line summary. Settings not given as arguments come from XMARGIN_* variables
 * (src/service/serviceConfig.ts) and then the defaults.
 * @see docs/service.md
 */
export async function serveCommand(args: ServeArgs): Promise<string> {
  const print = args.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const env = serviceConfigFromEnv(process.env);
  const port = intArg(args.port, "port");
  const interval = intArg(args.interval, "interval");
  const feed = {
    ...env.feed,
    ...(interval !== undefined ? { intervalMs: interval } : {}),
    ...(args.from ? { from: args.from } : {}),
    ...(args.history ? { dataDir: args.history } : {}),
  };
  if (args.execute !== undefined && !["dry-run", "approval", "automatic"].includes(args.execute)) {
    throw new XmarginError("--execute must be dry-run, approval or automatic", {
      code: "INVALID_INPUT",
      path: "--execute",
    });
  }
  const live = args.sources
    ? {
        sources: readJsonFile(args.sources, "SourcesConfig") as Record<string, unknown>,
        ...(args.execute ? { execution: args.execute as "dry-run" | "approval" | "automatic" } : {}),
      }
    : undefined;
  const shards = intArg(args.shards, "shards");
  const replicas = intArg(args.replicas, "replicas");
  const scaleOut = {
    ...env.scaleOut,
    ...(args.bus ? { bus: args.bus } : {}),
    ...(shards !== undefined ? { shards } : {}),
    ...(replicas !== undefined ? { replicas } : {}),
  };
  const svc = await startService(
    {
      ...env,
      scaleOut,
      ...(args.store ? { store: args.store } : {}),
      ...(live ? { live } : {}),
      ...(port !== undefined ? { port } : {}),
      ...(args.db ? { dbFile: args.db } : {}),
      ...(args.host ? { host: args.host } : {}),
      demo: args.demo === true,
      feed,
    },
    { log: (line) => print(`xmargin serve: ${line}`) },
  );
  const feedStatus = svc.feed.status();
  print(`xmargin serve: listening on ${svc.url} (dashboard ${svc.url}/, API ${svc.url}/openapi.json)`);
  if (!existsSync(join(svc.config.webDir, "index.html"))) {
    print(`xmargin serve: no dashboard: ${svc.config.webDir} has no index.html (run \`npm run build\` to bundle web/)`);
  }
  print(`xmargin serve: store ${svc.store.description}, ${svc.service.accounts.size} account(s)`);
  const so = svc.config.scaleOut;
  if (so.bus) {
    print(
      `xmargin serve: bus ${so.bus} (${so.shards} shards, ${so.replicas} replica(s)); re-margining by xmargin worker processes`,
    );
  }
  const chains = svc.live?.statuses().map((c) => `${c.chain} (${c.state})`);
  print(
    chains
      ? `xmargin serve: live chains ${chains.join(", ")} from ${args.sources}; plans ${svc.config.live.execution}`
      : feedStatus
        ? `xmargin serve: live feed = replay of ${svc.config.feed.dataDir}, ${feedStatus.from}..${feedStatus.to}, one day per ${svc.config.feed.intervalMs} ms, last day ${feedStatus.lastDate ?? "none"}`
        : `xmargin serve: no live feed (market = stored or example snapshot); to replay the daily history, point --history DIR or XMARGIN_HISTORY_DIR at a folder of <SYMBOL>.csv files (now ${svc.config.feed.dataDir})`,
  );
  if (svc.generatedApiKey) {
    print(
      `xmargin serve: ${args.demo ? "demo " : ""}admin API key (x-api-key, kept in the store): ${svc.generatedApiKey}`,
    );
    print(`xmargin serve: open the dashboard at ${svc.url}/?key=${svc.generatedApiKey}`);
  }
  args.onStarted?.(svc);
  const reason = await (args.until ?? untilSignal());
  await svc.close();
  const tick = svc.service.market.current;
  return `xmargin serve: stopped (${String(reason ?? "done")}) at market seq ${tick?.seq ?? "none"} (${tick?.asOf ?? "-"})`;
}
