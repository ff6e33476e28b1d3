import type { Flag } from "../../core/flags.js";
import { sameValues } from "../../core/sameValues.js";
import { basisFactorOf, fallbackBasisFactorOf } from "../../market/tokenRiskFactors.js";
import { impliedVol } from "../../pricing/volSurface.js";
import { nearestCorrelation } from "../../risk/nearestCorrelation.js";
import type { ResolvedMarket } from "../resolve/resolvedMarket.js";
import type { ResolvedItem } from "../resolve/resolvedPortfolio.js";
import type { XchainConfig } from "./config.js";

/** Factors of one report and the indices each item reads. */
export interface FactorModel {
  names: string[];
  /** Daily covariance, row-major. */
  covarianceDaily: Float64Array;
  volsDaily: Float64Array;
  /** Current vols before the anti-procyclicality floor (= volsDaily for factors without one): backtesting only. */
  backtestVolsDaily: Float64Array;
  /** Per factor: its standardised-residual quantiles from the snapshot (filtered historical simulation), or undefined. */
  residualQuantiles: (Float64Array | undefined)[];
  /**
   * Per factor: an implied-vol factor's response to its underlying's move (impliedVolMove.ts), the snapshot's estimate
   * or else `impliedVol.moveResponse`; 0 for other factors.
   */
  moveResponse: Float64Array;
  /** Per item: index of its price factor, or -1 (USD). */
  priceFactor: Int32Array;
  /** Per item: index of its basis factor, or -1. */
  basisFactor: Int32Array;
  /** Per item: index of its implied-vol factor, or -1 (non-options). */
  volFactor: Int32Array;
  /** Underlyings with no vol/correlation in the snapshot: margined standalone, without diversification. */
  unmodelled: Set<string>;
  /** Factors some item reads (1); the others are simulated only to keep the paths stable. */
  used: Uint8Array;
  flags: Flag[];
}

const SQRT_DAYS_PER_YEAR = Math.sqrt(365);

/**
 * Correlations already repaired, by content: every report of a tick builds the same matrix from the snapshot, and the
 * repair (alternating projections, an eigendecomposition each) would otherwise run per report. A hit is checked
 * value by value, so a changed matrix is never answered from the cache.
 */
const repairs: Array<{ input: Float64Array; result: ReturnType<typeof nearestCorrelation> }> = [];
const REPAIRS_KEPT = 8;

function repairedCorrelation(corr: Float64Array, m: number): ReturnType<typeof nearestCorrelation> {
  const hit = repairs.find((r) => sameValues(r.input, corr));
  if (hit) return hit.result;
  const result = nearestCorrelation(corr, m);
  repairs.unshift({ input: corr.slice(), result });
  if (repairs.length > REPAIRS_KEPT) repairs.pop();
  return result;
}

/** The numbers of a factor set: a function of its names, the market and the config only. Read-only once made. */
interface FactorNumbers {
  covarianceDaily: Float64Array;
  volsDaily: Float64Array;
  backtestVolsDaily: Float64Array;
  residualQuantiles: (Float64Array | undefined)[];
  moveResponse: Float64Array;
  /** True when the correlations were repaired to the nearest valid matrix. */
  correlationRepaired: boolean;
}

/**
 * Factor numbers per market object (a tick) and config, by factor names: every account on a tick whose underlyings are
 * all in the snapshot has the same names (the snapshot's factors, then one vol factor per surface), so its vols and
 * covariance are built once for all of them instead of once per report.
 */
const numbersByMarket = new WeakMap<ResolvedMarket, WeakMap<XchainConfig, Map<string, FactorNumbers>>>();

