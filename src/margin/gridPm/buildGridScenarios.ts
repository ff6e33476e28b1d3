import type { GridPmConfig } from "./config.js";

/** The scenario list of the grid model, as columns. */
export interface GridScenarios {
  ids: string[];
  spotShockRel: Float64Array;
  volShockRel: Float64Array;
  spotMults: Float64Array;
  volMults: Float64Array;
  weights: Float64Array;
}

function pct(x: number): string {
  const v = Math.round(x * 1e4) / 100;
  return `${v >= 0 ? "+" : ""}${v}%`;
}

/**
 * The scenario list of a configuration, shared and read-only (do not write into its columns).
 * Core grid (every price shock x every vol shock, weight 1) followed by the two extreme moves (+- multiple x the
 * largest core move, down capped at -95%, with the largest vol-up shock, counted at `extremeMoves.weight`).
 */
export function buildGridScenarios(config: GridPmConfig): GridScenarios {
  // Built once per configuration object: every account margined with it shares the (read-only) columns.
  const cached = byConfig.get(config);
  if (cached) return cached;
  const built = build(config);
  byConfig.set(config, built);
  return built;
}

const byConfig = new WeakMap<GridPmConfig, GridScenarios>();

function build(config: GridPmConfig): GridScenarios {
  const rows: Array<{ id: string; spot: number; vol: number; weight: number }> = [];
  for (const p of config.priceShocks) {
    for (const v of config.volShocks) rows.push({ id: `spot ${pct(p)} vol ${pct(v)}`, spot: p, vol: v, weight: 1 });
  }
  const { multiple, weight } = config.extremeMoves;
  const range = Math.max(...config.priceShocks.map(Math.abs));
  if (multiple > 0 && weight > 0 && range > 0) {
    const volUp = Math.max(0, ...config.volShocks);
    const up = multiple * Math.max(...config.priceShocks, 0);
    const down = Math.max(-0.95, multiple * Math.min(...config.priceShocks, 0));
    if (up > 0) rows.push({ id: `extreme spot ${pct(up)} vol ${pct(volUp)}`, spot: up, vol: volUp, weight });
    if (down < 0) rows.push({ id: `extreme spot ${pct(down)} vol ${pct(volUp)}`, spot: down, vol: volUp, weight });
  }
  const n = rows.length;
  const out: GridScenarios = {
    ids: rows.map((r) => r.id),
    spotShockRel: new Float64Array(n),
    volShockRel: new Float64Array(n),
    spotMults: new Float64Array(n),
    volMults: new Float64Array(n),
    weights: new Float64Array(n),
  };
  rows.forEach((r, i) => {
    out.spotShockRel[i] = r.spot;
    out.volShockRel[i] = r.vol;
    out.spotMults[i] = 1 + r.spot;
    out.volMults[i] = 1 + r.vol;
    out.weights[i] = r.weight;
  });
  return out;
}
