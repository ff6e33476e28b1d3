import type { Prng } from "./prng.js";

/**
 * Standard normal draws by the ziggurat method (Marsaglia & Tsang, 2000, 128 layers), about four times faster than
 * the polar method: one 32-bit output gives the layer (low 7 bits) and a signed 25-bit abscissa (the other bits), so
 * the layer and the value never share bits (the correlation defect Doornik (2005) found in the original). Tail and
 * wedge rejections use `nextUniform`. Deterministic for a seeded Prng.
 */
const LAYERS = 128;
const M = 16_777_216; // 2^24: scale of the signed 25-bit abscissa
const R = 3.442619855899; // start of the tail
const V = 9.91256303526217e-3; // area of each layer
const kn = new Float64Array(LAYERS);
const wn = new Float64Array(LAYERS);
const fn = new Float64Array(LAYERS);
{
  let dn = R;
  let tn = dn;
  const q = V / Math.exp(-0.5 * dn * dn);
  kn[0] = (dn / q) * M;
  kn[1] = 0;
  wn[0] = q / M;
  wn[LAYERS - 1] = dn / M;
  fn[0] = 1;
  fn[LAYERS - 1] = Math.exp(-0.5 * dn * dn);
  for (let i = LAYERS - 2; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(V / dn + Math.exp(-0.5 * dn * dn)));
    kn[i + 1] = (dn / tn) * M;
    tn = dn;
    fn[i] = Math.exp(-0.5 * dn * dn);
    wn[i] = dn / M;
  }
}

/** One standard normal draw. */
export function zigguratNormal(rng: Prng): number {
  for (;;) {
    const u = rng.nextUint32();
    const iz = u & (LAYERS - 1);
    const hz = (u | 0) >> 7;
    if (Math.abs(hz) < kn[iz]!) return hz * wn[iz]!;
    if (iz === 0) {
      // Tail beyond R (Marsaglia 1964).
      let x: number;
      let y: number;
      do {
        x = -Math.log(rng.nextUniform()) / R;
        y = -Math.log(rng.nextUniform());
      } while (y + y < x * x);
      return hz > 0 ? R + x : -R - x;
    }
    const x = hz * wn[iz]!;
    if (fn[iz]! + rng.nextUniform() * (fn[iz - 1]! - fn[iz]!) < Math.exp(-0.5 * x * x)) return x;
  }
}