function factorNumbers(
  names: readonly string[],
  index: ReadonlyMap<string, number>,
  market: ResolvedMarket,
  config: XchainConfig,
): FactorNumbers {
  let byConfig = numbersByMarket.get(market);
  if (!byConfig) {
    byConfig = new WeakMap();
    numbersByMarket.set(market, byConfig);
  }
  let byNames = byConfig.get(config);
  if (!byNames) {
    byNames = new Map();
    byConfig.set(config, byNames);
  }
  const key = names.join("\n");
  let numbers = byNames.get(key);
  if (!numbers) {
    numbers = computeFactorNumbers(names, index, market, config);
    byNames.set(key, numbers);
  }
  return numbers;
}

function computeFactorNumbers(
  names: readonly string[],
  index: ReadonlyMap<string, number>,
  market: ResolvedMarket,
  config: XchainConfig,
): FactorNumbers {
  const snapshot = market.riskFactors;
  const snapIndex = new Map<string, number>(snapshot?.names.map((n, i) => [n, i]) ?? []);
  const m = names.length;
  const vols = new Float64Array(m);
  const backtestVols = new Float64Array(m);
  const corr = new Float64Array(m * m);
  const residualQuantiles: (Float64Array | undefined)[] = new Array(m).fill(undefined);
  const moveResponse = Float64Array.from(names, (name) =>
    name.startsWith("vol:") ? config.impliedVol.moveResponse : 0,
  );
  names.forEach((name, a) => {
    corr[a * m + a] = 1;
    const s = snapIndex.get(name);
    if (s !== undefined && snapshot) {
      vols[a] = snapshot.volsDaily[s] ?? 0;
      backtestVols[a] = snapshot.backtestVolsDaily[s] ?? vols[a]!;
      residualQuantiles[a] = snapshot.residualQuantiles[s];
      if (Number.isFinite(snapshot.moveResponse[s]!)) moveResponse[a] = snapshot.moveResponse[s]!;
      names.forEach((other, b) => {
        const t = snapIndex.get(other);
        if (t !== undefined && a !== b) corr[a * m + b] = snapshot.correlation[s * snapshot.names.length + t] ?? 0;
      });
    } else if (name.startsWith("vol:")) {
      vols[a] = config.impliedVol.volOfVolDaily;
      const own = index.get(name.slice(4));
      if (own !== undefined) {
        corr[a * m + own] = config.impliedVol.spotCorrelation;
        corr[own * m + a] = config.impliedVol.spotCorrelation;
      }
    } else {
      const surface = market.volSurfaces.get(name);
      const spot = market.underlyings.get(name)?.spotUsd;
      const atm = surface && spot !== undefined && spot > 0 ? impliedVol(surface, 30 / 365, spot) : 0;
      vols[a] = Math.max(config.fallbackVolAnnual, atm) / SQRT_DAYS_PER_YEAR;
    }
  });
  for (let a = 0; a < m; a++) if (snapIndex.get(names[a]!) === undefined) backtestVols[a] = vols[a]!;
  const repaired = m > 0 ? repairedCorrelation(corr, m) : { matrix: corr, unchanged: true };
  const cov = new Float64Array(m * m);
  for (let a = 0; a < m; a++) {
    for (let b = 0; b < m; b++) cov[a * m + b] = (repaired.matrix[a * m + b] ?? 0) * vols[a]! * vols[b]!;
  }
  return {
    covarianceDaily: cov,
    volsDaily: vols,
    backtestVolsDaily: backtestVols,
    residualQuantiles,
    moveResponse,
    correlationRepaired: !repaired.unchanged,
  };
}

/**
 * Builds the factor set of a portfolio: one price factor per underlying, one basis factor per token with a basis
 * history, one implied-vol factor per underlying with options. Vols and correlations come from the snapshot's
 * riskFactors; vol factors from the config (correlated only with their own price). Underlyings missing from the
 * snapshot get the larger of the fallback vol and their ATM implied vol, zero correlation, and are flagged
 * `unmodelled` so the model charges them standalone (no diversification benefit can come from a guess).
 */
