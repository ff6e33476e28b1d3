import { readFileSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { BatchGridEngine } from "../src/margin/batch/batchGridEngine.js";
import { onboardAccounts } from "../src/margin/batch/onboardAccounts.js";
import { ShardedBatchGridEngine } from "../src/margin/batch/shardedBatchGridEngine.js";
import { computeGridPm } from "../src/margin/gridPm/computeGridPm.js";
import type { GridPmConfig } from "../src/margin/gridPm/config.js";
import type { ResolvedMarket } from "../src/margin/resolve/resolvedMarket.js";
import type { ResolvedPortfolio } from "../src/margin/resolve/resolvedPortfolio.js";
import { resolveMarket } from "../src/margin/resolve/resolveMarket.js";
import { resolveMarginConfig } from "../src/margin/resolveConfig.js";
import type { UnderlyingState } from "../src/pricing/types.js";
import { type Black76Backend, black76Backend, setBlack76Backend } from "../src/pricing/wasm/black76Simd.js";
import { marketSnapshotSchema } from "../src/schema/marketSnapshot.js";
import type { PortfolioInput } from "../src/schema/portfolio.js";
import { generateAccounts } from "./generateAccounts.js";
import { emit, measure, measureAsync, measureOnce, type Sample, summarize } from "./measure.js";

const SYMBOLS = ["BTC", "ETH", "SOL"];
/** Accounts added, replaced and removed one at a time in the update benchmark. */
const N_UPDATES = 2_000;

export interface GridBenchOptions {
  /** Number of generated accounts (100,000 by default). */
  accounts: number;
  /** Sections to run: onboarding, straightforward, batch, options. */
  sections: ReadonlySet<string>;
}

/** A full garbage collection (the bench runs without --expose-gc, so the flag is set at run time). */
function collectGarbage(): () => void {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  return () => {
    gc();
    gc();
  };
}

function stateOf(market: ResolvedMarket, symbol: string): UnderlyingState {
  const u = market.underlyings.get(symbol)!;
  return { spotUsd: u.spotUsd, carryRateAnnual: u.carryRateAnnual, riskFreeRateAnnual: u.riskFreeRateAnnual };
}

/** Ticks alternating +0.1% and back, so every measured tick is a real change and the state ends where it began. */
function tickAlternating(market: ResolvedMarket, symbol: string): (k: number) => UnderlyingState {
  const base = stateOf(market, symbol);
  return (k) => ({ ...base, spotUsd: k % 2 === 0 ? base.spotUsd * 1.001 : base.spotUsd });
}

/**
 * Worst case for instrument sharing: every option's strike nudged apart (by 0.001 USD x account + 1e-6 USD x
 * position), so no two options share an instrument and a tick prices every option of the underlying with Black-76.
 */
function everyOptionItsOwnInstrument(docs: readonly PortfolioInput[]): PortfolioInput[] {
  return docs.map((d, a) => ({
    ...d,
    positions: (d.positions ?? []).map((p, i) =>
      p.kind === "option" ? { ...p, strike: (Number(p.strike) + 0.001 * a + 1e-6 * i).toFixed(6) } : p,
    ),
  }));
}

const perAccountUs = (ms: number, n: number) => Number(((ms * 1e3) / n).toFixed(2));

/**
 * Grid re-margin of a venue: bulk onboarding and account updates; the straightforward path (`computeGridPm` per
 * account); the batch engine cold, per tick, on 1 and 2 threads, and its memory; the every-option-its-own-instrument
 * tick on 1 and 2 threads.
 */
export async function benchBatchRemargin(marketFile: string, options: GridBenchOptions): Promise<void> {
  const n = options.accounts;
  const tag = n % 1000 === 0 ? `${n / 1000}k` : String(n);
  const has = (s: string) => options.sections.has(s);
  const market = resolveMarket(marketSnapshotSchema.parse(JSON.parse(readFileSync(marketFile, "utf8"))));
  const config = resolveMarginConfig({ model: "grid" }) as GridPmConfig;
  const docs = generateAccounts(n, 2024);

  if (["onboarding", "straightforward", "batch"].some(has)) await benchResolved(docs, market, config, tag, has);
  if (has("options")) await benchOwnInstruments(docs, market, config, tag);
}

/** The sections that start from resolved portfolios (onboarded once, single-threaded). */
async function benchResolved(
  docs: readonly PortfolioInput[],
  market: ResolvedMarket,
  config: GridPmConfig,
  tag: string,
  has: (section: string) => boolean,
): Promise<void> {
  const gc = collectGarbage();
  const n = docs.length;
  if (has("onboarding")) {
    // Bulk onboarding (documents straight into the columns, `bulkResolve`), measured first, while no resolved
    // accounts are alive; the two-step lines below (parse_resolve + layout) are its reference in the same run.
    let nBuilt = 0;
    const c0 = process.cpuUsage();
    const bulk = summarize(
      measure(
        () => {
          nBuilt = BatchGridEngine.fromDocuments(docs, market, config).nAccounts;
        },
        5,
        { minCalls: 1, warmupMs: 0 },
      ),
    );
    const cpu = process.cpuUsage(c0);
    emit({
      bench: `grid_onboarding_${tag}_bulk`,
      threads: 1,
      accounts: nBuilt,
      ...bulk,
      usPerAccountMin: perAccountUs(bulk.minMs, n),
      usPerAccount: perAccountUs(bulk.medianMs, n),
      usPerAccountP90: perAccountUs(bulk.p90Ms, n),
      cpuUsPerAccount: Number(((cpu.user + cpu.system) / (6 * n)).toFixed(2)),
      targetUsPerAccount: 30,
    });
    gc();
    // The same on 2 workers: each parses, validates, resolves and lays out its shard. Its documents reach it as one
    // JSON text (the default) or structured-cloned, both measured here.
    for (const documentsAs of ["json", "clone"] as const) {
      await benchBuilds(`grid_onboarding_${tag}_bulk`, n, { threads: 2, documentsAs }, async () => {
        await (await ShardedBatchGridEngine.fromDocuments(docs, market, config, { documentsAs })).close();
      });
      gc();
    }
    // Documents that arrive as text (JSON lines: a store export, a request body): 1 thread parses them all and
    // onboards; 2 workers each parse and onboard their own lines, nothing parsed on the main thread.
    const lines = docs.map((d) => JSON.stringify(d)).join("\n");
    await benchBuilds(`grid_onboarding_${tag}_bulk_from_lines`, n, { threads: 1 }, async () =>
      BatchGridEngine.fromDocuments(
        lines.split("\n").map((l) => JSON.parse(l)),
        market,
        config,
      ),
    );
    gc();
    await benchBuilds(`grid_onboarding_${tag}_bulk_from_lines`, n, { threads: 2 }, async () => {
      await (await ShardedBatchGridEngine.fromDocumentLines(lines, market, config)).close();
    });
    gc();
  }
  const onboard = measureOnce(() => onboardAccounts(docs, market));
  const portfolios = onboard.value;
  const nItems = portfolios.reduce((s, p) => s + p.items.length, 0);
  emit({
    bench: `grid_onboarding_${tag}_parse_resolve`,
    threads: 1,
    accounts: n,
    items: nItems,
    ...onboard.summary,
    usPerAccount: perAccountUs(onboard.summary.medianMs, n),
    targetUsPerAccount: 30,
  });

  if (has("straightforward")) {
    const straight = measureOnce(() => portfolios.map((p) => computeGridPm(p, market, config)));
    emit({
      bench: `grid_remargin_${tag}_straightforward`,
      accounts: n,
      ...straight.summary,
      usPerAccount: perAccountUs(straight.summary.medianMs, n),
    });
    if (has("batch")) {
      const engine = new BatchGridEngine(portfolios, market, config);
      engine.computeAll();
      let mismatches = 0;
      straight.value.forEach((r, a) => {
        if (
          r.initialMarginUsd !== engine.initialMarginUsd[a] ||
          r.collateralValueUsd !== engine.collateralValueUsd[a]
        ) {
          mismatches++;
        }
      });
      emit({ bench: `grid_batch_${tag}_identical_to_computeGridPm`, identical: mismatches === 0, mismatches });
    }
  }

  let referenceIm: Float64Array | undefined;
  if (has("batch") || has("onboarding")) {
    gc();
    const memBefore = process.memoryUsage();
    const build = measureOnce(() => new BatchGridEngine(portfolios, market, config));
    const engine = build.value;
    emit({
      bench: `grid_onboarding_${tag}_layout`,
      threads: 1,
      ...build.summary,
      usPerAccount: perAccountUs(build.summary.medianMs, n),
    });
    engine.computeAll();
    gc();
    const memAfter = process.memoryUsage();
    const heapBytes = memAfter.heapUsed + memAfter.arrayBuffers - (memBefore.heapUsed + memBefore.arrayBuffers);
    const cold = summarize(measure(() => engine.computeAll(), 9));
    emit({ bench: `grid_remargin_${tag}_batch_cold`, threads: 1, ...cold, shape: engine.shape() });
    emit({
      bench: "grid_batch_memory_per_account",
      accounts: n,
      itemsPerAccount: Number((nItems / n).toFixed(2)),
      typedArrayBytesPerAccount: Math.round(engine.stateBytes() / n),
      heapAndArrayBufferBytesPerAccount: Math.round(heapBytes / n),
    });
    if (has("batch")) {
      benchTicks(engine, market, `grid_remargin_${tag}_tick`);
      referenceIm = engine.initialMarginUsd.slice();
    }
    if (has("onboarding")) {
      const extra = addedAccounts(market);
      await benchAccountUpdates(engine, extra, 1, async (fn) => measure(fn, N_UPDATES - 200, UPDATE_WARMUP));
      // The same on 2 workers, beside it: each update is a round trip to the worker holding (or getting) the account.
      const sharded = await ShardedBatchGridEngine.fromDocuments(docs, market, config);
      try {
        await sharded.computeAll();
        await benchAccountUpdates(sharded, extra, 2, (fn) =>
          measureAsync(async () => void (await fn()), N_UPDATES - 200, UPDATE_WARMUP),
        );
      } finally {
        await sharded.close();
      }
    }
  }

  if (has("batch")) {
    const engine = await ShardedBatchGridEngine.fromDocuments(docs, market, config);
    try {
      if (has("batch")) {
        emit({
          bench: `grid_remargin_${tag}_batch_cold`,
          threads: 2,
          ...summarize(await measureAsync(() => engine.computeAll(), 9)),
        });
        await benchShardedTicks(engine, market, `grid_remargin_${tag}_tick`);
        // Same state on both after the tick series: the workers' results must be the single-threaded engine's.
        let mismatches = 0;
        for (let a = 0; a < n; a++) if (engine.initialMarginUsd[a] !== referenceIm?.[a]) mismatches++;
        emit({ bench: "grid_batch_workers_identical", threads: 2, identical: mismatches === 0, mismatches });
      }
    } finally {
      await engine.close();
    }
  }
}

function benchTicks(engine: BatchGridEngine, market: ResolvedMarket, name: string, symbols = SYMBOLS): void {
  for (const symbol of symbols) {
    const next = tickAlternating(market, symbol);
    let k = 0;
    let stats = engine.tick(symbol, next(k++));
    const sample = measure(() => {
      stats = engine.tick(symbol, next(k++));
    }, 40);
    if (k % 2 === 1) engine.tick(symbol, next(k++));
    emit({ bench: `${name}_${symbol}`, threads: 1, ...summarize(sample), ...stats });
  }
}

async function benchShardedTicks(
  engine: ShardedBatchGridEngine,
  market: ResolvedMarket,
  name: string,
  symbols = SYMBOLS,
): Promise<void> {
  for (const symbol of symbols) {
    const next = tickAlternating(market, symbol);
    let k = 0;
    const sample = await measureAsync(() => engine.tick(symbol, next(k++)), 40);
    if (k % 2 === 1) await engine.tick(symbol, next(k++));
    emit({ bench: `${name}_${symbol}`, threads: 2, ...summarize(sample) });
  }
}

/**
 * An engine build timed 3 times after 1 warm-up, per account: wall min / median / p90, and the process's CPU time
 * over the 4 builds (all threads, so the workers' too), which the load moves far less than the wall time.
 */
async function benchBuilds(bench: string, n: number, tags: object, build: () => Promise<unknown>): Promise<void> {
  const c0 = process.cpuUsage();
  const sample = summarize(await measureAsync(build, 3, { minCalls: 1, warmupMs: 0 }));
  const cpu = process.cpuUsage(c0);
  emit({
    bench,
    ...tags,
    ...sample,
    usPerAccountMin: perAccountUs(sample.minMs, n),
    usPerAccount: perAccountUs(sample.medianMs, n),
    usPerAccountP90: perAccountUs(sample.p90Ms, n),
    cpuUsPerAccount: Number(((cpu.user + cpu.system) / (4 * n)).toFixed(2)),
    targetUsPerAccount: 30,
  });
}

/** Accounts for the update benchmark (one more than timed: the first add is timed alone), with new ids. */
function addedAccounts(market: ResolvedMarket): ResolvedPortfolio[] {
  return onboardAccounts(generateAccounts(N_UPDATES + 1, 77), market).map((p, k) => ({
    ...p,
    accountId: `added-${k}`,
  }));
}

const UPDATE_WARMUP = { minCalls: 200, warmupMs: 0 };

/**
 * Add, replace and remove accounts one at a time in the full engine (each re-margined at once). The first add is
 * timed alone: the engine's result columns are full after a build, so it doubles them (on 2 workers: a new shared
 * buffer every worker moves its results to).
 */
async function benchAccountUpdates(
  engine: BatchGridEngine | ShardedBatchGridEngine,
  extra: readonly ResolvedPortfolio[],
  threads: number,
  time: (fn: () => unknown) => Promise<Sample>,
): Promise<void> {
  const us = (ms: number) => Number((ms * 1e3).toFixed(2));
  const t0 = performance.now();
  await engine.addAccount(extra[0]!);
  const firstAddMs = Number((performance.now() - t0).toFixed(2));
  let k = 1;
  const add = summarize(await time(() => engine.addAccount(extra[k++]!)));
  emit({ bench: "grid_batch_add_account", threads, ...add, usPerAccount: us(add.medianMs), firstAddMs });
  const replacements = extra.map((p, j) => ({ ...extra[(j + 1) % extra.length]!, accountId: p.accountId }));
  k = 0;
  const replace = summarize(await time(() => engine.replaceAccount(replacements[k++]!)));
  emit({ bench: "grid_batch_replace_account", threads, ...replace, usPerAccount: us(replace.medianMs) });
  k = 0;
  const remove = summarize(await time(() => engine.removeAccount(extra[k++]!.accountId)));
  emit({ bench: "grid_batch_remove_account", threads, ...remove, usPerAccount: us(remove.medianMs) });
}

/** Process CPU time (all threads) per call of `fn` over `calls` calls, ms: moves much less with the load than wall. */
async function cpuMsPerCall(fn: () => unknown, calls: number): Promise<number> {
  const t0 = process.cpuUsage();
  for (let i = 0; i < calls; i++) await fn();
  const d = process.cpuUsage(t0);
  return Number(((d.user + d.system) / 1e3 / calls).toFixed(1));
}

/**
 * Every option its own instrument: the BTC tick on 1 thread and on 2 workers, once with the JS Black-76 and once with
 * the WASM SIMD kernel (`setBlack76Backend`; workers started after the switch follow it), in the same run.
 */
async function benchOwnInstruments(
  docs: readonly PortfolioInput[],
  market: ResolvedMarket,
  config: GridPmConfig,
  tag: string,
): Promise<void> {
  const distinct = everyOptionItsOwnInstrument(docs);
  const name = `grid_remargin_${tag}_tick_BTC_no_shared_instruments`;
  const target = tag === "1000k" ? 1_500 : tag === "100k" ? 150 : undefined;
  const backends: Black76Backend[] = ["js", "wasm"];
  // Single-threaded up to 200k accounts; beyond, only the workers (the resolved accounts would take several GB).
  if (docs.length <= 200_000) {
    // Streamed onboarding: no resolved accounts left for the garbage collector to sweep during the measured ticks.
    const engine = BatchGridEngine.fromDocuments(distinct, market, config);
    engine.computeAll();
    let nScen = 0;
    for (let a = 0; a < engine.nAccounts && nScen === 0; a++) nScen = engine.scenarioPnl(a, "BTC")?.pnlUsd.length ?? 0;
    const next = tickAlternating(market, "BTC");
    let k = 0;
    for (const backend of backends) {
      setBlack76Backend(backend);
      let stats = engine.tick("BTC", next(k++));
      const sample = measure(
        () => {
          stats = engine.tick("BTC", next(k++));
        },
        10,
        { minCalls: 2, warmupMs: 2_000 },
      );
      const summary = summarize(sample);
      const cpuMs = await cpuMsPerCall(() => engine.tick("BTC", next(k++)), 3);
      // Each instrument is priced nScen + 1 times per tick (its scenarios and its base).
      const prices = stats.instrumentsRevalued * (nScen + 1);
      emit({
        bench: name,
        threads: 1,
        black76: black76Backend(),
        ...summary,
        cpuMsPerTick: cpuMs,
        nsPerPriceAtMin: Number(((summary.minMs * 1e6) / prices).toFixed(1)),
        nsPerPriceCpu: Number(((cpuMs * 1e6) / prices).toFixed(1)),
        targetMs: target,
        ...stats,
      });
    }
  }
  for (const backend of backends) {
    setBlack76Backend(backend);
    const t0 = performance.now();
    const sharded = await ShardedBatchGridEngine.fromDocuments(distinct, market, config);
    const onboardMs = performance.now() - t0;
    try {
      await sharded.computeAll();
      // Process RSS (main thread and workers), and what the workers' engines hold in typed arrays.
      const rssMb = Math.round(process.memoryUsage().rss / 2 ** 20);
      const stateMb = Math.round(sharded.workerStateBytes.reduce((x, y) => x + y, 0) / 2 ** 20);
      const next = tickAlternating(market, "BTC");
      let k = 0;
      const sample = await measureAsync(() => sharded.tick("BTC", next(k++)), 10, { minCalls: 2, warmupMs: 2_000 });
      const cpuMs = await cpuMsPerCall(() => sharded.tick("BTC", next(k++)), 3);
      emit({
        bench: name,
        threads: 2,
        black76: backend,
        ...summarize(sample),
        cpuMsPerTick: cpuMs,
        targetMs: target,
        onboardingUsPerAccount: perAccountUs(onboardMs, docs.length),
        rssMb,
        engineStateMb: stateMb,
      });
    } finally {
      await sharded.close();
    }
  }
  setBlack76Backend("wasm");
}
