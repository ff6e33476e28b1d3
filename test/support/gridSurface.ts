import type { GridVolSurfaceDoc, VolSurfaceDoc } from "../../src/schema/marketSnapshot.js";

/** The surface as a strike/expiry grid; fails the test if it is of another kind (e.g. SVI). */
export function gridSurface(doc: VolSurfaceDoc | undefined): GridVolSurfaceDoc {
  if (doc === undefined || doc.kind === "svi") throw new Error(`expected a grid vol surface, got ${doc?.kind}`);
  return doc;
}
