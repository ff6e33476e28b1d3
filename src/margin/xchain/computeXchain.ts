import { linearCombination } from "../../risk/linearCombination.js";
import { controlVariateEs } from "../../risk/qmc/controlVariateEs.js";
import { unitEllipticalEs } from "../../risk/qmc/ellipticalEs.js";
import type { QmcScenarioSet } from "../../risk/qmc/qmcScenarios.js";
import { type ScenarioSet, scenarioIndex } from "../../risk/scenarios/scenarioSet.js";
import {
  lossQuantileAt,
  type TailExpectation,
  tailExpectation,
  weightedTailLevel,
} from "../../risk/tailExpectation.js";
import { assembleReport } from "../common/assembleReport.js";
import { oracleAddOn } from "../common/oracleAddOn.js";
import type { MarginComponent, MarginComponentId, MarginReport, WorstPath } from "../report.js";
import type { ResolvedMarket } from "../resolve/resolvedMarket.js";
import type { ResolvedPortfolio } from "../resolve/resolvedPortfolio.js";
import { oneDayVarUsd } from "./backtestVar.js";
import type { XchainConfig } from "./config.js";
import { exposureSd, factorExposures } from "./factorExposures.js";
import { liquidationHorizons } from "./horizons.js";
import { chainPnlAndJointLoss, groupTerms } from "./jointLoss.js";
import { jumpAddOn } from "./jumpAddOn.js";
import { liquidityAddOn } from "./liquidityAddOn.js";
import { offsetFloor } from "./offsetFloor.js";
import { unitPnlOnPaths, unitSourceOf } from "./pnlTerms.js";
import { buildFactorModel } from "./riskFactorModel.js";
import { scratchBuffer } from "./scratchBuffers.js";
import { sharedScenarios } from "./sharedScenarios.js";
import { type PnlVectors, simulatePnlVectors } from "./simulatePnlVectors.js";
import type { XchainTailHints } from "./tailHints.js";
import { tickGridFloorParts } from "./tickGridFloor.js";

const usd = (x: number) => x.toFixed(2);

/**
 * Sums the P&L of the included items per group and path, group-major: `out[g * nPaths + s]`, each group's terms four
 * at a time.
 */
function accumulate(
  pnl: PnlVectors,
  groupOf: Int32Array,
  nGroups: number,
  include: readonly boolean[],
  out: Float64Array,
): Float64Array {
  const n = pnl.nPaths;
  groupTerms(pnl, groupOf, nGroups, include).forEach(({ columns, scales }, g) => {
    linearCombination(out.subarray(g * n, (g + 1) * n), columns, scales);
  });
  return out;
}

/**
 * Euler attribution on the tail paths: item i's mean effective loss over them, -coefficient x sum_k w_k e_k v(s_k) /
 * tail mass, e_k the offset rate where the item's chain gained on path s_k (else 1). Items sharing a vector and a
 * chain share the sum, which is computed once for them.
 */
function tailAttribution(
  pnl: PnlVectors,
  chainOf: Int32Array,
  nC: number,
  chainPnl: Float64Array,
  tail: TailExpectation,
  rate: number,
): (i: number) => number {
  const nPaths = pnl.nPaths;
  const count = tail.indices.length;
  const effective = scratchBuffer("tailWeights", nC * count);
  for (let c = 0; c < nC; c++) {
    for (let k = 0; k < count; k++) {
      effective[c * count + k] = tail.weights[k]! * (chainPnl[c * nPaths + tail.indices[k]!]! > 0 ? rate : 1);
    }
  }
  const sums = new Map<number, number>();
  const unit = scratchBuffer("tailUnitPnl", count);
  return (i) => {
    const c = chainOf[i]!;
    const key = unitSourceOf(pnl, i) * nC + c;
    let acc = sums.get(key);
    if (acc === undefined) {
      unitPnlOnPaths(pnl, i, tail.indices, unit);
      acc = 0;
      for (let k = 0; k < count; k++) acc += effective[c * count + k]! * unit[k]!;
      sums.set(key, acc);
    }
    return (-acc * pnl.coefficient[i]!) / tail.tailMass;
  };
}

/**
 * VaR of weighted paths: inside the ES tail (worst first) when the VaR level is the higher one, walking the tail's
 * paths until they hold (1 - confidence) of the weight; else by its own weighted tail.
 */
