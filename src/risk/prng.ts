import { invalidInput } from "../core/errors.js";

const TWO_POW_26 = 67108864;
const TWO_POW_53 = 9007199254740992;
const GOLDEN_GAMMA = 0x9e3779b9;

/**
 * Seeded pseudo-random generator: xoshiro128** (Blackman & Vigna, 2018) on four 32-bit words, seeded by splitmix32.
 * Bit-for-bit reproducible for a given seed on any JS engine (only 32-bit integer ops and IEEE doubles are used),
 * which is what makes Monte Carlo margin figures auditable. Not cryptographic.
 *
 * @example
 * const rng = new Prng(42);
 * const u = rng.nextUniform(); // in (0, 1)
 */
export class Prng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  /** Second normal of the last polar pair, consumed by the next `nextNormal()` call. */
  private spareNormal = 0;
  private hasSpare = false;

  /** @param seed integer in [0, 2^32 - 1]. */
  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw invalidInput("$.seed", "must be an integer in [0, 2^32 - 1]", `got ${seed}`);
    }
    // splitmix32: a Weyl sequence (step = 2^32 / golden ratio) passed through an avalanching 32-bit hash.
    let x = seed | 0;
    const next = (): number => {
      x = (x + GOLDEN_GAMMA) | 0;
      let t = x ^ (x >>> 16);
      t = Math.imul(t, 0x21f0aaad);
      t ^= t >>> 15;
      t = Math.imul(t, 0x735a2d97);
      return (t ^ (t >>> 15)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    // xoshiro's all-zero state is a fixed point; splitmix32 cannot produce it for four consecutive outputs in
    // practice, but guard anyway.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Next raw output, an unsigned 32-bit integer. */
  nextUint32(): number {
    const s1 = this.s1;
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    return result;
  }

  /** Uniform in the open interval (0, 1), 53-bit resolution: (k + 0.5) / 2^53 with k a 53-bit integer. */
  nextUniform(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * TWO_POW_26 + lo + 0.5) / TWO_POW_53;
  }

  /** Standard normal by the Marsaglia polar method; the second value of each pair is cached. */
  nextNormal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spareNormal;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.nextUniform() - 1;
      v = 2 * this.nextUniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * f;
    this.hasSpare = true;
    return u * f;
  }

  /**
   * Gamma(shape, scale 1) by Marsaglia & Tsang (2000); shape < 1 uses Gamma(shape + 1) * U^(1/shape).
   * @param shape > 0 (dimensionless).
   */
  nextGamma(shape: number): number {
    if (!(shape > 0) || !Number.isFinite(shape)) throw invalidInput("$.shape", "must be a finite number > 0");
    if (shape < 1) return this.nextGamma(shape + 1) * this.nextUniform() ** (1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.nextNormal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.nextUniform();
      const x2 = x * x;
      if (u < 1 - 0.0331 * x2 * x2) return d * v;
      if (Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return d * v;
    }
  }

  /** Chi-square with `nu` degrees of freedom (nu > 0, need not be an integer), = 2 * Gamma(nu / 2). */
  nextChiSquare(nu: number): number {
    if (!(nu > 0) || !Number.isFinite(nu)) throw invalidInput("$.nu", "must be a finite number > 0");
    return 2 * this.nextGamma(nu / 2);
  }

  /**
   * Student-t with `nu` degrees of freedom scaled to unit variance: Z * sqrt((nu - 2) / W), W ~ chi2(nu).
   * Unit variance lets a fat-tailed draw replace a normal one without changing the covariance. Needs nu > 2.
   */
  nextStudentT(nu: number): number {
    if (!(nu > 2) || !Number.isFinite(nu)) throw invalidInput("$.nu", "must be a finite number > 2");
    const z = this.nextNormal();
    return z * Math.sqrt((nu - 2) / this.nextChiSquare(nu));
  }
}
