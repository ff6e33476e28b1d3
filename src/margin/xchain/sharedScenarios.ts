import { sameValues } from "../../core/sameValues.js";
import { LEVEL_STRIDE, qmcScenarios } from "../../risk/qmc/qmcScenarios.js";
import { monteCarloScenarios } from "../../risk/scenarios/monteCarloScenarios.js";
import { applyResidualMarginals } from "../../risk/scenarios/residualMarginals.js";
import type { ScenarioSet } from "../../risk/scenarios/scenarioSet.js";
import type { XchainConfig } from "./config.js";
import type { FactorModel } from "./riskFactorModel.js";

/**
 * One tick's scenario set and what is derived from it alone: every account and report on the same (factors,
 * covariance, horizon set, simulation config) reads the same paths (common random numbers) and shares the P&L vectors
 * of identical instruments (`vectors`, keyed by everything a vector depends on, bounded by `vectorBytesLeft`).
 */
export interface SharedScenarios {
  set: ScenarioSet;
  /** Instrument vectors by key, each with the market object of the tick that last read it. */
  vectors: Map<string, { vector: Float64Array; lastMarket: object }>;
  vectorBytesLeft: number;
  /** Option instruments revalued by a report on the tick of `seenMarket` (the rule of `firstSightOnTick`). */
  seen: Set<string>;
  seenMarket?: object;
}

/**
 * The shared vector under `key`, marked as read on `market`'s tick, or undefined. A vector keyed by prices (an
 * option's) is only read again on a tick with the same prices; the mark lets `keepVector` drop the stale ones.
 */
export function sharedVector(shared: SharedScenarios, key: string, market: object): Float64Array | undefined {
  const hit = shared.vectors.get(key);
  if (!hit) return undefined;
  if (hit.lastMarket !== market) {
    // first read on this tick: to the back of the map, which is thus ordered from least recently read
    shared.vectors.delete(key);
    shared.vectors.set(key, hit);
    hit.lastMarket = market;
  }
  return hit.vector;
}

/**
 * True the first time `key` is asked for on `market`'s tick (and it is then marked seen); a new tick forgets the last
 * one's. An instrument seen before is held by another report on the tick, where a vector of its own, kept, pays.
 */
export function firstSightOnTick(shared: SharedScenarios, key: string, market: object): boolean {
  if (shared.seenMarket !== market) {
    shared.seen.clear();
    shared.seenMarket = market;
  }
  if (shared.seen.has(key)) return false;
  shared.seen.add(key);
  return true;
}

/**
 * Keeps a computed vector for the tick's other reports. When the set's budget is spent, the least recently read vectors
 * not read on this tick (`market`) go first: without that, the vectors of earlier ticks' prices filled the budget after a few
 * ticks and every report recomputed its options (4-5x the cost of a tick). Counted for the benchmarks.
 */
export function keepVector(shared: SharedScenarios, key: string, vector: Float64Array, market: object): void {
  for (const [k, v] of shared.vectors) {
    if (shared.vectorBytesLeft >= vector.byteLength || v.lastMarket === market) break;
    shared.vectors.delete(k);
    shared.vectorBytesLeft += v.vector.byteLength;
  }
  const kept = shared.vectorBytesLeft >= vector.byteLength;
  if (!kept) {
    countUnkeptVectors(1);
    return;
  }
  stats.vectorsComputed++;
  shared.vectorBytesLeft -= vector.byteLength;
  shared.vectors.set(key, { vector, lastMarket: market });
}

/** Scenario sets kept at once (a tick's market with a few horizon sets); least recently used goes first. */
const CACHE_ENTRIES = 4;
/**
 * Memory one set may spend on shared instrument vectors (beyond it, vectors are computed per report): 2,000 vectors
 * of 10,000 paths, room for every listed option of a venue at each chain's horizon.
 */
const VECTOR_BYTES_PER_SET = 160 * 1024 * 1024;
/** Counters since the thread started (benchmarks read them to split a tick's time; never used by the model). */
const stats = { builds: 0, buildMs: 0, vectorsComputed: 0, vectorsUnshared: 0 };

/** Counts `n` vectors computed for one report and kept for no other (beyond the budget, or a summed option group's). */
export function countUnkeptVectors(n: number): void {
  stats.vectorsComputed += n;
  stats.vectorsUnshared += n;
}

/** A copy of the counters: scenario sets built (and their time), instrument vectors computed and not kept. */
export function sharedScenarioStats(): Readonly<typeof stats> {
  return { ...stats };
}

/** Entries with the covariance each set was drawn with (a copy), to check a hit against. */
const cache = new Map<string, { shared: SharedScenarios; covarianceDaily: Float64Array }>();

/** A residual table's text in the key, made once per table (a tick's reports share the snapshot's tables). */
const tableKeys = new WeakMap<Float64Array, string>();
function tableKey(q: Float64Array | undefined): string {
  if (!q) return "";
  let key = tableKeys.get(q);
  if (key === undefined) {
    key = q.join(";");
    tableKeys.set(q, key);
  }
  return key;
}

