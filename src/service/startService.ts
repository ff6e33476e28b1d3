import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { BridgeExecutor } from "../chains/bridge/bridgeExecutor.js";
import { keyValueJournal } from "../chains/bridge/executionJournal.js";
import { XmarginError } from "../core/errors.js";
import { parseIsoToSec } from "../core/time.js";
import type { Rulebook } from "../margin/policy/rulebook.js";
import { parseSourcesConfig } from "../oracles/sourcesConfig.js";
import { type MarketSnapshot, marketSnapshotSchema } from "../schema/marketSnapshot.js";
import { parseDocument } from "../schema/validate.js";
import { MarginBus } from "../store/bus/marginBus.js";
import type { MarginStore } from "../store/marginStore.js";
import { openStore } from "../store/openStore.js";
import { AccountBacktester } from "./accountBacktest.js";
import { WorkerPool } from "./compute/workerPool.js";
import { loadDemoAccounts } from "./demoAccounts.js";
import { DemoBookKeeper } from "./demoBookKeeper.js";
import type { PlanEngine, WhatIfEngine } from "./engines.js";
import { buildHttpServer } from "./http/buildHttpServer.js";
import type { FeedControl } from "./http/httpContext.js";
import { liquidationPlanEngine, liquidationWhatIfEngine } from "./liquidationEngines.js";
import { LiveChains } from "./liveChains.js";
import { MarginService, type TickComputer } from "./marginService.js";
import { REPO_ROOT } from "./paths.js";
import { PlanExecution } from "./planExecution.js";
import { Rebalancer } from "./rebalancer.js";
import { ReplayFeed } from "./replayFeed.js";
import { loadReplayHistory, rollInputsOf } from "./replayHistory.js";
import { linkApiNode } from "./scaleOut/apiNodeLink.js";
import { type ApiKeyConfig, parseServiceConfig, type ServiceConfig, type ServiceConfigInput } from "./serviceConfig.js";

export interface StartOptions {
  /** Operator log (default: nothing). */
  log?: (line: string) => void;
  /** Engines to bind (default: src/liquidation's). */
  whatIfEngine?: WhatIfEngine;
  planEngine?: PlanEngine;
}

export interface RunningService {
  config: ServiceConfig;
  /** Base URL, e.g. http://127.0.0.1:8080 */
  url: string;
  port: number;
  /** The demo admin key, generated on the first start without configured keys and kept in the store, else undefined. */
  generatedApiKey: string | undefined;
  apiKeys: ApiKeyConfig[];
  service: MarginService;
  rebalancer: Rebalancer;
  store: MarginStore;
  app: FastifyInstance;
  feed: FeedControl;
  /** Live mode (`live.sources` configured): the followed chains and plan execution. */
  live: LiveChains | undefined;
  execution: PlanExecution | undefined;
  close(): Promise<void>;
}

const REPLAY_META = "replay.lastDate";
/** Store key of the generated admin key: the same key across restarts (the store file is readable by its owner only). */
const GENERATED_KEY_META = "service.generatedApiKey";

/** The stored generated key, or a new one stored for the next start. */
async function persistentGeneratedKey(store: MarginStore): Promise<string> {
  const stored = await store.getMeta(GENERATED_KEY_META);
  if (stored && stored.length >= 16) return stored;
  const key = `xm_${randomBytes(18).toString("hex")}`;
  await store.setMeta(GENERATED_KEY_META, key);
  return key;
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version?: unknown };
    return typeof pkg.version === "string" ? pkg.version : "0.0.0";
  } catch {
    return "0.0.0";
  }
}

/** Stored accounts' tick recomputations in the worker pool (the report object comes back for the rebalancer). */
function tickComputerOf(pool: WorkerPool, rulebook: () => Rulebook): TickComputer {
  return async (acc, tick) => {
    const result = await pool.run({
      kind: "margin",
      portfolio: acc.portfolio,
      snapshot: tick.snapshot,
      configDoc: acc.configDoc,
      fromRequest: false,
      full: true,
      rulebook: rulebook(),
    });
    if (result.kind !== "margin" || !result.full) {
      throw new XmarginError("unexpected worker answer", { code: "INTERNAL" });
    }
    return { report: result.full, json: result.report };
  };
}

