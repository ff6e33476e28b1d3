import { sameValues } from "../../core/sameValues.js";
import { LEVEL_STRIDE, qmcScenarios } from "../../risk/qmc/qmcScenarios.js";
import { monteCarloScenarios } from "../../risk/scenarios/monteCarloScenarios.js";
import { applyResidualMarginals } from "../../risk/scenarios/residualMarginals.js";
import type { ScenarioSet } from "../../risk/scenarios/scenarioSet.js";
import { pathWeightTotal } from "../../risk/tailExpectation.js";
import type { XchainConfig } from "./config.js";
import type { FactorModel } from "./riskFactorModel.js";

/**
 * One tick's scenario set and what is derived from it alone: every account and report on the same (factors,
 * covariance, horizon set, simulation config) reads the same paths (common random numbers) and shares the P&L vectors
 * of identical instruments (`vectors`, keyed by everything a vector depends on, bounded by `vectorBytesLeft`).
 */
export interface SharedScenarios {
  set: ScenarioSet;
  /** `pathWeightTotal` of the set's path weights, when it has them: summed once for every tail read off the set. */
  weightTotal?: number;
  /**
   * What the paths depend on, as text (factor names, covariance, horizon points, simulation settings, residual tables):
   * threads that exchange instrument vectors (`VectorPeer`) name the set by it. Absent: a private set, never exchanged.
   */
  inputsText?: string;
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
  stats.vectorsComputed++;
  if (!keep(shared, key, vector, market)) stats.vectorsUnshared++;
}

function keep(shared: SharedScenarios, key: string, vector: Float64Array, market: object): boolean {
  for (const [k, v] of shared.vectors) {
    if (shared.vectorBytesLeft >= vector.byteLength || v.lastMarket === market) break;
    shared.vectors.delete(k);
    shared.vectorBytesLeft += v.vector.byteLength;
  }
  if (shared.vectorBytesLeft < vector.byteLength) return false;
  shared.vectorBytesLeft -= vector.byteLength;
  shared.vectors.set(key, { vector, lastMarket: market });
  return true;
}

/**
 * Other threads' side of the instrument vectors: a venue's workers re-margin different accounts on the same tick and
 * set, so a vector one of them computes serves the others instead of being computed again by each (venue/vectorExchange.ts).
 */
export interface VectorPeer {
  /**
   * The vector under `key` of the set, from another thread (waiting while it computes it), or undefined: this thread
   * computes it into `alloc`'s storage and hands it over with `give`.
   */
  take(shared: SharedScenarios, key: string): Float64Array | undefined;
  /** Storage the other threads can read, for a vector this thread computes. */
  alloc(nPaths: number): Float64Array;
  /** Hands a computed vector over. */
  give(shared: SharedScenarios, key: string, vector: Float64Array): void;
  /** Tells the others that the vectors this thread took on and has not given will not come (its report failed). */
  abandon(): void;
}

let peer: VectorPeer | undefined;

/** Installs this thread's vector peer (a venue worker), or removes it. */
export function setVectorPeer(p: VectorPeer | undefined): void {
  peer = p;
}

/** The vector under `key` from another thread, kept here as if computed here; undefined: compute it here. */
export function peerVector(shared: SharedScenarios, key: string, market: object): Float64Array | undefined {
  const v = peer && shared.inputsText !== undefined ? peer.take(shared, key) : undefined;
  if (v) {
    stats.vectorsReceived++;
    keep(shared, key, v, market);
  }
  return v;
}

/** Storage for a vector of the set computed here: readable by the other threads when they share the set's vectors. */
export function newVector(shared: SharedScenarios, nPaths: number): Float64Array {
  return peer && shared.inputsText !== undefined ? peer.alloc(nPaths) : new Float64Array(nPaths);
}

/** Whether this thread exchanges the set's instrument vectors with others (a venue worker's shared set). */
export function vectorsExchanged(shared: SharedScenarios): boolean {
  return peer !== undefined && shared.inputsText !== undefined;
}

/** Hands a vector computed here to the other threads, if any. */
export function publishVector(shared: SharedScenarios, key: string, vector: Float64Array): void {
  if (peer && shared.inputsText !== undefined) peer.give(shared, key, vector);
}

/** After a report failed: the vectors it was to compute for the other threads will not come (they compute them). */
export function abandonVectors(): void {
  peer?.abandon();
}

/** Scenario sets kept at once (a tick's market with a few horizon sets); least recently used goes first. */
const CACHE_ENTRIES = 4;
/**
 * Memory one set may spend on shared instrument vectors (beyond it, vectors are computed per report): 2,000 vectors
 * of 10,000 paths, room for every listed option of a venue at each chain's horizon.
 */
const VECTOR_BYTES_PER_SET = 160 * 1024 * 1024;
/** Counters since the thread started (benchmarks read them to split a tick's time; never used by the model). */
const stats = { builds: 0, buildMs: 0, vectorsComputed: 0, vectorsUnshared: 0, vectorsReceived: 0 };

/** Counts `n` vectors computed for one report and kept for no other (beyond the budget, or a summed option group's). */
export function countUnkeptVectors(n: number): void {
  stats.vectorsComputed += n;
  stats.vectorsUnshared += n;
}

