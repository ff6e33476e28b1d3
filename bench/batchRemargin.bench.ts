import { readFileSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { BatchGridEngine } from "../src/margin/batch/batchGridEngine.js";
import { ShardedBatchGridEngine } from "../src/margin/batch/shardedBatchGridEngine.js";
import { computeGridPm } from "../src/margin/gridPm/computeGridPm.js";
import type { GridPmConfig } from "../src/margin/gridPm/config.js";
import type { ResolvedMarket } from "../src/margin/resolve/resolvedMarket.js";
import type { ResolvedPortfolio } from "../src/margin/resolve/resolvedPortfolio.js";
import { resolveMarket } from "../src/margin/resolve/resolveMarket.js";
import { resolvePortfolio } from "../src/margin/resolve/resolvePortfolio.js";
import { resolveMarginConfig } from "../src/margin/resolveConfig.js";
import type { UnderlyingState } from "../src/pricing/types.js";
import { marketSnapshotSchema } from "../src/schema/marketSnapshot.js";
import { portfolioSchema } from "../src/schema/portfolio.js";
import { generateAccounts } from "./generateAccounts.js";
import { emit, measure, measureAsync, summarize } from "./measure.js";

const N_ACCOUNTS = 100_000;
const SYMBOLS = ["BTC", "ETH", "SOL"];

/** A full garbage collection (the bench runs without --expose-gc, so the flag is set at run time). */
function collectGarbage(): () => void {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  return () => {
    gc();
    gc();
  };
}

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

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
 * (d) Re-margin of 100k accounts with the grid model: straightforward (`computeGridPm` per account), cold batch,
 * incremental tick of one underlying, both single-threaded and on worker threads; (e) memory per account.
 */
export async function benchBatchRemargin(marketFile: string): Promise<void> {
  const gc = collectGarbage();
  const market = resolveMarket(marketSnapshotSchema.parse(JSON.parse(readFileSync(marketFile, "utf8"))));
  const config = resolveMarginConfig({ model: "grid" }) as GridPmConfig;

  let t0 = process.hrtime.bigint();
  const portfolios = generateAccounts(N_ACCOUNTS, 2024).map((d) => resolvePortfolio(portfolioSchema.parse(d), market));
  const resolveMs = ms(t0);
  const nItems = portfolios.reduce((s, p) => s + p.items.length, 0);

  // Straightforward path, once over all accounts: the reference the batch engine must equal.
  t0 = process.hrtime.bigint();
  const reference = portfolios.map((p) => computeGridPm(p, market, config));
  const straightMs = ms(t0);
  emit({
    bench: "grid_remargin_100k_straightforward",
    accounts: N_ACCOUNTS,
    items: nItems,
    resolveMs: Math.round(resolveMs),
    totalMs: Math.round(straightMs),
    usPerAccount: Number(((straightMs * 1e3) / N_ACCOUNTS).toFixed(2)),
  });

  gc();
  const memBefore = process.memoryUsage();
  t0 = process.hrtime.bigint();
  const engine = new BatchGridEngine(portfolios, market, config);
  const buildMs = ms(t0);
  engine.computeAll();
  gc();
  const memAfter = process.memoryUsage();
  const heapBytes = memAfter.heapUsed + memAfter.arrayBuffers - (memBefore.heapUsed + memBefore.arrayBuffers);
  let mismatches = 0;
  reference.forEach((r, a) => {
    if (r.initialMarginUsd !== engine.initialMarginUsd[a] || r.collateralValueUsd !== engine.collateralValueUsd[a]) {
      mismatches++;
    }
  });
  const shape = engine.shape();
  const cold = summarize(measure(() => engine.computeAll(), 7, 1));
  emit({
    bench: "grid_remargin_100k_batch_cold",
    accounts: N_ACCOUNTS,
    buildMs: Math.round(buildMs),
    ...cold,
    speedupVsStraightforward: Number((straightMs / cold.medianMs).toFixed(1)),
    identicalToComputeGridPm: mismatches === 0,
    mismatches,
    shape,
  });

  const stateBytes = engine.stateBytes();
  emit({
    bench: "grid_batch_memory_per_account",
    accounts: N_ACCOUNTS,
    itemsPerAccount: Number((nItems / N_ACCOUNTS).toFixed(2)),
    typedArrayBytesPerAccount: Math.round(stateBytes / N_ACCOUNTS),
    heapAndArrayBufferBytesPerAccount: Math.round(heapBytes / N_ACCOUNTS),
    resolvedPortfolioHeapNote: "excluded: the engine keeps only account ids besides its typed arrays",
  });

  for (const symbol of SYMBOLS) {
    const next = tickAlternating(market, symbol);
    let k = 0;
    let stats = engine.tick(symbol, next(k++));
    const times = measure(
      () => {
        stats = engine.tick(symbol, next(k++));
      },
      40,
      4,
    );
    if (k % 2 === 1) engine.tick(symbol, next(k++));
    emit({
      bench: `grid_remargin_100k_tick_${symbol}`,
      threads: 1,
      ...summarize(times),
      targetMs: 100,
      ...stats,
    });
  }

  // Worker threads: same accounts, sharded in two.
  const sharded = await ShardedBatchGridEngine.create(portfolios, market, config, { workers: 2 });
  try {
    const coldW = summarize(await measureAsync(() => sharded.computeAll(), 7, 1));
    emit({ bench: "grid_remargin_100k_batch_cold", threads: 2, ...coldW });
    for (const symbol of SYMBOLS) {
      const next = tickAlternating(market, symbol);
      let k = 0;
      const times = await measureAsync(() => sharded.tick(symbol, next(k++)), 40, 4);
      if (k % 2 === 1) await sharded.tick(symbol, next(k++));
      emit({ bench: `grid_remargin_100k_tick_${symbol}`, threads: 2, ...summarize(times), targetMs: 100 });
    }
    // Same state on both: the workers' results must be the single-threaded engine's.
    let diff = 0;
    for (let a = 0; a < N_ACCOUNTS; a++) {
      if (sharded.initialMarginUsd[a] !== engine.initialMarginUsd[a]) diff++;
    }
    emit({ bench: "grid_batch_workers_identical", threads: 2, identical: diff === 0, mismatches: diff });
  } finally {
    await sharded.close();
  }
  benchDistinctInstruments(market, config, portfolios);
}

/**
 * Worst case for instrument sharing: the same accounts with every option's strike nudged apart (by 0.001 USD x
 * account + 1e-6 USD x item, vols kept), so no two options share an instrument and a tick revalues every option of
 * the underlying with Black-76.
 */
function benchDistinctInstruments(market: ResolvedMarket, config: GridPmConfig, portfolios: ResolvedPortfolio[]): void {
  const distinct = portfolios.map((p, a) => ({
    ...p,
    items: p.items.map((item, i) =>
      item.priced.kind === "option"
        ? { ...item, priced: { ...item.priced, strikeUsd: item.priced.strikeUsd + 0.001 * a + 1e-6 * i } }
        : item,
    ),
  }));
  const engine = new BatchGridEngine(distinct, market, config);
  engine.computeAll();
  const next = tickAlternating(market, "BTC");
  let k = 0;
  let stats = engine.tick("BTC", next(k++));
  const times = measure(
    () => {
      stats = engine.tick("BTC", next(k++));
    },
    6,
    1,
  );
  emit({
    bench: "grid_remargin_100k_tick_BTC_no_shared_instruments",
    threads: 1,
    ...summarize(times),
    targetMs: 100,
    ...stats,
  });
}
