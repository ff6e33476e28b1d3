import { buildGridScenarios } from "../src/margin/gridPm/buildGridScenarios.js";
import { gridPmDefaults } from "../src/margin/gridPm/config.js";
import { buildPositionBlock, revalueScenarios } from "../src/pricing/revalueKernel.js";
import type { PricedPosition, UnderlyingState } from "../src/pricing/types.js";
import { Prng } from "../src/risk/prng.js";
import { emit, measure, summarize } from "./measure.js";
import type { Roofline } from "./roofline.bench.js";

const STATE: UnderlyingState = { spotUsd: 30_477, carryRateAnnual: 0.05, riskFreeRateAnnual: 0.05 };
const BLANK: Omit<PricedPosition, "kind" | "size"> = {
  priceRatio: 1,
  entryPriceUsd: 0,
  strikeUsd: 0,
  expiryYears: 0,
  isCall: false,
  fundingAccruedUsd: 0,
};

/** `n` positions of one underlying: linear (1/3 spot, 1/2 perps, 1/6 futures) or options (strikes 80-120%). */
function positions(n: number, kind: "linear" | "option", seed: number): { ps: PricedPosition[]; vols: number[] } {
  const rng = new Prng(seed);
  const ps: PricedPosition[] = [];
  const vols: number[] = [];
  for (let i = 0; i < n; i++) {
    const size = (rng.nextUniform() < 0.5 ? -1 : 1) * (1 + Math.floor(rng.nextUniform() * 50));
    const u = rng.nextUniform();
    if (kind === "linear") {
      if (u < 1 / 3) ps.push({ ...BLANK, kind: "spot", size, priceRatio: 0.999 + 0.002 * rng.nextUniform() });
      else if (u < 5 / 6) ps.push({ ...BLANK, kind: "perp", size, entryPriceUsd: 30_000 });
      else ps.push({ ...BLANK, kind: "future", size, entryPriceUsd: 30_500, expiryYears: 0.25 });
      vols.push(0);
    } else {
      const strikeUsd = Math.round(STATE.spotUsd * (0.8 + 0.4 * rng.nextUniform()));
      ps.push({ ...BLANK, kind: "option", size, strikeUsd, expiryYears: 0.02 + 0.5 * u, isCall: u < 0.5 });
      vols.push(0.4 + 0.3 * rng.nextUniform());
    }
  }
  return { ps, vols };
}

function scenarioSet(kind: "grid" | "mc1000"): { spotMults: Float64Array; volMults: Float64Array } {
  if (kind === "grid") {
    const g = buildGridScenarios(gridPmDefaults);
    return { spotMults: g.spotMults, volMults: g.volMults };
  }
  const rng = new Prng(99);
  const n = 1000;
  const spotMults = new Float64Array(n);
  const volMults = new Float64Array(n);
  for (let s = 0; s < n; s++) {
    spotMults[s] = Math.exp(0.05 * rng.nextNormal());
    volMults[s] = Math.exp(0.2 * rng.nextNormal());
  }
  return { spotMults, volMults };
}

/**
 * (b) Revaluation throughput of `revalueScenarios` (positions x scenarios per second) for linear and option blocks,
 * on the grid model's 29 scenarios and on 1000 Monte-Carlo-like scenarios, as fractions of the JS and the WASM SIMD
 * rooflines (one multiply per element there against one multiply-add in the roofline).
 */
export function benchRevaluation(roofline: Roofline): void {
  const cases: Array<{ kind: "linear" | "option"; nPos: number; scen: "grid" | "mc1000"; iterations: number }> = [
    { kind: "linear", nPos: 1000, scen: "grid", iterations: 400 },
    { kind: "linear", nPos: 1000, scen: "mc1000", iterations: 60 },
    { kind: "option", nPos: 1000, scen: "grid", iterations: 40 },
    { kind: "option", nPos: 100, scen: "mc1000", iterations: 15 },
  ];
  for (const c of cases) {
    const { ps, vols } = positions(c.nPos, c.kind, 7);
    const block = buildPositionBlock(ps, vols, STATE);
    const { spotMults, volMults } = scenarioSet(c.scen);
    const nScen = spotMults.length;
    const out = new Float64Array(c.nPos * nScen);
    const volShockScale = new Float64Array(c.nPos).fill(1);
    const options = { minVolAnnual: 0.05, volShockScale };
    const stats = summarize(
      measure(() => revalueScenarios(block, STATE, spotMults, volMults, out, options), c.iterations),
    );
    const rate = (c.nPos * nScen) / (stats.medianMs / 1e3);
    emit({
      bench: `revalue_${c.kind}_${c.scen}`,
      positions: c.nPos,
      scenarios: nScen,
      ...stats,
      positionScenariosPerSec: Math.round(rate),
      fractionOfRoofline: Number((rate / roofline.jsPerSec).toFixed(3)),
      fractionOfWasmSimdRoofline: Number((rate / roofline.wasmSimdPerSec).toFixed(3)),
      ...(c.kind === "linear" ? { targetFractionOfRoofline: 0.3 } : {}),
    });
  }
}
