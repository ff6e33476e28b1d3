import { black76PriceUnchecked } from "./black76.js";

/**
 * Option value on a grid of (spot log-move x, implied-vol log-move y), for revaluing one option on many Monte Carlo
 * paths: exact Black-76 at the grid nodes, then bicubic Catmull-Rom interpolation between them. Node spacing in x is
 * at most a fifth of the option's remaining standard deviation and the vol range is cut into 12 cells, which keeps
 * the interpolation error far below Monte Carlo noise (tested against exact revaluation on every path).
 */
export interface OptionGridSpec {
  spotUsd: number;
  /** exp(carry x remaining years): forward = shocked spot x this. */
  forwardFactor: number;
  strikeUsd: number;
  /** Remaining years at the horizon (> 0). */
  years: number;
  volAnnual: number;
  minVolAnnual: number;
  discountFactor: number;
  isCall: boolean;
}

/** Where an option grid's nodes lie: node 0 one node below the covered range, spacing and number of cells per axis. */
export interface OptionGridGeometry {
  x0: number;
  dx: number;
  nx: number;
  y0: number;
  dy: number;
  ny: number;
}

export interface OptionGrid extends OptionGridGeometry {
  /** Unit option values, row-major [y][x], (ny + 1) x (nx + 1) nodes. */
  values: Float64Array;
}

const MIN_X_CELLS = 16;
const MAX_X_CELLS = 1024;
const MIN_Y_CELLS = 12;
const MAX_Y_CELLS = 48;
/**
 * Widest log-vol step of a cell: implied vol that answers the size of the move (xchain `impliedVol.moveResponse`)
 * spans log-vol ranges of several units on the extreme paths, where twelve fixed cells were too coarse.
 */
const MAX_Y_STEP = 0.08;

/**
 * The nodes covering [xMin, xMax] x [yMin, yMax] for an option whose remaining standard deviation of log price is
 * `stdDev` (vol x sqrt(years)), padded by one node on every side for the cubic stencil. A degenerate vol range still
 * gets cells (equal rows), so the hot loop needs no special case. Options whose geometries are equal can share one grid
 * of summed values (interpolation is linear in the node values).
 */
export function optionGridGeometry(
  stdDev: number,
  xMin: number,
  xMax: number,
  yMin: number,
  yMax: number,
): OptionGridGeometry {
  const maxStep = Math.max(1e-4, 0.2 * stdDev);
  const xRange = Math.max(xMax - xMin, 1e-9);
  const xCells = Math.min(MAX_X_CELLS, Math.max(MIN_X_CELLS, Math.ceil(xRange / maxStep)));
  const dx = xRange / xCells;
  const yRange = Math.max(yMax - yMin, 1e-9);
  const yCells = Math.min(MAX_Y_CELLS, Math.max(MIN_Y_CELLS, Math.ceil(yRange / MAX_Y_STEP)));
  const dy = yRange / yCells;
  return { x0: xMin - dx, dx, nx: xCells + 2, y0: yMin - dy, dy, ny: yCells + 2 };
}

/**
 * Exact Black-76 unit values of the option at the nodes of `g`; with `read` (nodesRead), only at the nodes marked
 * there and NaN elsewhere. The paths of a Monte Carlo set fill about half of the grid's rectangle (implied vol answers
 * the size of the move, so the points lie in a band), and an unread node costs nothing.
 */
export function optionGridOn(spec: OptionGridSpec, g: OptionGridGeometry, read?: Uint8Array): OptionGrid {
  const { x0, dx, nx, y0, dy, ny } = g;
  const values = new Float64Array((ny + 1) * (nx + 1));
  if (read) values.fill(Number.NaN);
  // one forward per column, not per node
  const forwards = new Float64Array(nx + 1);
  for (let a = 0; a <= nx; a++) forwards[a] = spec.spotUsd * Math.exp(x0 + a * dx) * spec.forwardFactor;
  for (let b = 0; b <= ny; b++) {
    const vol = Math.max(spec.minVolAnnual, spec.volAnnual * Math.exp(y0 + b * dy));
    const row = b * (nx + 1);
    for (let a = 0; a <= nx; a++) {
      if (read && read[row + a] === 0) continue;
      values[row + a] = black76PriceUnchecked(
        forwards[a]!,
        spec.strikeUsd,
        spec.years,
        vol,
        spec.discountFactor,
        spec.isCall,
      );
    }
  }
  return { x0, dx, nx, y0, dy, ny, values };
}

