import { parseDecimal } from "../../core/decimal.js";
import { invalidInput, missingData } from "../../core/errors.js";
import type { Flag } from "../../core/flags.js";
import { parseIsoToSec } from "../../core/time.js";
import type { ChainProfile } from "../../market/chainProfile.js";
import { chainProfiles } from "../../market/chainRegistry.js";
import { underlyings } from "../../market/underlyings.js";
import { aggregateFeeds } from "../../oracles/aggregateFeeds.js";
import { type AggregationRules, defaultAggregationRules } from "../../oracles/aggregateQuotes.js";
import { allChainsFeedKey } from "../../oracles/feedKey.js";
import type { VolSurface } from "../../pricing/volSurface.js";
import { volSurfaceFromDoc } from "../../pricing/volSurfaceFromDoc.js";
import type { MarketSnapshot } from "../../schema/marketSnapshot.js";
import type { ResolvedMarket, ResolvedUnderlying } from "./resolvedMarket.js";

/** Unit diagonal, symmetric, entries in [-1, 1]: the parts of validity a schema cannot state. */
function checkCorrelations(rows: string[][]): void {
  for (const [i, row] of rows.entries()) {
    for (const [j, c] of row.entries()) {
      const v = Number(c);
      const path = `$.riskFactors.correlations[${i}][${j}]`;
      if (i === j && v !== 1) throw invalidInput(path, "diagonal correlations must be 1");
      if (Math.abs(v) > 1) throw invalidInput(path, "correlations must lie in [-1, 1]");
      if (Math.abs(v - Number(rows[j]?.[i])) > 1e-9) throw invalidInput(path, "correlation matrix must be symmetric");
    }
  }
}

/**
 * Turns a validated MarketSnapshot into numbers: aggregates quotes per feed (all chains together for underlyings,
 * per chain and across chains for token feeds), parses vol surfaces and merges chain-profile overrides.
 */
export function resolveMarket(
  snapshot: MarketSnapshot,
  rules: AggregationRules = defaultAggregationRules,
): ResolvedMarket {
  const asOfSec = parseIsoToSec(snapshot.asOf, "$.asOf");
  const flags: Flag[] = [];
  // Quotes are aggregated per symbol over all chains and per (chain, symbol); each keeps its heartbeat.
  const feeds = aggregateFeeds(
    snapshot.quotes.map((q, i) => ({
      quote: q,
      ...(q.maxAgeSec !== undefined ? { maxAgeSec: parseDecimal(q.maxAgeSec, `$.quotes[${i}].maxAgeSec`) } : {}),
    })),
    asOfSec,
    rules,
  );
  const tokenPrices = feeds.prices;
  flags.push(...feeds.flags);

  const riskFree = parseDecimal(snapshot.rates.riskFreeAnnual, "$.rates.riskFreeAnnual");
  const resolvedUnderlyings = new Map<string, ResolvedUnderlying>();
  for (const u of underlyings.values()) {
    const carryDoc = snapshot.rates.carryAnnual[u.symbol];
    const carryRateAnnual = carryDoc === undefined ? 0 : parseDecimal(carryDoc, `$.rates.carryAnnual.${u.symbol}`);
    if (u.isNumeraire) {
      resolvedUnderlyings.set(u.symbol, {
        symbol: u.symbol,
        spotUsd: 1,
        carryRateAnnual: 0,
        riskFreeRateAnnual: riskFree,
      });
      continue;
    }
    const price = tokenPrices.get(allChainsFeedKey(u.symbol));
    if (price) {
      resolvedUnderlyings.set(u.symbol, {
        symbol: u.symbol,
        spotUsd: price.priceUsd,
        carryRateAnnual,
        riskFreeRateAnnual: riskFree,
        price,
      });
    }
  }

  const volSurfaces = new Map<string, VolSurface>();
  snapshot.volSurfaces.forEach((doc, i) => {
    volSurfaces.set(doc.underlying, volSurfaceFromDoc(doc, asOfSec, `$.volSurfaces[${i}]`));
  });

  const chains = new Map<string, ChainProfile>([...chainProfiles].map(([id, p]) => [id, { ...p }]));
  snapshot.chains.forEach((o, i) => {
    const base = chains.get(o.chain);
    if (!base) throw missingData(`$.chains[${i}].chain`, `unknown chain "${o.chain}"`);
    chains.set(o.chain, {
      ...base,
      ...(o.finalitySec !== undefined
        ? { finalitySec: parseDecimal(o.finalitySec, `$.chains[${i}].finalitySec`) }
        : {}),
      ...(o.blockTimeMs !== undefined
        ? { blockTimeMs: parseDecimal(o.blockTimeMs, `$.chains[${i}].blockTimeMs`) }
        : {}),
    });
  });

  const rf = snapshot.riskFactors;
  if (rf) checkCorrelations(rf.correlations);
  const riskFactors = rf && {
    source: rf.source,
    names: rf.factors.map((f) => f.name),
    volsDaily: Float64Array.from(rf.factors, (f, i) =>
      parseDecimal(f.volDaily, `$.riskFactors.factors[${i}].volDaily`),
    ),
    backtestVolsDaily: Float64Array.from(rf.factors, (f, i) =>
      parseDecimal(f.backtestVolDaily ?? f.volDaily, `$.riskFactors.factors[${i}].backtestVolDaily`),
    ),
    residualQuantiles: rf.factors.map((f, i) =>
      f.residualQuantiles
        ? Float64Array.from(f.residualQuantiles, (q, k) =>
            parseDecimal(q, `$.riskFactors.factors[${i}].residualQuantiles[${k}]`),
          )
        : undefined,
    ),
    moveResponse: Float64Array.from(rf.factors, (f, i) =>
      f.moveResponse === undefined
        ? Number.NaN
        : parseDecimal(f.moveResponse, `$.riskFactors.factors[${i}].moveResponse`),
    ),
    correlation: Float64Array.from(
      rf.correlations.flatMap((row, i) => row.map((c, j) => parseDecimal(c, `$.riskFactors.correlations[${i}][${j}]`))),
    ),
  };
  return {
    asOfSec,
    asOf: snapshot.asOf,
    underlyings: resolvedUnderlyings,
    tokenPrices,
    volSurfaces,
    chains,
    bridges: snapshot.bridges.map((b, i) => ({
      from: b.from,
      to: b.to,
      latencySec: parseDecimal(b.latencySec, `$.bridges[${i}].latencySec`),
      costBps: parseDecimal(b.costBps, `$.bridges[${i}].costBps`),
    })),
    liquidity: snapshot.liquidity.map((l, i) => ({
      chain: l.chain,
      asset: l.asset,
      dailyVolumeUsd: parseDecimal(l.dailyVolumeUsd, `$.liquidity[${i}].dailyVolumeUsd`),
      halfSpreadBps: parseDecimal(l.halfSpreadBps, `$.liquidity[${i}].halfSpreadBps`),
      impactCoefficient: parseDecimal(l.impactCoefficient, `$.liquidity[${i}].impactCoefficient`),
    })),
    ...(riskFactors ? { riskFactors } : {}),
    flags,
  };
}
