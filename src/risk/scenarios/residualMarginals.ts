import quantileT from "@stdlib/stats-base-dists-t-quantile";
import { invalidInput } from "../../core/errors.js";
import { normalCdf } from "../../core/normal.js";
import { RESIDUAL_SCORE_COUNT, residualScore } from "../../core/residualScores.js";
import type { ScenarioSet } from "./scenarioSet.js";

/** Points of the uniform copula-score grid each factor's marginal is tabulated on. */
const FINE_POINTS = 2001;

/**
 * Where each point of a uniform grid of copula scores falls in the residual table: the fractional index p split once
 * into the cell below it (`cell`, floor(p) kept below the last entry) and the fraction `p - cell` (`within`), which
 * every day's table reads.
 */
interface ScoreMap {
  from: number;
  step: number;
  cell: Int32Array;
  within: Float64Array;
}

const scoreMaps = new Map<number, ScoreMap>();

/**
 * The copula score (unit-variance t_nu, or standard normal for nu = 0) with the probability of each stored residual
 * quantile, Phi(score_k), and a uniform grid over that range mapped to fractional table indices: a path's score is
 * then looked up in O(1) instead of through a t distribution function.
 */
function scoreMap(nu: number): ScoreMap {
  const hit = scoreMaps.get(nu);
  if (hit) return hit;
  const scale = nu > 0 ? Math.sqrt((nu - 2) / nu) : 1;
  const y = Float64Array.from({ length: RESIDUAL_SCORE_COUNT }, (_, k) =>
    nu > 0 ? quantileT(normalCdf(residualScore(k)), nu) * scale : residualScore(k),
  );
  const last = RESIDUAL_SCORE_COUNT - 1;
  const from = y[0]!;
  const step = (y[last]! - from) / (FINE_POINTS - 1);
  const position = new Float64Array(FINE_POINTS);
  let k = 0;
  for (let j = 0; j < FINE_POINTS; j++) {
    const v = from + j * step;
    while (k < last - 1 && y[k + 1]! <= v) k++;
    position[j] = Math.min(last, k + Math.min(1, Math.max(0, (v - y[k]!) / (y[k + 1]! - y[k]!))));
  }
  const cell = new Int32Array(FINE_POINTS);
  const within = new Float64Array(FINE_POINTS);
  for (let j = 0; j < FINE_POINTS; j++) {
    cell[j] = Math.min(last - 1, Math.floor(position[j]!));
    within[j] = position[j]! - cell[j]!;
  }
  const map = { from, step, cell, within };
  scoreMaps.set(nu, map);
  return map;
}

/** A factor's residual quantiles read at every point of the uniform score grid (linear between stored quantiles). */
function fineTable(
  quantiles: Float64Array,
  map: ScoreMap,
  table: Float64Array = new Float64Array(FINE_POINTS),
): Float64Array {
  const { cell, within } = map;
  // a plain loop: Float64Array.from with a callback cost a cold tick more than the marginal transform itself
  for (let j = 0; j < FINE_POINTS; j++) {
    const k = cell[j]!;
    table[j] = quantiles[k]! + within[j]! * (quantiles[k + 1]! - quantiles[k]!);
  }
  return table;
}

/**
 * One factor's marginal transform, ready for its columns: the quantile function on the uniform score grid (`table`)
 * and each cell's rise (`rise[k] = table[k + 1] - table[k]`, the same difference the interpolation takes, computed
 * once per factor instead of once per path).
 */
export interface ResidualMarginal {
  table: Float64Array;
  rise: Float64Array;
  from: number;
  step: number;
}

/**
 * The marginal of a factor with residual quantiles drawn with daily sd `sdDaily`, or undefined when it keeps its
 * drawn moves (no quantiles, or no positive sd). `reuse`: a marginal no longer read, whose tables are overwritten
 * (a daily replay then allocates none: typed arrays outside the heap each push the garbage collector).
 * @throws XmarginError INVALID_INPUT naming `$.residualQuantiles[i]` when the table has the wrong length
 */
export function residualMarginal(
  quantiles: Float64Array | undefined,
  sdDaily: number,
  nu: number,
  i: number,
  reuse?: ResidualMarginal,
): ResidualMarginal | undefined {
  if (!quantiles || !(sdDaily > 0)) return undefined;
  if (quantiles.length !== RESIDUAL_SCORE_COUNT) {
    throw invalidInput(`$.residualQuantiles[${i}]`, `needs ${RESIDUAL_SCORE_COUNT} values`);
  }
  const map = scoreMap(nu);
  const table = fineTable(quantiles, map, reuse?.table);
  const rise = reuse?.rise ?? new Float64Array(FINE_POINTS - 1);
  for (let k = 0; k < FINE_POINTS - 1; k++) rise[k] = table[k + 1]! - table[k]!;
  return { table, rise, from: map.from, step: map.step };
}

