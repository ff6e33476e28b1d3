import type { VolSurfaceDoc } from "../schema/marketSnapshot.js";

/**
 * A surface document with every implied vol multiplied by `volMult` (1.2 = vols up 20%), for what-if moves.
 * A grid scales each vol; an SVI slice scales a and b by volMult^2, which multiplies its total variance (and so its
 * vol) at every strike by the same factor, below the variance cap.
 * @param toDecimalString how the caller writes numbers into documents
 */
export function scaleVolSurfaceDoc(
  doc: VolSurfaceDoc,
  volMult: number,
  toDecimalString: (value: number) => string,
): VolSurfaceDoc {
  if (doc.kind === "svi") {
    const w = volMult * volMult;
    return {
      ...doc,
      expiries: doc.expiries.map((e) => ({
        ...e,
        a: toDecimalString(Number(e.a) * w),
        b: toDecimalString(Number(e.b) * w),
      })),
    };
  }
  return {
    ...doc,
    expiries: doc.expiries.map((e) => ({ ...e, vols: e.vols.map((v) => toDecimalString(Number(v) * volMult)) })),
  };
}