function weightedVar(
  losses: Float64Array,
  tail: TailExpectation,
  pathWeights: Float64Array,
  confidence: number,
  work: Float64Array,
  weightTotal: number | undefined,
): number {
  const mass = (1 - confidence) * tail.totalWeight;
  if (mass <= tail.tailMass) {
    let held = 0;
    for (let k = 0; k < tail.indices.length; k++) {
      held += pathWeights[tail.indices[k]!]!;
      if (held >= mass * (1 - 1e-12)) return losses[tail.indices[k]!]!;
    }
  }
  return tailExpectation(losses, confidence, work, pathWeights, weightTotal).valueAtRisk;
}

function isQmc(set: ScenarioSet): set is QmcScenarioSet {
  return "gaussian" in set && "mixing" in set;
}

/**
 * The delta-normal (delta-t) loss of the included items on every path, -m sum_{f,j} a_fj G_f(t_j) from the uncapped
 * Gaussian paths, into `out`.
 */
function controlLoss(set: QmcScenarioSet, exposures: Float64Array, out: Float64Array): void {
  const n = set.nScenarios;
  const columns: Float64Array[] = [];
  const scales: number[] = [];
  for (let c = 0; c < exposures.length; c++) {
    if (exposures[c] === 0) continue;
    columns.push(set.gaussian.subarray(c * n, (c + 1) * n));
    scales.push(-exposures[c]!);
  }
  linearCombination(out, columns, scales);
  const m = set.mixing;
  for (let s = 0; s < n; s++) out[s] = out[s]! * m[s]!;
}

/**
 * Cross-chain portfolio margin. One Monte Carlo simulation of all risk factors (prices, token bases, implied vols)
 * read at each item's own liquidation horizon (base period + chain finality + bridge latency for collateral away from
 * the risk chain). Per path, P&L is summed per chain; a chain's gain offsets other chains' losses only at the
 * cross-chain offset rate. IM = max(ES of the joint loss (+ standalone ES of unmodelled underlyings), grid floor)
 * + token events + oracle uncertainty + liquidity and bridge cost, all over the liquidation horizon, is the MM;
 * IM = MM / maintenanceRatio (a documented buffer).
 * @param hints the levels of the joint and the control variate's tails kept for this account from its previous report
 *   (a venue's tick), updated; they save screening and selecting and never change a figure (`LevelHint`)
 */