/**
 * The draws' capped moves x = clamp(mix[s] g[s], +-drawCap) of one (factor, horizon) column, each mapped through the
 * factor's marginal at horizon scale `scale` (sd sqrt t) and capped at +-`cap`, into `out`: the sampler's cap and
 * the marginal in one pass over the paths (the column is read and written once). Without `draw`, `out` holds the
 * moves and is mapped in place. Clamps keep a NaN a NaN (never a capped number).
 */
export function mapColumn(
  out: Float64Array,
  marginal: ResidualMarginal,
  scale: number,
  cap: number,
  draw?: { gaussian: Float64Array; mixing: Float64Array; cap: number },
): void {
  const { table, rise } = marginal;
  const top = FINE_POINTS - 1;
  const toGrid = 1 / (scale * marginal.step);
  const offset = marginal.from / marginal.step;
  const nS = out.length;
  const g = draw?.gaussian ?? out;
  const mix = draw?.mixing;
  const drawCap = draw?.cap ?? Number.POSITIVE_INFINITY;
  for (let s = 0; s < nS; s++) {
    let x = g[s]!;
    if (mix) {
      x = mix[s]! * x;
      // biome-ignore lint/complexity/useMathMinMax: ternary clamps (NaN kept) cost half of Math.min/max here
      x = x > drawCap ? drawCap : x < -drawCap ? -drawCap : x;
    }
    let u = x * toGrid - offset;
    // biome-ignore lint/complexity/useMathMinMax: as above
    u = u < 0 ? 0 : u > top ? top : u;
    // u in [0, top] (or NaN, which stays NaN through the rise below): truncation is the floor
    let k = u | 0;
    if (k > top - 1) k = top - 1;
    const y = scale * (table[k]! + (u - k) * rise[k]!);
    // biome-ignore lint/complexity/useMathMinMax: as above
    out[s] = y > cap ? cap : y < -cap ? -cap : y;
  }
}

/**
 * Filtered historical simulation's marginals on a drawn scenario set, in place (Barone-Adesi, Giannopoulos and Vosper
 * 1999, with the copula of the draws as the joint law, as in the t-copula FHS of McNeil and Frey 2000): for each
 * factor with residual quantiles, each path's move X at horizon t becomes sd sqrt(t) Q(F(X / (sd sqrt t))), F the
 * draws' marginal law (t_nu at unit variance, nu = 0: normal) and Q the factor's empirical standardised-residual
 * quantile function (src/risk/residualQuantiles.ts). Each path keeps its rank per factor (the copula: correlation and
 * joint tails of the draws), while the 1-day law is the factor's own history's, at today's vol: no move beyond its
 * largest standardised residual, and the residuals' own spread (an EWMA forecast too low on average gives residuals
 * with sd above 1). Horizons over one day scale the 1-day law by sqrt(t): a sum of fat-tailed days is closer to normal,
 * so this overstates long-horizon tails (the safe side). Factors without quantiles keep their drawn moves. The cap of
 * `capSd` sd sqrt(t) still applies. (The quasi-random sampler applies the same marginals column by column as it draws:
 * `QmcRequest.marginals`.)
 * @param sdDaily per factor, the daily sd the set was drawn with (sqrt of the covariance diagonal).
 * @param quantiles per factor, RESIDUAL_SCORE_COUNT ascending residual quantiles, or undefined.
 * @param nu the draws' t degrees of freedom, 0 for normal draws.
 */
export function applyResidualMarginals(
  set: ScenarioSet,
  sdDaily: ArrayLike<number>,
  quantiles: readonly (Float64Array | undefined)[],
  nu: number,
  capSd: number,
): void {
  if (set.layout !== "factor-major") throw invalidInput("$.layout", "residual marginals need a factor-major set");
  const nS = set.nScenarios;
  for (let i = 0; i < set.nFactors; i++) {
    const sd = sdDaily[i]!;
    const marginal = residualMarginal(quantiles[i], sd, nu, i);
    if (!marginal) continue;
    for (let j = 0; j < set.nTimes; j++) {
      const scale = sd * Math.sqrt(set.timesDays[j]!);
      const col = set.logReturns.subarray((i * set.nTimes + j) * nS, (i * set.nTimes + j + 1) * nS);
      mapColumn(col, marginal, scale, capSd * scale);
    }
  }
}