/**
 * The key holds exactly what the paths depend on: factor names, the covariance's values, the horizon points and the
 * simulation settings. Market objects, portfolios and unrelated config (jumps, floors, oracle...) are not in it, so
 * neither a new snapshot object with the same numbers nor an idle parameter defeats the cache. The covariance enters
 * as a hash of its bits (formatting its numbers cost more than the rest of a report's lookup); a hit is then checked
 * against the entry's own copy, value by value.
 */
function keyOf(factors: FactorModel, timesDays: Float64Array, simulation: XchainConfig["simulation"]): string {
  const { paths, seed, sampler, innovations, tailCapSd, antithetic } = simulation;
  const law =
    innovations.kind === "studentT"
      ? `t${innovations.nu}`
      : innovations.kind === "filteredHistorical"
        ? `fhs${innovations.nu}:${factors.residualQuantiles.map(tableKey).join("/")}`
        : "n";
  const anti = sampler === "pseudoRandom" && antithetic ? "a" : "";
  return `${factors.names.join(",")}#${bitsHash(factors.covarianceDaily)}#${timesDays.join(",")}#${sampler}${anti}|${paths}|${seed}|${law}|${tailCapSd}`;
}

/** FNV-1a over the 32-bit words of a Float64Array's values. */
function bitsHash(values: Float64Array): string {
  const words = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  let h = 0x811c9dc5;
  for (let i = 0; i < words.length; i++) {
    h ^= words[i]!;
    h = Math.imul(h, 0x01000193);
  }
  return `${values.length}:${(h >>> 0).toString(36)}`;
}

/** FNV-1a of a name, to give an unmodelled underlying a Sobol slot of its own. */
function nameHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Sobol slot of each factor: its index for the market's factors (a fixed order), and a slot from its name past the
 * table for an unmodelled underlying (they are inserted by name, so a new one would shift the others' indices).
 */
function factorSlots(factors: FactorModel): Int32Array {
  return Int32Array.from(factors.names, (name, k) =>
    factors.unmodelled.has(name) ? LEVEL_STRIDE + (nameHash(name) % 50_000) : k,
  );
}

/** The shared scenarios of a report: from the cache, or built once and cached. */
export function sharedScenarios(
  factors: FactorModel,
  timesDays: Float64Array,
  simulation: XchainConfig["simulation"],
): SharedScenarios {
  const key = keyOf(factors, timesDays, simulation);
  const hit = cache.get(key);
  if (hit && sameValues(hit.covarianceDaily, factors.covarianceDaily)) {
    cache.delete(key);
    cache.set(key, hit);
    return hit.shared;
  }
  const started = performance.now();
  const common = {
    factorNames: factors.names,
    covarianceDaily: factors.covarianceDaily,
    timesDays,
    nScenarios: simulation.paths,
    seed: simulation.seed,
    innovations: simulation.innovations,
    capSd: simulation.tailCapSd,
  };
  const set =
    simulation.sampler === "sobol"
      ? qmcScenarios({ ...common, factorSlots: factorSlots(factors), ...recycled(factors, timesDays, simulation) })
      : monteCarloScenarios({
          ...common,
          antithetic: simulation.antithetic,
          layout: "factor-major",
          streams: "perFactor",
        });
  const law = simulation.innovations;
  if (law.kind === "filteredHistorical") {
    const sd = factors.covarianceDaily.filter((_, k) => k % (factors.names.length + 1) === 0).map(Math.sqrt);
    applyResidualMarginals(set, sd, factors.residualQuantiles, law.nu, simulation.tailCapSd);
  }
  stats.builds++;
  stats.buildMs += performance.now() - started;
  const entry: SharedScenarios = { set, vectors: new Map(), vectorBytesLeft: VECTOR_BYTES_PER_SET, seen: new Set() };
  cache.delete(key);
  cache.set(key, { shared: entry, covarianceDaily: factors.covarianceDaily.slice() });
  if (cache.size > CACHE_ENTRIES) {
    const oldest = cache.keys().next().value!;
    retire(cache.get(oldest)!.shared.set);
    cache.delete(oldest);
  }
  return entry;
}

/**
 * Path arrays of the last set dropped from the cache, for the next build of the same size. Safe: a set is only read
 * during a report (computeXchain copies what its report keeps), and a set leaves the cache only when another is built.
 */
let spare: { gaussian: Float64Array; logReturns: Float64Array } | undefined;

function retire(set: ScenarioSet): void {
  if ("gaussian" in set && set.gaussian instanceof Float64Array)
    spare = { gaussian: set.gaussian, logReturns: set.logReturns };
}

/** The spare arrays when they fit the set about to be built (taken: a set's arrays serve one set at a time). */
function recycled(
  factors: FactorModel,
  timesDays: Float64Array,
  simulation: XchainConfig["simulation"],
): { recycle?: { gaussian: Float64Array; logReturns: Float64Array } } {
  const size = factors.names.length * timesDays.length * simulation.paths;
  if (!spare || spare.logReturns.length !== size) return {};
  const recycle = spare;
  spare = undefined;
  return { recycle };
}

/** Empties the cache (benchmarks of the cold path; tests). */
export function clearSharedScenarios(): void {
  for (const { shared } of cache.values()) retire(shared.set);
  cache.clear();
}