export function buildFactorModel(
  items: readonly ResolvedItem[],
  market: ResolvedMarket,
  config: XchainConfig,
): FactorModel {
  const flags: Flag[] = [];
  const names: string[] = [];
  const index = new Map<string, number>();
  const add = (name: string) => {
    let k = index.get(name);
    if (k === undefined) {
      k = names.length;
      names.push(name);
      index.set(name, k);
    }
    return k;
  };
  const snapshot = market.riskFactors;
  const snapIndex = new Map<string, number>(snapshot?.names.map((n, i) => [n, i]) ?? []);
  const unmodelled = new Set<string>();
  const n = items.length;
  const priceFactor = new Int32Array(n).fill(-1);
  const basisFactor = new Int32Array(n).fill(-1);
  const volFactor = new Int32Array(n).fill(-1);
  const missingBasis = new Set<string>();
  const fallbackBasis = new Set<string>();

  // A fixed factor order, independent of the portfolio: the snapshot's factors, then an implied-vol factor for every
  // underlying with a surface, then unmodelled underlyings by name. With per-factor random streams this keeps every
  // factor's simulated path the same when positions are added or removed (no re-drawing noise in the margin).
  for (const name of snapshot?.names ?? []) add(name);
  for (const u of [...market.volSurfaces.keys()].sort()) add(`vol:${u}`);
  const missingUnderlyings = new Set<string>();
  for (const item of items) {
    if (item.underlying !== "USD" && !snapIndex.has(item.underlying)) missingUnderlyings.add(item.underlying);
  }
  for (const u of [...missingUnderlyings].sort()) add(u);

  items.forEach((item, i) => {
    if (item.underlying !== "USD") {
      priceFactor[i] = add(item.underlying);
      if (!snapIndex.has(item.underlying)) unmodelled.add(item.underlying);
    }
    if (item.token) {
      const b = basisFactorOf(item.token);
      const fallback = fallbackBasisFactorOf(item.token);
      if (b && snapIndex.has(b)) basisFactor[i] = add(b);
      else if (b && fallback && snapIndex.has(fallback)) {
        basisFactor[i] = add(fallback);
        fallbackBasis.add(`${b} -> ${fallback}`);
      } else if (b) missingBasis.add(b);
    }
    if (item.priced.kind === "option") volFactor[i] = add(`vol:${item.underlying}`);
  });

  const numbers = factorNumbers(names, index, market, config);
  const vols = numbers.volsDaily;
  for (const u of unmodelled) {
    flags.push({
      code: "RISK_FACTOR_MISSING",
      severity: "warning",
      message: `no vol/correlation for ${u} in the snapshot: margined standalone at ${(vols[index.get(u)!]! * SQRT_DAYS_PER_YEAR * 100).toFixed(0)}% vol`,
    });
  }
  for (const b of fallbackBasis) {
    flags.push({
      code: "RISK_FACTOR_MISSING",
      severity: "info",
      message: `no history for ${b.split(" -> ")[0]} in the snapshot: its basis is modelled by ${b.split(" -> ")[1]}`,
    });
  }
  for (const b of missingBasis) {
    flags.push({
      code: "RISK_FACTOR_MISSING",
      severity: "info",
      message: `no history for ${b}: only its jump is charged`,
    });
  }

  const used = new Uint8Array(names.length);
  for (const f of [...priceFactor, ...basisFactor, ...volFactor]) if (f >= 0) used[f] = 1;
  if (numbers.correlationRepaired) {
    flags.push({
      code: "CORRELATION_REPAIRED",
      severity: "info",
      message: "factor correlations repaired to the nearest valid matrix",
    });
  }
  return {
    names,
    covarianceDaily: numbers.covarianceDaily,
    volsDaily: vols,
    backtestVolsDaily: numbers.backtestVolsDaily,
    residualQuantiles: numbers.residualQuantiles,
    moveResponse: numbers.moveResponse,
    priceFactor,
    basisFactor,
    volFactor,
    unmodelled,
    used,
    flags,
  };
}
