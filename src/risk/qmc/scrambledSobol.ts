import { invalidInput } from "../../core/errors.js";
import { Prng } from "../prng.js";
import { JOE_KUO_DIMENSIONS } from "./joeKuoDirections.js";

/** Bits of every Sobol coordinate: 32, as JS bit operations are 32-bit. */
const BITS = 32;
const TWO_POW_32 = 4294967296;

/** Dimensions with Sobol coordinates: 1 (van der Corput) + the Joe-Kuo table; further ones are padded. */
export const SOBOL_MAX_DIMENSIONS = 1 + JOE_KUO_DIMENSIONS.length;

/** Direction integers v_1..v_32 of one dimension, MSB-aligned (Bratley-Fox recurrence on the Joe-Kuo initials). */
function directionIntegers(dim: number): Uint32Array {
  const v = new Uint32Array(BITS);
  if (dim === 0) {
    for (let k = 0; k < BITS; k++) v[k] = 2 ** (BITS - 1 - k);
    return v;
  }
  const [s, a, m] = JOE_KUO_DIMENSIONS[dim - 1]!;
  for (let k = 0; k < Math.min(s, BITS); k++) v[k] = (m[k]! * 2 ** (BITS - 1 - k)) >>> 0;
  for (let k = s; k < BITS; k++) {
    // v_k = a_1 v_{k-1} ^ ... ^ a_{s-1} v_{k-s+1} ^ v_{k-s} ^ (v_{k-s} >> s)
    let x = v[k - s]! ^ (v[k - s]! >>> s);
    for (let b = 1; b < s; b++) if ((a >>> (s - 1 - b)) & 1) x ^= v[k - b]!;
    v[k] = x >>> 0;
  }
  return v;
}

/** Parity of a 32-bit word. */
function parity(x: number): number {
  let y = x ^ (x >>> 16);
  y ^= y >>> 8;
  y ^= y >>> 4;
  y ^= y >>> 2;
  y ^= y >>> 1;
  return y & 1;
}

/**
 * Matousek's linear matrix scramble: v' = L v with L a random lower-triangular binary matrix with unit diagonal
 * (bits counted from the most significant). Together with a random digital shift this is the affine scramble of
 * Matousek (1998), a cheap form of Owen's nested scrambling that keeps the net structure and makes each point
 * uniform on [0,1)^d, so the estimator is unbiased and seeds give independent replicates.
 */
function scramble(v: Uint32Array, rng: Prng): void {
  const rows = new Uint32Array(BITS);
  for (let b = 0; b < BITS; b++) {
    // Row b: random bits strictly above the diagonal position (more significant), and a 1 on it.
    const diagonal = 2 ** (BITS - 1 - b);
    const higher = b === 0 ? 0 : (rng.nextUint32() & ~((diagonal * 2 - 1) >>> 0)) >>> 0;
    rows[b] = (higher | diagonal) >>> 0;
  }
  for (let k = 0; k < BITS; k++) {
    let out = 0;
    for (let b = 0; b < BITS; b++) if (parity(rows[b]! & v[k]!)) out |= 2 ** (BITS - 1 - b);
    v[k] = out >>> 0;
  }
}

/** FNV-1a of (seed, dimension): each dimension's own randomisation, whatever other dimensions are drawn. */
function dimensionSeed(seed: number, dim: number): number {
  let h = 0x811c9dc5;
  for (const x of [seed >>> 24, (seed >>> 16) & 255, (seed >>> 8) & 255, seed & 255, dim >>> 8, dim & 255]) {
    h ^= x;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Coordinate `dim` (0-based) of the first `nPoints` points of a randomised Sobol sequence, each in (0, 1) (the centre
 * of its 2^-32 cell, never 0 or 1). Dimensions 0..127 use the Joe-Kuo direction numbers with Matousek's linear
 * scramble and a random digital shift; dimensions beyond the table are independent pseudo-random uniforms (the usual
 * padding: callers give the leading dimensions to the variables that carry the variance). The randomisation of a
 * dimension depends only on (seed, dim), so a caller may draw any subset of dimensions and get the same columns.
 * Gray-code order, so any prefix is a valid point set; powers of two give the best balance.
 */
export function scrambledSobolColumn(nPoints: number, dim: number, seed: number): Float64Array {
  if (!Number.isInteger(nPoints) || nPoints < 1) throw invalidInput("$.nPoints", "must be an integer >= 1");
  if (!Number.isInteger(dim) || dim < 0) throw invalidInput("$.dim", "must be an integer >= 0");
  if (nPoints > TWO_POW_32) throw invalidInput("$.nPoints", "must be <= 2^32");
  const rng = new Prng(dimensionSeed(seed, dim));
  const col = new Float64Array(nPoints);
  if (dim >= SOBOL_MAX_DIMENSIONS) {
    for (let i = 0; i < nPoints; i++) col[i] = (rng.nextUint32() + 0.5) / TWO_POW_32;
    return col;
  }
  const v = directionIntegers(dim);
  scramble(v, rng);
  let x = rng.nextUint32();
  col[0] = (x + 0.5) / TWO_POW_32;
  for (let i = 1; i < nPoints; i++) {
    // Gray code: point i flips the direction integer of the lowest zero bit of i - 1.
    const c = 31 - Math.clz32((i - 1) ^ i);
    x = (x ^ v[c]!) >>> 0;
    col[i] = (x + 0.5) / TWO_POW_32;
  }
  return col;
}