export function computeXchain(
  portfolio: ResolvedPortfolio,
  market: ResolvedMarket,
  config: XchainConfig,
  hints?: XchainTailHints,
): MarginReport {
  const items = portfolio.items;
  const n = items.length;
  const nPaths = config.simulation.paths;
  const factors = buildFactorModel(items, market, config);
  const horizons = liquidationHorizons(items, market, config);

  let worstPaths: WorstPath[] = [];
  const itemRisk = new Float64Array(n);
  let esUsd = 0;
  let varUsd = 0;
  let unmodelledUsd = 0;
  let backtestVarUsd: number | undefined;
  if (factors.names.length > 0 && n > 0) {
    const shared = sharedScenarios(factors, horizons.timesDays, config.simulation);
    const scenarios = shared.set;
    const pnl = simulatePnlVectors(
      items,
      market,
      factors,
      horizons,
      shared,
      config.impliedVol.minVolAnnual,
      config.simulation.optionRevaluation,
      config.impliedVol.moveResponse,
      config.simulation.optionGrids === "summed",
    );
    const chains = [...new Set(items.map((it) => it.chain))];
    const chainOf = Int32Array.from(items, (it) => chains.indexOf(it.chain));
    const modelled = items.map((it) => !factors.unmodelled.has(it.underlying));
    const nC = chains.length;
    const chainPnl = scratchBuffer("chainPnl", nPaths * nC);
    const losses = scratchBuffer("losses", nPaths);
    const work = scratchBuffer("select", nPaths);
    const rate = config.crossChainOffsetRate;
    chainPnlAndJointLoss(groupTerms(pnl, chainOf, nC, modelled), rate, chainPnl, losses);
    // Importance-sampling weights of the paths (Student-t mixing tail), when the sampler has them.
    const pathWeights = scenarios.weights;
    const weightTotal = shared.weightTotal;
    const tail = tailExpectation(losses, config.esConfidence, work, pathWeights, weightTotal, hints?.joint);
    let es = tail.expectedShortfall;
    // VaR: read off the tail (worst first) when it lies inside it, else by its own selection.
    const varRank = nPaths - Math.ceil(nPaths * config.varConfidence - 1e-9);
    if (pathWeights) varUsd = weightedVar(losses, tail, pathWeights, config.varConfidence, work, weightTotal);
    else
      varUsd =
        varRank < tail.indices.length
          ? losses[tail.indices[varRank]!]!
          : lossQuantileAt(losses, nPaths - 1 - varRank, work);
    // Control variate: the same paths' delta-normal (delta-t) loss, whose ES is known in closed form.
    if (isQmc(scenarios)) {
      const minVol = config.impliedVol.minVolAnnual;
      const exposures = factorExposures(items, modelled, market, factors, horizons, pnl, minVol);
      const sd = exposureSd(exposures, factors.covarianceDaily, horizons.timesDays);
      if (sd > 0) {
        const control = scratchBuffer("control", nPaths);
        controlLoss(scenarios, exposures, control);
        // Only its level and ES are needed, so a weighted control tail is not put in order.
        const ct = pathWeights
          ? weightedTailLevel(control, config.esConfidence, pathWeights, work, weightTotal, hints?.control)
          : tailExpectation(control, config.esConfidence, work);
        const knownEs = sd * unitEllipticalEs(config.esConfidence, config.simulation.innovations);
        es = controlVariateEs(losses, control, tail, ct, knownEs, pathWeights).expectedShortfall;
      }
    }
    esUsd = Math.max(0, es);
    // Euler attribution: each item's mean effective loss over the tail paths; the items add up to the ES.
    if (tail.expectedShortfall > 0) {
      const tailRisk = tailAttribution(pnl, chainOf, nC, chainPnl, tail, rate);
      // Scaled to the variance-reduced ES they attribute.
      const scale = esUsd / tail.expectedShortfall;
      for (let i = 0; i < n; i++) if (modelled[i]) itemRisk[i] = tailRisk(i) * scale;
    }
    // Underlyings without risk data: their own ES each, no diversification with anything.
    for (const u of factors.unmodelled) {
      const members = items.map((it) => it.underlying === u);
      const group = accumulate(pnl, new Int32Array(n), 1, members, scratchBuffer("unmodelled", nPaths));
      for (let s = 0; s < nPaths; s++) group[s] = -group[s]!;
      const t = tailExpectation(group, config.esConfidence, work, scenarios.weights, weightTotal);
      const es = Math.max(0, t.expectedShortfall);
      unmodelledUsd += es;
      members.forEach((isMember, i) => {
        if (!isMember || es <= 0) return;
        const unit = scratchBuffer("tailUnitPnl", t.indices.length);
        unitPnlOnPaths(pnl, i, t.indices, unit);
        let acc = 0;
        for (let k = 0; k < t.indices.length; k++) acc += t.weights[k]! * unit[k]!;
        itemRisk[i] = (-acc * pnl.coefficient[i]!) / t.tailMass;
      });
    }
    if (config.backtesting.oneDayVar)
      backtestVarUsd = oneDayVarUsd(items, market, factors, horizons, scenarios, config);
    const last = scenarios.nTimes - 1;
    worstPaths = Array.from(tail.indices.slice(0, config.reportWorstPaths), (s) => ({
      id: `path ${s}`,
      lossUsd: losses[s]!,
      factorMovesRel: Object.fromEntries(
        factors.names.flatMap((name, f) =>
          factors.used[f] === 1
            ? [[name, Math.expm1(scenarios.logReturns[scenarioIndex(scenarios, s, last, f)]!)]]
            : [],
        ),
      ),
    }));
  }

  // Floor against model risk, with offsets between underlyings up to the maximum credit.
  const grid = tickGridFloorParts(portfolio, market, config.gridFloor.grid);
  const floor = offsetFloor(grid, market, config.gridFloor.fraction, config.gridFloor.maxCreditRel);
  const floorUsd = floor.floorUsd;
  const simulatedUsd = esUsd + unmodelledUsd;
  const floorBinds = floorUsd > simulatedUsd;
  const riskUsd = floorBinds ? floorUsd : simulatedUsd;
  const flags = [...factors.flags, ...horizons.flags];
  if (floorBinds) {
    // the grid's attribution, scaled to add up to the floor
    const gridRisk = grid.itemInitialUsd.reduce((a, im) => a + im, 0);
    grid.itemInitialUsd.forEach((im, i) => {
      itemRisk[i] = gridRisk > 0 ? (im * floorUsd) / gridRisk : floorUsd / n;
    });
    flags.push({
      code: "GRID_FLOOR_BINDING",
      severity: "info",
      message: `grid floor ${usd(floorUsd)} exceeds simulated ES ${usd(simulatedUsd)}`,
    });
  }

  const jumps = jumpAddOn(items, horizons.itemDays, config);
  const coverN = jumps.events.slice(0, config.jumps.coverEvents).reduce((a, e) => a + e.lossUsd, 0);
  const oracle = oracleAddOn(items, market, config.oracle.staleAddOnRel);
  const liquidity = liquidityAddOn(items, market, factors, horizons.itemBridgeCostBps, config);
  flags.push(...liquidity.flags);

  // MM is the risk over the liquidation horizon (breach seen, book unwound one horizon later: every term above is
  // measured at it); IM = MM / maintenanceRatio, a buffer of (1 / ratio - 1) over MM (docs/models/xchain.md).
  const mm = config.maintenanceRatio;
  const itemMaintenance = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    itemMaintenance[i] = itemRisk[i]! + jumps.itemUsd[i]! + oracle.itemUsd[i]! + liquidity.itemUsd[i]!;
  }
  const component = (id: MarginComponentId, name: string, v: number, detail: string): MarginComponent => ({
    id,
    name,
    initialMarginUsd: v / mm,
    maintenanceMarginUsd: v,
    detail,
  });
  const horizonText = Array.from(horizons.timesDays, (d) => d.toFixed(3)).join(", ");
  const components: MarginComponent[] = [
    component(
      floorBinds ? "grid-floor" : "expected-shortfall",
      floorBinds ? "grid floor" : "expected shortfall",
      riskUsd,
      `ES ${config.esConfidence * 100}% of the joint loss ${usd(esUsd)} (VaR ${config.varConfidence * 100}% ${usd(varUsd)}) ` +
        `+ unmodelled ${usd(unmodelledUsd)}; ${nPaths} paths at horizons [${horizonText}] days; ` +
        `cross-chain offset ${config.crossChainOffsetRate * 100}%; floor ${usd(floorUsd)} = ${config.gridFloor.fraction * 100}% of grid with ` +
        `${usd(floor.creditUsd)} offset credit across underlyings (max ${config.gridFloor.maxCreditRel * 100}%)` +
        (horizons.riskChain ? `; risk chain ${horizons.riskChain}` : ""),
    ),
    component(
      "jumps",
      "depeg and bridge jumps",
      jumps.addOnUsd,
      jumps.events.length === 0
        ? "no token representation at risk of a jump"
        : `events at their probability over the horizon, min(1, p / ${usd(1 - config.esConfidence)}) x loss: ` +
            jumps.events
              .map(
                (e) =>
                  `${e.group} ${usd(e.chargeUsd)} (loss ${usd(e.lossUsd)}, p ${e.probabilityHorizon.toExponential(2)})`,
              )
              .join("; ") +
            `; stress, not in IM: Cover-1 ${usd(jumps.cover1Usd)}, Cover-2 ${usd(jumps.cover2Usd)}` +
            (config.jumps.coverEvents > 2 ? `, Cover-${config.jumps.coverEvents} ${usd(coverN)}` : ""),
    ),
    component(
      "oracle-uncertainty",
      "oracle uncertainty",
      oracle.addOnUsd,
      "exposure x (confidence, divergence, staleness) per chain and feed",
    ),
    component(
      "liquidity",
      "liquidity and bridge cost",
      liquidity.unwindUsd + liquidity.bridgeUsd,
      `square-root impact unwind ${usd(liquidity.unwindUsd)}; bridging collateral to the risk chain ${usd(liquidity.bridgeUsd)}`,
    ),
  ];
  const report = assembleReport({
    model: "xchain",
    portfolio,
    market,
    itemInitialUsd: itemMaintenance.map((x) => x / mm),
    itemMaintenanceUsd: itemMaintenance,
    components,
    worstPaths,
    itemHorizonDays: horizons.itemDays,
    flags,
  });
  return backtestVarUsd === undefined ? report : { ...report, backtestVarUsd };
}