/**
 * The nodes the cubic stencils of the points (xs[s], ys[s]) read in `fillOptionPnl`, 1 per node read: each point's
 * cell by the same arithmetic, then the 4 x 4 nodes around every cell hit.
 */
export function nodesRead(g: OptionGridGeometry, xs: Float64Array, ys: Float64Array): Uint8Array {
  const stride = g.nx + 1;
  const cells = new Uint8Array((g.ny + 1) * stride);
  const invDx = 1 / g.dx;
  const invDy = 1 / g.dy;
  const aMax = g.nx - 2;
  const bMax = g.ny - 2;
  for (let s = 0; s < xs.length; s++) {
    let a = Math.floor((xs[s]! - g.x0) * invDx);
    if (a < 1) a = 1;
    else if (a > aMax) a = aMax;
    let b = Math.floor((ys[s]! - g.y0) * invDy);
    if (b < 1) b = 1;
    else if (b > bMax) b = bMax;
    cells[b * stride + a] = 1;
  }
  const read = new Uint8Array(cells.length);
  for (let b = 1; b <= bMax; b++) {
    for (let a = 1; a <= aMax; a++) {
      if (cells[b * stride + a] === 0) continue;
      for (let j = b - 1; j <= b + 2; j++) read.fill(1, j * stride + a - 1, j * stride + a + 3);
    }
  }
  return read;
}

/** Builds the option's own grid covering [xMin, xMax] x [yMin, yMax] (optionGridGeometry, optionGridOn). */
export function buildOptionGrid(
  spec: OptionGridSpec,
  xMin: number,
  xMax: number,
  yMin: number,
  yMax: number,
): OptionGrid {
  return optionGridOn(spec, optionGridGeometry(spec.volAnnual * Math.sqrt(spec.years), xMin, xMax, yMin, yMax));
}

/** Catmull-Rom through p0..p3 at fraction t of the p1-p2 cell. */
function catmullRom(p0: number, p1: number, p2: number, p3: number, t: number): number {
  return p1 + 0.5 * t * (p2 - p0 + t * (2 * p0 - 5 * p1 + 4 * p2 - p3 + t * (3 * (p1 - p2) + p3 - p0)));
}

/**
 * out[s] = size x interpolated unit value at (xs[s], ys[s]) - baseUsd, for every path: the hot loop of option
 * revaluation (no allocation). Points must lie inside the ranges the grid was built for.
 */
export function fillOptionPnl(
  g: OptionGrid,
  xs: Float64Array,
  ys: Float64Array,
  size: number,
  baseUsd: number,
  out: Float64Array,
): void {
  const v = g.values;
  const stride = g.nx + 1;
  const invDx = 1 / g.dx;
  const invDy = 1 / g.dy;
  const aMax = g.nx - 2;
  const bMax = g.ny - 2;
  const n = out.length;
  for (let s = 0; s < n; s++) {
    const fx = (xs[s]! - g.x0) * invDx;
    let a = Math.floor(fx);
    if (a < 1) a = 1;
    else if (a > aMax) a = aMax;
    const t = fx - a;
    const fy = (ys[s]! - g.y0) * invDy;
    let b = Math.floor(fy);
    if (b < 1) b = 1;
    else if (b > bMax) b = bMax;
    const u = fy - b;
    let i = (b - 1) * stride + a;
    const r0 = catmullRom(v[i - 1]!, v[i]!, v[i + 1]!, v[i + 2]!, t);
    i += stride;
    const r1 = catmullRom(v[i - 1]!, v[i]!, v[i + 1]!, v[i + 2]!, t);
    i += stride;
    const r2 = catmullRom(v[i - 1]!, v[i]!, v[i + 1]!, v[i + 2]!, t);
    i += stride;
    const r3 = catmullRom(v[i - 1]!, v[i]!, v[i + 1]!, v[i + 2]!, t);
    out[s] = size * catmullRom(r0, r1, r2, r3, u) - baseUsd;
  }
}
