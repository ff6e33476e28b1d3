/**
 * xmargin library API: validate documents, compute margin reports, price instruments.
 * @see README.md for a tour and docs/ for the models.
 */

export { compareModels } from "./backtest/compare.js";
export { liquidationReplay } from "./backtest/liquidation.js";
export { replayMargin } from "./backtest/replay.js";
export { christoffersen, kupiecPof, trafficLight } from "./backtest/statistics.js";
export { summarizeReplay } from "./backtest/summary.js";
export { readAccountPortfolio } from "./chains/readAccountPortfolio.js";
export { formatUnits, parseDecimal, parseUnits } from "./core/decimal.js";
export { XmarginError, type XmarginErrorCode } from "./core/errors.js";
export type { Flag, FlagCode, FlagSeverity } from "./core/flags.js";
export { runCascade } from "./liquidation/cascade/runCascade.js";
export { computeHealth } from "./liquidation/health.js";
export { planLiquidation } from "./liquidation/liquidationPlan.js";
export { planRebalance } from "./liquidation/rebalancePlan.js";
export { simulateWhatIf } from "./liquidation/whatIf.js";
export { BatchGridEngine } from "./margin/batch/batchGridEngine.js";
export { type ComputeMarginInput, computeMargin, runMarginModel } from "./margin/computeMargin.js";
export { MARGIN_MODEL_NAMES, type MarginModelName, marginModels } from "./margin/models.js";
export type { GroupMargin, MarginComponent, MarginReport, PositionMargin, ScenarioTable } from "./margin/report.js";
export { type MarginReportJson, reportToJson } from "./margin/reportJson.js";
export { resolveMarket } from "./margin/resolve/resolveMarket.js";
export { resolvePortfolio } from "./margin/resolve/resolvePortfolio.js";
export { resolveMarginConfig } from "./margin/resolveConfig.js";
export { computePmrm2, type Pmrm2Result } from "./margin/venues/derivePmrm2/computePmrm2.js";
export { pmrm2GoldenDefaults, pmrm2MainnetDefaults } from "./margin/venues/derivePmrm2/defaults.js";
export { goldenCaseInputs } from "./margin/venues/derivePmrm2/goldenCase.js";
export type { Pmrm2Params } from "./margin/venues/derivePmrm2/params.js";
export type { Pmrm2SubAccount } from "./margin/venues/derivePmrm2/subAccount.js";
export type { ChainProfile } from "./market/chainProfile.js";
export { chainProfiles, getChainProfile } from "./market/chainRegistry.js";
export type { TokenKind } from "./market/tokenKind.js";
export { getToken, type TokenRepresentation, tokenRepresentations } from "./market/tokenRegistry.js";
export { underlyings } from "./market/underlyings.js";
export { aggregateQuotes, defaultAggregationRules } from "./oracles/aggregateQuotes.js";
export { buildSnapshot } from "./oracles/buildSnapshot.js";
export { parseSourcesConfig, sourcesConfigSchema } from "./oracles/sourcesConfig.js";
export { black76 } from "./pricing/black76.js";
export { sviImpliedVol } from "./pricing/sviVol.js";
export { positionGreeks, valuePosition } from "./pricing/valuePosition.js";
export { createSviVolSurface, createVolSurface, impliedVol } from "./pricing/volSurface.js";
export { estimateRiskFactors } from "./risk/estimateRiskFactors.js";
export { type MarketSnapshot, type MarketSnapshotInput, marketSnapshotSchema } from "./schema/marketSnapshot.js";
export { type Portfolio, type PortfolioInput, portfolioSchema } from "./schema/portfolio.js";
export { parseDocument } from "./schema/validate.js";