/** The newest examples/market-*.json: the first market, and the static parts (rates, liquidity, bridges) of the replay. */
function loadTemplateMarket(examplesDir: string): MarketSnapshot {
  const file = existsSync(examplesDir)
    ? readdirSync(examplesDir)
        .filter((f) => /^market-.*\.json$/.test(f))
        .sort()
        .at(-1)
    : undefined;
  if (!file) throw new XmarginError(`no market-*.json in ${examplesDir}`, { code: "IO_ERROR", path: "$.examplesDir" });
  const doc = JSON.parse(readFileSync(join(examplesDir, file), "utf8")) as unknown;
  return parseDocument(marketSnapshotSchema, doc, "MarketSnapshot");
}

/**
 * Starts the margin service: opens the store, restores the last market and the accounts, loads the demo accounts
 * (demo mode), starts the replay feed and listens. `close()` stops everything and closes the store.
 * @example
 * const svc = await startService({ port: 0, dbFile: ":memory:", demo: true, feed: { autoStart: false } });
 * await fetch(`${svc.url}/v1/accounts`);
 * await svc.close();
 * @see docs/service.md
 */
export async function startService(input: ServiceConfigInput, options: StartOptions = {}): Promise<RunningService> {
  const parsed = parseServiceConfig(input);
  const log = options.log ?? (() => {});
  const whatIf = options.whatIfEngine ?? liquidationWhatIfEngine;
  const { scaleOut } = parsed;
  if (scaleOut.bus && !parsed.store) {
    throw new XmarginError("a bus needs a shared store (--store / XMARGIN_STORE)", {
      code: "INVALID_INPUT",
      path: "$.store",
    });
  }
  const store = await openStore(parsed.store ?? parsed.dbFile, { log });
  let bus: MarginBus | undefined;
  try {
    const generatedApiKey = parsed.apiKeys.length === 0 ? await persistentGeneratedKey(store) : undefined;
    const apiKeys = generatedApiKey ? [generatedApiKey] : parsed.apiKeys;
    const config: ServiceConfig = { ...parsed, apiKeys };
    const service = await MarginService.open({
      store,
      whatIf,
      defaultModel: config.defaultModel,
      budget: config.budget,
      log,
    });
    if (scaleOut.bus) {
      bus = await MarginBus.connect({
        url: scaleOut.bus,
        shards: scaleOut.shards,
        replicas: scaleOut.replicas,
        name: `api ${process.pid}`,
        log,
      });
      await linkApiNode(service, bus, log);
    }
    const sources = config.live.sources ? parseSourcesConfig(config.live.sources) : undefined;
    const execution = sources
      ? new PlanExecution(
          service,
          new BridgeExecutor({ config: sources, journal: keyValueJournal(store), log }),
          config.live.execution,
          log,
        )
      : undefined;
    const rebalancer = new Rebalancer(service, {
      ...(execution ? { execute: execution.onPlan } : {}),
      engine: options.planEngine ?? liquidationPlanEngine,
      ...(config.webhook.url ? { webhookUrl: config.webhook.url } : {}),
      webhookTimeoutMs: config.webhook.timeoutMs,
      log,
    });
    const template = loadTemplateMarket(config.examplesDir);

    let replay: ReplayFeed | undefined;
    let demoBooks: DemoBookKeeper | undefined;
    if (config.feed.enabled && !sources && existsSync(config.feed.dataDir)) {
      const history = loadReplayHistory(config.feed.dataDir);
      if (config.demo) {
        const originals = loadDemoAccounts(config.examplesDir).map((d) => d.portfolio);
        demoBooks = new DemoBookKeeper(originals, rollInputsOf(history, template));
      }
      const resumeAfter = await store.getMeta(REPLAY_META);
      replay = new ReplayFeed({
        history,
        template,
        from: config.feed.from,
        ...(config.feed.to ? { to: config.feed.to } : {}),
        loop: config.feed.loop,
        ...(resumeAfter ? { resumeAfter } : {}),
      });
    } else if (config.feed.enabled && !sources) {
      log(`no price history at ${config.feed.dataDir}: the market stays at the example snapshot`);
    }
    // Demo books roll their expiring options forward (docs/service.md "Demo books").
    const rollDemoBooks = async (asOf: string) => {
      const due = demoBooks?.due(parseIsoToSec(asOf), (id) => service.accounts.get(id)?.portfolio) ?? [];
      for (const book of due) await service.putAccount(book.accountId, { portfolio: book }, "position");
    };
    const step = async () => {
      const next = replay?.next();
      if (!next) return undefined;
      await rollDemoBooks(next.snapshot.asOf);
      const tick = await service.applyMarket(next.snapshot, `replay ${next.date}`);
      await store.setMeta(REPLAY_META, next.date);
      return { seq: tick.seq, asOf: tick.asOf, source: tick.source };
    };
    const feed: FeedControl = { status: () => replay?.status() ?? null, step };

    const live = sources
      ? new LiveChains({ service, sources, template, clockTickMs: config.live.clockTickMs, log })
      : undefined;
    if (live) await live.start();
    else if (!service.market.current) {
      if (!(await step())) await service.applyMarket(template, "example");
    }
    if (config.demo) {
      for (const demo of loadDemoAccounts(config.examplesDir)) {
        if (service.accounts.has(demo.portfolio.accountId)) continue;
        await service.putAccount(demo.portfolio.accountId, demo, "start");
      }
      if (service.market.current) await rollDemoBooks(service.market.current.asOf);
    }
    // Scale-out: the workers hold every account's report; this node shows them as the results stream brings them.
    if (!bus) await service.computeAll("start");

    const version = packageVersion();
    const backtester = new AccountBacktester({
      historyDir: config.feed.dataDir,
      template: { bridges: template.bridges, chains: template.chains },
    });
    const workers =
      config.budget.workers > 0 ? WorkerPool.create(config.budget.workers, config.budget.timeoutMs) : undefined;
    if (workers) service.offloadTicks(tickComputerOf(workers, () => service.rulebook));
    const { app, hub } = await buildHttpServer({
      config,
      service,
      whatIf,
      feed,
      backtester,
      version,
      log,
      ...(workers ? { workers } : {}),
      ...(live ? { live } : {}),
      ...(execution ? { execution } : {}),
    });
    if (workers) app.addHook("onClose", async () => workers.close());
    await app.listen({ host: config.host, port: config.port });
    const address = app.server.address();
    const port = typeof address === "object" && address ? address.port : config.port;
    const url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`;

    if (replay && config.feed.autoStart) {
      replay.start(config.feed.intervalMs, () => {
        step().then(
          (t) => {
            if (t) return;
            replay?.stop();
            log("replay: end of the history; the market stays at the last day");
          },
          (err: unknown) => log(`replay tick failed: ${err instanceof Error ? err.message : String(err)}`),
        );
      });
    }

    let closed = false;
    return {
      config,
      url,
      port,
      generatedApiKey,
      apiKeys,
      service,
      rebalancer,
      store,
      app,
      feed,
      live,
      execution,
      async close() {
        if (closed) return;
        closed = true;
        replay?.stop();
        execution?.close();
        await live?.stop();
        hub.closeAll();
        await app.close();
        await bus?.close();
        await Promise.race([
          Promise.allSettled([...rebalancer.pending]),
          new Promise((resolve) => setTimeout(resolve, config.webhook.timeoutMs).unref()),
        ]);
        await service.idle();
        await store.close();
      },
    };
  } catch (err) {
    await bus?.close();
    await store.close();
    throw err;
  }
}
