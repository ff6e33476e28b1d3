import { invalidInput, missingData } from "../../core/errors.js";
import type { EwmaOptions } from "../ewma.js";
import { EWMA_DEFAULT_INIT_WINDOW, ewmaVolMatrix } from "../ewma.js";
import type { ReturnsMatrix } from "../priceHistory.js";
import { historicalScenarios } from "./historicalScenarios.js";
import type { ScenarioSet } from "./scenarioSet.js";

/** Filtered-historical-simulation settings. */
export interface FilteredHistoricalOptions {
  ewma?: EwmaOptions;
  /** Lower bound on the EWMA vol of a past date before dividing by it (daily vol). Default 1e-6. */
  volFloor?: number;
  /** Leading returns dropped because their EWMA vol is still the seed value. Default: the EWMA init window. */
  burnIn?: number;
}

/**
 * Filtered historical simulation (Barone-Adesi et al. 1999; Hull & White 1998 vol scaling): each past return is
 * rescaled per factor by sigma_now / sigma_t, where sigma_t is the EWMA vol of day t forecast the day before and
 * sigma_now the forecast for tomorrow, then cut into windows exactly as `historicalScenarios` does. Past shocks
 * keep their joint shape but get today's vol level.
 * @param returns daily log-returns, oldest first.
 * @param timesDays horizon time points in days, strictly ascending.
 */
export function filteredHistoricalScenarios(
  returns: ReturnsMatrix,
  timesDays: ArrayLike<number>,
  options?: FilteredHistoricalOptions,
): ScenarioSet {
  const n = returns.nFactors;
  const nObs = returns.nObs;
  const floor = options?.volFloor ?? 1e-6;
  if (!(floor > 0)) throw invalidInput("$.volFloor", "must be > 0");
  const burnIn = options?.burnIn ?? Math.min(options?.ewma?.initWindow ?? EWMA_DEFAULT_INIT_WINDOW, nObs);
  if (!Number.isInteger(burnIn) || burnIn < 0) throw invalidInput("$.burnIn", "must be an integer >= 0");
  if (burnIn >= nObs) throw missingData("$.returns", `need more than burnIn = ${burnIn} returns`);
  const vol = ewmaVolMatrix(returns, options?.ewma);
  const kept = nObs - burnIn;
  const data = new Float64Array(kept * n);
  for (let t = 0; t < kept; t++) {
    for (let i = 0; i < n; i++) {
      const now = vol[nObs * n + i] ?? 0;
      const then = Math.max(vol[(t + burnIn) * n + i] ?? 0, floor);
      data[t * n + i] = ((returns.data[(t + burnIn) * n + i] ?? 0) * now) / then;
    }
  }
  return historicalScenarios(
    { factorNames: returns.factorNames, dates: returns.dates.slice(burnIn), nObs: kept, nFactors: n, data },
    timesDays,
  );
}