/**
 * A copy of the counters: scenario sets built (and their time), instrument vectors computed, not kept, and received
 * from another thread.
 */
export function sharedScenarioStats(): Readonly<typeof stats> {
  return { ...stats };
}

/**
 * What a set's paths depend on, copied at its build: factor names, the covariance's values, the horizon points, the
 * simulation settings and (filtered historical) each factor's residual table. Market objects, portfolios and unrelated
 * config (jumps, floors, oracle...) are not in it, so neither a new snapshot object with the same numbers nor an idle
 * parameter defeats the cache.
 */
interface CacheEntry {
  shared: SharedScenarios;
  names: readonly string[];
  covarianceDaily: Float64Array;
  timesDays: Float64Array;
  simulation: XchainConfig["simulation"];
  residualQuantiles: readonly (Float64Array | undefined)[];
}

/**
 * Kept sets, most recently used first. A lookup compares the inputs value by value with each entry (a few entries of
 * a few dozen numbers): a text key held the residual tables' numbers, kilobytes hashed on every report.
 */
const cache: CacheEntry[] = [];

function sameSimulation(a: XchainConfig["simulation"], b: XchainConfig["simulation"]): boolean {
  if (a === b) return true;
  const anti = (x: XchainConfig["simulation"]) => x.sampler === "pseudoRandom" && x.antithetic;
  const nu = (x: XchainConfig["simulation"]) => ("nu" in x.innovations ? x.innovations.nu : 0);
  return (
    a.paths === b.paths &&
    a.seed === b.seed &&
    a.sampler === b.sampler &&
    anti(a) === anti(b) &&
    a.innovations.kind === b.innovations.kind &&
    nu(a) === nu(b) &&
    a.tailCapSd === b.tailCapSd
  );
}

function sameTable(a: Float64Array | undefined, b: Float64Array | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && sameValues(a, b));
}

function matches(
  e: CacheEntry,
  factors: FactorModel,
  timesDays: Float64Array,
  simulation: XchainConfig["simulation"],
): boolean {
  if (!sameSimulation(e.simulation, simulation) || e.names.length !== factors.names.length) return false;
  for (let f = 0; f < e.names.length; f++) if (e.names[f] !== factors.names[f]) return false;
  if (!sameValues(e.timesDays, timesDays) || !sameValues(e.covarianceDaily, factors.covarianceDaily)) return false;
  if (simulation.innovations.kind !== "filteredHistorical") return true;
  for (let f = 0; f < e.names.length; f++)
    if (!sameTable(e.residualQuantiles[f], factors.residualQuantiles[f])) return false;
  return true;
}

/**
 * The text of a set's inputs, from its cache entry's copies: numbers as JavaScript writes them, which reads back to the
 * same bits. Written on first read only (a thread with a vector peer): a backtest's daily sets never need it.
 */
function inputsText(e: Omit<CacheEntry, "shared">): string {
  const tables = e.simulation.innovations.kind === "filteredHistorical" ? e.residualQuantiles : [];
  return JSON.stringify({
    names: e.names,
    covarianceDaily: [...e.covarianceDaily],
    timesDays: [...e.timesDays],
    simulation: e.simulation,
    tables: tables.map((q) => (q ? [...q] : null)),
  });
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
  const k = cache.findIndex((e) => matches(e, factors, timesDays, simulation));
  if (k >= 0) {
    const hit = cache[k]!;
    if (k > 0) {
      cache.splice(k, 1);
      cache.unshift(hit);
    }
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
      ? qmcScenarios({
          ...common,
          factorSlots: factorSlots(factors),
          residualQuantiles: factors.residualQuantiles,
          ...recycled(factors, timesDays, simulation),
        })
      : monteCarloScenarios({
          ...common,
          antithetic: simulation.antithetic,
          layout: "factor-major",
          streams: "perFactor",
        });
  const law = simulation.innovations;
  // (the quasi-random sampler applies the marginals as it draws each column)
  if (law.kind === "filteredHistorical" && simulation.sampler !== "sobol") {
    const sd = factors.covarianceDaily.filter((_, k) => k % (factors.names.length + 1) === 0).map(Math.sqrt);
    applyResidualMarginals(set, sd, factors.residualQuantiles, law.nu, simulation.tailCapSd);
  }
  stats.builds++;
  stats.buildMs += performance.now() - started;
  const inputs = {
    names: factors.names.slice(),
    covarianceDaily: factors.covarianceDaily.slice(),
    timesDays: timesDays.slice(),
    simulation: structuredClone(simulation),
    residualQuantiles: factors.residualQuantiles.map((q) => q?.slice()),
  };
  let text: string | undefined;
  const entry: SharedScenarios = {
    set,
    get inputsText() {
      text ??= inputsText(inputs);
      return text;
    },
    ...(set.weights ? { weightTotal: pathWeightTotal(set.weights) } : {}),
    vectors: new Map(),
    vectorBytesLeft: VECTOR_BYTES_PER_SET,
    seen: new Set(),
  };
  cache.unshift({ shared: entry, ...inputs });
  if (cache.length > CACHE_ENTRIES) retire(cache.pop()!.shared.set);
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
  for (const { shared } of cache) retire(shared.set);
  cache.length = 0;
}
