import type { ForecastSeries } from "../../../../src/risk/forecast/features.js";
import { Prng } from "../../../../src/risk/prng.js";

/** Consecutive ISO dates from 2020-01-01. */
export function dates(n: number): string[] {
  return Array.from({ length: n }, (_, i) =>
    new Date(Date.UTC(2020, 0, 1) + i * 86_400_000).toISOString().slice(0, 10),
  );
}

/** A GARCH(1,1)-like price path with volumes, seeded: the same seed gives the same series. */
export function garchSeries(symbol: string, n: number, seed: number, start = 100): ForecastSeries {
  const rng = new Prng(seed);
  const closes = new Float64Array(n);
  const volumes = new Float64Array(n);
  let v = 0.0004;
  let price = start;
  for (let t = 0; t < n; t++) {
    const r = Math.sqrt(v) * rng.nextNormal();
    v = 0.00002 + 0.1 * r * r + 0.85 * v;
    price *= Math.exp(r);
    closes[t] = price;
    volumes[t] = 1e6 * (1 + Math.abs(r) * 50) * (0.8 + 0.4 * rng.nextUniform());
  }
  return { symbol, dates: dates(n), closes, volumes };
}
