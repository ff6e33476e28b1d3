import type { DailySeries } from "../../../src/market/dailyPriceCsv.js";

/** Consecutive ISO dates from `start`. */
export function isoDates(start: string, count: number): string[] {
  const t0 = Date.parse(`${start}T00:00:00Z`);
  return Array.from({ length: count }, (_, k) => new Date(t0 + k * 86_400_000).toISOString().slice(0, 10));
}

/** Deterministic pseudo-random daily closes (LCG + Box-Muller): a geometric random walk with daily vol `vol`. */
export function randomWalk(symbol: string, dates: string[], start: number, vol: number, seed: number): DailySeries {
  let state = seed >>> 0;
  const uniform = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state + 0.5) / 4294967296;
  };
  const closes = new Float64Array(dates.length);
  let p = start;
  for (let k = 0; k < dates.length; k++) {
    if (k > 0) {
      const z = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
      p *= Math.exp(vol * z);
    }
    closes[k] = p;
  }
  return { symbol, dates, closes, volumes: closes.map(() => 1e9) };
}
